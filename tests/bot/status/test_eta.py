"""The ETA an applicant reads: a dated promise from the guide's range, or an apology that says how late it is."""

from __future__ import annotations

from datetime import date, datetime

from bot.db.models import Status
from bot.db.types import BEIJING
from bot.status.eta import estimate, render_eta


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=BEIJING)


def test_first_review_gets_a_dated_promise_within_the_guides_range() -> None:
    eta = estimate(Status.FIRST_REVIEW, at("2026-11-27 10:00"), date(2026, 11, 27))
    assert eta is not None and not eta.overdue
    text = render_eta(eta)
    # Friday + 2 working days = Tuesday.
    assert text.startswith("预计 12月1日（周二）前完成初审")
    assert "1-2 个工作日" in text and "节假日安排" not in text


def test_second_review_past_its_range_apologises_and_says_by_how_much() -> None:
    eta = estimate(Status.SECOND_REVIEW, at("2026-11-19 14:45"), date(2026, 11, 29))
    assert eta is not None and eta.overdue
    text = render_eta(eta)
    assert text.startswith("很抱歉")
    assert "已超出一般时长 3 个工作日" in text
    assert "11月24日（周二）前完成" in text
    assert "转人工" in text


def test_a_weekend_right_after_the_last_day_is_late_without_a_working_day_count() -> None:
    eta = estimate(Status.FIRST_REVIEW, at("2026-11-25 09:00"), date(2026, 11, 28))
    assert eta is not None and eta.overdue and eta.overdue_days == 0
    assert "已超过一般时长" in render_eta(eta)


def test_an_eta_in_an_unknown_year_says_holidays_were_not_counted() -> None:
    text = render_eta(estimate(Status.SECOND_REVIEW, at("2026-12-30 16:00"), date(2026, 12, 30)))  # type: ignore[arg-type]
    assert "2027年1月4日（周一）" in text  # Thu 31, Fri 1 Jan (not known as a holiday), Mon 4
    assert "只扣除了周末" in text


def test_stages_waiting_for_the_applicant_or_finished_have_no_eta() -> None:
    for status in (Status.PAYMENT_VERIFICATION, Status.APPROVED, Status.REJECTED):
        assert estimate(status, at("2026-11-19 14:45"), date(2026, 11, 29)) is None
