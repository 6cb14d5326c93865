"""Follow-up actions, run as rasa-sdk runs them, on a real database: answers for the application just reported.

Ownership is real (proven with the credit code through bot.status.lookup); the slot that says which
application was reported only steers, so a typed `/ask_next_step` with a made-up slot gets nothing.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from actions.faq import ActionAnswerFaq
from actions.followup import ActionFollowUp
from bot.db.escalation_models import Escalation
from bot.status.lookup import StatusLookup

CODES = {"RZ202611120005": "3E1Q2Q", "RZ202611150003": "8N2P1D", "RZ202611200001": "B2C344"}


@pytest.fixture
def database(seeded_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("DATABASE_URL", seeded_url)
    monkeypatch.setenv("BOT_TEST_NOW", "2026-11-29T10:00:00+08:00")
    return seeded_url


def verified(url: str, sender: str, application_id: str) -> None:
    StatusLookup.for_url(url).check_code(sender, application_id, CODES[application_id])


def turn(
    text: str,
    intent: str,
    *,
    sender: str = "rest:alice",
    reported: str | None = None,
    faq_topic: str | None = None,
    turns_since: int = 0,
    ranking: list[tuple[str, float]] | None = None,
) -> Tracker:
    """The tracker for `text`, `turns_since` user messages after a report of `reported` (or a FAQ answer)."""
    started = (datetime.now(timezone.utc) - timedelta(minutes=5)).timestamp()
    parse: dict[str, Any] = {"text": text, "intent": {"name": intent, "confidence": 0.9}, "entities": []}
    parse["intent_ranking"] = [{"name": intent, "confidence": 0.9}]
    if ranking:
        parse["response_selector"] = {
            "faq": {"ranking": [{"intent_response_key": f"faq/{k}", "confidence": c} for k, c in ranking]}
        }
    events: list[dict[str, Any]] = [
        {"event": "session_started", "timestamp": started},
        {"event": "user", "text": "…", "parse_data": {}},
    ]
    slots: dict[str, Any] = {}
    for name, value in (("reported_application", reported), ("faq_topic", faq_topic)):
        if value:
            events.append({"event": "slot", "name": name, "value": value})
            slots[name] = value
    events += [{"event": "user", "text": "…", "parse_data": {}} for _ in range(turns_since)]
    events.append({"event": "user", "text": text, "parse_data": parse})
    return Tracker(sender, slots, parse, events, False, None, {}, "")


async def run(action: Any, tracker: Tracker) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, tracker, {})
    return dispatcher.messages, events


async def test_next_step_after_a_rejection_gives_its_own_fixes(database: str) -> None:
    verified(database, "rest:alice", "RZ202611120005")

    messages, _ = await run(
        ActionFollowUp(), turn("被驳回了下一步怎么弄", "ask_next_step", reported="RZ202611120005")
    )

    text = messages[0]["text"]
    assert text.index("营业执照照片模糊") < text.index("经营者身份证已过期")
    assert "个体工商户" in text


async def test_complaining_about_a_late_review_apologises_with_the_delay(database: str) -> None:
    verified(database, "rest:alice", "RZ202611150003")

    messages, _ = await run(ActionFollowUp(), turn("怎么这么慢", "complain_slow", reported="RZ202611150003"))

    assert "已超出一般时长 3 个工作日" in messages[0]["text"]


async def test_an_appeal_goes_to_a_person_with_the_application(
    database: str, sessions: sessionmaker[Session]
) -> None:
    verified(database, "rest:alice", "RZ202611120005")

    messages, events = await run(
        ActionFollowUp(), turn("我不服这个结果", "appeal", reported="RZ202611120005")
    )

    assert [m["response"] for m in messages] == [
        "utter_appeal_application",
        "utter_handoff_started",
        "utter_handoff_how_rest",  # a REST caller is told how an agent's reply reaches them
    ]
    assert [e["event"] for e in events] == ["pause"]
    with sessions() as session:
        [escalation] = session.scalars(select(Escalation))
    assert escalation.application_id == "RZ202611120005"


async def test_without_a_recent_report_the_answer_is_general(database: str) -> None:
    verified(database, "rest:alice", "RZ202611120005")

    stale, _ = await run(
        ActionFollowUp(), turn("下一步怎么弄", "ask_next_step", reported="RZ202611120005", turns_since=3)
    )
    never, _ = await run(ActionFollowUp(), turn("怎么这么慢", "complain_slow"))

    assert stale[0]["response"] == "utter_next_step_which"
    assert never[0]["response"] == "utter_complain_slow"


async def test_a_slot_typed_by_someone_who_never_proved_ownership_reveals_nothing(database: str) -> None:
    messages, _ = await run(
        ActionFollowUp(), turn("下一步", "ask_next_step", sender="rest:mallory", reported="RZ202611120005")
    )

    assert messages[0]["response"] == "utter_next_step_which"


async def test_a_timing_question_after_a_report_gets_the_applications_eta(database: str) -> None:
    verified(database, "rest:alice", "RZ202611200001")
    tracker = turn(
        "还要等几天", "faq", reported="RZ202611200001", ranking=[("total_time", 0.9), ("fees", 0.01)]
    )

    messages, _ = await run(ActionAnswerFaq(), tracker)

    assert "RZ202611200001" in messages[0]["text"] and "初审已超出一般时长" in messages[0]["text"]


async def test_an_elliptical_question_after_the_fees_answer_is_about_fees(database: str) -> None:
    tracker = turn(
        "个体工商户也一样吗？", "faq", faq_topic="fees", ranking=[("sole_proprietor", 0.9), ("fees", 0.05)]
    )

    messages, events = await run(ActionAnswerFaq(), tracker)

    assert messages[0]["text"].startswith("个体工商户也一样：钉钉企业认证本身是免费的")
    assert "付费代办" in messages[0]["text"]
    assert {"event": "slot", "name": "faq_topic", "value": "sole_proprietor"} in [
        {k: e.get(k) for k in ("event", "name", "value")} for e in events
    ]
