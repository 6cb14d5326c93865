"""Application IDs and credit-code suffixes as applicants type them: found, compacted, checked.

An application ID is `RZ` followed by 12 digits; applicants type it in any case, with spaces or
hyphens, in full-width characters. The suffix proving ownership is the last 6 characters of the
company's unified social credit code. `bot.status.parse` turns these into errors the applicant
reads; `bot.normalization` compacts IDs before NLU sees the text.
"""

from __future__ import annotations

import re
import unicodedata

APPLICATION_ID_PATTERN = re.compile(r"RZ\d{12}")
# An ID as users type it: any case, with spaces or hyphens between the characters.
_LOOSE_ID = re.compile(r"(?<![A-Za-z0-9])[Rr][\s\-_]*[Zz](?:[\s\-_]*\d){6,16}(?![0-9])")
_ID_SEPARATORS = re.compile(r"[\s\-_]")
_CREDIT_SUFFIX = re.compile(r"(?<![0-9A-Za-z])([0-9A-Za-z]{6})(?![0-9A-Za-z])")


def compact_application_ids(text: str) -> str:
    """`text` (already NFKC) with every typed ID written compactly: `r z-2026 1120…` → `RZ20261120…`."""
    return _LOOSE_ID.sub(lambda match: _ID_SEPARATORS.sub("", match.group(0)).upper(), text)


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
