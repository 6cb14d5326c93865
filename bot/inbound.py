"""What applicants send, made safe once at each channel's edge: cleaned, capped, personal data masked.

Every channel (REST, socket.io, the Telegram gateway) passes text through `screen()` before
anything parses or stores it: lone surrogates, NUL and other control characters cannot be
encoded by the databases (one of them stopped the whole Rasa server) and are removed; the text
is cut to MAX_INPUT_CHARS; personal data is masked after cleaning, so characters hidden inside a
number cannot shield it. `clean_nested` does the same for JSON-like metadata.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from bot.privacy import mask_nested, mask_personal_data

MAX_INPUT_CHARS = 2000
"""Longer messages are cut before they reach NLU (which runs on the event loop) or any store."""
MAX_METADATA_CHARS = 4000
"""Metadata larger than this (as JSON) is dropped."""
MAX_METADATA_DEPTH = 5

TOO_LONG = "utter_message_too_long"
PERSONAL_DATA = "utter_personal_data_hidden"

_UNSAFE = re.compile(
    "[\ud800-\udfff\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufdd0-\ufdef\ufffe\uffff\u202a-\u202e\u2066-\u2069]"
)
"""Lone surrogates, C0/C1 controls other than tab and line breaks, noncharacters, and the bidi embedding,
override and isolate controls (they make a line, e.g. on an agent's card, read otherwise than it was typed)."""


OPENING_PAYLOADS = frozenset({"/start", "/get_started"})
"""What chat widgets send by themselves when a chat opens: Telegram's /start, rasa-webchat's initPayload."""


def is_opening(text: object) -> bool:
    """True for a message that is not a question: blank, or a widget's opening payload (OPENING_PAYLOADS).

    Such a message is answered with the greeting (or a hint), never counts as one the bot failed
    to understand, and never escalates (bot/handoff.py).
    """
    stripped = text.strip() if isinstance(text, str) else ""
    return not stripped or stripped.split("{", 1)[0].lower() in OPENING_PAYLOADS


def clean_text(text: str) -> str:
    """`text` without characters no store can keep or that disguise it; line breaks become `\\n`."""
    return _UNSAFE.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def clean_nested(value: Any, depth: int = 0) -> Any:
    """JSON-like `value` with every string (keys included) cleaned; deeper than allowed is dropped."""
    if isinstance(value, str):
        return clean_text(value)
    if depth >= MAX_METADATA_DEPTH:
        return None
    if isinstance(value, dict):
        return {clean_text(str(key)): clean_nested(item, depth + 1) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [clean_nested(item, depth + 1) for item in value]
    if value is None or isinstance(value, (bool, int, float)):
        return value
    return None


def clean_json(value: Any) -> Any:
    """Any JSON value with every string (keys included) cleaned, however deep (for whole updates)."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {clean_text(str(key)): clean_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [clean_json(item) for item in value]
    return value


def screen_metadata(metadata: Any) -> dict[str, Any]:
    """Client metadata as it may be stored: a dict, cleaned, masked, small; anything else is empty."""
    if not isinstance(metadata, dict):
        return {}
    cleaned = mask_nested(clean_nested(metadata))
    if len(json.dumps(cleaned, ensure_ascii=False)) > MAX_METADATA_CHARS:
        return {}
    return cleaned


@dataclass(frozen=True)
class Screened:
    """A message as it may enter Rasa, and the notices (domain responses) to send before the answer."""

    text: str
    notices: list[str] = field(default_factory=list)


def screen(text: str) -> Screened:
    """Clean, cap and mask an applicant's text (every channel alike)."""
    notices: list[str] = []
    text = clean_text(text)
    if len(text) > MAX_INPUT_CHARS:
        text = text[:MAX_INPUT_CHARS]
        notices.append(TOO_LONG)
    masked = mask_personal_data(text)
    if masked.kinds:
        notices.append(PERSONAL_DATA)
        text = masked.text
    return Screened(text, notices)
