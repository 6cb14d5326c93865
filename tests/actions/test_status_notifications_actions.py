"""The notification actions as rasa-sdk runs them: offer after a verified report, subscribe, 退订 (SQLite, PostgreSQL)."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.status_notifications import (
    ActionSubscribeStatusNotifications,
    ActionUnsubscribeStatusNotifications,
)
from tests.actions.test_status_lookup_actions import SESSION_START, Clock, Conversation

OFFER = "utter_offer_status_notifications"


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def database(seeded_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("DATABASE_URL", seeded_url)
    return seeded_url


def tracker(chat: Conversation, intent: str) -> Tracker:
    """The tracker of a turn whose intent came from a button (or typed) outside the form."""
    stamp = SESSION_START.timestamp()
    return Tracker(
        sender_id=chat.sender,
        slots=dict(chat.slots),
        latest_message={"text": f"/{intent}", "intent": {"name": intent, "confidence": 1.0}, "entities": []},
        events=[
            {"event": "action", "name": "action_session_start", "timestamp": stamp},
            {"event": "session_started", "timestamp": stamp},
        ],
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


async def press(chat: Conversation, intent: str) -> list[dict[str, Any]]:
    """The applicant presses a button (or types the intent); returns what they see."""
    action: Any = (
        ActionSubscribeStatusNotifications(clock=chat.clock)
        if intent == "subscribe_status_notifications"
        else ActionUnsubscribeStatusNotifications(clock=chat.clock)
    )
    dispatcher = CollectingDispatcher()
    await action.run(dispatcher, tracker(chat, intent), {})
    return dispatcher.messages


async def test_a_telegram_applicant_is_offered_notifications_after_the_report_and_subscribes(
    database: str, clock: Clock
) -> None:
    chat = Conversation("tg:777001", clock)

    seen = await chat.lookup("查询 RZ202611200001", "b2c344")
    assert seen[-1] == OFFER and "当前状态：初审中" in seen[-2]

    [reply] = await press(chat, "subscribe_status_notifications")
    assert reply["response"] == "utter_status_notifications_on"
    assert reply["application_id"] == "RZ202611200001" and reply["days"] == 90

    chat.slots["credit_code_suffix"] = None
    seen = await chat.lookup("再查一下 RZ202611200001")
    assert OFFER not in seen and "当前状态：初审中" in seen[-1]  # subscribed: asked once only


async def test_a_web_applicant_is_told_where_notifications_appear(database: str, clock: Clock) -> None:
    chat = Conversation("web:AbCdEfGhIjKlMnOpQrStUvWx", clock)
    await chat.lookup("RZ202611180002", "7K4L6Q")

    [reply] = await press(chat, "subscribe_status_notifications")

    assert reply["response"] == "utter_status_notifications_on_web"


async def test_a_rest_conversation_gets_no_offer_and_cannot_subscribe(database: str, clock: Clock) -> None:
    chat = Conversation("rest:alice", clock)

    seen = await chat.lookup("RZ202611200001", "B2C344")
    assert OFFER not in seen and "当前状态：初审中" in seen[-1]

    assert shown_of(await press(chat, "subscribe_status_notifications")) == [
        "utter_status_notifications_unavailable"
    ]


async def test_a_typed_application_id_without_the_code_subscribes_nobody(database: str, clock: Clock) -> None:
    chat = Conversation("tg:777002", clock)
    chat.slots["application_id"] = "RZ202611200001"  # `/subscribe_status_notifications{"application_id": …}`

    assert shown_of(await press(chat, "subscribe_status_notifications")) == [
        "utter_status_notifications_need_verification"
    ]
    chat.slots["application_id"] = None
    assert shown_of(await press(chat, "subscribe_status_notifications")) == [
        "utter_status_notifications_need_verification"
    ]


async def test_unsubscribe_ends_it_and_says_so_once(database: str, clock: Clock) -> None:
    chat = Conversation("tg:777003", clock)
    await chat.lookup("RZ202611200001", "B2C344")
    await press(chat, "subscribe_status_notifications")

    assert shown_of(await press(chat, "unsubscribe")) == ["utter_status_notifications_off"]
    assert shown_of(await press(chat, "unsubscribe")) == ["utter_status_notifications_none"]


def shown_of(messages: list[dict[str, Any]]) -> list[str]:
    return [message.get("text") or message.get("response") for message in messages]
