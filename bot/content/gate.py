"""The content gate: every rule the FAQ content must pass, for `check` and for both spreadsheet imports.

    gate(content)           the content as its files are (`python -m bot.content check`)
    gate(content, changes)  the topics an import would write or delete, against everything else:
                            only the problems the import brings in (and a broken facts file)

Each Problem says where it is — `file:line` for content in a file, row and column for content from
the spreadsheet being imported — and the topic it concerns. A rule written here holds for the check
and for both imports.

Errors (the check exits non-zero, an import writes nothing), the same for the check and both imports:
a phrasing under two intents or twice in one imported topic, a held-out test question used for
training or under two topics, a phrasing or test question holding personal data, real (bot.privacy finds it) or
masked (`****`, `××××`, `••••`), or (imports) without visible text or over MAX_PHRASING_CHARS, a missing question or answer, a question on more than one line, an answer too long
for Telegram or contradicting data/facts.yml, a topic with fewer than MIN_PHRASINGS phrasings or
fewer than MIN_TEST_QUESTIONS test questions, a reference to a topic that has no file or is being
deleted, a topic file that cannot be read or is named after another topic.
Warnings: long answers, suggested questions that are no training phrasing, files not in the
canonical layout, a phrasing written twice in one intent.

MIN_PHRASINGS is a floor just under the weakest topic the model learned well (33 phrasings in
November 2026; 12 let in a topic that answered none of five fresh questions). MIN_TEST_QUESTIONS
held-out questions per topic are the fewest that say anything about a topic in `make evaluate`.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from types import MappingProxyType

from bot.content import texts
from bot.content.corpus import Content, Phrasing
from bot.content.facts import Facts, FactsError
from bot.content.paths import ProjectPaths
from bot.content.phrasings import phrasing_key
from bot.content.topic_files import RETRIEVAL_INTENT, Topic, render_topic
from bot.message_length import TELEGRAM_TEXT_LIMIT, utf16_length
from bot.normalization import INVISIBLE
from bot.privacy import looks_masked, mask

MIN_PHRASINGS = 30
MIN_TEST_QUESTIONS = 4
LONG_ANSWER_CHARS = 800
KEY_PATTERN = re.compile(r"[a-z][a-z0-9_]{0,39}\Z")
"""A key names a file and an intent: short ASCII snake_case (a 300-character key cannot be a file name)."""
MAX_PHRASING_CHARS = 200

_TOPIC_REFERENCE = re.compile(rf"(?<![A-Za-z0-9_/])(?:utter_)?{RETRIEVAL_INTENT}/([A-Za-z0-9_]+)")
_FAQ_KEY_REFERENCE = re.compile(r"""faq_key["']?\s*[:=]\s*["']?([A-Za-z0-9_]+)""")
_SUGGESTION = re.compile(r"「([^」\n]+)」")
_SHOWN_PLACES = 5


def is_valid_key(key: str) -> bool:
    """ASCII snake_case starting with a letter, at most 40 characters."""
    return KEY_PATTERN.match(key) is not None


def similar_keys(key: str, keys: Iterable[str]) -> list[str]:
    """Existing topic keys that `key` looks like a typo of (closest first)."""
    return difflib.get_close_matches(key, list(keys), n=3, cutoff=0.75)


def did_you_mean(key: str, keys: Iterable[str]) -> str:
    """「您是不是想写 …」 when `key` looks like a typo of an existing key, else ""."""
    close = similar_keys(key, keys)
    return texts.MSG_DID_YOU_MEAN.format(keys="」或「".join(close)) if close else ""


@dataclass(frozen=True)
class Problem:
    """One finding: where it is (a file line, or a sheet row and column), what is wrong (Chinese), its topic.

    Warnings fail neither the check nor an import.
    """

    path: Path | None
    line: int
    message: str
    warning: bool = False
    row: int | None = None
    column: str = ""
    topic: str = field(default="", compare=False)

    def format(self, paths: ProjectPaths) -> str:
        """`file:line: message` (path relative to the root), or `第 N 行「列」列：message` in a sheet."""
        if self.path is not None:
            prefix = texts.WARNING_PREFIX if self.warning else ""
            named = self.topic not in self.message and self.path.name != f"{self.topic}.yml"
            topic = texts.TOPIC_PREFIX.format(key=self.topic) if self.topic and named else ""
            return f"{paths.relative(self.path)}:{self.line}: {prefix}{topic}{self.message}"
        if self.warning or self.row is None:
            return self.message  # an import's warnings name their topic
        topic = (
            texts.ROW_TOPIC.format(key=self.topic) if self.topic and self.topic not in self.message else ""
        )
        if self.column:
            return texts.ERR_ROW.format(row=self.row, topic=topic, column=self.column, message=self.message)
        return texts.ERR_ROW_ONLY.format(row=self.row, topic=topic, message=self.message)


@dataclass(frozen=True)
class Cell:
    """Where in the spreadsheet being imported something was written: its row and column header."""

    row: int
    column: str

    def problem(self, message: str, *, topic: str = "") -> Problem:
        """An error at this cell."""
        return Problem(None, 0, message, row=self.row, column=self.column, topic=topic)


@dataclass(frozen=True)
class Columns:
    """The headers of the columns an imported topic's question, answer and phrasings come from."""

    question: str
    answer: str
    phrasings: str
    tests: str = ""
    """The test questions' column ("": the sheet has none)."""


@dataclass(frozen=True)
class Draft:
    """A topic as an import would write it, and the sheet rows its parts come from.

    `row` gave the question and answer (None: the topic's file keeps them); `phrasing_rows` gives
    the row of each phrasing in `topic.examples` (None: the phrasing is already in the topic's file).
    `tests` are the topic's held-out test questions from the sheet, on `test_rows` (None: the
    held-out file keeps the topic's questions).
    """

    topic: Topic
    row: int | None
    columns: Columns
    phrasing_rows: tuple[int | None, ...]
    tests: tuple[str, ...] | None = None
    test_rows: tuple[int, ...] = ()

    def cell(self, column: str, row: int | None = None) -> Cell:
        """The cell of `column` in `row` (default: the topic's row)."""
        where = self.row if row is None else row
        if where is None:
            raise ValueError(f"topic {self.topic.key!r} keeps its file's question and answer: no cell")
        return Cell(where, column)


@dataclass(frozen=True)
class Changes:
    """What an import would do: write `drafts`, delete the topics in `deletions` (key → the cell asking)."""

    drafts: tuple[Draft, ...] = ()
    deletions: Mapping[str, Cell] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True)
class _SheetPhrasing:
    """A phrasing an import brings from the sheet: its text, comparison form, topic draft and row."""

    text: str
    compare: str
    draft: Draft
    row: int


@dataclass(frozen=True)
class _TestQuestion:
    """A held-out test question of a topic: from the held-out file (`held`) or a sheet row of `draft`."""

    text: str
    key: str
    held: Phrasing | None
    draft: Draft | None
    row: int | None

    def where(self, paths: ProjectPaths) -> str:
        """`file:line`, or the sheet row."""
        if self.held is not None:
            return self.held.where(paths)
        return texts.SHEET_ROW.format(row=self.row)


class _View:
    """The content as the changes would leave it: the files they do not replace, and the drafts."""

    def __init__(self, content: Content, changes: Changes | None) -> None:
        self.content = content
        self.paths = content.paths
        self.importing = changes is not None
        self.drafts = changes.drafts if changes else ()
        self.deletions = changes.deletions if changes else MappingProxyType({})

    @cached_property
    def facts(self) -> Facts | None:
        """The facts answers must agree with (None when data/facts.yml is broken)."""
        facts = self.content.facts
        return None if isinstance(facts, FactsError) else facts

    @cached_property
    def file_phrasings(self) -> list[Phrasing]:
        """Training phrasings in files the changes keep (a draft may keep some of its file's phrasings)."""
        existing = self.content.topics.by_key
        changed = [*(draft.topic.key for draft in self.drafts), *self.deletions]
        replaced = {existing[key].path for key in changed if key in existing}
        kept = {
            (existing[draft.topic.key].path, text)
            for draft in self.drafts
            if draft.topic.key in existing
            for text, row in zip(draft.topic.examples, draft.phrasing_rows)
            if row is None
        }
        return [
            p for p in self.content.training.phrasings() if p.path not in replaced or (p.path, p.text) in kept
        ]

    @cached_property
    def tests(self) -> dict[str, list[_TestQuestion]]:
        """Each FAQ topic's test questions as the changes would leave them (held-out file or sheet)."""
        replaced = {draft.topic.key for draft in self.drafts if draft.tests is not None} | set(self.deletions)
        found: dict[str, list[_TestQuestion]] = {}
        for held in self.content.heldout.phrasings():
            key = _topic_key(held.intent)
            if key and key not in replaced:
                found.setdefault(key, []).append(_TestQuestion(held.text, key, held, None, None))
        for draft in self.drafts:
            if draft.tests is not None:
                found[draft.topic.key] = [
                    _TestQuestion(text, draft.topic.key, None, draft, row)
                    for text, row in zip(draft.tests, draft.test_rows)
                ]
        return found

    def test_count(self, key: str) -> int:
        """How many test questions topic `key` has once the changes are made."""
        return len(self.tests.get(key, ()))

    def sheet_phrasings(self) -> list[_SheetPhrasing]:
        """The phrasings the drafts bring from the sheet, in row order."""
        entries = [
            _SheetPhrasing(text, phrasing_key(text), draft, row)
            for draft in self.drafts
            for text, row in zip(draft.topic.examples, draft.phrasing_rows)
            if row is not None
        ]
        return sorted(entries, key=lambda entry: entry.row)


Rule = Callable[[_View], Iterable[Problem]]


def _unreadable(view: _View) -> Iterator[Problem]:
    """Files that cannot be read (an import refuses to start on an unreadable topic file itself)."""
    if view.importing:
        return
    content = view.content
    for error in content.topics.unreadable:
        yield Problem(error.path, error.line, texts.CHK_NOT_A_TOPIC.format(detail=error.detail))
    for source_error in (*content.training.errors, *content.heldout.errors, *content.responses.errors):
        detail = texts.CHK_UNREADABLE.format(detail=source_error.detail)
        yield Problem(source_error.path, source_error.line, detail)


def _facts_file(view: _View) -> Iterator[Problem]:
    """data/facts.yml must be readable: nothing can be checked against broken facts."""
    error = view.content.facts
    if isinstance(error, FactsError):
        if view.importing:
            yield Problem(None, 0, str(error))
        else:
            yield Problem(view.paths.facts, 1, texts.CHK_FACTS_BROKEN.format(detail=error))


def _intent_line(topic: Topic) -> int:
    for number, line in enumerate(topic.path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip().startswith("- intent:"):
            return number
    return 1


def _topic_files(view: _View) -> Iterator[Problem]:
    """A topic file: key and file name agree, a question, enough phrasings, the canonical layout."""
    if view.importing:
        return
    for key, topic in view.content.topics.by_key.items():
        line = _intent_line(topic)
        if not is_valid_key(key):
            yield Problem(topic.path, line, texts.CHK_KEY_FORMAT.format(key=key), topic=key)
        if topic.path.name != f"{key}.yml":
            yield Problem(topic.path, line, texts.CHK_FILE_NAME.format(key=key), topic=key)
        if not topic.question:
            yield Problem(topic.path, line, texts.CHK_NO_QUESTION.format(key=key), topic=key)
        if len(topic.examples) < MIN_PHRASINGS:
            message = texts.CHK_FEW_PHRASINGS.format(
                key=key, count=len(topic.examples), minimum=MIN_PHRASINGS
            )
            yield Problem(topic.path, line, message, topic=key)
        if view.test_count(key) < MIN_TEST_QUESTIONS:
            message = texts.CHK_FEW_TESTS.format(
                key=key,
                count=view.test_count(key),
                minimum=MIN_TEST_QUESTIONS,
                heldout=view.paths.relative(view.paths.heldout),
            )
            yield Problem(topic.path, line, message, topic=key)
        try:
            canonical = render_topic(topic) == topic.path.read_text(encoding="utf-8")
        except ValueError:
            canonical = False
        if not canonical:
            yield Problem(topic.path, 1, texts.CHK_NOT_CANONICAL, warning=True, topic=key)


def _drafted_topics(view: _View) -> Iterator[Problem]:
    """An imported topic: a one-line question, MIN_PHRASINGS phrasings and MIN_TEST_QUESTIONS test questions.

    The counts are judged on topics the sheet gives (a row of their own), as the check judges files.
    """
    existing = view.content.topics.by_key
    for draft in view.drafts:
        topic, columns = draft.topic, draft.columns
        if draft.row is None:
            continue
        if not topic.question:
            yield draft.cell(columns.question).problem(texts.MSG_REQUIRED, topic=topic.key)
        elif "\n" in topic.question:
            yield draft.cell(columns.question).problem(texts.MSG_ONE_LINE, topic=topic.key)
        hint = "" if topic.key in existing else did_you_mean(topic.key, existing)
        count = len(topic.examples)
        if count < MIN_PHRASINGS:
            message = texts.MSG_FEW_PHRASINGS.format(key=topic.key, count=count, minimum=MIN_PHRASINGS)
            yield draft.cell(columns.phrasings).problem(message + hint, topic=topic.key)
        tests = view.test_count(topic.key)
        if tests < MIN_TEST_QUESTIONS:
            message = texts.MSG_FEW_TESTS.format(key=topic.key, count=tests, minimum=MIN_TEST_QUESTIONS)
            if not columns.tests:
                message += texts.MSG_TESTS_IN_FAQ_SHEET
            column = columns.tests or columns.phrasings
            yield draft.cell(column).problem(message + hint, topic=topic.key)


@dataclass(frozen=True)
class _Finding:
    """Something wrong with an answer: on its 0-based `line`, or (None) with the answer as a whole."""

    message: str
    line: int | None = None
    long: bool = False
    """A long answer: only a warning."""


def _answer_findings(text: str, *, question: str, facts: Facts | None, faq: bool) -> Iterator[_Finding]:
    """An answer fits in one Telegram message, FAQ answers are not long, no answer contradicts a fact."""
    stripped = text.strip()
    if utf16_length(stripped) > TELEGRAM_TEXT_LIMIT:
        length = utf16_length(stripped)
        yield _Finding(texts.CHK_ANSWER_TOO_LONG.format(length=length, limit=TELEGRAM_TEXT_LIMIT))
    elif faq and len(stripped) > LONG_ANSWER_CHARS:
        yield _Finding(texts.CHK_ANSWER_LONG.format(length=len(stripped), limit=LONG_ANSWER_CHARS), long=True)
    for contradiction in facts.contradictions(text, question=question) if facts else []:
        yield _Finding(contradiction.message, contradiction.line)


def _answers(view: _View) -> Iterator[Problem]:
    """Every answer in the files or in the drafts: present, short enough, true to data/facts.yml."""
    if view.importing:
        yield from _drafted_answers(view)
        return
    topics = view.content.topics.by_key
    prefix = f"utter_{RETRIEVAL_INTENT}/"
    answered = set()
    for response in view.content.responses.found:
        faq = response.response.startswith(prefix)
        key = response.response.removeprefix(prefix) if faq else ""
        if faq and response.text.strip():
            answered.add(key)
        question = topics[key].question if key in topics else ""
        for finding in _answer_findings(response.text, question=question, facts=view.facts, faq=faq):
            line = response.line
            if finding.line is not None:
                line = response.lines[min(finding.line, len(response.lines) - 1)].line
            yield Problem(response.path, line, finding.message, warning=finding.long, topic=key)
    for key, topic in topics.items():
        if key not in answered:
            yield Problem(topic.path, _intent_line(topic), texts.CHK_NO_ANSWER.format(key=key), topic=key)


def _drafted_answers(view: _View) -> Iterator[Problem]:
    """The answers the drafts bring from the sheet (a long one only warns, naming its topic)."""
    for draft in view.drafts:
        topic = draft.topic
        if draft.row is None:
            continue
        cell = draft.cell(draft.columns.answer)
        if not topic.answer:
            yield cell.problem(texts.MSG_REQUIRED, topic=topic.key)
            continue
        for finding in _answer_findings(topic.answer, question=topic.question, facts=view.facts, faq=True):
            if finding.long:
                length = len(topic.answer)
                message = texts.WARN_LONG_ANSWER.format(key=topic.key, length=length, limit=LONG_ANSWER_CHARS)
                yield Problem(None, 0, message, warning=True, row=draft.row, topic=topic.key)
            else:
                yield cell.problem(finding.message, topic=topic.key)


def same_as(text: str, other: str) -> str:
    """The note "(counts as the same as 「other」)" when the two differ only after normalisation, else ""."""
    return texts.MSG_SAME_AS.format(other=other) if other != text else ""


def _topic_key(intent: str) -> str:
    return intent.split("/", 1)[1] if intent.startswith(f"{RETRIEVAL_INTENT}/") else ""


def _phrasings(view: _View) -> Iterator[Problem]:
    """A phrasing belongs to one intent, once, and is never also in the held-out set."""
    if view.importing:
        yield from _sheet_phrasing_conflicts(view)
    else:
        yield from _file_duplicates(view.file_phrasings, view.paths)
        yield from _heldout_leaks(view.file_phrasings, view)


def _sheet_phrasing_conflicts(view: _View) -> Iterator[Problem]:
    """Each phrasing from the sheet against its own topic, earlier rows, the files and the held-out set."""
    faq_dir = view.paths.faq_dir
    topic_of = {phrasing_key(p.text): p for p in view.file_phrasings if p.path.is_relative_to(faq_dir)}
    intent_of = {phrasing_key(p.text): p for p in view.file_phrasings if not p.path.is_relative_to(faq_dir)}
    heldout: dict[str, _TestQuestion] = {}
    for questions in view.tests.values():
        for question in questions:
            heldout.setdefault(phrasing_key(question.text), question)
    first: dict[str, _SheetPhrasing] = {}
    in_topic: dict[tuple[int, str], _SheetPhrasing] = {}
    for entry in view.sheet_phrasings():
        text, compare, key = entry.text, entry.compare, entry.draft.topic.key
        cell = entry.draft.cell(entry.draft.columns.phrasings, entry.row)
        repeated = in_topic.setdefault((id(entry.draft), compare), entry)
        if repeated is not entry:
            message = texts.MSG_PHRASING_REPEATED.format(text=text, same=same_as(text, repeated.text))
            yield cell.problem(message, topic=key)
            continue
        earlier = first.setdefault(compare, entry)
        if earlier is not entry:
            message = texts.MSG_PHRASING_IN_ROW.format(
                text=text, row=earlier.row, key=earlier.draft.topic.key, same=same_as(text, earlier.text)
            )
            yield cell.problem(message, topic=key)
        owner = topic_of.get(compare)
        if owner is not None and _topic_key(owner.intent) != key:
            where = view.paths.relative(owner.path)
            owner_key = _topic_key(owner.intent)
            message = texts.MSG_IN_OTHER_TOPIC.format(text=text, key=owner_key, where=where, target=key)
            yield cell.problem(message, topic=key)
        intent = intent_of.get(compare)
        if intent is not None:
            where = intent.where(view.paths)
            message = texts.MSG_PHRASING_IN_INTENT.format(text=text, intent=intent.intent, where=where)
            yield cell.problem(message, topic=key)
        held = heldout.get(compare)
        if held is not None:
            message = texts.MSG_PHRASING_HELDOUT.format(text=text, where=held.where(view.paths))
            yield cell.problem(message, topic=key)


_OTHER_MASKS = re.compile(r"[*＊]{3,}|[×xX╳✕✖]{4,}|[•●◦]{3,}")
"""Other ways numbers are hidden (not 「···」, which people write for an ellipsis)."""


def has_visible_text(text: str) -> bool:
    """True when `text` has a letter, Chinese character or digit (not only emoji, spaces or invisibles)."""
    return any(unicodedata.category(char)[0] in "LN" for char in INVISIBLE.sub("", text))


def phrasing_text_problem(text: str) -> str:
    """Why `text` cannot be a phrasing or test question (masked or real personal data, no text, too long)."""
    if looks_masked(text) or _OTHER_MASKS.search(unicodedata.normalize("NFKC", text)):
        return texts.MSG_MASKED.format(text=text)
    if mask(text) != text:
        return texts.MSG_PERSONAL.format(text=text)
    if not has_visible_text(text):
        return texts.MSG_NO_VISIBLE_TEXT.format(text=text)
    if len(text) > MAX_PHRASING_CHARS:
        return texts.MSG_TOO_LONG_PHRASING.format(length=len(text), limit=MAX_PHRASING_CHARS)
    return ""


def _masked(view: _View) -> Iterator[Problem]:
    """Personal data, masked (`138****5678`) or real, never becomes a phrasing or a test question.

    An import also refuses phrasings without visible text and phrasings longer than MAX_PHRASING_CHARS.
    """
    if not view.importing:
        for phrasing in (*view.content.training.phrasings(), *view.content.heldout.phrasings()):
            if looks_masked(phrasing.text) or mask(phrasing.text) != phrasing.text:
                message = phrasing_text_problem(phrasing.text)
                yield Problem(phrasing.path, phrasing.line, message, topic=_topic_key(phrasing.intent))
        return
    for entry in view.sheet_phrasings():
        message = phrasing_text_problem(entry.text)
        if message:
            cell = entry.draft.cell(entry.draft.columns.phrasings, entry.row)
            yield cell.problem(message, topic=entry.draft.topic.key)
    for questions in view.tests.values():
        for question in questions:
            if question.draft is None:
                continue
            message = phrasing_text_problem(question.text)
            if message:
                cell = question.draft.cell(question.draft.columns.tests, question.row)
                yield cell.problem(message, topic=question.key)


def _test_questions(view: _View) -> Iterator[Problem]:
    """A test question belongs to one topic, once, and is no training phrasing (see also _heldout_leaks)."""
    trained = {phrasing_key(p.text): p.intent for p in view.file_phrasings}
    trained.update(
        {entry.compare: f"{RETRIEVAL_INTENT}/{entry.draft.topic.key}" for entry in view.sheet_phrasings()}
    )
    questions = [question for key in sorted(view.tests) for question in view.tests[key]]
    first: dict[str, _TestQuestion] = {}
    for question in (q for q in questions if q.held is not None):  # the file's first, then the sheet's
        earlier = first.setdefault(phrasing_key(question.text), question)
        if earlier is not question and earlier.key != question.key and not view.importing:
            assert question.held is not None
            where = earlier.where(view.paths)
            message = texts.MSG_TEST_IN_OTHER_TOPIC.format(text=question.text, key=earlier.key, where=where)
            yield Problem(question.held.path, question.held.line, message, topic=question.key)
    for question in questions:
        if question.draft is None:
            continue
        compare = phrasing_key(question.text)
        earlier = first.setdefault(compare, question)
        cell = question.draft.cell(question.draft.columns.tests, question.row)
        if earlier is not question:
            if earlier.key == question.key:
                message = texts.MSG_TEST_REPEATED.format(text=question.text)
            else:
                where = earlier.where(view.paths)
                message = texts.MSG_TEST_IN_OTHER_TOPIC.format(
                    text=question.text, key=earlier.key, where=where
                )
            yield cell.problem(message, topic=question.key)
        elif compare in trained:
            message = texts.MSG_TEST_IS_TRAINING.format(text=question.text, intent=trained[compare])
            yield cell.problem(message, topic=question.key)


def _file_duplicates(files: list[Phrasing], paths: ProjectPaths) -> Iterator[Problem]:
    """The same phrasing (after normalisation) under two intents; a word-for-word repeat in one intent."""
    first: dict[str, Phrasing] = {}
    for phrasing in files:
        compare = phrasing_key(phrasing.text)
        earlier = first.setdefault(compare, phrasing) if compare else phrasing
        if earlier is phrasing:
            continue
        where = earlier.where(paths)
        if earlier.intent != phrasing.intent:
            message = texts.CHK_DUPLICATE.format(
                text=phrasing.text, intent=phrasing.intent, other_intent=earlier.intent, where=where
            )
            yield Problem(phrasing.path, phrasing.line, message, topic=_topic_key(phrasing.intent))
        elif earlier.text == phrasing.text:
            message = texts.CHK_DUPLICATE_SAME.format(text=phrasing.text, intent=phrasing.intent, where=where)
            yield Problem(
                phrasing.path, phrasing.line, message, warning=True, topic=_topic_key(phrasing.intent)
            )


def _heldout_leaks(files: list[Phrasing], view: _View) -> Iterator[Problem]:
    """Held-out phrasings that are also training data (reported where the held-out one is)."""
    trained: dict[str, Phrasing] = {}
    for phrasing in files:
        trained.setdefault(phrasing_key(phrasing.text), phrasing)
    trained.pop("", None)
    for held in view.content.heldout.phrasings():
        match = trained.get(phrasing_key(held.text))
        if match is not None:
            message = texts.CHK_HELDOUT_LEAK.format(text=held.text, where=match.where(view.paths))
            yield Problem(held.path, held.line, message, topic=_topic_key(held.intent))


def _reference_files(paths: ProjectPaths) -> Iterator[Path]:
    yield paths.domain
    for folder in (paths.data_dir, paths.tests_dir):
        if folder.is_dir():
            yield from sorted(path for pattern in ("*.yml", "*.yaml") for path in folder.rglob(pattern))


def topic_references(paths: ProjectPaths) -> Iterator[tuple[str, Path, int]]:
    """Every (key, file, line) where a YAML file names a topic: `faq/<key>`, `utter_faq/<key>`, `faq_key`."""
    for path in _reference_files(paths):
        if not path.is_file():
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            patterns = (_TOPIC_REFERENCE, _FAQ_KEY_REFERENCE)
            named = {match.group(1) for pattern in patterns for match in pattern.finditer(line)}
            for key in sorted(named):
                yield key, path, number


def _references(view: _View) -> Iterator[Problem]:
    """Rules, stories, tests and answers name only topics that have a file (and are not being deleted)."""
    if not view.importing:
        keys = set(view.content.topics.by_key)
        for key, path, line in topic_references(view.paths):
            if key not in keys:
                yield Problem(path, line, texts.CHK_UNKNOWN_TOPIC.format(key=key), topic=key)
        return
    if not view.deletions:
        return
    existing = view.content.topics.by_key
    places: dict[str, list[str]] = {key: [] for key in view.deletions}
    for key, path, line in topic_references(view.paths):
        own = (existing[key].path, view.paths.heldout) if key in existing else ()
        if key in places and key in existing and path not in own:
            places[key].append(f"{view.paths.relative(path)}:{line}")
    for key, cell in view.deletions.items():
        if places[key]:
            shown = "、".join(places[key][:_SHOWN_PLACES]) + ("…" if len(places[key]) > _SHOWN_PLACES else "")
            yield cell.problem(texts.MSG_DELETE_REFERENCED.format(key=key, places=shown), topic=key)


def _suggestions(view: _View) -> Iterator[Problem]:
    """「Questions」 an answer tells the user to ask ("可以问我「…」") that no intent is trained on."""
    if view.importing:
        return
    trained = {phrasing_key(p.text) for p in view.file_phrasings} - {""}
    for response in view.content.responses.found:
        for located in response.lines:
            if "问我" not in located.text:
                continue
            for match in _SUGGESTION.finditer(located.text):
                if phrasing_key(match.group(1)) not in trained:
                    message = texts.CHK_SUGGESTION.format(text=match.group(1))
                    yield Problem(response.path, located.line, message, warning=True)


RULES: tuple[Rule, ...] = (
    _unreadable,
    _facts_file,
    _topic_files,
    _answers,
    _drafted_topics,
    _phrasings,
    _masked,
    _test_questions,
    _references,
    _suggestions,
)


def gate(content: Content, changes: Changes | None = None) -> list[Problem]:
    """Every problem of `content`; with `changes`, the problems the changes would bring into it.

    Without changes the problems are sorted by file and line; with changes they come rule by rule.
    """
    view = _View(content, changes)
    problems = [problem for rule in RULES for problem in rule(view)]
    if changes is None:
        return sorted(set(problems), key=lambda p: (str(p.path), p.line, p.warning, p.message))
    return problems
