"""Working days as Chinese reviewers count them: holidays skipped, make-up Saturdays worked, unknown years said so."""

from __future__ import annotations

from datetime import date

from bot.working_days import add_working_days, classify, working_days_between


def test_a_plain_week_skips_the_weekend() -> None:
    # Thursday 2026-11-19 + 3 working days: Fri 20, Mon 23, Tue 24.
    assert add_working_days(date(2026, 11, 19), 3).day == date(2026, 11, 24)
    assert add_working_days(date(2026, 11, 19), 3).calendar_known


def test_the_national_day_holiday_is_skipped() -> None:
    # Wednesday 2026-09-30, then 1-7 October off: the first working days are Thu 8 and Fri 9 October.
    assert add_working_days(date(2026, 9, 30), 1).day == date(2026, 10, 8)
    assert add_working_days(date(2026, 9, 30), 2).day == date(2026, 10, 9)


def test_a_make_up_saturday_is_a_working_day() -> None:
    # Saturday 2026-10-10 is worked in exchange for the National Day holiday.
    assert classify(date(2026, 10, 10)).working
    assert add_working_days(date(2026, 10, 9), 1).day == date(2026, 10, 10)
    # An ordinary Saturday is not.
    assert not classify(date(2026, 10, 17)).working


def test_a_year_the_calendar_does_not_know_counts_weekends_only_and_says_so() -> None:
    # 2027 is past chinese-calendar 1.11.0: 1 January 2027 (a Friday) counts as a working day.
    counted = add_working_days(date(2026, 12, 31), 1)
    assert counted.day == date(2027, 1, 1)
    assert not counted.calendar_known
    assert add_working_days(date(2027, 3, 5), 1).day == date(2027, 3, 8)  # Friday → Monday
    assert add_working_days(date(2026, 12, 28), 2).calendar_known  # stays inside 2026


def test_working_days_between_counts_the_days_after_the_start() -> None:
    assert working_days_between(date(2026, 11, 24), date(2026, 11, 29)).working_days == 3  # Wed-Fri
    assert working_days_between(date(2026, 11, 24), date(2026, 11, 24)).working_days == 0
    assert working_days_between(date(2026, 9, 30), date(2026, 10, 10)).working_days == 3  # 8, 9, 10
