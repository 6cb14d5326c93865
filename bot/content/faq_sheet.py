"""The FAQ spreadsheet: export every topic (one row per phrasing), import the edited sheet back into files.

A topic takes as many rows as it has phrasings or test questions, each row carrying its key;
question, answer and notes are on its first row. On import an empty key continues the topic of
the row above, and a topic's rows need not be together (an editor may sort or append).

Import checks the whole sheet — its own rules here, the content's in the content gate — before it
writes anything; a bad sheet changes no file. Then each topic file is written atomically in the
canonical layout (bot.content.topic_files) and the test questions into the held-out set
(bot.content.heldout_file); a file whose content would not change is not touched, so
export-then-import leaves every file byte-identical.

Topics that are not in the sheet are left alone; a topic is deleted (its file and its test
questions) only when one of its rows says 「删除」 in the 「操作」 column (and nothing else refers to it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bot.content import texts
from bot.content.atomic import write_atomically
from bot.content.corpus import Content
from bot.content.errors import EditorError, SheetError
from bot.content.gate import (
    MIN_PHRASINGS,
    MIN_TEST_QUESTIONS,
    Cell,
    Changes,
    Columns,
    Draft,
    Problem,
    gate,
    is_valid_key,
)
from bot.content.heldout_file import questions_by_topic, replace_test_questions
from bot.content.paths import ProjectPaths
from bot.content.topic_files import Topic, TopicFileError, clean_answer, render_topic
from bot.content.workbook import (
    Column,
    Row,
    add_choice,
    add_notes,
    add_table,
    in_sheet_order,
    new_workbook,
    read_table,
    save_atomically,
    text_height,
)

COLUMNS = (
    Column(texts.COL_KEY, 22),
    Column(texts.COL_QUESTION, 32),
    Column(texts.COL_ANSWER, 70),
    Column(texts.COL_PHRASINGS, 42),
    Column(texts.COL_TESTS, 36),
    Column(texts.COL_NOTES, 30),
    Column(texts.COL_ACTION, 10),
)
DRAFT_COLUMNS = Columns(texts.COL_QUESTION, texts.COL_ANSWER, texts.COL_PHRASINGS, texts.COL_TESTS)


def read_topics(content: Content) -> dict[str, Topic]:
    """Every topic file by key; raises EditorError naming a file that cannot be read."""
    try:
        return content.topics.all_readable()
    except TopicFileError as error:
        raise EditorError(texts.CHK_NOT_A_TOPIC.format(detail=error)) from error


def help_lines(lines: tuple[str, ...]) -> list[str]:
    """An instructions sheet's paragraphs with the content gate's floors filled in."""
    return [line.format(min_phrasings=MIN_PHRASINGS, min_tests=MIN_TEST_QUESTIONS) for line in lines]


def _topic_rows(topic: Topic, tests: tuple[str, ...]) -> list[tuple[str, ...]]:
    """A topic's rows: the first with its question, answer and notes, then one per further phrasing."""
    count = max(len(topic.examples), len(tests), 1)
    examples = [*topic.examples, *[""] * (count - len(topic.examples))]
    questions = [*tests, *[""] * (count - len(tests))]
    rows: list[tuple[str, ...]] = [
        (topic.key, topic.question, topic.answer, examples[0], questions[0], topic.notes, "")
    ]
    rows += [(topic.key, "", "", examples[i], questions[i], "", "") for i in range(1, count)]
    return rows


def export_sheet(target: Path, paths: ProjectPaths | None = None) -> int:
    """Write every topic to `target` (instructions first, then one row per phrasing); return how many topics."""
    content = Content(paths)
    topics = read_topics(content)
    tests = questions_by_topic(content.heldout)
    rows: list[tuple[str, ...]] = []
    first_rows: list[int] = []
    for topic in topics.values():
        first_rows.append(len(rows) + 2)
        rows += _topic_rows(topic, tests.get(topic.key, ()))
    workbook = new_workbook()
    add_notes(workbook, texts.HELP_SHEET, help_lines(texts.FAQ_HELP))
    sheet = add_table(workbook, texts.FAQ_SHEET, COLUMNS, rows)
    add_choice(
        sheet,
        COLUMNS,
        texts.COL_ACTION,
        (texts.DELETE_MARK,),
        texts.DELETE_MARK_PROMPT,
        texts.DELETE_MARK_ERROR,
    )
    widths = {column.header: column.width for column in COLUMNS}
    for row, topic in zip(first_rows, topics.values()):
        sheet.row_dimensions[row].height = max(
            text_height(topic.answer, widths[texts.COL_ANSWER]),
            text_height(topic.notes, widths[texts.COL_NOTES]),
        )
    save_atomically(workbook, target)
    return len(topics)


@dataclass
class ImportResult:
    """What an import did, by topic key."""

    created: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    not_in_sheet: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    phrasings_changed: bool = False
    tests_changed: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """What happened, for the editor."""
        done = texts.IMPORT_DONE.format(
            created=len(self.created),
            changed=len(self.changed),
            deleted=len(self.deleted),
            unchanged=len(self.unchanged),
        )
        lines = [*self.warnings, done]
        if self.not_in_sheet:
            lines.append(texts.IMPORT_NOT_IN_SHEET.format(keys="、".join(self.not_in_sheet)))
        if self.tests_changed:
            lines.append(texts.IMPORT_TESTS_CHANGED.format(keys="、".join(self.tests_changed)))
        if self.phrasings_changed:
            lines.append(texts.IMPORT_RETRAIN)
        elif self.changed:
            lines.append(texts.IMPORT_ANSWERS_ONLY)
        return "\n".join(lines)


@dataclass
class _TopicRows:
    """The rows of one topic as read: where its question came from, its parts, its phrasings' rows."""

    first: int
    cells: dict[str, tuple[str, int]] = field(default_factory=dict)
    phrasings: list[tuple[str, int]] = field(default_factory=list)
    tests: list[tuple[str, int]] = field(default_factory=list)
    delete: int | None = None


@dataclass
class _Plan:
    """The sheet read as changes (topics to write, topics to delete) and the problems of the sheet itself."""

    drafts: list[Draft] = field(default_factory=list)
    deletions: dict[str, Cell] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def error(self, row: Row, column: str, message: str, topic: str = "") -> None:
        self.problems.append(Cell(row.number, column).problem(message, topic=topic))


def _split_lines(cell: str) -> list[str]:
    return [line.strip() for line in cell.split("\n") if line.strip()]


def _clean_notes(cell: str) -> str:
    return "\n".join(line.rstrip() for line in cell.split("\n")).strip()


_ONCE = (texts.COL_QUESTION, texts.COL_ANSWER, texts.COL_NOTES)
_CLEAN: dict[str, Callable[[str], str]] = {
    texts.COL_QUESTION: str.strip,
    texts.COL_ANSWER: clean_answer,
    texts.COL_NOTES: _clean_notes,
}


def _group(rows: list[Row], plan: _Plan) -> dict[str, _TopicRows]:
    """Rows by topic key (an empty key continues the row above); question, answer and notes once each."""
    topics: dict[str, _TopicRows] = {}
    key = ""
    for row in rows:
        written = row[texts.COL_KEY].strip()
        if written:
            key = written
        if not key:
            plan.error(row, texts.COL_KEY, texts.MSG_REQUIRED)
            continue
        if not is_valid_key(key):
            if written:
                plan.error(row, texts.COL_KEY, texts.MSG_KEY_FORMAT.format(key=key))
            continue
        topic = topics.setdefault(key, _TopicRows(row.number))
        for column in _ONCE:
            value = _CLEAN[column](row[column])
            if not value:
                continue
            earlier = topic.cells.setdefault(column, (value, row.number))
            if earlier[1] != row.number and earlier[0] != value:
                message = texts.MSG_GIVEN_TWICE.format(column=column, row=earlier[1])
                plan.error(row, column, message, topic=key)
        topic.phrasings += [(text, row.number) for text in _split_lines(row[texts.COL_PHRASINGS])]
        topic.tests += [(text, row.number) for text in _split_lines(row[texts.COL_TESTS])]
        action = row[texts.COL_ACTION].strip()
        if action == texts.DELETE_MARK:
            topic.delete = topic.delete or row.number
        elif action:
            message = texts.MSG_ACTION_UNKNOWN.format(mark=texts.DELETE_MARK, value=action)
            plan.error(row, texts.COL_ACTION, message, topic=key)
    return topics


def _plan(rows: list[Row], paths: ProjectPaths, existing: dict[str, Topic]) -> _Plan:
    """Read the rows as topics to write or delete; keys and actions are checked here."""
    plan = _Plan()
    for key, topic_rows in _group(rows, plan).items():
        if topic_rows.delete is not None:
            if key not in existing:
                cell = Cell(topic_rows.delete, texts.COL_ACTION)
                plan.problems.append(cell.problem(texts.MSG_DELETE_UNKNOWN.format(key=key), topic=key))
            else:
                plan.deletions[key] = Cell(topic_rows.delete, texts.COL_ACTION)
            continue
        values = {column: topic_rows.cells.get(column, ("", topic_rows.first))[0] for column in _ONCE}
        row = topic_rows.cells.get(
            texts.COL_QUESTION, topic_rows.cells.get(texts.COL_ANSWER, ("", topic_rows.first))
        )[1]
        topic = Topic(
            key,
            values[texts.COL_QUESTION],
            values[texts.COL_ANSWER],
            tuple(text for text, _ in topic_rows.phrasings),
            values[texts.COL_NOTES],
            paths.topic_file(key),
        )
        plan.drafts.append(
            Draft(
                topic,
                row,
                DRAFT_COLUMNS,
                tuple(number for _, number in topic_rows.phrasings),
                tests=tuple(text for text, _ in topic_rows.tests),
                test_rows=tuple(number for _, number in topic_rows.tests),
            )
        )
    return plan


def import_sheet(source: Path, paths: ProjectPaths | None = None) -> ImportResult:
    """Check the whole sheet, then write the topic files; raises SheetError and writes nothing if bad."""
    paths = paths or ProjectPaths()
    content = Content(paths)
    existing = read_topics(content)
    plan = _plan(read_table(source, texts.FAQ_SHEET, COLUMNS), paths, existing)
    problems = plan.problems + gate(content, Changes(tuple(plan.drafts), plan.deletions))
    errors = in_sheet_order((problem for problem in problems if not problem.warning), COLUMNS)
    if errors:
        messages = [problem.format(paths) for problem in errors]
        raise SheetError(texts.ERR_SUMMARY.format(count=len(errors)), *messages)
    rendered = [(draft.topic, render_topic(draft.topic)) for draft in plan.drafts]
    before_tests = questions_by_topic(content.heldout)
    test_changes: dict[str, tuple[str, ...] | None] = {
        draft.topic.key: draft.tests
        for draft in plan.drafts
        if draft.tests is not None and draft.tests != before_tests.get(draft.topic.key, ())
    }
    test_changes.update({key: None for key in plan.deletions if key in before_tests})
    warnings = in_sheet_order((problem for problem in problems if problem.warning), COLUMNS)
    result = ImportResult(warnings=[problem.format(paths) for problem in warnings])
    for topic, text in rendered:
        before = existing.get(topic.key)
        if write_atomically(topic.path, text):
            (result.changed if before else result.created).append(topic.key)
        else:
            result.unchanged.append(topic.key)
        if before is None or before.examples != topic.examples:
            result.phrasings_changed = True
    if test_changes:
        heldout = paths.heldout.read_text(encoding="utf-8") if paths.heldout.exists() else ""
        write_atomically(paths.heldout, replace_test_questions(heldout, test_changes))
        result.tests_changed = sorted(test_changes)
    for key in plan.deletions:
        existing[key].path.unlink()
        result.deleted.append(key)
        result.phrasings_changed = True
    in_sheet = {draft.topic.key for draft in plan.drafts} | set(plan.deletions)
    result.not_in_sheet = sorted(set(existing) - in_sheet)
    return result
