"""Application IDs and credit-code suffixes as applicants type them: found, compacted, checked.

An application ID is `RZ` followed by 12 digits; applicants type it in any case, with spaces or
hyphens, in full-width characters. The suffix proving ownership is the last 6 characters of the
company's unified social credit code. `bot.status.parse` turns these into errors the applicant
reads; `bot.normalization` compacts IDs before NLU sees the text.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

APPLICATION_ID_PATTERN = re.compile(r"RZ\d{12}")
# An ID as users type it: any case, with spaces or hyphens between the characters. Twelve digits
# win when they end a digit group (「RZ202611180002 7k4l6q」: the code after the ID is not part of it);
# otherwise the whole run of 6-16 digits is the (malformed) candidate, so the format can be explained.
_LOOSE_ID = re.compile(
    r"(?<![A-Za-z0-9])[Rr][\s\-_]*[Zz](?:(?:[\s\-_]*\d){12}(?!\d)|(?:[\s\-_]*\d){6,16}(?![0-9]))"
)
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


CREDIT_CODE_LENGTH = 18
SUFFIX_LENGTH = 6
# The whole credit code as typed: 18 letters or digits, maybe in groups split by spaces or hyphens.
_WHOLE_CODE = re.compile(r"(?<![0-9A-Za-z])[0-9A-Za-z](?:[ \-]?[0-9A-Za-z]){17}(?![0-9A-Za-z])")
_ALNUM_RUN = re.compile(r"[0-9A-Za-z]+")
_SHORTEST_CODE_SHAPED = 4
"""A shorter run (「ok」「Hi」) is chat, not a code attempt."""
_FILLER = re.compile(
    r"统一社会信用代码|社会信用代码|信用代码|代码|最后|后面|后|六位|6位|六个字符|6个字符|位|是|为|我的|我们的|公司的|企业的|"
    r"[\s\-_:：,，.。!！?？、\"'“”‘’()（）]"
)


@dataclass(frozen=True)
class TypedCode:
    """A code-shaped answer: the 6 characters to compare (None when the length rules that out) and what was typed.

    `typed_length` counts the letters and digits typed (18 for a whole credit code). `bare` says the
    message held nothing but the code (and words like 「后六位是」), so letters-only answers count too.
    """

    suffix: str | None
    typed_length: int
    bare: bool
    letters_only: bool = False


def find_typed_code(text: str) -> TypedCode | None:
    """The credit-code answer in `text` (any case, full-width, spaced, in a sentence, beside an ID), or None.

    The whole 18-character code gives its last 6; 6 characters are the suffix; 7-17 characters
    give their last 6 (a longer suffix); 4-5 or more than 18 have no suffix to compare.
    """
    normalised = _LOOSE_ID.sub(" ", unicodedata.normalize("NFKC", text or ""))
    bare = not _FILLER.sub("", _ALNUM_RUN.sub("", normalised))
    whole = _WHOLE_CODE.search(normalised)
    if whole is not None and any(char.isdigit() for char in whole.group(0)):
        code = _ID_SEPARATORS.sub("", whole.group(0)).upper()
        return TypedCode(code[-SUFFIX_LENGTH:], CREDIT_CODE_LENGTH, bare, code.isalpha())
    compact = _ID_SEPARATORS.sub("", normalised)
    if bare and compact.isascii() and compact.isalnum():  # 「b2c 344」: one answer typed in pieces
        runs = [compact]
    else:
        runs = [run for run in _ALNUM_RUN.findall(normalised) if not run.isalpha() or bare]
    runs = [run for run in runs if len(run) >= _SHORTEST_CODE_SHAPED]
    if not runs:
        return None
    run = next((run for run in runs if len(run) == SUFFIX_LENGTH), runs[-1]).upper()
    if SUFFIX_LENGTH <= len(run) < CREDIT_CODE_LENGTH:
        return TypedCode(run[-SUFFIX_LENGTH:], len(run), bare, run.isalpha())
    return TypedCode(None, len(run), bare, run.isalpha())
