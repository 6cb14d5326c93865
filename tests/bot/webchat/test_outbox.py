"""Queuing a message for a web page: only web conversations, clean text, well-formed buttons; nothing half-queued."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.db import web_messages
from bot.webchat.outbox import MAX_TEXT_CHARS, Author, enqueue_web_message

PAGE = "web:AAAAAAAAAAAAAAAAAAAAAAAA"


def test_a_queued_message_waits_for_the_page_as_the_page_will_show_it(
    sessions: sessionmaker[Session],
) -> None:
    with sessions() as session, session.begin():
        key = enqueue_web_message(
            session, PAGE, "  您好，我是客服小王。\r\n请问\x00还有什么问题？ ", author=Author.AGENT,
            buttons=[{"title": "没有了，谢谢", "payload": "/thank"}],
        )  # fmt: skip
    with sessions() as session:
        [message] = web_messages.undelivered(session, PAGE)
    assert message.payload() == {
        "id": key,
        "author": "agent",
        "text": "您好，我是客服小王。\n请问还有什么问题？",
        "buttons": [{"title": "没有了，谢谢", "payload": "/thank"}],
    }


@pytest.mark.parametrize(
    ("conversation", "text", "buttons", "error"),
    [
        ("tg:12345", "您好", [], ValueError),
        ("rest:web:AAAA", "您好", [], ValueError),
        ("web:", "您好", [], ValueError),
        (PAGE, " \n\x00 ", [], ValueError),
        (PAGE, "字" * (MAX_TEXT_CHARS + 1), [], ValueError),
        (PAGE, "您好", [{"title": "", "payload": "/thank"}], ValueError),
        (PAGE, "您好", [{"title": "好", "payload": "/x"}] * 11, ValueError),
        (PAGE, "您好", ["/thank"], TypeError),
        (PAGE, "您好", [{"title": "好", "payload": 1}], TypeError),
    ],
)
def test_what_no_page_could_show_is_refused_and_nothing_is_queued(
    sessions: sessionmaker[Session], conversation: str, text: str, buttons: list, error: type[Exception]
) -> None:
    with pytest.raises(error), sessions() as session, session.begin():
        enqueue_web_message(session, conversation, text, buttons=buttons)
    with sessions() as session:
        assert web_messages.undelivered(session, PAGE) == []
