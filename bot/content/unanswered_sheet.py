"""The unanswered-questions spreadsheet: export the open questions, import the topics editors assigned.

Import checks every filled-in row first — its own rules here, the content's in the content gate —
and writes nothing when one is wrong. Then it adds each question as a phrasing of its topic (a new
topic file when the key is new and the row gives a question and an answer), skips phrasings the
topic already has, and marks the rows handled. 「忽略」 marks a row handled without adding it
anywhere. Rows already handled are skipped, so importing the same sheet twice does no harm.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from bot.content import texts
from bot.content.corpus import Content
from bot.content.errors import SheetError
from bot.content.faq_sheet import help_lines, read_topics
from bot.content.gate import (
    MIN_PHRASINGS,
    Cell,
    Changes,
    Columns,
    Draft,
    Problem,
    gate,
    is_valid_key,
    similar_keys,
)
from bot.content.paths import ProjectPaths
from bot.content.phrasings import phrasing_key
from bot.content.staging import apply_all, import_lock, remove_stale_temporaries
from bot.content.topic_files import Topic, clean_answer, render_topic
from bot.content.workbook import (
    Column,
    Row,
    add_notes,
    add_table,
    in_sheet_order,
    new_workbook,
    read_table,
    save_atomically,
)
from bot.db.types import BEIJING
from bot.db.unanswered import UnansweredQuestion, mark_handled, open_questions, questions_by_id

COLUMNS = (
    Column(texts.UCOL_ID, 8),
    Column(texts.UCOL_TEXT, 48),
    Column(texts.UCOL_COUNT, 8),
    Column(texts.UCOL_REASONS, 22),
    Column(texts.UCOL_FIRST, 18),
    Column(texts.UCOL_LAST, 18),
    Column(texts.UCOL_ANSWERED, 30),
    Column(texts.UCOL_TOPIC, 26),
    Column(texts.UCOL_NEW_QUESTION, 30),
    Column(texts.UCOL_NEW_ANSWER, 50),
)
TOPIC_COLUMNS = (Column(texts.TOPIC_LIST_COLUMNS[0], 24), Column(texts.TOPIC_LIST_COLUMNS[1], 50))
DRAFT_COLUMNS = Columns(texts.UCOL_NEW_QUESTION, texts.UCOL_NEW_ANSWER, texts.UCOL_TEXT)


def _local(moment: datetime | None) -> str:
    return moment.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M") if moment is not None else ""


def _reasons(question: UnansweredQuestion) -> str:
    return "、".join(texts.REASONS.get(reason.value, reason.value) for reason in question.reason_list())


def _answered(question: UnansweredQuestion, topics: dict[str, Topic]) -> str:
    """The answer a wrongly answered question got: 「key：standard question」 (the key alone if gone)."""
    key = question.answer_topic
    if not key:
        return ""
    topic = topics.get(key)
    return f"{key}：{topic.question}" if topic is not None else key


def export_unanswered(session: Session, target: Path, paths: ProjectPaths | None = None) -> int:
    """Write the open questions to `target` (most frequent first) with the topic list; return how many."""
    questions = open_questions(session)
    topics = read_topics(Content(paths))
    rows = [
        (
            q.id,
            q.text,
            q.count,
            _reasons(q),
            _local(q.first_seen),
            _local(q.last_seen),
            _answered(q, topics),
            "",
            "",
            "",
        )
        for q in questions
    ]
    workbook = new_workbook()
    add_notes(workbook, texts.HELP_SHEET, help_lines(texts.UNANSWERED_HELP))
    add_table(workbook, texts.UNANSWERED_SHEET, COLUMNS, rows)
    add_table(workbook, texts.TOPICS_SHEET, TOPIC_COLUMNS, [(t.key, t.question) for t in topics.values()])
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
            added=self.added,
            topics=len(self.topics),
            created=len(self.created),
            duplicates=self.duplicates,
            ignored=self.ignored,
            skipped=self.skipped,
        )
        lines = [*self.warnings, done]
        if self.already_handled:
            lines.append(texts.UNANSWERED_ALREADY_HANDLED.format(count=self.already_handled))
        if self.added:
            lines.append(texts.IMPORT_RETRAIN)
        return "\n".join(lines)


@dataclass(frozen=True)
class _Assignment:
    """A row read: this question goes to this topic (None: ignore it) as `phrasing`."""

    question: UnansweredQuestion
    topic: str | None
    phrasing: str
    row: int


@dataclass
class _NewTopic:
    question: str
    answer: str
    row: int


class _SheetReader:
    """Reads the filled-in rows into assignments; a row's id, topic key and cells are checked here."""

    def __init__(
        self, session: Session, rows: list[Row], topics: dict[str, Topic], result: UnansweredImport
    ) -> None:
        self.result = result
        self.problems: list[Problem] = []
        self.topics = topics
        self.rows = rows
        self.questions = questions_by_id(session, (self._id(row) or 0 for row in rows))
        self.new_topics: dict[str, _NewTopic] = {}

    def error(self, row: Row, column: str, message: str) -> None:
        self.problems.append(Cell(row.number, column).problem(message))

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
                continue
            for column, value, before in (
                (texts.UCOL_NEW_QUESTION, question, known.question),
                (texts.UCOL_NEW_ANSWER, answer, known.answer),
            ):
                if value and value != before:
                    message = texts.MSG_NEW_TOPIC_CONFLICT.format(key=key, column=column, row=known.row)
                    self.error(row, column, message)

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
            return _Assignment(question, None, "", row.number)
        if not is_valid_key(key):
            self.error(row, texts.UCOL_TOPIC, texts.MSG_KEY_FORMAT.format(key=key))
            return None
        if key not in self.topics and key not in self.new_topics:
            close = similar_keys(key, self.topics)
            if close:
                message = texts.MSG_UNKNOWN_TOPIC_DID_YOU_MEAN.format(key=key, keys="」或「".join(close))
            else:
                message = texts.MSG_NEW_TOPIC_NEEDS.format(key=key)
            self.error(row, texts.UCOL_TOPIC, message)
            return None
        phrasing = row[texts.UCOL_TEXT].strip()
        if not phrasing:
            self.error(row, texts.UCOL_TEXT, texts.MSG_REQUIRED)
            return None
        if "\n" in phrasing:
            self.error(row, texts.UCOL_TEXT, texts.MSG_ONE_LINE)
            return None
        return _Assignment(question, key, phrasing, row.number)


def _drafts(
    assignments: list[_Assignment], reader: _SheetReader, paths: ProjectPaths, result: UnansweredImport
) -> list[Draft]:
    """The topics that get new phrasings, as they would be written (phrasings a topic has are skipped)."""
    examples: dict[str, list[str]] = {key: list(topic.examples) for key, topic in reader.topics.items()}
    rows: dict[str, list[int | None]] = {key: [None] * len(phrasings) for key, phrasings in examples.items()}
    for key in reader.new_topics:
        examples[key], rows[key] = [], []
    for assignment in assignments:
        if assignment.topic is None:
            result.ignored += 1
            continue
        present = {phrasing_key(text) for text in examples[assignment.topic]}
        if phrasing_key(assignment.phrasing) in present:
            result.duplicates += 1
            continue
        examples[assignment.topic].append(assignment.phrasing)
        rows[assignment.topic].append(assignment.row)
        result.added += 1
        result.topics.add(assignment.topic)
    drafts = []
    for key in sorted(result.topics):
        before = reader.topics.get(key)
        if before is None:
            new = reader.new_topics[key]
            topic = Topic(
                key,
                new.question,
                new.answer,
                tuple(examples[key]),
                texts.NEW_TOPIC_NOTES.format(minimum=MIN_PHRASINGS),
                paths.topic_file(key),
            )
            drafts.append(Draft(topic, new.row, DRAFT_COLUMNS, tuple(rows[key])))
            result.created.add(key)
        else:
            topic = Topic(
                key, before.question, before.answer, tuple(examples[key]), before.notes, before.path
            )
            drafts.append(Draft(topic, None, DRAFT_COLUMNS, tuple(rows[key])))
    return drafts


def import_unanswered(session: Session, source: Path, paths: ProjectPaths | None = None) -> UnansweredImport:
    """Check the sheet, add the assigned questions to their topics, mark them handled.

    Raises SheetError (and changes nothing) when any filled-in row is wrong. The caller commits
    the session; the topic files are written first, so a failed commit only means the next
    import finds those phrasings already present.
    """
    paths = paths or ProjectPaths()
    rows = read_table(source, texts.UNANSWERED_SHEET, COLUMNS)
    with import_lock(paths):
        remove_stale_temporaries(paths)
        return _import_rows(session, rows, paths)


def _import_rows(session: Session, rows: list[Row], paths: ProjectPaths) -> UnansweredImport:
    content = Content(paths)
    result = UnansweredImport()
    reader = _SheetReader(session, rows, read_topics(content), result)
    assignments = reader.assignments()
    drafts = _drafts(assignments, reader, paths, result)
    problems = reader.problems + gate(content, Changes(tuple(drafts)))
    errors = in_sheet_order((problem for problem in problems if not problem.warning), COLUMNS)
    if errors:
        messages = [problem.format(paths) for problem in errors]
        raise SheetError(texts.ERR_SUMMARY.format(count=len(errors)), *messages)
    warnings = in_sheet_order((problem for problem in problems if problem.warning), COLUMNS)
    result.warnings = [problem.format(paths) for problem in warnings]
    apply_all({draft.topic.path: render_topic(draft.topic) for draft in drafts})
    for assignment in assignments:
        mark_handled(session, assignment.question, assignment.topic)
    return result
