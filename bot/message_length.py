"""Telegram's limit for one message, 4096 UTF-16 code units: measuring text and splitting it to fit.

The gateway splits what it sends (bot/gateway/replies.py, announcer, agent notices) and the content
gate refuses an answer that would not fit in one message (bot/content/gate.py); both count here.
"""

from __future__ import annotations

TELEGRAM_TEXT_LIMIT = 4096
"""Telegram's limit for one message, in UTF-16 code units (an emoji outside the BMP counts 2)."""


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


def split_after_prefix(prefix: str, text: str, limit: int = TELEGRAM_TEXT_LIMIT) -> list[str]:
    """`text` split so that each part with `prefix` in front fits in `limit` UTF-16 units.

    Every part carries the prefix (「👩‍💼 客服：」, 「#12 申请人：」), so each message says who wrote it.
    """
    room = limit - utf16_length(prefix)
    return [prefix + part for part in split_text(text, room)] or [prefix.rstrip()]
