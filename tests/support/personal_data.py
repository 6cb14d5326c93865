"""Personal numbers for masking tests, the shapes people type them in, and innocent numbers.

Valid 身份证号, bank cards and mobile numbers; typed glued to text, after +86, with separators or
invisible characters between the digits, in full-width or other digits. Check characters are computed
here from the standards (GB 11643, Luhn, GB 11714, GB 32100), not with python-stdnum that bot.privacy
uses, so a mistake there cannot hide itself. Generators take plain values, so hypothesis strategies
and a seeded `random.Random` share them.
"""

from __future__ import annotations

import random
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
ORGANISATION_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
EARLIEST_BIRTH = date(1900, 1, 1)

SEPARATORS = (
    " ",
    "-",
    ".",
    "/",
    "\\",
    "_",
    "\u3000",
    "\u00a0",
    "\u2007",
    "\u202f",
    "\uff0d",
    "\uff0e",
    "\uff0f",
    "\u2010",
    "\u2011",
    "\u2013",
    "\u2014",
    "\u2212",
    "\u00b7",
    "\u30fb",
    "\t",
    "(",
    ")",
)
"""Characters people put between digit groups: spaces (also full-width and no-break), hyphens and dashes,
dots, slashes, middle dots, brackets."""
INVISIBLES = (
    "\u200b",
    "\u200c",
    "\u200d",
    "\u2060",
    "\ufeff",
    "\u00ad",
    "\u200e",
    "\u200f",
    "\u202a",
    "\u202c",
    "\u202e",
    "\u2066",
    "\u2069",
    "\u180e",
    "\u034f",
    "\ufe0f",
    "\U000e0041",
    "\x00",
    "\x07",
    "\x1b",
    "\x7f",
    "\x85",
)
"""Characters that show nothing: zero-width, joiners, bidi marks, soft hyphen, BOM, tags, controls."""
COUNTRY_CODES = (
    "+86",
    "+86 ",
    "+86-",
    "86",
    "86-",
    "86 ",
    "0086",
    "0086-",
    "0086 ",
    "(+86)",
    "(+86) ",
    "+86\u3000",
    "\uff0b\uff18\uff16 ",
    "+ 86 ",
)
DIGIT_ZEROS = (0x30, 0xFF10, 0x0660, 0x06F0, 0x0966, 0x09E6, 0x1D7CE, 0x1D7EC, 0x1D7F6)
"""Where 0 is in the digit sets people (or attackers) type: ASCII, full-width, Arabic-Indic, Persian,
Devanagari, Bengali, mathematical bold / sans-serif bold / monospace."""
FULL_WIDTH_ZERO = 0xFF10
CONTEXT = (
    "我的身份证号是",
    "手机",
    "电话：",
    "银行卡",
    "，请帮我查一下",
    "谢谢",
    "认证需要多久？",
    "法人",
    "号",
    "tel",
    "abc",
    "ID:",
    "no.",
    "联系人张三",
    "（",
    "）",
    "【",
    "】",
    "「",
    "」",
    "、",
    "。",
    "!",
    "？",
    "转人工",
    "Hi",
    "对公",
    "开户行",
    "email me",
    "😀",
    "🇨🇳",
    "\u202e",
    "\u200b",
    " ",
    "\n",
)
"""Pieces of text around a number: Chinese, English, punctuation, emoji, invisible characters; no digits."""


def id_check(body: str) -> str:
    """GB 11643 check character of the first 17 digits."""
    return ID_CHECK[sum(int(digit) * weight for digit, weight in zip(body, ID_WEIGHTS)) % 11]


def resident_id(area: int, born: date, sequence: int) -> str:
    """A valid 身份证号: 6-digit area, birth date, 3-digit sequence and the check character."""
    body = f"{area:06d}{born:%Y%m%d}{sequence:03d}"
    return body + id_check(body)


def luhn_check(body: str) -> str:
    """The digit that makes `body` + digit pass Luhn."""
    total = 0
    for position, char in enumerate(reversed(body)):
        value = int(char)
        if position % 2 == 0:  # doubled once the check digit is appended
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return str(-total % 10)


def passes_luhn(number: str) -> bool:
    """Luhn, written out independently of the code under test."""
    return luhn_check(number[:-1]) == number[-1]


def bank_card(body: str) -> str:
    """A Luhn-valid card number: `body` (15-18 digits) and its check digit."""
    return body + luhn_check(body)


def mobile(second: int, rest: int) -> str:
    """A mainland mobile number: 1, a digit 3-9, nine more digits."""
    return f"1{second}{rest:09d}"


def credit_code(kind: str, area: int, organisation: str) -> str:
    """A unified social credit code: kind (2 characters), area, an organisation code body (8 characters)
    with its GB 11714 check character, and the GB 32100 check character."""
    values = [int(char, 36) for char in organisation]
    organisation_check = "0123456789X0"[11 - sum(v * w for v, w in zip(values, ORGANISATION_WEIGHTS)) % 11]
    body = f"{kind}{area:06d}{organisation}{organisation_check}"
    total = sum(USCC_ALPHABET.index(char) * weight for char, weight in zip(body, USCC_WEIGHTS))
    return body + USCC_ALPHABET[(31 - total % 31) % 31]


def typed(
    number: str, gaps: Sequence[str] = (), zeros: Sequence[int] = (0x30,), *, lower_x: bool = False
) -> str:
    """`number` as typed: gaps[i] after its i-th character, its i-th digit in the set starting at
    zeros[i % len(zeros)] (an X in full-width when that digit set is)."""
    out: list[str] = []
    for index, char in enumerate(number):
        zero = zeros[index % len(zeros)]
        if char.isdigit():
            out.append(chr(zero + int(char)))
        else:
            out.append("\uff38" if zero == FULL_WIDTH_ZERO else ("x" if lower_x else "X"))
        if index < len(number) - 1 and index < len(gaps):
            out.append(gaps[index])
    return "".join(out)


def visible_digits(text: str) -> str:
    """The digits (and X) a reader can make out in `text`, everything else dropped: a raw number that
    survives masking in any shape shows up in here."""
    out: list[str] = []
    for char in unicodedata.normalize("NFKC", text):
        if char.isdecimal():
            out.append(str(unicodedata.decimal(char)))
        elif char in "Xx":
            out.append("X")
    return "".join(out)


def survives(number: str, text: str) -> bool:
    """Whether `number` (its digits, after removing separators) can still be read in `text`."""
    return visible_digits(number) in visible_digits(text)


# --- the same shapes from a seeded random generator (for counting) ---------------------------------------


@dataclass(frozen=True)
class Shape:
    """A personal number typed one way inside a message."""

    kind: str
    form: str
    raw: str
    """The digits that must not survive."""
    text: str


KINDS = ("resident_id", "bank_card", "mobile")
FORMS = ("glued", "country_code", "separated", "invisible", "full_width", "other_digits", "everything")


def random_number(rng: random.Random, kind: str) -> str:
    """A valid number of `kind` drawn from `rng`."""
    if kind == "resident_id":
        born = EARLIEST_BIRTH + timedelta(days=rng.randrange((date.today() - EARLIEST_BIRTH).days + 1))
        return resident_id(rng.randrange(110000, 830000), born, rng.randrange(1000))
    if kind == "bank_card":
        length = rng.randrange(16, 20)
        prefix = rng.choice(["62", "4", "5", "3", "9", "1", ""])
        return bank_card(prefix + "".join(str(rng.randrange(10)) for _ in range(length - 1 - len(prefix))))
    return mobile(rng.randrange(3, 10), rng.randrange(10**9))


def random_gaps(rng: random.Random, length: int, *, separators: bool, invisible: bool) -> list[str]:
    """What stands between the digits: up to 3 separators and any invisible characters."""
    gaps = []
    for _ in range(length - 1):
        gap = []
        if separators and rng.random() < 0.35:
            gap += rng.choices(SEPARATORS, k=rng.randrange(1, 4))
        if invisible and rng.random() < 0.35:
            gap += rng.choices(INVISIBLES, k=rng.randrange(1, 4))
        rng.shuffle(gap)
        gaps.append("".join(gap))
    return gaps


def random_context(rng: random.Random, *, glued: bool) -> tuple[str, str]:
    """Text before and after a number; `glued` ends/starts them with a letter or Chinese character."""
    before = "".join(rng.choices(CONTEXT, k=rng.randrange(0, 4)))
    after = "".join(rng.choices(CONTEXT, k=rng.randrange(0, 4)))
    if glued:
        before += rng.choice("号码是abcXYZ电话卡身份证")
        after = rng.choice("号码是abcYZ电话卡") + after
    else:
        before, after = before + " ", "，" + after
    return before, after


def random_shape(rng: random.Random, kind: str, form: str) -> Shape:
    """One `kind` number typed in `form` inside random text."""
    raw = random_number(rng, kind)
    everything = form == "everything"
    gaps = random_gaps(
        rng,
        len(raw),
        separators=form == "separated" or everything,
        invisible=form == "invisible" or everything,
    )
    zeros: Sequence[int] = (0x30,)
    if form == "full_width":
        zeros = [rng.choice((0x30, FULL_WIDTH_ZERO, FULL_WIDTH_ZERO)) for _ in raw]
    elif form in ("other_digits", "everything"):
        zeros = [rng.choice(DIGIT_ZEROS) for _ in raw]
    number = typed(raw, gaps, zeros, lower_x=rng.random() < 0.5)
    if kind == "mobile" and form in ("country_code", "everything"):
        number = rng.choice(COUNTRY_CODES) + number
    before, after = random_context(rng, glued=form in ("glued", "everything") or rng.random() < 0.5)
    return Shape(kind, form, raw, before + number + after)


# --- innocent numbers ----------------------------------------------------------------------------------

INNOCENT = (
    "0.01元",
    "0.01 元",
    "¥0.01",
    "5MB",
    "5 MB",
    "3-5个工作日",
    "1-3 个工作日",
    "7个工作日",
    "400-066-6666",
    "13:45",
    "2026-11-20",
    "2026年11月20日",
    "2026/11/20",
    "2026.11.20",
    "20261120",
    "第3步",
    "8 个步骤",
    "RZ202611200001",
    "rz202611200001",
    "RZ 2026 1120 0001",
    "RZ-202611200001",
    "ＲＺ２０２６１１２０００１",
    "91110108MA01B2C344",
    "91330106MA2H7K4L6Q",
    "91440305MA5D8N2P1D",
    "91310115MA1G6R9T4Q",
    "92510107MA6C3E1Q2Q",
    "91120116MA07F5W298",
    "91110000600037341L",
    "b2c344",
    "B2C344",
    "100%",
    "1.2.3",
    "v3.6.21",
    "Python 3.10",
    "110105194912310021",
    "110105194913310021",
)
"""Numbers the bot and its applicants use that are not personal data; the last two are 18-digit numbers
that fail GB 11643 (wrong check digit; month 13)."""


def reads_as_identifier(text: str) -> bool:
    """Whether `text` holds something that is, by its checksums, an application ID or a credit code rather
    than personal data: RZ right before 12 digits, or an 18-character token passing GB 32100 and GB 11714
    with a letter in it. A number typed glued to such letters is left visible by design."""
    normalized = unicodedata.normalize("NFKC", text)
    cleaned = "".join(str(unicodedata.decimal(c)) if c.isdecimal() else c for c in normalized)
    cleaned = "".join(c for c in cleaned if c.isprintable() or c in "\n\t")
    if re.search(r"[Rr][\s\-_]{0,3}[Zz](?:[\s\-_]{0,3}[0-9]){12}", cleaned):
        return True
    for token in re.findall(r"(?<![0-9A-Za-z])[0-9A-Za-z]{18}(?![0-9A-Za-z])", cleaned):
        token = token.upper()
        if token.isdigit() or not token[:8].isdigit() or any(c not in USCC_ALPHABET for c in token):
            continue
        if credit_code(token[:2], int(token[2:8]), token[8:16]) == token:
            return True
    return False


def random_innocent(rng: random.Random) -> str:
    """An innocent number drawn from `rng`: a listed one, an application ID, a credit code, a date, an
    amount, or an 18-character number that fails GB 11643 and is no card (fails Luhn, not 62…)."""
    choice = rng.randrange(6)
    if choice == 0:
        return rng.choice(INNOCENT)
    if choice == 1:
        return rng.choice(["RZ", "rz", "ＲＺ"]) + "".join(str(rng.randrange(10)) for _ in range(12))
    if choice == 2:
        organisation = "MA" + "".join(rng.choices(USCC_ALPHABET[:-1], k=6))
        kind = rng.choice(["91", "92", "93", "12", "51"])
        return credit_code(kind, rng.randrange(110000, 830000), organisation)
    if choice == 3:
        day = date(2000, 1, 1) + timedelta(days=rng.randrange(15_000))
        return rng.choice([f"{day:%Y-%m-%d}", f"{day.year}年{day.month}月{day.day}日", f"{day:%Y/%m/%d}"])
    if choice == 4:
        return f"{rng.randrange(10**8)}.{rng.randrange(100):02d}元"
    while True:
        body = "".join(str(rng.randrange(10)) for _ in range(17))
        number = body + rng.choice([c for c in "0123456789X" if c != id_check(body)])
        if not number.startswith("62") and not passes_luhn(number.rstrip("X")):
            return number
