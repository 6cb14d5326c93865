"""Masking of personal data in free text: 身份证号, mobile phone numbers, bank card and account numbers.

How numbers are found
  The text is read in its cleaned form: NFKC (full-width → ASCII), every decimal digit as 0-9 and
  invisible characters removed (bot.normalization.INVISIBLE: zero-width, bidi marks, soft hyphen, word joiner,
  BOM, controls), so `１３８…` and `138\u200b1234…` are plain digits. A *number* is a run of digits in
  which up to three separators (whitespace, hyphens and dashes, dots, middle dots and bullets, slashes,
  backslashes, underscores, brackets) may stand between two digits; anything else (a letter, Chinese,
  `*`) ends it, so a number glued to text is found like any other. Separators cut a number into digit
  groups, and every stretch of whole groups is a candidate — never part of a group: digits glued to
  more digits make another, longer number. A candidate is
    a resident ID  18 characters with the GB 11643 check character and a birth date from 1900 to today
                   (stdnum.cn.ric; its area-code table is not consulted),
    a mobile       1[3-9] and 9 more digits, optionally after 86 or 0086 (`+86 138…`, `0086-138…`),
    a bank card    16-19 digits passing Luhn (stdnum.luhn), or starting with UnionPay's 62 (not every
                   UnionPay card passes Luhn),
    an account     the whole number after 账号/账户/帐号/帐户/卡号/银行卡/account/acct/a/c (at most 10
                   characters between, none a digit or a sentence end) when it has 10 digits or more.
  Application IDs (RZ + 12 digits) and unified social credit codes (18 characters with a letter, the
  GB 32100 check character and the GB 11714 one of the organisation code inside) are not personal
  data: their digits are never read, unless a mobile number or resident ID stands inside them. An
  18-digit number that passes GB 11643 is a resident ID even if it would pass as a credit code.

What the output looks like
  Each number found is replaced, in the original text, from its first to its last digit (separators
  and invisible characters inside it go too) by its digits with all but the ends turned into `*`, one
  `*` per hidden digit: a mobile keeps its first 3 and last 4 digits (`+86 138****5678`: a country code
  before it stays), everything else its last 4 (`**************002X`, `***************1234`).
  Everything around a number is left exactly as it was. Masking is idempotent: the result is masked
  again until nothing is found, so `mask(mask(t)) == mask(t)`.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from bisect import bisect_left
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, NamedTuple

from stdnum import luhn
from stdnum.cn import ric, uscc
from stdnum.exceptions import ValidationError

from bot.normalization import INVISIBLE

RESIDENT_ID = "resident_id"
PHONE = "phone"
BANK_ACCOUNT = "bank_account"

HIDDEN = "*"
PHONE_HEAD, KEPT_TAIL = 3, 4
MIN_ACCOUNT_DIGITS = 10
EARLIEST_BIRTH = dt.date(1900, 1, 1)
_LONGEST_CANDIDATE = 19
"""Digits in the longest shape (a 19-digit card); longer stretches of groups are not read."""
_MAX_PASSES = 16
"""Masking repeats until nothing is found; each repeat hides digits, so it ends long before this."""

_SEPARATOR = r"[\s\-\u2010-\u2015\u2212\u2500\u30fc.\u00b7\u2022\u30fb/\\_()\[\]]"
_NUMBER = re.compile(rf"[0-9](?:{_SEPARATOR}{{0,3}}[0-9])*(?:{_SEPARATOR}{{0,3}}[Xx])?")
_GROUP = re.compile(r"[0-9]+")
_MOBILE = re.compile(r"(?:0086|86)?1[3-9][0-9]{9}")
_APPLICATION_ID = re.compile(r"[Rr][\s\-_]{0,3}[Zz](?:[\s\-_]{0,3}[0-9]){12}(?![0-9])")
_CREDIT_CODE = re.compile(r"(?<![0-9A-Za-z])[0-9A-Za-z]{18}(?![0-9A-Za-z])")
_PROTECTED = "\x00"
"""Stands in for protected characters while numbers are read (cleaned text has no controls)."""
_ACCOUNT_WORD = re.compile(
    r"(?:账号|账户|帐号|帐户|卡号|银行卡|account|acct|a/c)[^0-9。！？!?;；\n\x00]{0,10}?(?=[0-9])",
    re.IGNORECASE,
)
_ORGANISATION_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_ORGANISATION_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
"""GB 11714 (organisation code): the values of its characters and the weights of its check."""
_PLAIN_ASCII = re.compile(r"[^\x00-\x08\x0b-\x1f\x7f]*")
_STABLE = r"\t\n\x20-\x5b\x5d-\x7e\u3001\u3002\u4e00-\u9fff"
"""Characters cleaning leaves as they are (printable ASCII, common CJK): read as whole runs."""
_UNITS = re.compile(rf"(?P<stable>[{_STABLE}\\\\]+)|.", re.DOTALL)
_UNITS_WITH_ESCAPES = re.compile(
    rf"(?P<escape>\\(?:u[0-9a-fA-F]{{4}}|x[0-9a-fA-F]{{2}}|U[0-9a-fA-F]{{8}}))|(?P<space>\\[nrt])"
    rf"|(?P<stable>[{_STABLE}]+)|.",
    re.DOTALL,
)


def is_resident_id(candidate: str) -> bool:
    """GB 11643: 17 digits, the check character and a birth date between 1900 and today."""
    candidate = candidate.upper()
    if len(candidate) != 18 or not (candidate[:17].isascii() and candidate[:17].isdigit()):
        return False
    if ric.calc_check_digit(candidate) != candidate[17]:
        return False
    try:
        born = ric.get_birth_date(candidate)
    except ValidationError:
        return False
    return EARLIEST_BIRTH <= born <= dt.date.today()


def passes_luhn(digits: str) -> bool:
    """The Luhn check used by bank cards."""
    return digits.isascii() and digits.isdigit() and luhn.is_valid(digits)


def is_credit_code(candidate: str) -> bool:
    """A unified social credit code with at least one letter: GB 32100's check character, and GB 11714's
    check character at the end of the organisation code inside it (characters 9-17)."""
    candidate = candidate.upper()
    if candidate.isdigit() or not uscc.is_valid(candidate):
        return False
    values = [_ORGANISATION_ALPHABET.index(char) for char in candidate[8:16]]
    total = sum(value * weight for value, weight in zip(values, _ORGANISATION_WEIGHTS))
    return "0123456789X0"[11 - total % 11] == candidate[16]


@dataclass(frozen=True)
class Masked:
    """Masked text (the input itself when nothing was found) and which kinds of personal data were found."""

    text: str
    kinds: frozenset[str]


def mask_personal_data(text: str, *, escapes: bool = False) -> Masked:
    """Return `text` with resident IDs, mobile numbers, bank cards and account numbers masked.

    With `escapes`, `\\uXXXX`, `\\xXX`, `\\UXXXXXXXX`, `\\n`, `\\r` and `\\t` (JSON and Python reprs
    in log lines) are read as the characters they stand for.
    """
    text = text or ""
    found: set[str] = set()
    for _ in range(_MAX_PASSES):
        masked = _mask_once(text, escapes)
        if not masked.kinds:
            break
        text = masked.text
        found |= masked.kinds
    return Masked(text, frozenset(found))


def mask(text: str) -> str:
    """Shorthand for `mask_personal_data(text).text`."""
    return mask_personal_data(text).text


MASK_MARK = re.compile(re.escape(HIDDEN) + "{4,}")
"""What masking leaves: at least 4 `*` in a row (a mobile hides 4 digits, every other number more)."""


def looks_masked(text: str) -> bool:
    """True when `text` holds masked personal data (`138****5678`), also as full-width `＊`."""
    return MASK_MARK.search(unicodedata.normalize("NFKC", text or "")) is not None


def mask_nested(value: Any) -> Any:
    """`value` (JSON-like: dicts, lists, strings, numbers) with personal data masked everywhere.

    Strings (dictionary keys too) are masked like any text; an integer, or a float without a fraction,
    that spells a number to hide becomes its masked text. Everything else is returned as it is.
    """
    if isinstance(value, str):
        return mask(value)
    if isinstance(value, dict):
        return {mask_nested(key): mask_nested(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [mask_nested(item) for item in value]
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return value
    if isinstance(value, float) and not (value.is_integer() and abs(value) < 1e21):
        return value  # a fraction (a timestamp, a confidence) spells no number to hide
    masked = mask_personal_data(str(int(value)))
    return masked.text if masked.kinds else value


# --- one pass ----------------------------------------------------------------------------------------


class _Hit(NamedTuple):
    """A found number: its span in the cleaned text and its kind."""

    start: int
    end: int
    kind: str


class _Cleaned(NamedTuple):
    """The cleaned text, and for each of its characters the span of the original it came from."""

    text: str
    starts: Sequence[int]
    ends: Sequence[int]


def _mask_once(text: str, escapes: bool) -> Masked:
    if not escapes and not re.search(r"\d", unicodedata.normalize("NFKC", text)):
        return Masked(text, frozenset())
    cleaned = _clean(text, escapes)
    hits = _find(cleaned.text)
    if not hits:
        return Masked(text, frozenset())
    pieces: list[str] = []
    done = 0
    for start, end, kinds in _stretches(cleaned, hits):
        pieces.append(text[done:start])
        pieces.append(_hide(cleaned, start, end, kinds))
        done = end
    pieces.append(text[done:])
    return Masked("".join(pieces), frozenset(hit.kind for hit in hits))


@lru_cache(maxsize=8192)
def _clean_char(char: str) -> str:
    """What one character of the original becomes in the cleaned text (often nothing or itself)."""
    piece = INVISIBLE.sub("", unicodedata.normalize("NFKC", char))
    if not any(c.isdecimal() and not c.isascii() for c in piece):
        return piece
    return "".join(str(unicodedata.decimal(c)) if c.isdecimal() else c for c in piece)


def _clean(text: str, escapes: bool) -> _Cleaned:
    if not escapes and text.isascii() and _PLAIN_ASCII.fullmatch(text):
        return _Cleaned(text, range(len(text)), range(1, len(text) + 1))
    chars: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for start, end, char in _units(text, escapes):
        if char is None:  # a run cleaning leaves as it is
            chars.append(text[start:end])
            starts.extend(range(start, end))
            ends.extend(range(start + 1, end + 1))
            continue
        piece = _clean_char(char)
        chars.append(piece)
        starts.extend([start] * len(piece))
        ends.extend([end] * len(piece))
    return _Cleaned("".join(chars), starts, ends)


def _units(text: str, escapes: bool) -> Iterator[tuple[int, int, str | None]]:
    """What `text` is made of, as (start, end, character): single characters, runs cleaning leaves
    alone (character None) and, with `escapes`, escape sequences as the character they stand for."""
    for unit in (_UNITS_WITH_ESCAPES if escapes else _UNITS).finditer(text):
        if unit.lastgroup == "stable":
            yield unit.start(), unit.end(), None
        elif unit.lastgroup == "space":
            yield unit.start(), unit.end(), " "
        # `[2:]` drops an escape's backslash and letter (`\u200b`), not a `0x` prefix
        elif unit.lastgroup == "escape" and _is_character(code := int(unit.group()[2:], 16)):  # noqa: FURB166
            yield unit.start(), unit.end(), chr(code)
        else:  # a character, or an escape of a surrogate half read as the plain text it is
            for index in range(unit.start(), unit.end()):
                yield index, index + 1, text[index]


def _is_character(code: int) -> bool:
    return code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF


def _find(cleaned: str) -> list[_Hit]:
    """Every personal number in the cleaned text (spans may overlap)."""
    numbers = [number.span() for number in _NUMBER.finditer(cleaned)]
    work = _protect(cleaned, numbers)
    if work is not cleaned:
        numbers = [number.span() for number in _NUMBER.finditer(work)]
    hits: list[_Hit] = []
    long_numbers: dict[int, int] = {}
    for start, end in numbers:
        if end - start >= MIN_ACCOUNT_DIGITS:  # shorter ones cannot hold enough digits
            long_numbers[start] = end
            hits.extend(_number_hits(work, start, end))
    for word in _ACCOUNT_WORD.finditer(work):
        number_end = long_numbers.get(word.end())
        digits = _digit_positions(work, word.end(), number_end) if number_end else []
        if len(digits) >= MIN_ACCOUNT_DIGITS:
            hits.append(_Hit(digits[0], digits[-1] + 1, BANK_ACCOUNT))
    return hits


def _protect(cleaned: str, numbers: list[tuple[int, int]]) -> str:
    """The cleaned text with application IDs and credit codes blanked out (same length)."""
    codes = [code.span() for code in _APPLICATION_ID.finditer(cleaned)]
    codes += [code.span() for code in _CREDIT_CODE.finditer(cleaned) if _is_credit_code_only(code.group())]
    spans = [(start, end) for start, end in codes if not _personal_inside(cleaned, numbers, start, end)]
    if not spans:
        return cleaned
    chars = list(cleaned)
    for start, end in spans:
        chars[start:end] = _PROTECTED * (end - start)
    return "".join(chars)


def _is_credit_code_only(candidate: str) -> bool:
    return is_credit_code(candidate) and not is_resident_id(candidate)


def _personal_inside(cleaned: str, numbers: list[tuple[int, int]], start: int, end: int) -> bool:
    """Whether a mobile number or resident ID read from the numbers there overlaps cleaned[start:end]."""
    return any(
        hit.kind != BANK_ACCOUNT and hit.start < end and hit.end > start
        for number_start, number_end in numbers
        if number_start < end and number_end > start
        for hit in _number_hits(cleaned, number_start, number_end)
    )


def _digit_positions(work: str, start: int, end: int) -> list[int]:
    return [index for index in range(start, end) if "0" <= work[index] <= "9"]


def _number_hits(work: str, start: int, end: int) -> Iterator[_Hit]:
    """The candidates among the stretches of whole digit groups of the number work[start:end]."""
    groups = [group.span() for group in _GROUP.finditer(work, start, end)]
    check_x = work[end - 1] in "Xx"
    for first in range(len(groups)):
        digits = ""
        positions: list[int] = []
        for last in range(first, len(groups)):
            group_start, group_end = groups[last]
            digits += work[group_start:group_end]
            positions.extend(range(group_start, group_end))
            if len(digits) > _LONGEST_CANDIDATE:
                break
            yield from _shapes(digits, positions)
            if check_x and last == len(groups) - 1 and is_resident_id(digits + "X"):
                yield _Hit(positions[0], end, RESIDENT_ID)


def _shapes(digits: str, positions: list[int]) -> Iterator[_Hit]:
    """The kinds of personal number `digits` (at `positions` of the cleaned text) is."""
    if len(digits) == 18 and is_resident_id(digits):
        yield _Hit(positions[0], positions[-1] + 1, RESIDENT_ID)
    if 16 <= len(digits) <= 19 and (digits.startswith("62") or passes_luhn(digits)):
        yield _Hit(positions[0], positions[-1] + 1, BANK_ACCOUNT)
    if _MOBILE.fullmatch(digits):
        yield _Hit(positions[len(digits) - 11], positions[-1] + 1, PHONE)


def _stretches(cleaned: _Cleaned, hits: list[_Hit]) -> Iterator[tuple[int, int, set[str]]]:
    """Spans of the original text to replace (overlapping hits merged), left to right, with their kinds."""
    merged: list[tuple[int, int, set[str]]] = []
    for hit in sorted(hits):
        start, end = cleaned.starts[hit.start], cleaned.ends[hit.end - 1]
        if merged and start < merged[-1][1]:
            previous_start, previous_end, kinds = merged[-1]
            merged[-1] = (previous_start, max(previous_end, end), kinds | {hit.kind})
        else:
            merged.append((start, end, {hit.kind}))
    return iter(merged)


def _hide(cleaned: _Cleaned, start: int, end: int, kinds: set[str]) -> str:
    """The masked form of the original span [start, end): its digits with all but the ends hidden."""
    first, last = bisect_left(cleaned.starts, start), bisect_left(cleaned.starts, end)
    shown = "".join(char for char in cleaned.text[first:last] if "0" <= char <= "9" or char in "Xx")
    head = PHONE_HEAD if kinds == {PHONE} else 0
    tail = min(KEPT_TAIL, max(len(shown) - head - 1, 0))
    return shown[:head] + HIDDEN * (len(shown) - head - tail) + shown[len(shown) - tail :]
