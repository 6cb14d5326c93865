"""When two phrasings count as the same: normalised like NLU input, then without punctuation or spaces."""

from __future__ import annotations

import unicodedata

from bot.normalization import normalize


def phrasing_key(text: str) -> str:
    """The comparison form of `text`: bot.normalization.normalize, case-folded, punctuation and spaces removed."""
    folded = normalize(text).casefold()
    return "".join(
        char
        for char in folded
        if not unicodedata.category(char).startswith(("P", "Z")) and not char.isspace()
    )
