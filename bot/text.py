"""Input normalisation and parsing of application IDs and credit-code suffixes."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

MAX_MESSAGE_CHARS = 1000
"""Longest message passed to NLU; longer input is cut (NLU runs on the event loop)."""

APPLICATION_ID_PATTERN = re.compile(r"RZ\d{12}")
# An ID as users type it: any case, with spaces or hyphens between the characters.
_LOOSE_ID = re.compile(r"(?<![A-Za-z0-9])[Rr][\s\-_]*[Zz](?:[\s\-_]*\d){6,16}(?![0-9])")
_ID_SEPARATORS = re.compile(r"[\s\-_]")
INVISIBLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
    "\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufff8\U0001bca0-\U0001bca3"
    "\U0001d173-\U0001d17a\U000e0000-\U000e0fff\x00-\x08\x0b-\x1f\x7f-\x9f]"
)
"""Characters that show nothing: Unicode's default-ignorable code points (zero-width, bidi controls,
soft hyphen, word joiner, BOM, variation selectors, tags) and C0/C1 controls other than newline and tab."""
_SPACES = re.compile(r"[ \t\u3000]+")
_CREDIT_SUFFIX = re.compile(r"(?<![0-9A-Za-z])([0-9A-Za-z]{6})(?![0-9A-Za-z])")


@lru_cache(maxsize=1)
def _to_simplified():  # type: ignore[no-untyped-def]
    from opencc import OpenCC  # opencc-python-reimplemented: pure Python, no downloads

    return OpenCC("t2s").convert


def normalize(text: str) -> str:
    """Return `text` as NLU sees it: NFKC, simplified, no invisible characters, IDs compacted."""
    text = unicodedata.normalize("NFKC", text or "")
    text = INVISIBLE.sub("", text)
    text = _LOOSE_ID.sub(lambda match: _ID_SEPARATORS.sub("", match.group(0)).upper(), text)
    text = _SPACES.sub(" ", text).strip()
    text = text[:MAX_MESSAGE_CHARS]
    return _to_simplified()(text)


def find_application_id(text: str) -> str | None:
    """Return the first application ID typed in `text` (any case, spaced, full-width), or None.

    Returns a candidate even when it has the wrong number of digits, so the caller can
    explain the format; use `is_valid_application_id` to check it.
    """
    match = _LOOSE_ID.search(unicodedata.normalize("NFKC", text or ""))
    if match is None:
        return None
    return _ID_SEPARATORS.sub("", match.group(0)).upper()


def is_valid_application_id(candidate: str) -> bool:
    """Tell whether `candidate` is exactly `RZ` followed by 12 digits."""
    return APPLICATION_ID_PATTERN.fullmatch(candidate) is not None


def find_credit_code_suffix(text: str) -> str | None:
    """Return the 6-character credit-code suffix in `text` (upper-cased), or None."""
    compact = _ID_SEPARATORS.sub("", unicodedata.normalize("NFKC", text or ""))
    if len(compact) == 6 and compact.isalnum() and compact.isascii():
        return compact.upper()
    match = _CREDIT_SUFFIX.search(unicodedata.normalize("NFKC", text or ""))
    return match.group(1).upper() if match else None
