"""The facts answers must agree with (data/facts.yml) and the search for answers that contradict them.

Deliberately narrow, so the check never cries wolf: only phone-number-like strings, "N MB" sizes,
named file formats in a sentence that is not a negation, yuan amounts in a sentence about the
small payment, and durations of the review stages.

Durations: every number of working days written for a stage is compared with that stage in
data/facts.yml — the stage named closest in the same clause, or else the only stage the topic's
standard question names. Written as
    a range     "1-2个工作日", "3到5个工作日", "一到两个工作日"   must equal the stage's range;
    one number  "10个工作日", "两个工作日"                    must lie within the stage's range;
    a period    "一周", "两个星期", "半个月", "一个月" (with or without 工作日), counted as working
                days (a week 5, half a month 10-11, a month 20-23)  must lie within the stage's range.
A range for no recognisable stage must be the range of some stage; a single number or a period
for no recognisable stage is not judged (it may be about anything: "已经提交5个工作日了").
Calendar days ("3天") are not judged: they depend on weekends and holidays.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bot.content import texts

_PHONE = re.compile(
    r"(?<!\d)(?:[48]00[-\s]?\d{3}[-\s]?\d{4}|1[3-9]\d[-\s]?\d{4}[-\s]?\d{4}|0\d{2,3}-\d{7,8})(?!\d)"
)
_SIZE_MB = re.compile(r"(?<![\d.])(\d+(?:\.\d+)?)\s*(?:MB|M|兆)(?![A-Za-z])", re.IGNORECASE)
_FORMAT = re.compile(
    r"(?<![A-Za-z])(JPEG|JPG|PNG|PDF|BMP|GIF|TIFF?|HEIC|WEBP|DOCX?|WORD|OFD|ZIP|RAR)(?![A-Za-z])",
    re.IGNORECASE,
)
_FORMAT_ALIASES = {"JPEG": "JPG", "TIF": "TIFF", "DOC": "WORD", "DOCX": "WORD"}
_NEGATION = re.compile(r"不支持|不能|不可以|无法|不接受|不行")
_AMOUNT = re.compile(r"(?<![\d.])(\d+(?:\.\d+)?)\s*元")
_PAYMENT_WORDS = re.compile(r"打款|款项|金额")
_NUMBER = r"(?:\d+|[一二两三四五六七八九十]+)"
_DAYS = re.compile(
    rf"(?<![\d一二两三四五六七八九十])({_NUMBER})\s*(?:-|~|～|—|–|至|到)\s*({_NUMBER})\s*个?工作日"
)
_ONE_DAY_COUNT = re.compile(rf"(?<![\d一二两三四五六七八九十几])({_NUMBER})\s*个?工作日")
_PERIOD = re.compile(
    r"(?<![\d一二两三四五六七八九十几每上下本这])(半|[一二两三]|\d+)\s*个?\s*(周|星期|礼拜|月)"
)
_WORKING_DAYS_PER = {"周": (5, 5), "星期": (5, 5), "礼拜": (5, 5), "月": (20, 23)}
_CHINESE_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_SENTENCE_END = "。；;！？!?\n"
_CLAUSE_END = _SENTENCE_END + "，,（()）：:"


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
    """ "12" or "十二" as 12 (Chinese numerals up to 99); None when it is neither."""
    if text.isdigit():
        return int(text)
    if not text or any(char not in _CHINESE_DIGITS and char != "十" for char in text):
        return None
    if "十" not in text:
        return _CHINESE_DIGITS[text] if len(text) == 1 else None
    tens, _, units = text.partition("十")
    if "十" in units or len(tens) > 1 or len(units) > 1:
        return None
    return (_CHINESE_DIGITS[tens] if tens else 1) * 10 + (_CHINESE_DIGITS[units] if units else 0)


def _period_days(amount: str, unit: str) -> tuple[int, int] | None:
    """Working days in "一周", "两个星期", "半个月", "一个月"."""
    low, high = _WORKING_DAYS_PER[unit]
    if amount == "半":
        return (low // 2, high // 2) if unit == "月" else None
    count = chinese_number(amount)
    return (count * low, count * high) if count else None


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
        text = unicodedata.normalize("NFKC", answer)
        found: list[tuple[int, str]] = []
        found += self._phones(text)
        found += self._sizes(text)
        found += self._formats(text)
        found += self._amounts(text)
        found += self._working_days(text, unicodedata.normalize("NFKC", question))
        return [Contradiction(text.count("\n", 0, position), message) for position, message in sorted(found)]

    def _phones(self, text: str) -> list[tuple[int, str]]:
        expected = _digits(self.support_phone)
        return [
            (match.start(), texts.FACT_PHONE.format(found=match.group(0), expected=self.support_phone))
            for match in _PHONE.finditer(text)
            if _digits(match.group(0)) != expected
        ]

    def _sizes(self, text: str) -> list[tuple[int, str]]:
        expected = f"{self.max_file_size_mb:g}"
        return [
            (match.start(), texts.FACT_SIZE.format(found=match.group(0), expected=expected))
            for match in _SIZE_MB.finditer(text)
            if float(match.group(1)) != self.max_file_size_mb
        ]

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
            left, right = _span(text, match.start(), match.end(), _SENTENCE_END)
            value = float(match.group(1))
            if _PAYMENT_WORDS.search(text[left:right]) and not self.payment_min <= value <= self.payment_max:
                found.append(
                    (
                        match.start(),
                        texts.FACT_AMOUNT.format(
                            found=match.group(1), low=f"{self.payment_min:g}", high=f"{self.payment_max:g}"
                        ),
                    )
                )
        return found

    def _stage_near(self, clause: str, at: int) -> Stage | None:
        """The stage named closest before `at` in `clause`, else the first one named after it."""
        before = [(clause.rfind(word, 0, at), stage) for stage in self.stages for word in stage.words]
        before = [(position, stage) for position, stage in before if position != -1]
        if before:
            return max(before, key=lambda item: item[0])[1]
        after = [(clause.find(word, at), stage) for stage in self.stages for word in stage.words]
        after = [(position, stage) for position, stage in after if position != -1]
        return min(after, key=lambda item: item[0])[1] if after else None

    def _stage_for(self, text: str, start: int, end: int, question_stage: Stage | None) -> Stage | None:
        """The stage a duration at text[start:end] is stated for (see the module docstring)."""
        left, right = _span(text, start, end, _CLAUSE_END)
        return self._stage_near(text[left:right], start - left) or question_stage

    def _working_days(self, text: str, question: str) -> list[tuple[int, str]]:
        named_in_question = [stage for stage in self.stages if any(word in question for word in stage.words)]
        question_stage = named_in_question[0] if len(named_in_question) == 1 else None
        found: list[tuple[int, str]] = []
        taken: list[tuple[int, int]] = []
        for match in _DAYS.finditer(text):
            low, high = chinese_number(match.group(1)), chinese_number(match.group(2))
            if low is None or high is None:
                continue
            taken.append(match.span())
            shown = f"{low}-{high}"
            stage = self._stage_for(text, match.start(), match.end(), question_stage)
            if stage is None:
                if (low, high) not in {known.days for known in self.stages}:
                    found.append((match.start(), texts.FACT_DAYS_UNKNOWN.format(found=shown)))
            elif (low, high) != stage.days:
                expected = f"{stage.days[0]}-{stage.days[1]}"
                message = texts.FACT_DAYS.format(stage=stage.name, found=shown, expected=expected)
                found.append((match.start(), message))
        stated: list[tuple[re.Match[str], tuple[int, int]]] = []
        for match in _ONE_DAY_COUNT.finditer(text):
            count = chinese_number(match.group(1))
            if count is not None:
                stated.append((match, (count, count)))
        for match in _PERIOD.finditer(text):
            days = _period_days(match.group(1), match.group(2))
            if days is not None:
                stated.append((match, days))
        for match, (low, high) in stated:
            if any(start <= match.start() < end for start, end in taken):
                continue
            stage = self._stage_for(text, match.start(), match.end(), question_stage)
            if stage is not None and not stage.days[0] <= low <= high <= stage.days[1]:
                expected = f"{stage.days[0]}-{stage.days[1]}"
                worth = (
                    ""
                    if match.group(0).endswith("工作日")
                    else texts.FACT_DAYS_WORTH.format(days=f"{low}" if low == high else f"{low}-{high}")
                )
                message = texts.FACT_DAYS_STATED.format(
                    stage=stage.name, found=match.group(0), worth=worth, expected=expected
                )
                found.append((match.start(), message))
        return found
