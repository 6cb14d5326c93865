"""Turn Rasa's bot messages into Telegram messages: plain text under 4096 UTF-16 units, buttons kept."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from bot.gateway import texts

TELEGRAM_TEXT_LIMIT = 4096
"""Telegram's limit for one message, in UTF-16 code units (an emoji outside the BMP counts 2)."""


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


def utf16_length(text: str) -> int:
    """Length as Telegram counts it."""
    return len(text.encode("utf-16-le")) // 2


def _cut(text: str, limit: int) -> int:
    """The longest prefix length (in characters) of `text` within `limit` UTF-16 units."""
    used = 0
    for index, char in enumerate(text):
        used += 2 if ord(char) > 0xFFFF else 1
        if used > limit:
            return index
    return len(text)


def split_text(text: str, limit: int = TELEGRAM_TEXT_LIMIT) -> list[str]:
    """Split `text` into parts of at most `limit` UTF-16 units, preferring line breaks, then spaces."""
    parts: list[str] = []
    rest = text.strip()
    while rest:
        if utf16_length(rest) <= limit:
            parts.append(rest)
            break
        end = _cut(rest, limit)
        window = rest[:end]
        for separator in ("\n\n", "\n", "。", " "):
            position = window.rfind(separator)
            if position >= end // 2:
                end = position + len(separator)
                break
        parts.append(rest[:end].rstrip())
        rest = rest[end:].lstrip()
    return [part for part in parts if part]


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
