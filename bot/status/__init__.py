"""Application status lookup: parse the ID and code, prove ownership, throttle, report; back office.

parse.py        the application ID and credit-code suffix in what the applicant typed
throttle.py     rules over stored attempts (3 wrong codes per ID and 10 per sender lock a sender;
                10 per ID an hour from all senders cap the ID)
lookup.py       the service the actions call: start, check_code, report
report.py       the status report text (templates in texts.py)
backoffice.py   CSV import and set-status, validated before anything is written
__main__.py     `python -m bot.status import FILE.csv | set-status ID STATUS`
texts.py        every Chinese text: the report's templates, the back office's help and errors
"""
