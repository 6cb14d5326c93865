"""The facts answers must agree with (data/facts.yml) and the search for answers that contradict them.

Deliberately narrow, so the check never cries wolf: only phone-number-like strings (also in spoken
digits) and masked numbers, "N MB" sizes, named file formats in a sentence that is not a negation,
amounts (元, 块钱, ￥) in a sentence about the small payment, and durations of the review stages.
Every answer is read as `checkable` makes it: NFKC, simplified characters, no invisible characters
or spaces, financial numerals (叁) as plain ones; a decimal is read whole (1.5, never 5).

Durations: every duration written for a stage is compared with that stage in data/facts.yml —
the stage named closest in the same clause (any of its words, e.g. 第一轮审核 for 初审), or else
the only stage the topic's standard question names. Numbers are digits, decimals, Chinese numerals
(十二, 一百) or approximations (两三 = 2-3, 十来 = 10-19). Written as
    a range     "1-2个工作日", "3到5个工作日", "一到两个工作日"   must equal the stage's range;
    one number  "10个工作日", "两三个工作日", "2 working days"  must lie within the stage's range;
    a period    "一周", "一两周", "半个月", "一个月" (with or without 工作日), counted as working
                days (a week 5, half a month 10-11, a month 20-23)  must lie within the stage's range;
    calendar    "3天", "3日", "3到4天", "48小时": refused for a stage: review times are working days,
                so a stage's duration must be stated in 工作日 (the message says so and gives the fact).
A duration right after a stage ("初审通过后3天内会收到通知") is not that stage's: it counts as for no
stage. A number of working days for no recognisable stage must lie within some stage's range (the whole
process included): "已经提交5个工作日了" passes, "超过10个工作日" does not. Calendar days, hours,
weeks and months for no recognisable stage are not judged ("30天内有效", "3个月内的流水").
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bot.content import texts
from bot.normalization import INVISIBLE, to_simplified

_PHONE = re.compile(
    r"(?<!\d)(?:[48]00[-\s]?\d{3}[-\s]?\d{4}|1[3-9]\d[-\s]?\d{4}[-\s]?\d{4}|0\d{2,3}-\d{7,8})(?!\d)"
)
_CN = "零〇一二两三四五六七八九十百"
_NUM = rf"(?:\d+(?:\.\d+)?|[{_CN}]+(?:来|几|多)?)"
"""A number as written: digits (decimals read whole), Chinese numerals, approximations (两三, 十来)."""
_NOT_AFTER = rf"(?<![\d.{_CN}几第每上下本这])"
_SIZE_MB = re.compile(rf"{_NOT_AFTER}({_NUM}) ?(?:MB|M|兆)(?![A-Za-z])", re.IGNORECASE)
_FORMAT = re.compile(
    r"(?<![A-Za-z])(JPEG|JPG|PNG|PDF|BMP|GIF|TIFF?|HEIC|WEBP|DOCX?|WORD|OFD|ZIP|RAR)(?![A-Za-z])",
    re.IGNORECASE,
)
_FORMAT_ALIASES = {"JPEG": "JPG", "TIF": "TIFF", "DOC": "WORD", "DOCX": "WORD"}
_NEGATION = re.compile(r"不支持|不能|不可以|无法|不接受|不行")
_AMOUNT = re.compile(rf"[￥¥]({_NUM})|{_NOT_AFTER}({_NUM})(?:元|块钱|块|人民币)")
_PAYMENT_WORDS = re.compile(r"打款|款项|金额")
_MASKED_NUMBER = re.compile(r"\d*[*×]{3,}\d+|\d+[*×]{3,}")
_SPACES = re.compile(r"(?<![A-Za-z0-9])[ \t]+|[ \t]+(?![A-Za-z])")
"""Spaces, except before a Latin word ("PDF or BMP", "5 MB" stay readable)."""
_TO = r"(?:-|~|—|–|至|到)"
_UNIT = r" ?(个?工作日|(?:working|business) ?days?|个?小时|个?钟头|天|(?<!工作)日|个?星期|个?礼拜|周|个?月)"
_DURATION = re.compile(rf"{_NOT_AFTER}(半|{_NUM})(?:{_TO}({_NUM}))?{_UNIT}", re.IGNORECASE)
_WORKING_DAYS_PER = {"周": (5, 5), "星期": (5, 5), "礼拜": (5, 5), "月": (20, 23)}
_CHINESE_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_FINANCIAL = str.maketrans("壹贰貳叁參肆伍陆陸柒捌玖拾佰幺", "一二二三三四五六六七八九十百一")
_SPOKEN_DIGITS = re.compile("[零〇一二三四五六七八九]{7,}")
_AFTER_STAGE = ("后", "之后", "以后")
"""Between a stage and a duration: the duration comes after the stage, it is not the stage's."""
_SENTENCE_END = "。；;！？!?\n"
_CLAUSE_END = _SENTENCE_END + "，,（()）：:"


def checkable(text: str) -> str:
    """`text` as the fact check reads it: NFKC, simplified, no invisible characters or spaces, plain numerals.

    A space before a Latin word stays ("PDF or BMP", "2 working days").

    Newlines stay, so a finding's line is the line in the answer. Runs of seven or more spoken
    digits (「四零零零六六…」) become ASCII digits, so phone numbers in words are checked too.
    """
    text = unicodedata.normalize("NFKC", text or "").translate(_FINANCIAL)
    text = _SPACES.sub("", INVISIBLE.sub("", text))
    text = to_simplified(text)
    return _SPOKEN_DIGITS.sub(lambda m: "".join(str(_CHINESE_DIGITS[c]) for c in m.group(0)), text)


class FactsError(ValueError):
    """data/facts.yml is missing or malformed; the message (Chinese) says what is wrong."""


@dataclass(frozen=True)
class Stage:
    """A review stage and how many working days it takes."""

    name: str
    days: tuple[int, int]
    words: tuple[str, ...]


@dataclass(frozen=True)
class Contradiction:
    """Where in an answer (0-based line) a statement contradicts a fact, and the message."""

    line: int
    message: str


def chinese_number(text: str) -> int | None:
    """ "12", "十二" or "一百二十" as a number (Chinese numerals up to 999); None when it is neither."""
    if text.isdigit():
        return int(text)
    if not text or any(char not in _CHINESE_DIGITS and char not in "十百" for char in text):
        return None
    if "百" in text:
        hundreds, _, rest = text.partition("百")
        high = chinese_number(hundreds) if hundreds else 1
        low = chinese_number(rest.lstrip("零〇")) if rest.lstrip("零〇") else 0
        return None if high is None or low is None or high > 9 else high * 100 + low
    if "十" not in text:
        return _CHINESE_DIGITS[text] if len(text) == 1 else None
    tens, _, units = text.partition("十")
    if "十" in units or len(tens) > 1 or len(units) > 1:
        return None
    return (_CHINESE_DIGITS[tens] if tens else 1) * 10 + (_CHINESE_DIGITS[units] if units else 0)


def amount(text: str) -> tuple[float, float] | None:
    """A written number as (low, high): "1.5" (1.5, 1.5), "两三" (2, 3), "十来" (10, 19); None if unreadable."""
    if re.fullmatch(r"\d+(?:\.\d+)?", text):
        return float(text), float(text)
    if text[-1:] in ("来", "几", "多"):
        base = chinese_number(text[:-1])
        return (float(base), float(base + 9)) if base else None
    if len(text) == 2 and text[0] in _CHINESE_DIGITS and text[1] in _CHINESE_DIGITS:
        low, high = _CHINESE_DIGITS[text[0]], _CHINESE_DIGITS[text[1]]
        if high == low + 1 or (text == "一两"):
            return float(low), float(high)
    number = chinese_number(text)
    return None if number is None else (float(number), float(number))


def _shown(low: float, high: float) -> str:
    return f"{low:g}" if low == high else f"{low:g}-{high:g}"


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def _span(text: str, start: int, end: int, stops: str) -> tuple[int, int]:
    """The bounds of the sentence or clause around text[start:end]."""
    left = max(text.rfind(stop, 0, start) for stop in stops) + 1
    rights = [position for stop in stops if (position := text.find(stop, end)) != -1]
    return left, min(rights, default=len(text))


@dataclass(frozen=True)
class Facts:
    """The checked facts; build with `Facts.load(path)`."""

    support_phone: str
    max_file_size_mb: float
    file_formats: tuple[str, ...]
    payment_min: float
    payment_max: float
    stages: tuple[Stage, ...]

    @classmethod
    def load(cls, path: Path) -> Facts:
        """Read data/facts.yml."""
        try:
            raw: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
            amount = raw["payment_amount_yuan"]
            return cls(
                support_phone=str(raw["support_phone"]),
                max_file_size_mb=float(raw["max_file_size_mb"]),
                file_formats=tuple(str(name).upper() for name in raw["file_formats"]),
                payment_min=float(amount["min"]),
                payment_max=float(amount["max"]),
                stages=tuple(
                    Stage(
                        str(item["stage"]),
                        (int(item["days"][0]), int(item["days"][1])),
                        tuple(str(word) for word in item["words"]),
                    )
                    for item in raw["review_working_days"]
                ),
            )
        except (OSError, yaml.YAMLError, KeyError, IndexError, TypeError, ValueError) as error:
            raise FactsError(texts.FACT_FILE_INVALID.format(path=path, detail=error)) from error

    def contradictions(self, answer: str, *, question: str = "") -> list[Contradiction]:
        """Every statement in `answer` that contradicts a fact; `question` helps place working days."""
        text = checkable(answer)
        found: list[tuple[int, str]] = []
        found += self._phones(text)
        found += self._masked(text)
        found += self._sizes(text)
        found += self._formats(text)
        found += self._amounts(text)
        found += self._working_days(text, checkable(question))
        return [Contradiction(text.count("\n", 0, position), message) for position, message in sorted(found)]

    def _phones(self, text: str) -> list[tuple[int, str]]:
        expected = _digits(self.support_phone)
        return [
            (match.start(), texts.FACT_PHONE.format(found=match.group(0), expected=self.support_phone))
            for match in _PHONE.finditer(text)
            if _digits(match.group(0)) != expected
        ]

    def _masked(self, text: str) -> list[tuple[int, str]]:
        """A masked number (`138****5678`) in an answer: the applicant cannot use it."""
        return [
            (match.start(), texts.FACT_MASKED.format(found=match.group(0), expected=self.support_phone))
            for match in _MASKED_NUMBER.finditer(text)
        ]

    def _sizes(self, text: str) -> list[tuple[int, str]]:
        expected = f"{self.max_file_size_mb:g}"
        found = []
        for match in _SIZE_MB.finditer(text):
            value = amount(match.group(1))
            if value is not None and value != (self.max_file_size_mb, self.max_file_size_mb):
                found.append((match.start(), texts.FACT_SIZE.format(found=match.group(0), expected=expected)))
        return found

    def _formats(self, text: str) -> list[tuple[int, str]]:
        allowed = {_FORMAT_ALIASES.get(name, name) for name in self.file_formats}
        expected = "、".join(self.file_formats)
        found = []
        for match in _FORMAT.finditer(text):
            name = match.group(1).upper()
            left, right = _span(text, match.start(), match.end(), _SENTENCE_END)
            if _FORMAT_ALIASES.get(name, name) not in allowed and not _NEGATION.search(text[left:right]):
                message = texts.FACT_FORMAT.format(found=match.group(1), expected=expected)
                found.append((match.start(), message))
        return found

    def _amounts(self, text: str) -> list[tuple[int, str]]:
        found = []
        for match in _AMOUNT.finditer(text):
            written = match.group(1) or match.group(2)
            value = amount(written)
            left, right = _span(text, match.start(), match.end(), _SENTENCE_END)
            if value is None or not _PAYMENT_WORDS.search(text[left:right]):
                continue
            if not self.payment_min <= value[0] <= value[1] <= self.payment_max:
                message = texts.FACT_AMOUNT.format(
                    found=_shown(*value), low=f"{self.payment_min:g}", high=f"{self.payment_max:g}"
                )
                found.append((match.start(), message))
        return found

    def _stage_near(self, clause: str, at: int) -> tuple[Stage, bool] | None:
        """The stage named closest before `at` in `clause`, else the first one named after it.

        The flag says whether the duration comes after the stage ("初审通过后3天内…"): then it is
        not that stage's duration.
        """
        before = [
            (position, word, stage)
            for stage in self.stages
            for word in stage.words
            if (position := clause.rfind(word, 0, at)) != -1
        ]
        if before:
            position, word, stage = max(before, key=lambda item: item[0])
            return stage, any(mark in clause[position + len(word) : at] for mark in _AFTER_STAGE)
        after = [(clause.find(word, at), stage) for stage in self.stages for word in stage.words]
        found = [(position, stage) for position, stage in after if position != -1]
        return (min(found, key=lambda item: item[0])[1], False) if found else None

    def _stage_for(self, text: str, start: int, end: int, question_stage: Stage | None) -> Stage | None:
        """The stage a duration at text[start:end] is stated for (see the module docstring)."""
        left, right = _span(text, start, end, _CLAUSE_END)
        near = self._stage_near(text[left:right], start - left)
        if near is None:
            return question_stage
        stage, after_it = near
        return None if after_it else stage

    def _working_days(self, text: str, question: str) -> list[tuple[int, str]]:
        named_in_question = [stage for stage in self.stages if any(word in question for word in stage.words)]
        question_stage = named_in_question[0] if len(named_in_question) == 1 else None
        found: list[tuple[int, str]] = []
        for match in _DURATION.finditer(text):
            message = self._judge(match, self._stage_for(text, match.start(), match.end(), question_stage))
            if message:
                found.append((match.start(), message))
        return found

    def _judge(self, match: re.Match[str], stage: Stage | None) -> str:
        """What is wrong with one written duration for `stage` (None: no stage recognised), or ""."""
        first, second, unit = match.group(1), match.group(2), match.group(3).lower().removeprefix("个")
        low_part = (0.5, 0.5) if first == "半" else amount(first)
        high_part = amount(second) if second else low_part
        if low_part is None or high_part is None:
            return ""
        written = match.group(0)
        if unit in ("小时", "钟头", "天", "日"):
            if stage is None:
                return ""  # calendar days or hours for no stage: "30天内有效" may be about anything
            expected = _shown(*stage.days)
            return texts.FACT_DAYS_NOT_WORKING.format(stage=stage.name, found=written, expected=expected)
        low, high = low_part[0], high_part[1]
        worth = ""
        if unit in _WORKING_DAYS_PER:
            per_low, per_high = _WORKING_DAYS_PER[unit]
            if first == "半" and unit != "月":
                return ""
            low, high = low * per_low, high * per_high
            if first == "半":
                low, high = float(int(low)), float(int(high))
            worth = texts.FACT_DAYS_WORTH.format(days=_shown(low, high))
        exact_range = second is not None and unit not in _WORKING_DAYS_PER
        known = [known.days for known in self.stages]
        if stage is None:
            if unit in _WORKING_DAYS_PER:
                return ""  # "3个月内", "一周后" for no stage may be about anything
            if exact_range and (low, high) in known:
                return ""
            if not exact_range and any(a <= low <= high <= b for a, b in known):
                return ""
            if exact_range:
                return texts.FACT_DAYS_UNKNOWN.format(found=_shown(low, high))
            return texts.FACT_DAYS_NO_STAGE.format(found=written, worth=worth)
        a, b = stage.days
        agrees = (low, high) == (a, b) if exact_range else a <= low <= high <= b
        if agrees:
            return ""
        if exact_range:
            return texts.FACT_DAYS.format(stage=stage.name, found=_shown(low, high), expected=f"{a}-{b}")
        return texts.FACT_DAYS_STATED.format(
            stage=stage.name, found=written, worth=worth, expected=f"{a}-{b}"
        )
