"""An answer asked again at once in other words, or followed by 「没解决」, reaches the editors as 答错了."""

from __future__ import annotations

import json
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from actions.faq import ActionAnswerFaq
from actions.feedback import ActionAnswerFeedback
from bot.answers.catalog import Catalog
from bot.db.unanswered import UnansweredQuestion

SENDER = "tg:4242"


def parsed(
    text: str, intent: str, ranking: list[tuple[str, float]] = (), entities: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Rasa's parse of `text`: `intent`, its `entities` (name → value) and the FAQ topics ranked."""
    return {
        "text": text,
        "intent": {"name": intent, "confidence": 0.9},
        "intent_ranking": [{"name": intent, "confidence": 0.9}],
        "entities": [{"entity": name, "value": value} for name, value in (entities or {}).items()],
        "response_selector": {
            "faq": {"ranking": [{"intent_response_key": f"faq/{k}", "confidence": c} for k, c in ranking]}
        },
    }


async def turn(
    action: ActionAnswerFaq | ActionAnswerFeedback, history: list[dict[str, Any]], message: dict[str, Any]
) -> list[dict[str, Any]]:
    """Run `action` on `message` after `history`; append the turn's events; return the bot's messages."""
    history.append({"event": "user", "text": message["text"], "parse_data": message})
    slots = {e["name"]: e["value"] for e in history if e["event"] == "slot"}
    dispatcher = CollectingDispatcher()
    events = await action.run(
        dispatcher, Tracker(SENDER, slots, message, list(history), False, None, {}, ""), {}
    )
    history.extend(events)
    return dispatcher.messages


@pytest.fixture
def use_database(database_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("DATABASE_URL", database_url)
    return database_url


async def test_a_rephrasing_and_a_typed_complaint_mark_the_answers_wrong(
    use_database: str, sessions: sessionmaker[Session]
) -> None:
    topics, history = Catalog().topics(), []
    [first] = await turn(
        ActionAnswerFaq(), history, parsed("认证要交啥", "faq", [("materials_list", 0.6), ("fees", 0.3)])
    )
    assert first["text"] == topics["materials_list"].answer
    assert [b["title"] for b in first["buttons"]] == ["👍", "👎"]

    [second] = await turn(ActionAnswerFaq(), history, parsed("我是问要不要交钱", "faq", [("fees", 0.9)]))
    assert second["text"] == topics["fees"].answer  # fees was the first question's runner-up: a rephrasing
    [sorry] = await turn(ActionAnswerFeedback(), history, parsed("没解决", "answer_unhelpful"))
    assert sorry["response"] == "utter_feedback_sorry"
    [nothing] = await turn(ActionAnswerFeedback(), history, parsed("不对", "answer_unhelpful"))
    assert nothing["response"] == "utter_feedback_nothing_to_rate"  # no answer just before it

    with sessions() as session:
        wrong = {(q.text, q.reasons, q.answer_topic) for q in session.scalars(select(UnansweredQuestion))}
    assert wrong == {
        ("认证要交啥", "wrong_answer", "materials_list"),
        ("我是问要不要交钱", "wrong_answer", "fees"),
    }


def pressed(payload: str) -> dict[str, Any]:
    """Rasa's parse of a button's payload `/intent{json}` (what its intent-payload reader yields)."""
    intent, _, body = payload[1:].partition("{")
    return parsed(payload, intent, entities=json.loads("{" + body) if body else {})


async def test_made_up_votes_are_refused_and_a_plain_second_question_leaves_the_vote_to_the_applicant(
    use_database: str, sessions: sessionmaker[Session]
) -> None:
    topics, history = Catalog().topics(), []
    fees_ranking = [("fees", 0.7), ("materials_list", 0.2), ("total_time", 0.1)]
    [first] = await turn(ActionAnswerFaq(), history, parsed("认证要收费吗", "faq", fees_ranking))
    [second] = await turn(ActionAnswerFaq(), history, parsed("审核要多久", "faq", [("total_time", 0.9)]))
    assert second["text"] == topics["total_time"].answer  # ranked third for the first question: no rephrasing

    for made_up in (  # the attacker's payloads: no answer named, or values of the wrong type
        parsed('/answer_feedback{"vote": "down"}', "answer_feedback", entities={"vote": "down"}),
        parsed("/answer_feedback", "answer_feedback"),
        parsed("/answer_feedback{…}", "answer_feedback", entities={"answer_ref": ["1"], "vote": {"a": 1}}),
    ):
        [refused] = await turn(ActionAnswerFeedback(), history, made_up)
        assert refused["response"] == "utter_feedback_unknown"
    ref = json.loads("{" + first["buttons"][0]["payload"].partition("{")[2])["answer_ref"]
    for body in (  # the second attacker's: right answer, but not as the buttons write it
        {"answer_ref": int(ref), "vote": "up"},
        {"answer_ref": [ref], "vote": "up"},
        {"answer_ref": f" {ref}", "vote": "up"},
        {"answer_ref": f"{ref}\n", "vote": "up"},
        {"answer_ref": ref, "vote": ["up"]},
        {"answer_ref": ref, "vote": "up", "x": 1},
        {"answer_ref": f"0{ref}", "vote": "up"},
    ):
        [refused] = await turn(
            ActionAnswerFeedback(), history, pressed("/answer_feedback" + json.dumps(body))
        )
        assert refused["response"] == "utter_feedback_unknown", body
    [thanks] = await turn(ActionAnswerFeedback(), history, pressed(first["buttons"][0]["payload"]))
    assert thanks["response"] == "utter_feedback_thanks"  # the applicant's own 👍 on the fees answer
    with sessions() as session:
        assert list(session.scalars(select(UnansweredQuestion))) == []  # nothing reached the editors


async def test_the_applicants_own_vote_replaces_one_inferred_from_a_rephrasing(
    use_database: str, sessions: sessionmaker[Session]
) -> None:
    history: list[dict[str, Any]] = []
    [first] = await turn(
        ActionAnswerFaq(), history, parsed("认证要交啥", "faq", [("materials_list", 0.6), ("fees", 0.3)])
    )
    await turn(ActionAnswerFaq(), history, parsed("我是问要不要交钱", "faq", [("fees", 0.9)]))  # inferred 👎
    [thanks] = await turn(ActionAnswerFeedback(), history, pressed(first["buttons"][0]["payload"]))
    assert thanks["response"] == "utter_feedback_thanks"
    [again] = await turn(ActionAnswerFeedback(), history, pressed(first["buttons"][1]["payload"]))
    assert again["response"] == "utter_feedback_already"  # the applicant's own vote stands
