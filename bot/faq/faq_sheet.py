"""The FAQ spreadsheet: export every topic to one row, import the edited sheet back into topic files.

Import validates the whole sheet before it writes anything; a bad sheet changes no file. Then each
topic file is written atomically in the canonical layout (bot.faq.topic_files), and a file whose
content would not change is not touched, so export-then-import leaves every file byte-identical.

Topics that are not in the sheet are left alone; a topic is deleted only when its row says
「删除」 in the 「操作」 column (and nothing else refers to it any more).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from bot.faq import texts
from bot.faq.catalog import CatalogError, Topic, read_topic
from bot.faq.checks import (
    LONG_ANSWER_CHARS,
    MIN_PHRASINGS,
    TELEGRAM_MAX_UTF16,
    is_valid_key,
    topic_references,
    utf16_length,
)
from bot.faq.corpus import Phrasing, heldout_corpus, training_corpus
from bot.faq.errors import EditorError, SheetError
from bot.faq.facts import Facts, FactsError
from bot.faq.paths import ProjectPaths
from bot.faq.phrasings import phrasing_key
from bot.faq.atomic import write_atomically
from bot.faq.topic_files import clean_answer, render_topic
from bot.faq.workbook import Column, Row, add_notes, add_table, new_workbook, read_table, save_atomically

COLUMNS = (
    Column(texts.COL_KEY, 22),
    Column(texts.COL_QUESTION, 32),
    Column(texts.COL_ANSWER, 70),
    Column(texts.COL_PHRASINGS, 42),
    Column(texts.COL_NOTES, 30),
    Column(texts.COL_ACTION, 10),
)


def read_topics(paths: ProjectPaths) -> dict[str, Topic]:
    """Every topic file by key; raises EditorError naming a file that cannot be read."""
    topics = {}
    for path in sorted(paths.faq_dir.glob("*.yml")):
        try:
            topic = read_topic(path)
        except CatalogError as error:
            raise EditorError(texts.CHK_NOT_A_TOPIC.format(detail=error)) from error
        topics[topic.key] = topic
    return topics


def export_sheet(target: Path, paths: ProjectPaths | None = None) -> int:
    """Write every topic to `target` (one row each); return how many."""
    paths = paths or ProjectPaths()
    topics = read_topics(paths)
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
        lines = [*self.warnings, texts.IMPORT_DONE.format(
            created=len(self.created), changed=len(self.changed),
            deleted=len(self.deleted), unchanged=len(self.unchanged),
        )]  # fmt: skip
        if self.not_in_sheet:
            lines.append(texts.IMPORT_NOT_IN_SHEET.format(keys="、".join(self.not_in_sheet)))
        if self.phrasings_changed:
            lines.append(texts.IMPORT_RETRAIN)
        elif self.changed:
            lines.append(texts.IMPORT_ANSWERS_ONLY)
        return "\n".join(lines)


@dataclass
class _Plan:
    """The validated sheet: topics to write, keys to delete, and the messages collected."""

    topics: list[Topic] = field(default_factory=list)
    delete: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def error(self, row: Row, column: str, message: str) -> None:
        self.errors.append(texts.ERR_ROW.format(row=row.number, column=column, message=message))


def same_as(text: str, other: str) -> str:
    """"(counts as the same as 「other」)" when the two differ only after normalisation, else nothing."""
    return texts.MSG_SAME_AS.format(other=other) if other != text else ""


def _split_phrasings(cell: str) -> list[str]:
    return [line.strip() for line in cell.split("\n") if line.strip()]


def _clean_notes(cell: str) -> str:
    return "\n".join(line.rstrip() for line in cell.split("\n")).strip()


class _Validator:
    """Checks every row against the project's other content; collects every problem at once."""

    def __init__(
        self, paths: ProjectPaths, existing: dict[str, Topic], plan: _Plan, in_sheet: set[str]
    ) -> None:
        self.paths = paths
        self.existing = existing
        self.plan = plan
        self.untouched = {  # topics not in the sheet keep their phrasings
            phrasing_key(text): topic
            for key, topic in existing.items()
            if key not in in_sheet
            for text in topic.examples
        }
        training = training_corpus(paths)
        self.other_intents = {
            phrasing_key(p.text): p for p in training.phrasings() if not p.path.is_relative_to(paths.faq_dir)
        }
        self.heldout = heldout_corpus(paths).by_key()
        self.seen_keys: dict[str, int] = {}
        self.seen_phrasings: dict[str, tuple[int, str, str]] = {}
        try:
            self.facts: Facts | None = Facts.load(paths.facts)
        except FactsError as error:
            self.facts = None
            plan.errors.append(str(error))

    def row(self, row: Row) -> None:
        key, action = row[texts.COL_KEY].strip(), row[texts.COL_ACTION].strip()
        if not key:
            self.plan.error(row, texts.COL_KEY, texts.MSG_REQUIRED)
        elif not is_valid_key(key):
            self.plan.error(row, texts.COL_KEY, texts.MSG_KEY_FORMAT.format(key=key))
        elif key in self.seen_keys:
            message = texts.MSG_KEY_DUPLICATE.format(key=key, row=self.seen_keys[key])
            self.plan.error(row, texts.COL_KEY, message)
        else:
            self.seen_keys[key] = row.number
        if action not in ("", texts.DELETE_MARK):
            message = texts.MSG_ACTION_UNKNOWN.format(mark=texts.DELETE_MARK, value=action)
            self.plan.error(row, texts.COL_ACTION, message)
        elif action == texts.DELETE_MARK:
            if key and key not in self.existing:
                self.plan.error(row, texts.COL_ACTION, texts.MSG_DELETE_UNKNOWN.format(key=key))
            elif key:
                self.plan.delete.append(key)
            return
        question = row[texts.COL_QUESTION].strip()
        if not question:
            self.plan.error(row, texts.COL_QUESTION, texts.MSG_REQUIRED)
        elif "\n" in question:
            self.plan.error(row, texts.COL_QUESTION, texts.MSG_ONE_LINE)
        answer = clean_answer(row[texts.COL_ANSWER])
        self.answer(row, key, question, answer)
        phrasings = _split_phrasings(row[texts.COL_PHRASINGS])
        self.phrasings(row, key, phrasings)
        self.plan.topics.append(
            Topic(key, question, answer, tuple(phrasings), _clean_notes(row[texts.COL_NOTES]),
                  self.paths.topic_file(key) if key else Path())
        )  # fmt: skip

    def answer(self, row: Row, key: str, question: str, answer: str) -> None:
        if not answer:
            self.plan.error(row, texts.COL_ANSWER, texts.MSG_REQUIRED)
            return
        if utf16_length(answer) > TELEGRAM_MAX_UTF16:
            message = texts.MSG_ANSWER_TOO_LONG.format(length=utf16_length(answer), limit=TELEGRAM_MAX_UTF16)
            self.plan.error(row, texts.COL_ANSWER, message)
        elif len(answer) > LONG_ANSWER_CHARS:
            message = texts.WARN_LONG_ANSWER.format(key=key, length=len(answer), limit=LONG_ANSWER_CHARS)
            self.plan.warnings.append(message)
        for contradiction in self.facts.contradictions(answer, question=question) if self.facts else []:
            self.plan.error(row, texts.COL_ANSWER, contradiction.message)

    def phrasings(self, row: Row, key: str, phrasings: list[str]) -> None:
        column = texts.COL_PHRASINGS
        if not phrasings:
            self.plan.error(row, column, texts.MSG_NO_PHRASINGS)
            return
        if len(phrasings) < MIN_PHRASINGS:
            message = texts.WARN_FEW_PHRASINGS.format(key=key, count=len(phrasings), minimum=MIN_PHRASINGS)
            self.plan.warnings.append(message)
        in_row: dict[str, str] = {}
        for text in phrasings:
            compare = phrasing_key(text)
            if compare in in_row:
                message = texts.MSG_PHRASING_REPEATED.format(text=text, same=same_as(text, in_row[compare]))
                self.plan.error(row, column, message)
                continue
            in_row[compare] = text
            if compare in self.seen_phrasings:
                other_row, other_key, other = self.seen_phrasings[compare]
                message = texts.MSG_PHRASING_IN_ROW.format(
                    text=text, row=other_row, key=other_key, same=same_as(text, other)
                )
                self.plan.error(row, column, message)
            else:
                self.seen_phrasings[compare] = (row.number, key, text)
            self.conflicts(row, key, text, compare)

    def conflicts(self, row: Row, key: str, text: str, compare: str) -> None:
        untouched = self.untouched.get(compare)
        if untouched is not None:
            where = self.paths.relative(untouched.path)
            message = texts.MSG_IN_OTHER_TOPIC.format(text=text, key=untouched.key, where=where, target=key)
            self.plan.error(row, texts.COL_PHRASINGS, message)
        intent: Phrasing | None = self.other_intents.get(compare)
        if intent is not None:
            where = intent.where(self.paths)
            message = texts.MSG_PHRASING_IN_INTENT.format(text=text, intent=intent.intent, where=where)
            self.plan.error(row, texts.COL_PHRASINGS, message)
        held: Phrasing | None = self.heldout.get(compare)
        if held is not None:
            message = texts.MSG_PHRASING_HELDOUT.format(text=text, where=held.where(self.paths))
            self.plan.error(row, texts.COL_PHRASINGS, message)

    def deletions(self, rows: list[Row]) -> None:
        """A topic may be deleted only when no rule, story, test or other answer still names it."""
        by_row = {row[texts.COL_KEY].strip(): row for row in rows}
        for key in self.plan.delete:
            places = [
                f"{self.paths.relative(path)}:{line}"
                for named, path, line in topic_references(self.paths)
                if named == key and path != self.existing[key].path
            ]
            if places:
                shown = "、".join(places[:5]) + ("…" if len(places) > 5 else "")
                message = texts.MSG_DELETE_REFERENCED.format(key=key, places=shown)
                self.plan.error(by_row[key], texts.COL_ACTION, message)


def _validate(rows: list[Row], paths: ProjectPaths, existing: dict[str, Topic]) -> _Plan:
    plan = _Plan()
    validator = _Validator(paths, existing, plan, {row[texts.COL_KEY].strip() for row in rows})
    for row in rows:
        validator.row(row)
    validator.deletions(rows)
    return plan


def import_sheet(source: Path, paths: ProjectPaths | None = None) -> ImportResult:
    """Validate the whole sheet, then write the topic files; raises SheetError and writes nothing if bad."""
    paths = paths or ProjectPaths()
    existing = read_topics(paths)
    plan = _validate(read_table(source, texts.FAQ_SHEET, COLUMNS), paths, existing)
    if plan.errors:
        raise SheetError(texts.ERR_SUMMARY.format(count=len(plan.errors)), *plan.errors)
    rendered = [(topic, render_topic(topic)) for topic in plan.topics]
    result = ImportResult(warnings=plan.warnings)
    for topic, text in rendered:
        before = existing.get(topic.key)
        if write_atomically(topic.path, text):
            (result.changed if before else result.created).append(topic.key)
        else:
            result.unchanged.append(topic.key)
        if before is None or before.examples != topic.examples:
            result.phrasings_changed = True
    for key in plan.delete:
        existing[key].path.unlink()
        result.deleted.append(key)
        result.phrasings_changed = True
    in_sheet = {topic.key for topic in plan.topics} | set(plan.delete)
    result.not_in_sheet = sorted(set(existing) - in_sheet)
    return result
