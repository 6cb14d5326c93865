"""Actions that end without an answer note the question for the editors, and still reply when that fails."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from actions.faq import ActionAnswerFaq
from actions.out_of_scope import ActionOutOfScope
from bot.db.unanswered import UnansweredQuestion


def tracker(text: str, intent: str, confidence: float, faq_ranking: list[tuple[str, float]] = ()) -> Tracker:
    """A tracker whose latest message is `text`, parsed as `intent`."""
    latest: dict[str, Any] = {
        "text": text,
        "intent": {"name": intent, "confidence": confidence},
        "intent_ranking": [{"name": intent, "confidence": confidence}],
        "entities": [],
        "response_selector": {
            "faq": {"ranking": [{"intent_response_key": f"faq/{k}", "confidence": c} for k, c in faq_ranking]}
        },
    }
    return Tracker(
        "applicant-1",
        {},
        latest,
        [{"event": "user", "text": text, "parse_data": latest}],
        False,
        None,
        {},
        "",
    )


def recorded(sessions: sessionmaker[Session]) -> list[tuple[str, str]]:
    with sessions() as session:
        return [(row.text, row.reasons) for row in session.scalars(select(UnansweredQuestion))]


@pytest.fixture
def use_database(database_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("DATABASE_URL", database_url)
    return database_url


async def test_out_of_scope_is_recorded_masked_then_answered(
    use_database: str, sessions: sessionmaker[Session]
) -> None:
    dispatcher = CollectingDispatcher()
    await ActionOutOfScope().run(
        dispatcher, tracker("我电话13812345678，帮我订机票", "out_of_scope", 0.95), {}
    )
    assert [m["response"] for m in dispatcher.messages] == ["utter_out_of_scope"]
    assert recorded(sessions) == [("我电话138****5678,帮我订机票", "out_of_scope")]


async def test_uncertain_and_fallback_answers_are_recorded(
    use_database: str, sessions: sessionmaker[Session]
) -> None:
    dispatcher = CollectingDispatcher()
    await ActionAnswerFaq().run(
        dispatcher, tracker("审核多久和要不要钱", "faq", 0.9, [("total_time", 0.4), ("fees", 0.38)]), {}
    )
    assert dispatcher.messages[0]["response"] == "utter_faq_uncertain"
    dispatcher = CollectingDispatcher()
    await ActionAnswerFaq().run(dispatcher, tracker("嗯嗯那个东西", "nlu_fallback", 0.4), {})
    assert dispatcher.messages[0]["response"] == "utter_default"
    assert sorted(recorded(sessions)) == sorted(
        [("审核多久和要不要钱", "uncertain"), ("嗯嗯那个东西", "fallback")]
    )


async def test_a_database_failure_never_stops_the_reply(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'never-migrated.db'}")
    dispatcher = CollectingDispatcher()
    with caplog.at_level(logging.WARNING):
        await ActionOutOfScope().run(dispatcher, tracker("我电话13812345678", "out_of_scope", 0.95), {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_out_of_scope"]
    assert "could not record an unanswered question" in caplog.text
    assert "13812345678" not in caplog.text
