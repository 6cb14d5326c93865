"""Back-office changes to applications: CSV import and status updates, validated before any write.

    BackOfficeError    the change was refused; `problems` lists what is wrong, in Chinese
                       (for a file: one line per bad cell, with its line number)

Every status an application reaches is appended to its history (`status_changes`); a move to a
different status queues a notification for each live subscriber in the same transaction
(bot/notify/fanout.py). An import that changes an application's credit code ends its
subscriptions: the proof of ownership they rest on no longer holds.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy.orm import Session
from stdnum import exceptions as stdnum_errors
from stdnum.cn import uscc

from bot.cli import EXIT_REFUSED
from bot.db import notification_queries, queries
from bot.db.models import Application, EntityType, ReasonCategory, RejectionReason, Status, StatusChange
from bot.db.notification_models import EndReason
from bot.db.types import BEIJING
from bot.errors import MalformedApplicationId
from bot.notify.fanout import Queued, queue_notifications
from bot.status import parse, texts

REQUIRED_COLUMNS = ("application_id", "company_name", "credit_code", "entity_type", "status")
OPTIONAL_COLUMNS = ("industry", "industry_license", "status_since", "level", "reasons")
LIMITS = {"company_name": 200, "industry": 100, "industry_license": 100, "level": 10}
DEFAULT_LEVEL = "中级"
IMPORT_SOURCE = "import"
CLI_SOURCE = "cli"
CLOCK_SKEW = timedelta(minutes=5)
_REASON_SEPARATORS = re.compile(r"[;；\n]")
_CATEGORY_SEPARATORS = re.compile(r"[:：]")
_CREDIT_CODE_ERRORS = {
    stdnum_errors.InvalidLength: "length",
    stdnum_errors.InvalidFormat: "format",
    stdnum_errors.InvalidChecksum: "checksum",
    stdnum_errors.InvalidComponent: "component",
}


class BackOfficeError(Exception):
    """A back-office change was refused and nothing was written."""

    exit_code = EXIT_REFUSED

    def __init__(self, problems: Sequence[str], heading: str | None = None) -> None:
        super().__init__("\n".join(problems))
        self.problems = list(problems)
        self.heading = heading

    def report(self) -> str:
        """The message for the terminal."""
        lines = [self.heading] if self.heading else []
        return "\n".join(lines + self.problems)


@dataclass(frozen=True)
class ApplicationRecord:
    """One validated application as the back office describes it."""

    id: str
    company_name: str
    credit_code: str
    entity_type: EntityType
    status: Status
    industry: str | None = None
    industry_license: str | None = None
    status_since: datetime | None = None
    level: str | None = None
    reasons: tuple[tuple[ReasonCategory, str], ...] = ()
    line: int = 0


@dataclass
class ImportSummary:
    """What an import changed."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    status_changes: int = 0
    notified: Queued = field(default_factory=Queued)
    subscriptions_ended: int = 0

    @property
    def total(self) -> int:
        return len(self.added) + len(self.updated)


# --- validating single values ---------------------------------------------------------------------


class _Problem(ValueError):
    """One bad value; the message is the Chinese explanation."""


def _application_id(value: str) -> str:
    try:
        return parse.application_id(value)
    except MalformedApplicationId:
        raise _Problem(texts.BAD_APPLICATION_ID.format(value=value)) from None


def _credit_code(value: str) -> str:
    code = re.sub(r"\s", "", unicodedata.normalize("NFKC", value)).upper()
    try:
        return uscc.validate(code)
    except stdnum_errors.ValidationError as error:
        why = texts.CREDIT_CODE_WHY[_CREDIT_CODE_ERRORS.get(type(error), "format")]
        raise _Problem(texts.BAD_CREDIT_CODE.format(value=value, why=why)) from None


def _status(value: str) -> Status:
    try:
        return Status(unicodedata.normalize("NFKC", value).strip())
    except ValueError:
        raise _Problem(texts.BAD_STATUS.format(value=value)) from None


def _entity_type(value: str) -> EntityType:
    try:
        return EntityType(unicodedata.normalize("NFKC", value).strip())
    except ValueError:
        raise _Problem(texts.BAD_ENTITY_TYPE.format(value=value)) from None


def parse_time(value: str, now: datetime) -> datetime | None:
    """A time as staff write it ("2026-11-20 10:12", Beijing time unless an offset is given)."""
    text = unicodedata.normalize("NFKC", value).strip().replace("/", "-")
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise _Problem(texts.BAD_TIME.format(value=value)) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=BEIJING)
    if moment > now + CLOCK_SKEW:
        raise _Problem(texts.FUTURE_TIME.format(value=value))
    return moment


def parse_reasons(values: Iterable[str]) -> tuple[tuple[ReasonCategory, str], ...]:
    """Reasons written as 「类别：说明」, several per value separated by semicolons."""
    reasons: list[tuple[ReasonCategory, str]] = []
    for value in values:
        for part in _REASON_SEPARATORS.split(value or ""):
            part = part.strip()
            if not part:
                continue
            pieces = _CATEGORY_SEPARATORS.split(part, maxsplit=1)
            if len(pieces) != 2 or not pieces[1].strip():
                raise _Problem(texts.BAD_REASON.format(value=part))
            try:
                category = ReasonCategory(pieces[0].strip())
            except ValueError:
                raise _Problem(texts.BAD_REASON.format(value=part)) from None
            reasons.append((category, pieces[1].strip()))
    return tuple(reasons)


class _Checker:
    """Runs validators and collects their problems instead of stopping at the first."""

    def __init__(self, line: int | None = None) -> None:
        self.line = line
        self.problems: list[str] = []

    def __call__(self, function, *args):  # type: ignore[no-untyped-def]
        try:
            return function(*args)
        except _Problem as problem:
            self.add(str(problem))
            return None

    def add(self, problem: str) -> None:
        if self.line is not None:
            problem = texts.ROW_ERROR.format(line=self.line, problem=problem)
        self.problems.append(problem)


def _required(value: str | None, column: str) -> str:
    text = _optional(value, column)
    if text is None:
        raise _Problem(texts.MISSING_COMPANY_NAME)
    return text


def _optional(value: str | None, column: str) -> str | None:
    text = (value or "").strip()
    if len(text) > LIMITS[column]:
        raise _Problem(texts.TOO_LONG.format(field=texts.FIELD_NAMES[column], limit=LIMITS[column]))
    return text or None


def _check_status_details(
    status: Status, reasons: Sequence[tuple[ReasonCategory, str]], level: str | None
) -> str | None:
    if status is Status.REJECTED and not reasons:
        raise _Problem(texts.REASONS_REQUIRED)
    if status is not Status.REJECTED and reasons:
        raise _Problem(texts.REASONS_NOT_ALLOWED)
    if status is not Status.APPROVED and level:
        raise _Problem(texts.LEVEL_NOT_ALLOWED)
    return (level or DEFAULT_LEVEL) if status is Status.APPROVED else None


# --- reading a file ---------------------------------------------------------------------------------


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("gb18030")  # what Excel on Chinese Windows writes


def read_rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """The file's rows as (line number, {column: cell}); raises BackOfficeError for a bad header."""
    try:
        text = _decode(Path(path).read_bytes())
    except (OSError, UnicodeDecodeError) as error:
        raise BackOfficeError([texts.FILE_UNREADABLE.format(path=path, error=error)]) from error
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if not header:
        raise BackOfficeError([texts.FILE_EMPTY])
    columns = [name.strip().lower() for name in header]
    missing = [name for name in REQUIRED_COLUMNS if name not in columns]
    unknown = [name for name in columns if name not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS]
    problems = []
    if missing:
        problems.append(texts.MISSING_COLUMNS.format(columns="、".join(missing)))
    if unknown:
        problems.append(texts.UNKNOWN_COLUMNS.format(columns="、".join(unknown)))
    if problems:
        raise BackOfficeError([texts.ROW_ERROR.format(line=1, problem=p) for p in problems])
    end_of_previous = reader.line_num
    for cells in reader:
        line, end_of_previous = end_of_previous + 1, reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        yield line, dict(zip(columns, cells + [""] * (len(columns) - len(cells))))


def validate_row(line: int, row: dict[str, str], now: datetime) -> tuple[ApplicationRecord | None, list[str]]:
    """One row as a record, or the problems with it (every bad cell is reported)."""
    check = _Checker(line)
    application_id = check(_application_id, row.get("application_id", ""))
    company_name = check(_required, row.get("company_name"), "company_name")
    credit_code = check(_credit_code, row.get("credit_code", ""))
    entity_type = check(_entity_type, row.get("entity_type", ""))
    status = check(_status, row.get("status", ""))
    industry = check(_optional, row.get("industry"), "industry")
    industry_license = check(_optional, row.get("industry_license"), "industry_license")
    status_since = check(parse_time, row.get("status_since", ""), now)
    level = check(_optional, row.get("level"), "level")
    reasons = check(parse_reasons, [row.get("reasons", "")])
    if status is not None and reasons is not None:
        level = check(_check_status_details, status, reasons, level)
    if check.problems:
        return None, check.problems
    record = ApplicationRecord(
        id=application_id,
        company_name=company_name,
        credit_code=credit_code,
        entity_type=entity_type,
        status=status,
        industry=industry,
        industry_license=industry_license,
        status_since=status_since,
        level=level,
        reasons=reasons,
        line=line,
    )
    return record, []


def validate_file(path: Path, now: datetime) -> list[ApplicationRecord]:
    """Every row of the file as a record; raises BackOfficeError listing every problem."""
    records: list[ApplicationRecord] = []
    problems: list[str] = []
    first_seen: dict[str, int] = {}
    for line, row in read_rows(path):
        record, row_problems = validate_row(line, row, now)
        problems.extend(row_problems)
        if record is None:
            continue
        if record.id in first_seen:
            problem = texts.DUPLICATE_APPLICATION_ID.format(value=record.id, first_line=first_seen[record.id])
            problems.append(texts.ROW_ERROR.format(line=line, problem=problem))
            continue
        first_seen[record.id] = line
        records.append(record)
    if not records and not problems:
        problems.append(texts.NO_ROWS)
    if problems:
        raise BackOfficeError(problems, heading=texts.IMPORT_REJECTED.format(count=len(problems)))
    return records


# --- writing ---------------------------------------------------------------------------------------


def _reason_rows(reasons: Sequence[tuple[ReasonCategory, str]]) -> list[RejectionReason]:
    return [
        RejectionReason(position=position, category=category, detail=detail)
        for position, (category, detail) in enumerate(reasons, start=1)
    ]


def _note(reasons: Sequence[tuple[ReasonCategory, str]]) -> str | None:
    return "；".join(f"{category.value}：{detail}" for category, detail in reasons) or None


def _same_reasons(application: Application, reasons: Sequence[tuple[ReasonCategory, str]]) -> bool:
    current = [(reason.category, reason.detail) for reason in application.rejection_reasons]
    return current == list(reasons)


def import_records(session: Session, records: Sequence[ApplicationRecord], now: datetime) -> ImportSummary:
    """Add or update the applications; every status change goes into the history."""
    summary = ImportSummary()
    existing = queries.applications_by_id(session, (record.id for record in records))
    changes: list[tuple[Application, StatusChange]] = []
    new_owners: list[str] = []
    for record in records:
        application = existing.get(record.id)
        if application is None:
            application = Application(id=record.id, created_at=now)
            queries.add_application(session, application)
            summary.added.append(record.id)
        else:
            summary.updated.append(record.id)
            if application.credit_code != record.credit_code:
                new_owners.append(record.id)
        application.company_name = record.company_name
        application.credit_code = record.credit_code
        application.entity_type = record.entity_type
        application.industry = record.industry
        application.industry_license = record.industry_license
        application.level = record.level
        if application.status != record.status:
            change = queries.record_status(
                session,
                application,
                record.status,
                at=record.status_since or now,
                source=IMPORT_SOURCE,
                reasons=_reason_rows(record.reasons),
                note=_note(record.reasons),
            )
            changes.append((application, change))
            summary.status_changes += 1
        elif not _same_reasons(application, record.reasons):
            application.rejection_reasons = _reason_rows(record.reasons)
    if new_owners:  # a new credit code: whoever proved the old one must prove the new one
        queries.forget_ownerships(session, new_owners)
        summary.subscriptions_ended = notification_queries.end_subscriptions_of_applications(
            session, new_owners, EndReason.OWNER_CHANGED, now=now
        )
    summary.notified = queue_notifications(session, changes, now=now)
    return summary


@dataclass(frozen=True)
class StatusSet:
    """What `set_status` did: the application, whether it changed, the notifications it queued."""

    application: Application
    changed: bool
    notified: Queued


def set_status(
    session: Session,
    application_id: str,
    status: str,
    *,
    reasons: Sequence[str] = (),
    at: str | None = None,
    now: datetime,
) -> StatusSet:
    """Move one application to `status`; returns it, whether anything changed, who was notified.

    Raises BackOfficeError for a bad ID, status, reason or time, or an unknown application.
    Setting 已驳回 again replaces the reasons (and is recorded, but notifies nobody: the status is
    the same); any other unchanged status is a no-op.
    """
    check = _Checker()
    wanted_id = check(_application_id, application_id)
    new_status = check(_status, status)
    new_reasons = check(parse_reasons, reasons)
    moment = check(parse_time, at or "", now)
    level = None
    if new_status is not None and new_reasons is not None:
        level = check(_check_status_details, new_status, new_reasons, None)
    if check.problems:
        raise BackOfficeError(check.problems)
    application = queries.get_application(session, wanted_id)
    if application is None:
        raise BackOfficeError([texts.UNKNOWN_APPLICATION.format(value=wanted_id)])
    if application.status == new_status and new_status is not Status.REJECTED:
        return StatusSet(application, False, Queued())
    application.level = (application.level or level) if new_status is Status.APPROVED else None
    change = queries.record_status(
        session,
        application,
        new_status,
        at=moment or now,
        source=CLI_SOURCE,
        reasons=_reason_rows(new_reasons),
        note=_note(new_reasons),
    )
    return StatusSet(application, True, queue_notifications(session, [(application, change)], now=now))
