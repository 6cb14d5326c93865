"""The unanswered-questions spreadsheet: export the open questions, import the topics editors assigned.

Import validates every filled-in row first (nothing is written when one is wrong), then adds each
question as a phrasing of its topic (a new topic file when the key is new and the row gives a
question and an answer), skips phrasings the topic already has, and marks the rows handled.
「忽略」 marks a row handled without adding it anywhere. Rows already handled are skipped, so
importing the same sheet twice does no harm.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from bot.db.types import BEIJING
from bot.db.unanswered import UnansweredQuestion, mark_handled, open_questions, questions_by_id
from bot.faq import texts
from bot.faq.atomic import write_atomically
from bot.faq.catalog import Topic
from bot.faq.checks import MIN_PHRASINGS, TELEGRAM_MAX_UTF16, is_valid_key, utf16_length
from bot.faq.corpus import Phrasing, heldout_corpus, training_corpus
from bot.faq.errors import SheetError
from bot.faq.facts import Facts, FactsError
from bot.faq.faq_sheet import read_topics
from bot.faq.paths import ProjectPaths
from bot.faq.phrasings import phrasing_key
from bot.faq.topic_files import clean_answer, render_topic
from bot.faq.workbook import Column, Row, add_notes, add_table, new_workbook, read_table, save_atomically

COLUMNS = (
    Column(texts.UCOL_ID, 8),
    Column(texts.UCOL_TEXT, 48),
    Column(texts.UCOL_COUNT, 8),
    Column(texts.UCOL_REASONS, 22),
    Column(texts.UCOL_FIRST, 18),
    Column(texts.UCOL_LAST, 18),
    Column(texts.UCOL_TOPIC, 26),
    Column(texts.UCOL_NEW_QUESTION, 30),
    Column(texts.UCOL_NEW_ANSWER, 50),
)
TOPIC_COLUMNS = (Column(texts.TOPIC_LIST_COLUMNS[0], 24), Column(texts.TOPIC_LIST_COLUMNS[1], 50))


def _local(moment: datetime | None) -> str:
    return moment.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M") if moment is not None else ""


def _reasons(question: UnansweredQuestion) -> str:
    return "、".join(texts.REASONS.get(reason.value, reason.value) for reason in question.reason_list())


def export_unanswered(session: Session, target: Path, paths: ProjectPaths | None = None) -> int:
    """Write the open questions to `target` (most frequent first) with the topic list; return how many."""
    paths = paths or ProjectPaths()
    questions = open_questions(session)
    rows = [
        (q.id, q.text, q.count, _reasons(q), _local(q.first_seen), _local(q.last_seen), "", "", "")
        for q in questions
    ]
    workbook = new_workbook()
    add_table(workbook, texts.UNANSWERED_SHEET, COLUMNS, rows)
    topics = read_topics(paths)
    add_table(workbook, texts.TOPICS_SHEET, TOPIC_COLUMNS, [(t.key, t.question) for t in topics.values()])
    add_notes(workbook, texts.HELP_SHEET, texts.UNANSWERED_HELP)
    save_atomically(workbook, target)
    return len(rows)


@dataclass
class UnansweredImport:
    """What an import did."""

    added: int = 0
    topics: set[str] = field(default_factory=set)
    created: set[str] = field(default_factory=set)
    duplicates: int = 0
    ignored: int = 0
    skipped: int = 0
    already_handled: int = 0
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """What happened, for the editor."""
        done = texts.UNANSWERED_IMPORT_DONE.format(
            added=self.added, topics=len(self.topics), created=len(self.created), duplicates=self.duplicates,
            ignored=self.ignored, skipped=self.skipped,
        )  # fmt: skip
        lines = [*self.warnings, done]
        if self.already_handled:
            lines.append(texts.UNANSWERED_ALREADY_HANDLED.format(count=self.already_handled))
        if self.added:
            lines.append(texts.IMPORT_RETRAIN)
        return "\n".join(lines)


@dataclass(frozen=True)
class _Assignment:
    """A validated row: this question goes to this topic (None: ignore it)."""

    question: UnansweredQuestion
    topic: str | None
    phrasing: str


@dataclass
class _NewTopic:
    question: str
    answer: str
    row: int


class _Validator:
    """Checks the filled-in rows against the topics and the other training data, collecting every error."""

    def __init__(
        self, session: Session, rows: list[Row], paths: ProjectPaths, result: UnansweredImport
    ) -> None:
        self.paths = paths
        self.result = result
        self.errors: list[str] = []
        self.topics = read_topics(paths)
        self.owner = {
            phrasing_key(text): key for key, topic in self.topics.items() for text in topic.examples
        }
        self.other_intents = {
            phrasing_key(p.text): p for p in training_corpus(paths).phrasings()
            if not p.path.is_relative_to(paths.faq_dir)
        }  # fmt: skip
        self.heldout = heldout_corpus(paths).by_key()
        self.rows = rows
        self.questions = questions_by_id(session, (self._id(row) or 0 for row in rows))
        self.new_topics: dict[str, _NewTopic] = {}
        self.in_sheet: dict[str, tuple[int, str]] = {}
        try:
            self.facts: Facts | None = Facts.load(paths.facts)
        except FactsError as error:
            self.facts = None
            self.errors.append(str(error))

    def error(self, row: Row, column: str, message: str) -> None:
        self.errors.append(texts.ERR_ROW.format(row=row.number, column=column, message=message))

    @staticmethod
    def _id(row: Row) -> int | None:
        try:
            return int(row[texts.UCOL_ID].strip())
        except ValueError:
            return None

    def assignments(self) -> list[_Assignment]:
        self._collect_new_topics()
        found = []
        for row in self.rows:
            assignment = self._row(row)
            if assignment is not None:
                found.append(assignment)
        return found

    def _collect_new_topics(self) -> None:
        for row in self.rows:
            key = row[texts.UCOL_TOPIC].strip()
            if not key or key == texts.IGNORE_MARK or key in self.topics or not is_valid_key(key):
                continue
            question = row[texts.UCOL_NEW_QUESTION].strip()
            answer = clean_answer(row[texts.UCOL_NEW_ANSWER])
            known = self.new_topics.get(key)
            if known is None:
                if question or answer:
                    self.new_topics[key] = _NewTopic(question, answer, row.number)
                    self._new_topic_row(row, key, question, answer)
                continue
            for column, value, before in ((texts.UCOL_NEW_QUESTION, question, known.question),
                                          (texts.UCOL_NEW_ANSWER, answer, known.answer)):  # fmt: skip
                if value and value != before:
                    message = texts.MSG_NEW_TOPIC_CONFLICT.format(key=key, column=column, row=known.row)
                    self.error(row, column, message)

    def _new_topic_row(self, row: Row, key: str, question: str, answer: str) -> None:
        if not question:
            self.error(row, texts.UCOL_NEW_QUESTION, texts.MSG_REQUIRED)
        elif "\n" in question:
            self.error(row, texts.UCOL_NEW_QUESTION, texts.MSG_ONE_LINE)
        if not answer:
            self.error(row, texts.UCOL_NEW_ANSWER, texts.MSG_REQUIRED)
            return
        if utf16_length(answer) > TELEGRAM_MAX_UTF16:
            message = texts.MSG_ANSWER_TOO_LONG.format(length=utf16_length(answer), limit=TELEGRAM_MAX_UTF16)
            self.error(row, texts.UCOL_NEW_ANSWER, message)
        for contradiction in self.facts.contradictions(answer, question=question) if self.facts else []:
            self.error(row, texts.UCOL_NEW_ANSWER, contradiction.message)

    def _row(self, row: Row) -> _Assignment | None:
        key = row[texts.UCOL_TOPIC].strip()
        if not key:
            self.result.skipped += 1
            return None
        question_id = self._id(row)
        question = self.questions.get(question_id) if question_id is not None else None
        if question is None:
            self.error(row, texts.UCOL_ID, texts.MSG_UNKNOWN_ID.format(id=row[texts.UCOL_ID].strip()))
            return None
        if question.handled_at is not None:
            self.result.already_handled += 1
            return None
        if key == texts.IGNORE_MARK:
            return _Assignment(question, None, "")
        if not is_valid_key(key):
            self.error(row, texts.UCOL_TOPIC, texts.MSG_KEY_FORMAT.format(key=key))
            return None
        if key not in self.topics and key not in self.new_topics:
            self.error(row, texts.UCOL_TOPIC, texts.MSG_NEW_TOPIC_NEEDS.format(key=key))
            return None
        phrasing = row[texts.UCOL_TEXT].strip()
        if not phrasing:
            self.error(row, texts.UCOL_TEXT, texts.MSG_REQUIRED)
            return None
        if "\n" in phrasing:
            self.error(row, texts.UCOL_TEXT, texts.MSG_ONE_LINE)
            return None
        self._conflicts(row, key, phrasing)
        return _Assignment(question, key, phrasing)

    def _conflicts(self, row: Row, key: str, phrasing: str) -> None:
        compare = phrasing_key(phrasing)
        owner = self.owner.get(compare)
        if owner is not None and owner != key:
            where = self.paths.relative(self.topics[owner].path)
            message = texts.MSG_IN_OTHER_TOPIC.format(text=phrasing, key=owner, where=where, target=key)
            self.error(row, texts.UCOL_TEXT, message)
        earlier = self.in_sheet.setdefault(compare, (row.number, key))
        if earlier[1] != key:
            message = texts.MSG_PHRASING_IN_ROW.format(text=phrasing, row=earlier[0], key=earlier[1], same="")
            self.error(row, texts.UCOL_TEXT, message)
        intent: Phrasing | None = self.other_intents.get(compare)
        if intent is not None:
            where = intent.where(self.paths)
            message = texts.MSG_PHRASING_IN_INTENT.format(text=phrasing, intent=intent.intent, where=where)
            self.error(row, texts.UCOL_TEXT, message)
        held: Phrasing | None = self.heldout.get(compare)
        if held is not None:
            message = texts.MSG_PHRASING_HELDOUT.format(text=phrasing, where=held.where(self.paths))
            self.error(row, texts.UCOL_TEXT, message)


def import_unanswered(session: Session, source: Path, paths: ProjectPaths | None = None) -> UnansweredImport:
    """Validate the sheet, add the assigned questions to their topics, mark them handled.

    Raises SheetError (and changes nothing) when any filled-in row is wrong. The caller commits
    the session; the topic files are written first, so a failed commit only means the next
    import finds those phrasings already present.
    """
    paths = paths or ProjectPaths()
    result = UnansweredImport()
    validator = _Validator(session, read_table(source, texts.UNANSWERED_SHEET, COLUMNS), paths, result)
    assignments = validator.assignments()
    if validator.errors:
        raise SheetError(texts.ERR_SUMMARY.format(count=len(validator.errors)), *validator.errors)
    examples: dict[str, list[str]] = {key: list(topic.examples) for key, topic in validator.topics.items()}
    examples.update({key: [] for key in validator.new_topics})
    for assignment in assignments:
        if assignment.topic is None:
            result.ignored += 1
            continue
        present = {phrasing_key(text) for text in examples[assignment.topic]}
        if phrasing_key(assignment.phrasing) in present:
            result.duplicates += 1
        else:
            examples[assignment.topic].append(assignment.phrasing)
            result.added += 1
            result.topics.add(assignment.topic)
    rendered = []
    for key in sorted(result.topics):
        before = validator.topics.get(key)
        if before is None:
            new = validator.new_topics[key]
            notes, path = texts.NEW_TOPIC_NOTES, paths.topic_file(key)
            topic = Topic(key, new.question, new.answer, tuple(examples[key]), notes, path)
            result.created.add(key)
        else:
            topic = Topic(
                key, before.question, before.answer, tuple(examples[key]), before.notes, before.path
            )
        if len(topic.examples) < MIN_PHRASINGS:
            result.warnings.append(
                texts.WARN_FEW_PHRASINGS.format(key=key, count=len(topic.examples), minimum=MIN_PHRASINGS)
            )
        rendered.append((topic.path, render_topic(topic)))
    for path, text in rendered:
        write_atomically(path, text)
    for assignment in assignments:
        mark_handled(session, assignment.question, assignment.topic)
    return result
