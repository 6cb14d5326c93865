"""Chinese working days: public holidays and make-up working days from chinese-calendar.

chinese-calendar knows only the years its release covers (it raises NotImplementedError beyond
them). For those years every count here falls back to "Monday to Friday" and says so
(`Count.calendar_known` is False), so a reply can tell the applicant that holidays were not counted.

Counting follows how reviews are promised: a stage started on day D takes N working days when it
ends on the N-th working day after D (D itself does not count, whatever the hour).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import chinese_calendar

ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class Day:
    """Whether `day` is a working day, and whether the holiday calendar knew its year."""

    day: date
    working: bool
    calendar_known: bool


@dataclass(frozen=True)
class Count:
    """A day reached, or a number of working days counted, and whether holidays were known throughout."""

    day: date
    working_days: int
    calendar_known: bool


def classify(day: date) -> Day:
    """Tell whether `day` is a working day in China (weekends only when its year is unknown)."""
    try:
        return Day(day, bool(chinese_calendar.is_workday(day)), calendar_known=True)
    except NotImplementedError:
        return Day(day, day.weekday() < 5, calendar_known=False)


def add_working_days(start: date, count: int) -> Count:
    """The `count`-th working day after `start` (`start` itself never counts)."""
    if count < 0:
        raise ValueError("count must not be negative")
    day, found, known = start, 0, True
    while found < count:
        day += ONE_DAY
        info = classify(day)
        known = known and info.calendar_known
        found += info.working
    return Count(day, count, known)


def working_days_between(start: date, end: date) -> Count:
    """How many working days lie after `start` up to and including `end` (0 when `end` <= `start`)."""
    day, found, known = start, 0, True
    while day < end:
        day += ONE_DAY
        info = classify(day)
        known = known and info.calendar_known
        found += info.working
    return Count(end, found, known)
