"""Follow-ups about the application just reported: its own fixes in order, its materials, its ETA."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.db import queries
from bot.db.seed import DEMO_APPLICATIONS
from bot.status.followups import Kind, answer, answer_for_topic

TODAY = date(2026, 11, 29)
"""A Sunday: 复审 of RZ202611150003 (since Thursday 19 November) ended, at the latest, on Tuesday 24th."""


@pytest.fixture
def answers(seeded_url: str, sessions: sessionmaker[Session]) -> dict[tuple[str, Kind], str | None]:
    with sessions() as session:
        applications = queries.applications_by_id(session, (demo.id for demo in DEMO_APPLICATIONS))
        return {(key, kind): answer(kind, app, TODAY) for key, app in applications.items() for kind in Kind}


def test_next_step_of_a_rejected_sole_proprietor_lists_its_own_fixes_in_order(
    answers: dict[tuple[str, Kind], str | None],
) -> None:
    text = answers[("RZ202611120005", Kind.NEXT_STEP)] or ""
    first, second = text.index("营业执照照片模糊"), text.index("经营者身份证已过期")
    assert first < second
    assert "清晰可辨" in text and "身份证必须在有效期内" in text
    assert "个体工商户：需要提供营业执照和经营者的身份证" in text
    assert "法定代表人身份证" not in text  # not the company list
    assert "立即重新提交" in text


def test_next_step_of_a_rejected_company_names_the_company_materials(
    answers: dict[tuple[str, Kind], str | None],
) -> None:
    text = answers[("RZ202611210006", Kind.NEXT_STEP)] or ""
    assert "括号为半角" in text and "法定代表人身份证" in text


def test_next_step_while_in_review_is_to_wait_with_a_date(
    answers: dict[tuple[str, Kind], str | None],
) -> None:
    text = answers[("RZ202611200001", Kind.NEXT_STEP)] or ""
    assert "目前不需要您操作" in text and "11月24日（周二）前完成" in text


def test_a_slow_review_past_its_range_apologises_with_the_delay_and_offers_a_person(
    answers: dict[tuple[str, Kind], str | None],
) -> None:
    text = answers[("RZ202611150003", Kind.SLOW)] or ""
    assert "很抱歉" in text and "已超出一般时长 3 个工作日" in text and "11月24日（周二）" in text
    assert "转人工" in text


def test_timing_when_the_applicant_must_act_or_it_is_over(
    answers: dict[tuple[str, Kind], str | None],
) -> None:
    assert "打款验证" in (answers[("RZ202611180002", Kind.TIMING)] or "")
    assert "已经通过" in (answers[("RZ202611100004", Kind.TIMING)] or "")


def test_rejection_topics_are_the_applications_own_only_when_it_was_rejected(
    seeded_url: str, sessions: sessionmaker[Session]
) -> None:
    with sessions() as session:
        apps = queries.applications_by_id(session, ["RZ202611120005", "RZ202611200001"])
        assert "营业执照照片模糊" in (
            answer_for_topic("rejection_reasons", apps["RZ202611120005"], TODAY) or ""
        )
        assert answer_for_topic("rejection_reasons", apps["RZ202611200001"], TODAY) is None
        assert "初审已超出一般时长" in (answer_for_topic("total_time", apps["RZ202611200001"], TODAY) or "")
        assert answer_for_topic("fees", apps["RZ202611200001"], TODAY) is None
