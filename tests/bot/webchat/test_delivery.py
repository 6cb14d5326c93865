"""Messages for a web page from outside its turns, and turn replies it missed: shown once, never lost.

A page here is python-socketio's client speaking the chat page's protocol (`greet`, `acks`); it
acknowledges what it receives unless told to hold (a tab closing before it could). The browser
tests (test_browser.py) show the same with the real page.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.db import web_messages
from bot.db.engine import shared_session_factory
from bot.run import Stack
from bot.webchat.courier import ACK_SECONDS
from bot.webchat.outbox import Author, enqueue_web_message
from tests.reliability.replies import response_text
from tests.support.rest import RestClient
from tests.support.socketio_client import WebChat

pytestmark = pytest.mark.servers

WAIT_S = 10.0


class Page(WebChat):
    """The chat page's side of the protocol: asks for the greeting and acknowledges messages."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.web_messages: list[dict[str, Any]] = []
        self.holding = False
        self._never = asyncio.Event()
        self.client.on("web_message", self._on_web_message)
        self.client.handlers["/"]["bot_uttered"] = self._on_bot_message

    async def open(self, token: str | None = None) -> str | None:
        return await self.connect(request={"session_id": token, "greet": True, "acks": True})

    async def _on_bot_message(self, message: dict[str, Any]) -> None:
        self.received.append(message)
        if self.holding:
            await self._never.wait()  # no ack: the tab is closing

    async def _on_web_message(self, message: dict[str, Any]) -> None:
        self.web_messages.append(message)
        if self.holding:
            await self._never.wait()

    async def wait_for(self, found: Any, timeout: float = WAIT_S) -> None:
        deadline = time.monotonic() + timeout
        while not found():
            assert time.monotonic() < deadline, "nothing arrived"
            await asyncio.sleep(0.1)

    @property
    def conversation(self) -> str:
        assert self.token is not None
        return "web:" + self.token.split(".")[0]


def sessions_of(stack: Stack) -> sessionmaker[Session]:
    return shared_session_factory(stack.settings.database_url)


def queue(stack: Stack, conversation: str, text: str) -> str:
    with sessions_of(stack)() as session, session.begin():
        return enqueue_web_message(session, conversation, text, author=Author.AGENT)


def undelivered(stack: Stack, conversation: str) -> list[str]:
    with sessions_of(stack)() as session:
        return [message.key for message in web_messages.undelivered(session, conversation)]


def test_a_queued_message_reaches_the_open_page_once_and_counts_as_delivered(stack: Stack) -> None:
    async def scenario() -> None:
        page = Page(stack.settings.rasa_url)
        await page.open()
        await page.wait_for(lambda: page.received)  # the greeting
        assert page.received[0]["text"] == response_text("utter_greet")
        key = queue(stack, page.conversation, "您好，我是客服小王。\n请问还需要什么帮助？")
        await page.wait_for(lambda: page.web_messages)
        await asyncio.sleep(2.5)  # two more rounds of the courier
        assert page.web_messages == [
            {
                "id": key,
                "author": "agent",
                "text": "您好，我是客服小王。\n请问还需要什么帮助？",
                "buttons": [],
            }
        ]
        await page.wait_for(lambda: not undelivered(stack, page.conversation))
        await page.close()

    asyncio.run(scenario())


def test_a_message_no_page_confirmed_is_offered_again_when_the_page_comes_back(stack: Stack) -> None:
    async def scenario() -> None:
        first = Page(stack.settings.rasa_url)
        token = await first.open()
        first.holding = True
        key = queue(stack, first.conversation, "审核结果已经出来了")
        await first.wait_for(lambda: first.web_messages)
        await first.close()  # gone before it acknowledged
        assert undelivered(stack, first.conversation) == [key]

        closed_meanwhile = queue(stack, first.conversation, "请查看审核结果")
        again = Page(stack.settings.rasa_url)
        renewed = await again.open(token)
        assert renewed.split(".")[0] == token.split(".")[0]  # the same conversation, its token renewed
        await again.wait_for(lambda: len(again.web_messages) == 2)
        assert [message["id"] for message in again.web_messages] == [key, closed_meanwhile]
        assert again.received == []  # a resumed session is not greeted again
        await again.wait_for(lambda: not undelivered(stack, again.conversation))
        await again.close()

    asyncio.run(scenario())


def test_a_turn_reply_lost_to_a_dropped_connection_is_shown_on_reconnect(stack: Stack) -> None:
    async def scenario() -> None:
        page = Page(stack.settings.rasa_url)
        token = await page.open()
        await page.wait_for(lambda: page.received)
        page.holding = True
        replies = await page.say("认证需要费用吗")
        assert any("免费" in reply["text"] for reply in replies)
        lost = replies[-1]
        await page.close()
        await asyncio.sleep(ACK_SECONDS + 2)

        again = Page(stack.settings.rasa_url)
        await again.open(token)
        await again.wait_for(lambda: again.web_messages)
        assert [(message["id"], message["text"]) for message in again.web_messages] == [
            (lost["id"], lost["text"])
        ]
        await again.wait_for(lambda: not undelivered(stack, again.conversation))
        await again.close()

    asyncio.run(scenario())


def test_a_message_sent_again_after_a_reconnect_is_answered_once(stack: Stack) -> None:
    async def scenario() -> tuple[Any, Any, int]:
        page = Page(stack.settings.rasa_url)
        await page.open()
        await page.wait_for(lambda: page.received)
        event = {"message": "认证需要费用吗", "session_id": page.token, "message_id": "m-1", "metadata": {}}
        before = len(page.received)
        first = await page.client.call("user_uttered", event, timeout=30)
        second = await page.client.call("user_uttered", event, timeout=30)
        await asyncio.sleep(1)
        answers = len(page.received) - before
        await page.close()
        return first, second, answers

    first, second, answers = asyncio.run(scenario())
    assert first == {"done": True} and second == {"duplicate": True}
    assert answers == 1


def test_a_widgets_opening_payload_is_greeted_and_never_counts_as_not_understood(
    stack: Stack, rest: RestClient
) -> None:
    """rasa-webchat sends `/get_started` when it opens, Telegram `/start`; the first unclear question is the first."""
    unknown_topic = '/faq{"faq_key": "no_such_topic"}'  # answered with utter_default

    async def scenario(opening_message: str) -> list[list[dict[str, Any]]]:
        chat = WebChat(stack.settings.rasa_url)
        await chat.connect()
        replies = [await chat.say(message) for message in (opening_message, unknown_topic, "")]
        await chat.close()
        return replies

    for opening_message in ("/get_started", ""):  # rasa-webchat's initPayload, or its empty opening message
        opening, unclear, blank = asyncio.run(scenario(opening_message))
        assert [reply["text"] for reply in opening] == [response_text("utter_greet")]
        assert [reply["text"] for reply in unclear] == [response_text("utter_default")]
        assert [reply["text"] for reply in blank] == [response_text("utter_empty_message")]  # not the first

    sender = f"opening-{time.monotonic_ns()}"
    assert rest.texts(sender, "/start") == response_text("utter_default")  # Rasa itself does not know /start
    assert rest.texts(sender, unknown_topic) == response_text("utter_default")  # still the first fallback
    assert rest.texts(sender, unknown_topic) == response_text("utter_handoff_after_fallbacks")  # the second
