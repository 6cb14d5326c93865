"""Turn Rasa's bot messages into Telegram messages: plain text split to Telegram's limit, buttons kept."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from bot.gateway import texts
from bot.message_length import split_text

CALLBACK_PREFIX = "b"
"""A button's callback_data is this prefix and the id of its stored payload (telegram_callbacks)."""
SHORT_TITLE = 2
"""Buttons with titles this short (👍 👎) share a row; every other button has a row of its own."""


@dataclass(frozen=True)
class Button:
    """An inline button: what it shows and what it sends to Rasa when pressed."""

    title: str
    payload: str


@dataclass(frozen=True)
class Reply:
    """One message for the applicant."""

    text: str
    buttons: tuple[Button, ...] = ()


def keyboard_rows(buttons: Iterable[Button]) -> list[list[Button]]:
    """The buttons as keyboard rows: one per row, except that neighbouring short ones share a row."""
    rows: list[list[Button]] = []
    for button in buttons:
        short = len(button.title) <= SHORT_TITLE
        if short and rows and all(len(other.title) <= SHORT_TITLE for other in rows[-1]):
            rows[-1].append(button)
        else:
            rows.append([button])
    return rows


def _buttons(message: dict[str, Any]) -> tuple[Button, ...]:
    found = []
    for button in message.get("buttons") or []:
        if isinstance(button, dict) and button.get("title") and button.get("payload"):
            found.append(Button(str(button["title"]), str(button["payload"])))
    return tuple(found)


def from_rasa(messages: Iterable[dict[str, Any]]) -> list[Reply]:
    """Replies for Rasa's bot messages; buttons ride on the last part of their message's text."""
    replies: list[Reply] = []
    for message in messages:
        text = str(message.get("text") or message.get("image") or "").strip()
        buttons = _buttons(message)
        if not text and not buttons:
            continue
        parts = split_text(text) or [texts.BUTTON_DEFAULT_TEXT]
        replies.extend(Reply(part) for part in parts[:-1])
        replies.append(Reply(parts[-1], buttons))
    return replies
