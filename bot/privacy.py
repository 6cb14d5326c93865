"""Masking of personal data in free text: 身份证号, mobile phone numbers, bank card and account numbers.

How numbers are found
  The text is read in its cleaned form: NFKC (full-width → ASCII), every decimal digit as 0-9, Chinese
  numerals (〇零一幺二两三…九, 壹贰叁…玖) as digits, and invisible characters removed
  (bot.normalization.INVISIBLE: zero-width, bidi marks, soft hyphen, word joiner, BOM, controls), so
  `１３８…`, `138\u200b1234…` and `一三八…` are plain digits. A *number* is a run of digits in which any
  number of separators may stand between two digits: every character that is neither a letter nor a
  digit (spaces, dashes, dots, commas ，、, | ~ : ; + * # quotes, brackets, combining marks, emoji…),
  plus `_`, 丨, ー and ㅡ, which look like separators. A letter (Latin or Chinese) ends a number, so a
  number glued to text is found like any other. Inside a number every window of digits is read, also
  across separators and whatever digits come before or after it (`9138123456780` holds a mobile):
    a resident ID  18 characters with the GB 11643 check character and a birth date from 1900 to today
                   (stdnum.cn.ric; its area-code table is not consulted), or a whole number of exactly
                   15 digits shaped as the first-generation ID (area code 1-8…, then YYMMDD of 19YY),
    a mobile       1[3-9] and 9 more digits (a country code before it, `+86 138…`, stays visible),
    a bank card    16-19 digits passing Luhn (checked per window from prefix sums), or starting with
                   UnionPay's 62 (not every UnionPay card passes Luhn); never read from windows
                   holding a Chinese numeral,
    an account     the whole number after 账号/账户/帐号/帐户/卡号/银行卡/account/acct/a/c (at most 10
                   characters between, none a digit or a sentence end) when it has 10 digits or more.
  Long digit strings are therefore often masked in part: only what the bot needs is kept whole.

What is kept
  What the bot reads is blanked out before windows are read, so no window counts its digits:
  application IDs as issued (RZ20 + 10 digits, with a 6-character credit-code suffix typed after it),
  unified social credit codes (18 characters with a letter, the GB 32100 check character and the
  GB 11714 one of the organisation code inside), dates with a month and day that exist (2026-11-20,
  2026/11/20, 2026.11.20, 20261120), times (13:45), amounts and decimals (0.01, 0.01元, ¥0.01), counts
  with their unit (2026年, 3个工作日) and 400/800 hotlines — each standing alone, not chained to more
  digit groups by - / . or :. A window found on the text as typed that overlaps one of them breaks it
  (`RZ138123456789`, `1912-03-04 567`, a card typed `6222，2026-11-20，…`) unless the window is made of
  them and overlaps an ID, credit code, date, time or hotline (amounts and counts alone excuse nothing:
  `1||3698406.0;;;85号` is a mobile): all its digits lie in them, or it overlaps two or more of those
  and at most two of its digits lie outside them (`2026-11-13~2026-11-20` is a range, not a mobile;
  `RZ202611200001 123456` no card).
  An 18-digit number that passes GB 11643 is a resident ID even if it would pass as a credit code. A
  credit code's 6-character suffix alone is too short to be anything.

What the output looks like
  Each number found is replaced, in the original text, from its first to its last digit (separators
  and invisible characters inside it go too) by its digits with all but the ends turned into `*`, one
  `*` per hidden digit: a mobile keeps its first 3 and last 4 digits (`+86 138****5678`: a country code
  before it stays), everything else its last 4 (`**************002X`, `***************1234`); digits
  typed as Chinese numerals are shown as 0-9. Everything around a number is left exactly as it was.
  Masking is idempotent: the result is masked again until nothing is found, so `mask(mask(t)) == mask(t)`;
  as `*` is a separator too, the digits two masked numbers keep can make a new window, so numbers
  with only separators between them (`13812345678，13987654321`) may end up masked as one.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from bisect import bisect_left
from collections.abc import Callable, Iterator, Sequence
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
_MAX_PASSES = 16
"""Masking repeats until nothing is found; each repeat hides digits, so it ends long before this."""
_CARD_LENGTHS = range(16, 20)

CHINESE_DIGITS = str.maketrans(
    "〇零一幺二两三四五六七八九壹贰貳叁參肆伍陆陸柒捌玖", "0011223456789122334566789"
)
"""Chinese numerals as people spell out a number (幺 for 1, 两 for 2; the financial forms)."""
_CHINESE_DIGIT = re.compile("[〇零一幺二两三四五六七八九壹贰貳叁參肆伍陆陸柒捌玖]")
_ASCII_DIGIT = re.compile("[0-9]")
_SEPARATOR = r"(?:[^\w\x00]|[_\u4e28\u30fc\u3161])"
"""Anything but a letter or a digit (and not the protection mark), plus `_` and letters that look like a dash."""
_NUMBER = re.compile(rf"[0-9](?:{_SEPARATOR}*[0-9])*(?:{_SEPARATOR}*[Xx])?")
_DIGIT = re.compile(r"[0-9]")
_LONE = r"(?<![0-9])(?<![0-9][-/.:])(?:{})(?![-/.:]?[0-9])"
"""A kept pattern stands alone: no digit, and no digit group chained by - / . or :, on either side."""
_APPLICATION_ID = re.compile(
    r"[Rr][\s\-_]{0,3}[Zz][\s\-_]{0,3}2[\s\-_]{0,3}0(?:[\s\-_]{0,3}[0-9]){10}(?![0-9])"
    r"(?:[^0-9A-Za-z\n]{1,3}[0-9A-Za-z]{6}(?![0-9A-Za-z]))?"
)
"""An application ID as issued (RZ, the year 20.., 10 more digits), with the credit-code suffix typed
after it."""
_CREDIT_CODE = re.compile(r"(?<![0-9A-Za-z])[0-9A-Za-z]{18}(?![0-9A-Za-z])")
_MONTH, _DAY = r"(?:0?[1-9]|1[0-2])", r"(?:0?[1-9]|[12][0-9]|3[01])"
_MOMENT = re.compile(
    _LONE.format(
        rf"(?:19|20)[0-9]{{2}}(?P<sep>[-/.]){_MONTH}(?P=sep){_DAY}"
        r"|(?:19|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])"
        r"|(?:[01]?[0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9])?"
    )
)
"""A date with a month and day that exist (2026-11-20, 2026/11/20, 2026.11.20, 20261120) or a time (13:45)."""
_AMOUNT = re.compile(
    r"[¥$][ ]?[0-9]{1,9}(?:\.[0-9]{1,2})?(?![0-9])|" + _LONE.format(r"[0-9]{1,9}\.[0-9]{1,2}")
)
"""An amount or a decimal: 0.01, 0.01元, ¥0.01 (NFKC has made ￥ into ¥)."""
_QUANTITY = re.compile(
    r"(?<![0-9])[0-9]{1,4}(?=[ ]?(?:%|年|月|日|号|个|天|周|小时|分钟|秒|次|步|页|张|份|万|岁))"
)
"""A count with its unit: 2026年, 11月, 3个工作日, 7天, 100%."""
_HOTLINE = re.compile(_LONE.format(r"[48]00[\s\-]?[0-9]{3}[\s\-]?[0-9]{4}"))
"""A service hotline: 400-066-6666."""
_STRUCTURED_PATTERNS = (_APPLICATION_ID, _MOMENT, _HOTLINE)
_LOOSE_PATTERNS = (_AMOUNT, _QUANTITY)
"""Kept, but too loose to excuse a personal number made of them (`1||3698406.0;;;85号` is a mobile)."""
_LONG_DIGIT_RUN = re.compile(f"[0-9]{{{MIN_ACCOUNT_DIGITS - 1}}}")
"""In ASCII letters and digits, where a personal number could start (`_cannot_hold`)."""
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


def is_first_generation_resident_id(candidate: str) -> bool:
    """The 15-digit ID issued until 2004 (still typed by some): an area code starting 1-8, then the
    birth date as YYMMDD of 19YY, then 3 digits; no check character."""
    if (
        len(candidate) != 15
        or not (candidate.isascii() and candidate.isdigit())
        or candidate[0] not in "12345678"
    ):
        return False
    try:
        dt.date(1900 + int(candidate[6:8]), int(candidate[8:10]), int(candidate[10:12]))
    except ValueError:
        return False
    return True


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
    if _cannot_hold(text):
        return Masked(text, frozenset())
    return _mask_all(text, escapes)


def _mask_all(text: str, escapes: bool) -> Masked:
    """Mask pass after pass until a pass finds nothing."""
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
        return value if not _has_digits(value) else mask(value)
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
    if not escapes and not _has_digits(text):
        return Masked(text, frozenset())
    cleaned = _clean(text, escapes)
    numerals = frozenset(match.start() for match in _CHINESE_DIGIT.finditer(cleaned.text))
    if numerals:
        cleaned = cleaned._replace(text=cleaned.text.translate(CHINESE_DIGITS))
    hits = _find(cleaned.text, numerals)
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


def _cannot_hold(text: str) -> bool:
    """True for ASCII letters and digits without a run of MIN_ACCOUNT_DIGITS - 1 digits or more.

    Such text (a message id, a model id) needs no masking, as `_find` would find nothing: without
    separators a number is one run of digits, perhaps with an X after it; only a number spanning at
    least MIN_ACCOUNT_DIGITS characters is examined, and an account word only counts before one.
    """
    return text.isascii() and text.isalnum() and _LONG_DIGIT_RUN.search(text) is None


def _has_digits(text: str) -> bool:
    if text.isascii():  # NFKC leaves ASCII as it is, and no Chinese numeral is ASCII
        return _ASCII_DIGIT.search(text) is not None
    return bool(re.search(r"\d", unicodedata.normalize("NFKC", text)) or _CHINESE_DIGIT.search(text))


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


def _find(cleaned: str, numerals: frozenset[int] = frozenset()) -> list[_Hit]:
    """Every personal number in the cleaned text (spans may overlap); `numerals` are the positions of
    digits that were Chinese numerals."""
    numbers = [number.span() for number in _NUMBER.finditer(cleaned)]
    work = _protect(cleaned, numbers, numerals)
    if work is not cleaned:
        numbers = [number.span() for number in _NUMBER.finditer(work)]
    hits: list[_Hit] = []
    long_numbers: dict[int, int] = {}
    for start, end in numbers:
        if end - start >= MIN_ACCOUNT_DIGITS:  # shorter ones cannot hold enough digits
            long_numbers[start] = end
            hits.extend(_number_hits(work, start, end, numerals))
    for word in _ACCOUNT_WORD.finditer(work):
        number_end = long_numbers.get(word.end())
        digits = _digit_positions(work, word.end(), number_end) if number_end else []
        if len(digits) >= MIN_ACCOUNT_DIGITS:
            hits.append(_Hit(digits[0], digits[-1] + 1, BANK_ACCOUNT))
    return hits


def _protect(cleaned: str, numbers: list[tuple[int, int]], numerals: frozenset[int]) -> str:
    """The cleaned text with what the bot reads (application IDs, credit codes, dates, times, amounts,
    counts) blanked out (same length), except where a personal number that is not made of them
    overlaps it (`_breaks`)."""
    kept = [code.span() for code in _CREDIT_CODE.finditer(cleaned) if _is_credit_code_only(code.group())]
    kept += [match.span() for pattern in _STRUCTURED_PATTERNS for match in pattern.finditer(cleaned)]
    first_loose = len(kept)
    kept += [match.span() for pattern in _LOOSE_PATTERNS for match in pattern.finditer(cleaned)]
    if not kept:
        return cleaned
    loose = set(range(first_loose, len(kept)))
    covering: dict[int, list[int]] = {}  # position → the kept spans covering it
    for index, (start, end) in enumerate(kept):
        for position in range(start, end):
            covering.setdefault(position, []).append(index)
    broken: set[int] = set()
    for number_start, number_end in numbers:
        if not any(position in covering for position in range(number_start, number_end)):
            continue
        for hit in _number_hits(cleaned, number_start, number_end, numerals):
            overlapped = {
                index for position in range(hit.start, hit.end) for index in covering.get(position, ())
            }
            if overlapped and _breaks(cleaned, hit, overlapped - loose, covering):
                broken |= overlapped
    spans = [span for index, span in enumerate(kept) if index not in broken]
    if not spans:
        return cleaned
    chars = list(cleaned)
    for start, end in spans:
        chars[start:end] = _PROTECTED * (end - start)
    return "".join(chars)


_STRAY_DIGITS = 2
"""Digits outside what the bot reads that a window made of such things may hold and still be forgiven
(`2026-08-16 - 2026-08-23，6-15个工作日`)."""


def _breaks(cleaned: str, hit: _Hit, structured: set[int], covering: dict[int, list[int]]) -> bool:
    """Whether a personal number overlapping kept spans counts: unless it is made of what the bot reads
    and overlaps at least one structured span (an ID, credit code, date, time or hotline; amounts and
    counts alone make no excuse): all its digits lie in kept spans, or it overlaps two or more structured
    spans and at most _STRAY_DIGITS lie outside them."""
    if not structured:
        return True
    stray = sum(position not in covering for position in _digit_positions(cleaned, hit.start, hit.end))
    return stray > 0 and (stray > _STRAY_DIGITS or len(structured) < 2)


def _is_credit_code_only(candidate: str) -> bool:
    return is_credit_code(candidate) and not is_resident_id(candidate)


def _digit_positions(work: str, start: int, end: int) -> list[int]:
    return [match.start() for match in _DIGIT.finditer(work, start, end)]


def _number_hits(work: str, start: int, end: int, numerals: frozenset[int]) -> Iterator[_Hit]:
    """Every window of the digits of the number work[start:end] that is a personal number."""
    positions = _digit_positions(work, start, end)
    digits = "".join(work[position] for position in positions)
    check_x = work[end - 1] in "Xx"
    count = len(digits)
    luhn_ok = _luhn_windows(digits) if count >= _CARD_LENGTHS[0] else _no_window
    for first in range(count):
        if digits[first] == "1" and first + 11 <= count and digits[first + 1] in "3456789":
            yield _Hit(positions[first], positions[first + 10] + 1, PHONE)
        born = digits[first + 6 : first + 8]  # a resident ID's birth year starts 19 or 20: skip the rest
        if first + 18 <= count and born in ("19", "20") and is_resident_id(digits[first : first + 18]):
            yield _Hit(positions[first], positions[first + 17] + 1, RESIDENT_ID)
        if check_x and first + 17 == count and born in ("19", "20") and is_resident_id(digits[first:] + "X"):
            yield _Hit(positions[first], end, RESIDENT_ID)
        if first == 0 and count == 15 and is_first_generation_resident_id(digits):  # a whole number only
            yield _Hit(positions[0], positions[14] + 1, RESIDENT_ID)
        for length in _CARD_LENGTHS:
            if first + length > count:
                break
            if (digits.startswith("62", first) or luhn_ok(first, first + length)) and not (
                numerals and any(position in numerals for position in positions[first : first + length])
            ):
                yield _Hit(positions[first], positions[first + length - 1] + 1, BANK_ACCOUNT)


def _no_window(first: int, end: int) -> bool:
    return False


def _luhn_windows(digits: str) -> Callable[[int, int], bool]:
    """A test of the Luhn check for any window digits[first:end], in constant time per window.

    Luhn doubles every second digit counting from the window's last one, i.e. the digits whose
    position has the parity of `end`; prefix sums of plain and doubled values per parity give the total.
    """
    plain = [[0] * (len(digits) + 1) for _ in range(2)]
    doubled = [[0] * (len(digits) + 1) for _ in range(2)]
    for index, char in enumerate(digits):
        value = ord(char) - 48
        for parity in (0, 1):
            same = index % 2 == parity
            plain[parity][index + 1] = plain[parity][index] + (value if same else 0)
            doubled[parity][index + 1] = doubled[parity][index] + (
                (value * 2 - 9 if value > 4 else value * 2) if same else 0
            )

    def valid(first: int, end: int) -> bool:
        keep, double = 1 - end % 2, end % 2
        total = plain[keep][end] - plain[keep][first] + doubled[double][end] - doubled[double][first]
        return total % 10 == 0

    return valid


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
