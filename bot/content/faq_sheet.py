"""The FAQ spreadsheet: export every topic (one row per phrasing), import the edited sheet back into files.

A topic takes as many rows as it has phrasings or test questions, each row carrying its key;
question, answer and notes are on its first row. On import an empty key continues the topic of
the row above, and a topic's rows need not be together (an editor may sort or append).

Import checks the whole sheet — its own rules here, the content's in the content gate — before it
writes anything; a bad sheet changes no file. Then each topic file is written atomically in the
canonical layout (bot.content.topic_files) and the test questions into the held-out set
(bot.content.heldout_file); a file whose content would not change is not touched, so
export-then-import leaves every file byte-identical.

An import runs under the content lock and writes all its files together (bot.content.staging); a
topic changed since the sheet was exported that the sheet would change again is refused
(bot.content.sheet_stamp). A topic whose phrasings (or test questions) are the same set as in its
file keeps the file's order, so sorting the sheet changes no file.

Topics that are not in the sheet are left alone; a topic is deleted (its file and its test
questions) only when one of its rows says 「删除」 in the 「操作」 column (and nothing else refers to it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from bot.content import texts
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
from bot.content.sheet_stamp import Stamp, add_stamp, base_of, current_fingerprints, read_stamp, remember
from bot.content.staging import apply_all, import_lock, remove_stale_temporaries
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
TEXT_COLUMNS = tuple(column.header for column in COLUMNS)
"""Every FAQ column holds text: a number, date or formula there is refused, never guessed at."""
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
    add_stamp(workbook, current_fingerprints(content.paths, tests))
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
        for column, found in ((texts.COL_PHRASINGS, topic.phrasings), (texts.COL_TESTS, topic.tests)):
            lines = _split_lines(row[column])
            if len(lines) > 1:
                plan.error(row, column, texts.MSG_LINE_BREAK, topic=key)
            else:
                found += [(text, row.number) for text in lines]
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


def _keep_order(
    new: tuple[str, ...], rows: tuple[int, ...], old: tuple[str, ...]
) -> tuple[tuple[str, ...], tuple[int, ...]]:
    """The file's order when the sheet holds the same phrasings (an editor sorted the sheet), else the sheet's."""
    if sorted(new) != sorted(old):
        return new, rows
    row_of: dict[str, list[int]] = {}
    for text, row in zip(new, rows):
        row_of.setdefault(text, []).append(row)
    return old, tuple(row_of[text].pop(0) for text in old)


def _in_file_order(draft: Draft, before: Topic | None, tests: tuple[str, ...]) -> Draft:
    """`draft` with its phrasings and test questions in their current order when only their order differs."""
    rows = tuple(row for row in draft.phrasing_rows if row is not None)
    examples, phrasing_rows = _keep_order(draft.topic.examples, rows, before.examples if before else ())
    questions, test_rows = _keep_order(draft.tests or (), draft.test_rows, tests)
    return replace(
        draft,
        topic=replace(draft.topic, examples=examples),
        phrasing_rows=phrasing_rows,
        tests=questions if draft.tests is not None else None,
        test_rows=test_rows,
    )


def _stale_topics(
    stamp: Stamp | None, paths: ProjectPaths, plan: _Plan, touched: set[str], now: dict[str, str]
) -> list[Problem]:
    """Topics changed since the sheet was exported that the sheet would change again (see sheet_stamp)."""
    if stamp is None:
        return []
    base = base_of(stamp, paths)
    problems = []
    cells = {draft.topic.key: Cell(draft.row or 2, texts.COL_KEY) for draft in plan.drafts}
    cells.update(plan.deletions)
    for key in sorted(touched, key=lambda key: cells[key].row if key in cells else 0):
        if key not in cells or base.get(key) == now.get(key):
            continue
        if key not in now:
            message = texts.MSG_STALE_DELETED.format(key=key)
        elif key not in base:
            message = texts.MSG_STALE_CREATED.format(key=key)
        else:
            message = texts.MSG_STALE_CHANGED.format(key=key)
        problems.append(cells[key].problem(message, topic=key))
    return problems


def _would_change(path: Path, text: str | None) -> bool:
    if text is None:
        return path.exists()
    return not (path.exists() and path.read_text(encoding="utf-8") == text)


def import_sheet(source: Path, paths: ProjectPaths | None = None) -> ImportResult:
    """Check the whole sheet, then write the topic files; raises SheetError and writes nothing if bad.

    Imports run one at a time (a lock), and all files are written together (bot.content.staging).
    """
    paths = paths or ProjectPaths()
    rows = read_table(source, texts.FAQ_SHEET, COLUMNS, text_only=TEXT_COLUMNS)
    stamp = read_stamp(source)
    with import_lock(paths):
        remove_stale_temporaries(paths)
        return _import_rows(rows, stamp, paths)


def _import_rows(rows: list[Row], stamp: Stamp | None, paths: ProjectPaths) -> ImportResult:
    content = Content(paths)
    existing = read_topics(content)
    before_tests = questions_by_topic(content.heldout)
    plan = _plan(rows, paths, existing)
    plan.drafts = [
        _in_file_order(draft, existing.get(draft.topic.key), before_tests.get(draft.topic.key, ()))
        for draft in plan.drafts
    ]
    problems = plan.problems + gate(content, Changes(tuple(plan.drafts), plan.deletions))
    errors = [problem for problem in problems if not problem.warning]
    files: dict[Path, str | None] = {}
    if not errors:
        files = {draft.topic.path: render_topic(draft.topic) for draft in plan.drafts}
        files.update({existing[key].path: None for key in plan.deletions})
        files = {path: text for path, text in files.items() if _would_change(path, text)}
    test_changes: dict[str, tuple[str, ...] | None] = {
        draft.topic.key: draft.tests
        for draft in plan.drafts
        if draft.tests is not None and draft.tests != before_tests.get(draft.topic.key, ())
    }
    test_changes.update({key: None for key in plan.deletions if key in before_tests})
    touched = {path.stem for path in files} | set(test_changes)
    now = current_fingerprints(paths, before_tests)
    errors += _stale_topics(stamp, paths, plan, touched, now)
    errors = in_sheet_order(errors, COLUMNS)
    if errors:
        messages = [problem.format(paths) for problem in errors]
        raise SheetError(texts.ERR_SUMMARY.format(count=len(errors)), *messages)
    if test_changes:
        heldout = paths.heldout.read_text(encoding="utf-8") if paths.heldout.exists() else ""
        files[paths.heldout] = replace_test_questions(heldout, test_changes)
    warnings = in_sheet_order((problem for problem in problems if problem.warning), COLUMNS)
    result = ImportResult(warnings=[problem.format(paths) for problem in warnings])
    changed = apply_all(files)
    for draft in plan.drafts:
        topic, before = draft.topic, existing.get(draft.topic.key)
        if topic.path in changed:
            (result.changed if before else result.created).append(topic.key)
        else:
            result.unchanged.append(topic.key)
        if before is None or before.examples != topic.examples:
            result.phrasings_changed = True
    for key in plan.deletions:
        result.deleted.append(key)
        result.phrasings_changed = True
    result.tests_changed = sorted(key for key, questions in test_changes.items() if questions is not None)
    in_sheet = {draft.topic.key for draft in plan.drafts} | set(plan.deletions)
    result.not_in_sheet = sorted(set(existing) - in_sheet)
    if stamp is not None and changed:
        after = current_fingerprints(paths, questions_by_topic(Content(paths).heldout))
        remember(stamp, paths, {key: after.get(key) for key in in_sheet})
    return result
