"""Handing over to a person: the escalation is written before the bot pauses; two fallbacks in a row escalate;
a conversation past its hourly limit is still handed over, quietly."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from actions.faq import ActionAnswerFaq
from actions.handoff import ActionRequestHuman
from bot.db import escalation_queries
from bot.db.escalation_models import Escalation
from bot.db.unanswered import UnansweredQuestion
from bot.settings import PROJECT_ROOT


def parsed(text: str, intent: str, confidence: float = 0.95) -> dict[str, Any]:
    return {
        "text": text,
        "intent": {"name": intent, "confidence": confidence},
        "intent_ranking": [{"name": intent, "confidence": confidence}],
        "entities": [],
    }


def tracker(events: list[dict[str, Any]], sender: str = "555000111") -> Tracker:
    latest = next(e["parse_data"] for e in reversed(events) if e["event"] == "user")
    return Tracker(sender, {}, latest, events, False, None, {}, "")


def user(text: str, intent: str = "nlu_fallback", confidence: float = 0.3) -> dict[str, Any]:
    return {"event": "user", "text": text, "parse_data": parsed(text, intent, confidence)}


def bot(text: str, response: str) -> dict[str, Any]:
    return {"event": "bot", "text": text, "metadata": {"utter_action": response}}


def escalations(sessions: sessionmaker[Session]) -> list[Escalation]:
    with sessions() as session:
        return list(session.scalars(select(Escalation)))


@pytest.fixture
def use_database(database_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("DATABASE_URL", database_url)
    return database_url


async def test_request_human_writes_the_escalation_then_pauses(
    use_database: str, sessions: sessionmaker[Session]
) -> None:
    events = [
        user("我的申请 rz-2026 1120 0001 怎么还没过，电话13812345678", "check_status", 0.9),
        bot("请提供统一社会信用代码的后六位。", "utter_ask_credit_code"),
        user("转人工", "request_human"),
    ]
    dispatcher = CollectingDispatcher()
    result = await ActionRequestHuman().run(dispatcher, tracker(events), {})

    assert [event["event"] for event in result] == ["pause"]
    assert [m["response"] for m in dispatcher.messages] == ["utter_handoff_started", "utter_handoff_how_rest"]
    [escalation] = escalations(sessions)
    assert (escalation.sender_id, escalation.reason, escalation.status) == ("555000111", "asked", "open")
    assert escalation.application_id == "RZ202611200001"
    assert "13812345678" not in escalation.transcript and "138****5678" in escalation.transcript


async def test_asking_twice_keeps_one_escalation(use_database: str, sessions: sessionmaker[Session]) -> None:
    for _ in range(2):
        await ActionRequestHuman().run(CollectingDispatcher(), tracker([user("人工", "request_human")]), {})
    assert len(escalations(sessions)) == 1


async def test_second_fallback_in_a_row_escalates(use_database: str, sessions: sessionmaker[Session]) -> None:
    first = [user("嗯那个东西")]
    dispatcher = CollectingDispatcher()
    assert await ActionAnswerFaq().run(dispatcher, tracker(first), {}) == []
    assert dispatcher.messages[0]["response"] == "utter_default"
    assert escalations(sessions) == []

    second = [*first, bot("抱歉，我没有完全理解", "utter_default"), user("就是那个啊")]
    dispatcher = CollectingDispatcher()
    result = await ActionAnswerFaq().run(dispatcher, tracker(second), {})
    assert [event["event"] for event in result] == ["pause"]
    assert dispatcher.messages[0]["response"] == "utter_handoff_after_fallbacks"
    assert [e.reason for e in escalations(sessions)] == ["fallbacks"]


async def test_a_fallback_after_an_answer_does_not_escalate(
    use_database: str, sessions: sessionmaker[Session]
) -> None:
    events = [user("认证要钱吗", "faq"), bot("免费", "utter_faq/fees"), user("嗯那个东西")]
    dispatcher = CollectingDispatcher()
    assert await ActionAnswerFaq().run(dispatcher, tracker(events), {}) == []
    assert dispatcher.messages[0]["response"] == "utter_default"
    assert escalations(sessions) == []


@pytest.mark.parametrize("opening", ["", "  ", "/get_started", "/start"])
async def test_a_widgets_opening_message_never_counts_as_not_understood(
    use_database: str, sessions: sessionmaker[Session], opening: str
) -> None:
    """A chat widget's opening message the bot answered with a fallback: the first unclear question is the first."""
    events = [user(opening), bot("抱歉，我没有完全理解", "utter_default"), user("嗯那个东西")]
    dispatcher = CollectingDispatcher()
    assert await ActionAnswerFaq().run(dispatcher, tracker(events), {}) == []
    assert dispatcher.messages[0]["response"] == "utter_default"
    assert escalations(sessions) == []


async def test_a_blank_message_after_a_fallback_does_not_escalate(
    use_database: str, sessions: sessionmaker[Session]
) -> None:
    events = [user("嗯那个东西"), bot("抱歉，我没有完全理解", "utter_default"), user("  ")]
    dispatcher = CollectingDispatcher()
    assert await ActionAnswerFaq().run(dispatcher, tracker(events), {}) == []
    assert escalations(sessions) == []


async def test_a_blank_message_between_two_unclear_questions_changes_nothing(
    use_database: str, sessions: sessionmaker[Session]
) -> None:
    events = [
        user("嗯那个东西"), bot("抱歉，我没有完全理解", "utter_default"),
        user(""), bot("您好像发送了一条空消息", "utter_empty_message"),
        user("就是那个啊"),
    ]  # fmt: skip
    result = await ActionAnswerFaq().run(CollectingDispatcher(), tracker(events), {})
    assert [event["event"] for event in result] == ["pause"]
    assert [e.reason for e in escalations(sessions)] == ["fallbacks"]


async def test_database_down_means_an_apology_and_no_pause(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'no-tables.db'}")
    dispatcher = CollectingDispatcher()
    result = await ActionRequestHuman().run(dispatcher, tracker([user("转人工", "request_human")]), {})
    assert result == []
    assert [m["response"] for m in dispatcher.messages] == ["utter_storage_unavailable"]


def resolve_all(sessions: sessionmaker[Session]) -> None:
    """What an agent's /resolve does to the conversation's escalation."""
    with sessions() as session, session.begin():
        for escalation in escalation_queries.active_escalations(session):
            escalation_queries.resolve_escalation(session, escalation.id)


async def ask_for_a_person(sender: str = "555000111") -> tuple[list[str], list[str]]:
    dispatcher = CollectingDispatcher()
    result = await ActionRequestHuman().run(
        dispatcher, tracker([user("转人工", "request_human")], sender), {}
    )
    *said, how = [m["response"] for m in dispatcher.messages]
    assert how == "utter_handoff_how_rest"  # every handover says how the reply reaches this applicant
    return said, [event["event"] for event in result]


async def test_asking_again_while_one_is_open_joins_it(
    use_database: str, sessions: sessionmaker[Session]
) -> None:
    assert await ask_for_a_person() == (["utter_handoff_started"], ["pause"])
    assert await ask_for_a_person() == (["utter_handoff_already_open"], ["pause"])
    assert len(escalations(sessions)) == 1


async def test_past_the_hourly_limit_requests_are_still_recorded_but_quiet(
    use_database: str, sessions: sessionmaker[Session]
) -> None:
    replies = []
    for _ in range(5):
        replies.append(await ask_for_a_person())
        resolve_all(sessions)  # an agent ends each one, and the applicant asks again

    started, over = ["utter_handoff_started"], ["utter_handoff_over_limit"]
    assert [reply for reply, _ in replies] == [started] * 3 + [over] * 2
    assert all(events == ["pause"] for _, events in replies)  # handed over every time: nothing is lost
    assert [e.quiet for e in escalations(sessions)] == [False, False, False, True, True]
    assert await ask_for_a_person("someone-else") == (started, ["pause"])  # the limit is per conversation


async def test_the_limit_counts_the_last_hour_only(
    use_database: str, sessions: sessionmaker[Session]
) -> None:
    for _ in range(3):
        await ask_for_a_person()
        resolve_all(sessions)
    with sessions() as session, session.begin():  # those three were opened more than an hour ago
        for escalation in session.scalars(select(Escalation)):
            escalation.created_at -= timedelta(minutes=61)

    assert await ask_for_a_person() == (["utter_handoff_started"], ["pause"])


async def test_the_limit_comes_from_the_environment(
    use_database: str, sessions: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ESCALATIONS_PER_HOUR", "1")
    assert (await ask_for_a_person())[0] == ["utter_handoff_started"]
    resolve_all(sessions)
    assert (await ask_for_a_person())[0] == ["utter_handoff_over_limit"]


def test_the_over_limit_reply_says_how_else_to_reach_support() -> None:
    domain = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))
    text = domain["responses"]["utter_handoff_over_limit"][0]["text"]
    facts = yaml.safe_load((PROJECT_ROOT / "data" / "facts.yml").read_text(encoding="utf-8"))
    assert "已记录" in text and facts["support_phone"] in text and "钉钉客服" in text


HOW = {
    "tg:42": "utter_handoff_how_telegram",
    "web:" + "Q" * 24: "utter_handoff_how_web",
    "rest:app-7": "utter_handoff_how_rest",
}


@pytest.mark.parametrize("sender", sorted(HOW))
async def test_each_channel_hears_how_a_persons_reply_will_reach_it(
    use_database: str, sessions: sessionmaker[Session], sender: str
) -> None:
    dispatcher = CollectingDispatcher()
    await ActionRequestHuman().run(dispatcher, tracker([user("转人工", "request_human")], sender), {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_handoff_started", HOW[sender]]


def test_no_channel_promises_what_it_cannot_do() -> None:
    """The handover texts name no way of replying; each channel's own text says how and offers 返回机器人."""
    responses = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))["responses"]
    for name in ("utter_handoff_started", "utter_handoff_after_fallbacks", "utter_handoff_locked_lookup",
                 "utter_handoff_already_open", "utter_handoff_over_limit"):  # fmt: skip
        assert "在这里" not in responses[name][0]["text"] and "直接回复" not in responses[name][0]["text"], (
            name
        )
    rest = responses["utter_handoff_how_rest"][0]
    assert "无法主动推送" in rest["text"] and "下一次发送消息时" in rest["text"]
    assert "关闭这个浏览器标签页后就收不到" in responses["utter_handoff_how_web"][0]["text"]
    for name in HOW.values():
        assert responses[name][0]["buttons"] == [{"title": "返回机器人", "payload": "返回机器人"}]


async def test_without_an_agents_group_nobody_is_promised_and_the_question_is_recorded(
    use_database: str, sessions: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TELEGRAM_AGENT_CHAT_ID")
    events = [
        user("个体户的营业执照过期了还能认证吗", "faq", 0.4),
        bot("抱歉，我没有完全理解", "utter_default"),
        user("转人工", "request_human"),
    ]
    dispatcher = CollectingDispatcher()
    result = await ActionRequestHuman().run(dispatcher, tracker(events), {})
    assert result == []  # not paused: the bot goes on answering
    assert [m["response"] for m in dispatcher.messages] == ["utter_handoff_unavailable"]
    assert escalations(sessions) == []
    with sessions() as session:
        [question] = session.scalars(select(UnansweredQuestion))
    assert "营业执照过期" in question.text and "handoff" in question.reasons
    text = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))["responses"][
        "utter_handoff_unavailable"
    ][0]["text"]
    assert "没有开通人工客服" in text and "400-066-6666" in text and "已经记录" in text
