"""Queue a message for a web-chat conversation, from any process (an agent's reply, a notification).

    with sessions() as session, session.begin():
        enqueue_web_message(session, "web:Q2x…", "您好，我是客服小王，这就为您查看。", author=Author.AGENT)

Nothing is sent from here: once the transaction commits, the Rasa process holding the
conversation's page shows it within a second (bot/webchat/courier.py), or the page shows it when
it next connects; it counts as delivered only when a page acknowledged it.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from bot.db import web_messages
from bot.db.web_messages import Author
from bot.identity import CONVERSATION_ID_LENGTH, Channel, channel_of
from bot.inbound import clean_text

__all__ = ["Author", "enqueue_web_message"]

MAX_TEXT_CHARS = 4000
MAX_BUTTONS = 10
MAX_BUTTON_CHARS = 200


def enqueue_web_message(
    session: Session,
    conversation_id: str,
    text: str,
    *,
    author: Author = Author.BOT,
    buttons: Sequence[dict[str, str]] = (),
) -> str:
    """Queue `text` (and optional buttons {"title", "payload"}) for the web conversation; return its id.

    Raises ValueError for a conversation that is not a web one, an empty or too long text, or
    too many or too long buttons (TypeError for a button that is not a dict of two texts): the
    caller decides what to do instead (nothing is queued).
    """
    if channel_of(conversation_id) is not Channel.WEB or len(conversation_id) > CONVERSATION_ID_LENGTH:
        raise ValueError(f"not a web conversation id: {conversation_id[:80]!r}")
    text = clean_text(text).strip()
    if not text or len(text) > MAX_TEXT_CHARS:
        raise ValueError(f"a web message must have 1 to {MAX_TEXT_CHARS} characters, got {len(text)}")
    checked = [_button(button) for button in buttons]
    if len(checked) > MAX_BUTTONS:
        raise ValueError(f"at most {MAX_BUTTONS} buttons")
    return web_messages.enqueue(session, conversation_id, text, author=Author(author), buttons=checked).key


def _button(button: object) -> dict[str, str]:
    if not isinstance(button, dict):
        raise TypeError("a button is {'title': …, 'payload': …}")
    title, payload = button.get("title"), button.get("payload")
    if not isinstance(title, str) or not isinstance(payload, str):
        raise TypeError("a button's title and payload are text")
    title, payload = clean_text(title).strip(), clean_text(payload).strip()
    if not title or not payload or len(title) > MAX_BUTTON_CHARS or len(payload) > MAX_BUTTON_CHARS:
        raise ValueError(f"a button's title and payload have 1 to {MAX_BUTTON_CHARS} characters")
    return {"title": title, "payload": payload}
