"""Personal numbers for masking tests, the shapes people type them in, and innocent numbers.

Valid 身份证号, bank cards and mobile numbers; typed glued to text or to more digits, after +86, with
any separators (and runs and mixtures of them), invisible characters, combining marks or emoji between
the digits, in full-width or other digits, mobiles also in Chinese numerals. Check characters are computed
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
    ",",
    "\uff0c",
    "\u3001",
    "|",
    "\uff5c",
    "~",
    "\uff5e",
    ":",
    "\uff1a",
    ";",
    "\uff1b",
    "+",
    "*",
    "#",
    "'",
    '"',
    "\u4e28",
    "\u3002",
    "\u201c",
    "\u2019",
    "\u3010",
    "\n",
)
"""Characters people put between digit groups: spaces (also full-width and no-break), hyphens and dashes,
dots, slashes, middle dots, brackets, commas (，、), bars (| 丨), tildes, colons, semicolons, + * # and
quotes."""
DECORATIONS = ("\u0301", "\u0332", "\u20e3", "\u0338", "😀", "🔥", "❤", "★", "→", "👍🏻")
"""Combining marks and emoji people (or attackers) put on or between digits."""
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
CHINESE_NUMERALS = ("〇一二三四五六七八九", "零幺两三四五六七八九", "零壹贰叁肆伍陆柒捌玖")
"""Digits spelled in Chinese, as people read out a phone number (幺 for 1, 两 for 2; financial forms)."""
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
    "联系人张先生",
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
    number: str, gaps: Sequence[str] = (), zeros: Sequence[int | str] = (0x30,), *, lower_x: bool = False
) -> str:
    """`number` as typed: gaps[i] after its i-th character, its i-th digit in the set starting at
    zeros[i % len(zeros)] — a code point, or ten characters (CHINESE_NUMERALS) — (an X in full-width
    when that digit set is)."""
    out: list[str] = []
    for index, char in enumerate(number):
        zero = zeros[index % len(zeros)]
        if isinstance(zero, str):
            out.append(zero[int(char)] if char.isdigit() else "X")
        elif char.isdigit():
            out.append(chr(zero + int(char)))
        else:
            out.append("\uff38" if zero == FULL_WIDTH_ZERO else ("x" if lower_x else "X"))
        if index < len(number) - 1 and index < len(gaps):
            out.append(gaps[index])
    return "".join(out)


_CHINESE_VALUES = {numeral: str(value) for digits in CHINESE_NUMERALS for value, numeral in enumerate(digits)}
_CHINESE_VALUES.update({"貳": "2", "參": "3", "陸": "6"})


def visible_digits(text: str) -> str:
    """The digits (and X) a reader can make out in `text`, everything else dropped: a raw number that
    survives masking in any shape shows up in here."""
    out: list[str] = []
    for char in unicodedata.normalize("NFKC", text):
        if digit := _CHINESE_VALUES.get(char):
            out.append(digit)
        elif char.isdecimal():
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
FORMS = (
    "glued",
    "glued_to_digits",
    "country_code",
    "separated",
    "repeated_separators",
    "invisible",
    "decorated",
    "full_width",
    "other_digits",
    "chinese_numerals",
    "everything",
)
"""`chinese_numerals` applies to mobiles only (random_shape types other kinds in ASCII digits then)."""


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


def random_gaps(
    rng: random.Random,
    length: int,
    *,
    separators: bool,
    invisible: bool,
    decorations: bool = False,
    most: int = 3,
) -> list[str]:
    """What stands between the digits: up to `most` separators (a mixture, or one repeated), invisible
    characters, combining marks and emoji."""
    gaps = []
    for _ in range(length - 1):
        gap = []
        if separators and rng.random() < 0.35:
            count = rng.randrange(1, most + 1)
            mixed = rng.random() < 0.5
            gap += rng.choices(SEPARATORS, k=count) if mixed else [rng.choice(SEPARATORS)] * count
        if invisible and rng.random() < 0.35:
            gap += rng.choices(INVISIBLES, k=rng.randrange(1, 4))
        if decorations and rng.random() < 0.35:
            gap += rng.choices(DECORATIONS, k=rng.randrange(1, 3))
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
        separators=form in ("separated", "repeated_separators") or everything,
        invisible=form == "invisible" or everything,
        decorations=form == "decorated" or everything,
        most=8 if form in ("repeated_separators", "everything") else 3,
    )
    zeros: Sequence[int | str] = (0x30,)
    if form == "full_width":
        zeros = [rng.choice((0x30, FULL_WIDTH_ZERO, FULL_WIDTH_ZERO)) for _ in raw]
    elif form in ("other_digits", "everything"):
        digit_sets: list[int | str] = [*DIGIT_ZEROS, *(CHINESE_NUMERALS if kind == "mobile" else ())]
        zeros = [rng.choice(digit_sets) for _ in raw]
    elif form == "chinese_numerals" and kind == "mobile":
        zeros = [rng.choice(CHINESE_NUMERALS)]
    number = typed(raw, gaps, zeros, lower_x=rng.random() < 0.5)
    if kind == "mobile" and form in ("country_code", "everything"):
        number = rng.choice(COUNTRY_CODES) + number
    if form in ("glued_to_digits", "everything") and not number.endswith(("X", "x", "\uff38")):
        glue = "".join(str(rng.randrange(10)) for _ in range(rng.randrange(1, 5)))
        number = rng.choice([glue + number, number + glue, glue + number + glue[::-1]])
    elif form == "glued_to_digits":  # after an X the digits are another number: glue before it
        number = "".join(str(rng.randrange(10)) for _ in range(rng.randrange(1, 5))) + number
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
    "2026-11-13~2026-11-20",
    "2026-11-20，2026-11-21、2026-11-30",
    "2026-11-13 14:30 ~ 2026-11-20 15:00",
    "13:45，2026-11-21",
    "0.12、0.34、0.56",
    "1-3个工作日、3-5个工作日",
    "RZ202611200001 B2C344",
    "RZ202611200001，123456",
    "RZ202611200001 91110108MA01B2C344",
    "123456",
    "一二三",
    "三五个工作日",
)
"""Numbers the bot and its applicants use that are not personal data: amounts, working days, dates and
times (also as ranges and lists), application IDs, credit codes and their 6-character suffixes."""
NOT_RESIDENT_IDS = ("110105194912310021", "110105194913310021", "110105491331002", "910105491231002")
"""18-digit numbers that fail GB 11643 (wrong check digit; month 13) and 15-digit ones that are no
first-generation ID (month 13; area code starting 9): never read as a resident ID (parts of them may pass
Luhn: long digit strings are often masked in part)."""


def reads_as_identifier(text: str) -> bool:
    """Whether `text` holds something that is, by its checksums, an application ID or a credit code rather
    than personal data: RZ20 right before 10 digits (an ID as issued), or an 18-character token
    passing GB 32100 and GB 11714
    with a letter in it. A number typed glued to such letters is left visible by design."""
    normalized = unicodedata.normalize("NFKC", text)
    cleaned = "".join(str(unicodedata.decimal(c)) if c.isdecimal() else c for c in normalized)
    cleaned = "".join(c for c in cleaned if c.isprintable() or c in "\n\t")
    if re.search(
        r"[Rr][\s\-_]{0,3}[Zz][\s\-_]{0,3}2[\s\-_]{0,3}0(?:[\s\-_]{0,3}[0-9]){10}(?![0-9])", cleaned
    ):
        return True
    for token in re.findall(r"(?<![0-9A-Za-z])[0-9A-Za-z]{18}(?![0-9A-Za-z])", cleaned):
        token = token.upper()
        if token.isdigit() or not token[:8].isdigit() or any(c not in USCC_ALPHABET for c in token):
            continue
        if credit_code(token[:2], int(token[2:8]), token[8:16]) == token:
            return True
    return False


def random_application_id(rng: random.Random) -> str:
    """An application ID as the back office issues them: RZ, the day of application, a 4-digit sequence."""
    day = date(2020, 1, 1) + timedelta(days=rng.randrange(3650))
    return f"{rng.choice(['RZ', 'rz', 'ＲＺ'])}{day:%Y%m%d}{rng.randrange(10**4):04d}"


def random_innocent(rng: random.Random) -> str:
    """An innocent number drawn from `rng`: a listed one, an application ID (and a credit-code suffix),
    a credit code, a date or a range of dates, an amount, or working days."""
    choice = rng.randrange(6)
    if choice == 0:
        return rng.choice(INNOCENT)
    if choice == 1:
        suffix = "".join(rng.choices("0123456789ABCDEFGHJKLMNPQRTUWXY", k=6))
        return random_application_id(rng) + rng.choice([" ", "，", " 后六位 ", "、"]) + suffix
    if choice == 2:
        organisation = "MA" + "".join(rng.choices(USCC_ALPHABET[:-1], k=6))
        kind = rng.choice(["91", "92", "93", "12", "51"])
        return credit_code(kind, rng.randrange(110000, 830000), organisation)
    if choice == 3:
        day = date(2000, 1, 1) + timedelta(days=rng.randrange(15_000))
        return rng.choice([f"{day:%Y-%m-%d}", f"{day.year}年{day.month}月{day.day}日", f"{day:%Y/%m/%d}"])
    if choice == 4:
        return f"{rng.randrange(10**8)}.{rng.randrange(100):02d}元"
    first = date(2000, 1, 1) + timedelta(days=rng.randrange(15_000))
    last = first + timedelta(days=rng.randrange(1, 60))
    separator = rng.choice(["-", "/", "."])
    time = rng.choice(["", f" {rng.randrange(24)}:{rng.randrange(60):02d}"])
    days = rng.choice(["", f"，{rng.randrange(1, 10)}-{rng.randrange(10, 20)}个工作日"])
    return (
        f"{first:%Y}{separator}{first:%m}{separator}{first:%d}{time}{rng.choice(['~', '至', '、', '，', ' - '])}"
        f"{last:%Y}{separator}{last:%m}{separator}{last:%d}{time}{days}"
    )


# --- what the attacker of issue 10 typed (second round) -------------------------------------------------

ATTACKER_RAW = ("13812345678", "110101199003074514", "6222021234567890128")
"""The mobile, resident ID and bank card hidden in ATTACKER_SHAPES."""
ATTACKER_SHAPES = (
    # glued to more digits or to letters
    ("编号 913812345678", "编号 9138****5678"),
    ("手机1381234567800", "手机138****567800"),
    ("0013812345678", "00138****5678"),
    ("9911010119900307451499", "9*****************1499"),
    ("886222021234567890128", "88***************0128"),
    ("abc13812345678def", "abc138****5678def"),
    ("IDno110101199003074514abc", "IDno**************4514abc"),
    # separators inside, alone, mixed and repeated
    ("138,1234,5678", "138****5678"),
    ("138，1234，5678", "138****5678"),
    ("138、1234、5678", "138****5678"),
    ("138|1234|5678", "138****5678"),
    ("138~1234~5678", "138****5678"),
    ("138:1234:5678", "138****5678"),
    ("138;1234;5678", "138****5678"),
    ("138+1234+5678", "138****5678"),
    ("138*1234*5678", "138****5678"),
    ("138#1234#5678", "138****5678"),
    ("138'1234'5678", "138****5678"),
    ('138"1234"5678', "138****5678"),
    ("138丨1234丨5678", "138****5678"),
    ("1,3，8、1|2~3:4;5+6*7#8", "138****5678"),
    ("1'3\"8丨1 2-3.4,5，6、7|8", "138****5678"),
    ("138,,,,,,1234~~~~~~~5678", "138****5678"),
    ("138 , - ; 1234 | ~ 5678", "138****5678"),
    ("110101，19900307，4514", "**************4514"),
    ("6222|0212|3456|7890|128", "***************0128"),
    # full-width digits and separators, combining marks, emoji, zero-width characters
    ("１３８，１２３４；５６７８", "138****5678"),
    ("１３８｜１２３４～５６７８", "138****5678"),
    ("1\u03013\u03018\u0301 1\u20e32\u20e334\u03325678", "138****5678"),
    ("138😀1234🔥5678", "138****5678"),
    ("1❤3❤8★1→2👍🏻345678", "138****5678"),
    ("1\u200b3\u200c8\u200d1\u20602\ufeff345678", "138****5678"),
    ("110101😀19900307\u200b4514", "**************4514"),
    # Chinese numerals
    ("一三八一二三四五六七八", "138****5678"),
    ("幺三八 一二三四 五六七八", "138****5678"),
    ("我的电话是幺三八，幺二三四，五六七八，谢谢", "我的电话是138****5678，谢谢"),
    ("一三八1234五六七八", "138****5678"),
    ("零一三八一二三四五六七八", "零138****5678"),
)
"""(typed, masked) for the shapes found leaking: glued to more digits or letters; separators inside a
number alone, mixed and repeated; full-width digits and separators; combining marks, emoji and
zero-width characters between digits; Chinese numerals."""
