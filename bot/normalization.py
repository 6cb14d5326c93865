"""The form NLU (and every comparison of phrasings) reads text in: NFKC, simplified, no invisible characters.

`normalize` is the first component of the NLU pipeline (bot/nlu/normalizer.py): full-width →
half-width, traditional → simplified Chinese, invisible characters removed (`INVISIBLE`, which
masking uses too), runs of spaces collapsed, typed application IDs compacted, length capped.
It is not the edge cleaning of what a channel receives (bot/inbound.py): that makes text safe to
store; this makes variants of the same words look alike.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from bot.application_ids import compact_application_ids

MAX_MESSAGE_CHARS = 1000
"""Longest message passed to NLU; longer input is cut (NLU runs on the event loop)."""

INVISIBLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
    "\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufff8\U0001bca0-\U0001bca3"
    "\U0001d173-\U0001d17a\U000e0000-\U000e0fff\x00-\x08\x0b-\x1f\x7f-\x9f]"
)
"""Characters that show nothing: Unicode's default-ignorable code points (zero-width, bidi controls,
soft hyphen, word joiner, BOM, variation selectors, tags) and C0/C1 controls other than newline and tab."""
_SPACES = re.compile(r"[ \t\u3000]+")


@lru_cache(maxsize=1)
def _to_simplified():  # type: ignore[no-untyped-def]
    from opencc import OpenCC  # opencc-python-reimplemented: pure Python, no downloads

    return OpenCC("t2s").convert


def normalize(text: str) -> str:
    """Return `text` as NLU sees it: NFKC, simplified, no invisible characters, IDs compacted."""
    text = unicodedata.normalize("NFKC", text or "")
    text = INVISIBLE.sub("", text)
    text = compact_application_ids(text)
    text = _SPACES.sub(" ", text).strip()
    text = text[:MAX_MESSAGE_CHARS]
    return _to_simplified()(text)


def to_simplified(text: str) -> str:
    """`text` with traditional characters written simplified (OpenCC t2s), nothing else changed."""
    return str(_to_simplified()(text))
