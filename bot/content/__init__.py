"""The FAQ content in data/ and the editors' commands: `python -m bot.content export|import|check|unanswered`.

__main__.py          the command line; EditorError becomes its Chinese message and exit code
gate.py              every rule the content must pass: `check` and both imports run it, with one verdict
checks.py            `check`: the gate on the files, one `file:line: problem` each
faq_sheet.py         `export` / `import`: every topic as spreadsheet rows (one per phrasing), and back
unanswered_sheet.py  `unanswered export` / `import`: questions the bot missed become phrasings
workbook.py          spreadsheet plumbing shared by both sheets
corpus.py            the content read once: topics, phrasings, responses, facts
topic_files.py       the one reader and writer of topic files (data/nlu/faq/<key>.yml)
heldout_file.py      each topic's test questions in the held-out set (tests/data/heldout_nlu.yml)
source.py            the one reader of Rasa YAML: intents, phrasings and responses with their lines
facts.py             data/facts.yml and answers that contradict it
phrasings.py         when two phrasings count as the same
paths.py             where the content is (tests point it at a copy)
atomic.py            replace a file in one step
errors.py            EditorError, SheetError
texts.py             every Chinese text the commands print
"""
