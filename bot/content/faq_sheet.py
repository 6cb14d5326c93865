"""The FAQ spreadsheet: export every topic to one row, import the edited sheet back into topic files.

Import checks the whole sheet — its own rules here, the content's in the content gate — before it
writes anything; a bad sheet changes no file. Then each topic file is written atomically in the
canonical layout (bot.content.topic_files), and a file whose content would not change is not
touched, so export-then-import leaves every file byte-identical.

Topics that are not in the sheet are left alone; a topic is deleted only when its row says
「删除」 in the 「操作」 column (and nothing else refers to it any more).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from bot.content import texts
from bot.content.atomic import write_atomically
from bot.content.corpus import Content
from bot.content.errors import EditorError, SheetError
from bot.content.gate import Cell, Changes, Columns, Draft, Problem, gate, is_valid_key
from bot.content.paths import ProjectPaths
from bot.content.topic_files import Topic, TopicFileError, clean_answer, render_topic
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

COLUMNS = (
    Column(texts.COL_KEY, 22),
    Column(texts.COL_QUESTION, 32),
    Column(texts.COL_ANSWER, 70),
    Column(texts.COL_PHRASINGS, 42),
    Column(texts.COL_NOTES, 30),
    Column(texts.COL_ACTION, 10),
)
DRAFT_COLUMNS = Columns(texts.COL_QUESTION, texts.COL_ANSWER, texts.COL_PHRASINGS)


def read_topics(content: Content) -> dict[str, Topic]:
    """Every topic file by key; raises EditorError naming a file that cannot be read."""
    try:
        return content.topics.all_readable()
    except TopicFileError as error:
        raise EditorError(texts.CHK_NOT_A_TOPIC.format(detail=error)) from error


def export_sheet(target: Path, paths: ProjectPaths | None = None) -> int:
    """Write every topic to `target` (one row each); return how many."""
    topics = read_topics(Content(paths))
    rows = [
        (topic.key, topic.question, topic.answer, "\n".join(topic.examples), topic.notes, "")
        for topic in topics.values()
    ]
    workbook = new_workbook()
    add_table(workbook, texts.FAQ_SHEET, COLUMNS, rows)
    add_notes(workbook, texts.HELP_SHEET, texts.FAQ_HELP)
    save_atomically(workbook, target)
    return len(rows)


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
        if self.phrasings_changed:
            lines.append(texts.IMPORT_RETRAIN)
        elif self.changed:
            lines.append(texts.IMPORT_ANSWERS_ONLY)
        return "\n".join(lines)


@dataclass
class _Plan:
    """The sheet read as changes (topics to write, topics to delete) and the problems of the sheet itself."""

    drafts: list[Draft] = field(default_factory=list)
    deletions: dict[str, Cell] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def error(self, row: Row, column: str, message: str) -> None:
        self.problems.append(Cell(row.number, column).problem(message))


def _split_phrasings(cell: str) -> list[str]:
    return [line.strip() for line in cell.split("\n") if line.strip()]


def _clean_notes(cell: str) -> str:
    return "\n".join(line.rstrip() for line in cell.split("\n")).strip()


def _plan(rows: list[Row], paths: ProjectPaths, existing: dict[str, Topic]) -> _Plan:
    """Read each row as a topic to write or delete; a row's key and action are checked here."""
    plan = _Plan()
    seen_keys: dict[str, int] = {}
    for row in rows:
        key, action = row[texts.COL_KEY].strip(), row[texts.COL_ACTION].strip()
        if not key:
            plan.error(row, texts.COL_KEY, texts.MSG_REQUIRED)
        elif not is_valid_key(key):
            plan.error(row, texts.COL_KEY, texts.MSG_KEY_FORMAT.format(key=key))
        elif key in seen_keys:
            plan.error(row, texts.COL_KEY, texts.MSG_KEY_DUPLICATE.format(key=key, row=seen_keys[key]))
        else:
            seen_keys[key] = row.number
        if action not in ("", texts.DELETE_MARK):
            message = texts.MSG_ACTION_UNKNOWN.format(mark=texts.DELETE_MARK, value=action)
            plan.error(row, texts.COL_ACTION, message)
        elif action == texts.DELETE_MARK:
            if key and key not in existing:
                plan.error(row, texts.COL_ACTION, texts.MSG_DELETE_UNKNOWN.format(key=key))
            elif key:
                plan.deletions[key] = Cell(row.number, texts.COL_ACTION)
            continue
        phrasings = tuple(_split_phrasings(row[texts.COL_PHRASINGS]))
        topic = Topic(
            key,
            row[texts.COL_QUESTION].strip(),
            clean_answer(row[texts.COL_ANSWER]),
            phrasings,
            _clean_notes(row[texts.COL_NOTES]),
            paths.topic_file(key) if key else Path(),
        )
        plan.drafts.append(Draft(topic, row.number, DRAFT_COLUMNS, (row.number,) * len(phrasings)))
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
    for key in plan.deletions:
        existing[key].path.unlink()
        result.deleted.append(key)
        result.phrasings_changed = True
    in_sheet = {draft.topic.key for draft in plan.drafts} | set(plan.deletions)
    result.not_in_sheet = sorted(set(existing) - in_sheet)
    return result
