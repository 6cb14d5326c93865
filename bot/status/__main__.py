"""Back-office commands: `python -m bot.status import FILE.csv` and `set-status ID STATUS`."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path

from bot.cli import EXIT_OK, storage_failed
from bot.db.engine import make_engine, make_session_factory
from bot.db.errors import storage_errors
from bot.db.migrate import upgrade
from bot.db.types import utc_now
from bot.errors import StorageUnavailable
from bot.notify import texts as notify_texts
from bot.notify.fanout import Queued
from bot.settings import Settings
from bot.status import backoffice, texts
from bot.status.report import beijing_time


def build_parser() -> argparse.ArgumentParser:
    """The command line: `import` and `set-status`."""
    parser = argparse.ArgumentParser(prog="python -m bot.status", description=texts.STATUS_CLI_HELP)
    commands = parser.add_subparsers(dest="command", required=True)
    importing = commands.add_parser("import", help=texts.IMPORT_HELP, description=texts.IMPORT_HELP)
    importing.add_argument("file", type=Path, help=texts.IMPORT_FILE_HELP)
    setting = commands.add_parser("set-status", help=texts.SET_STATUS_HELP, description=texts.SET_STATUS_HELP)
    setting.add_argument("application_id", help=texts.SET_STATUS_ID_HELP)
    setting.add_argument("status", help=texts.SET_STATUS_STATUS_HELP)
    setting.add_argument(
        "--reason", action="append", default=[], dest="reasons", help=texts.SET_STATUS_REASON_HELP
    )
    setting.add_argument("--at", default=None, help=texts.SET_STATUS_AT_HELP)
    return parser


def notified_lines(notified: Queued) -> list[str]:
    """The line saying how many subscribers were notified (none when nobody was)."""
    if not notified.total:
        return []
    return [notify_texts.QUEUED.format(count=notified.total, telegram=notified.telegram, web=notified.web)]


def import_file(url: str, path: Path, now: datetime) -> str:
    """Validate the whole file, then write it in one transaction; returns the summary line."""
    records = backoffice.validate_file(path, now)
    upgrade(url)
    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as session, session.begin():
            summary = backoffice.import_records(session, records, now)
    finally:
        engine.dispose()
    lines = [
        texts.IMPORT_DONE.format(
            total=summary.total,
            added=len(summary.added),
            updated=len(summary.updated),
            changes=summary.status_changes,
        )
    ]
    if summary.subscriptions_ended:
        lines.append(notify_texts.ENDED_FOR_NEW_OWNER.format(count=summary.subscriptions_ended))
    return "\n".join(lines + notified_lines(summary.notified))


def set_status(
    url: str, application_id: str, status: str, reasons: Sequence[str], at: str | None, now: datetime
) -> str:
    """Change one application's status; returns the confirmation line."""
    upgrade(url)
    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as session, session.begin():
            result = backoffice.set_status(session, application_id, status, reasons=reasons, at=at, now=now)
            template = texts.SET_STATUS_DONE if result.changed else texts.SET_STATUS_UNCHANGED
            line = template.format(
                application_id=result.application.id,
                status=result.application.status.value,
                since=beijing_time(result.application.status_since),
            )
            return "\n".join([line, *notified_lines(result.notified)])
    finally:
        engine.dispose()


def log_notification_progress() -> None:
    """Show the notifications' progress of a large import on stderr (the CLI logs nothing else)."""
    notify_logger = logging.getLogger("bot.notify")
    if not notify_logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
        notify_logger.addHandler(handler)
        notify_logger.setLevel(logging.INFO)


def main(
    argv: Sequence[str] | None = None,
    settings: Settings | None = None,
    clock: Callable[[], datetime] = utc_now,
) -> int:
    """Run one command against DATABASE_URL; return the exit code."""
    arguments = build_parser().parse_args(argv)
    log_notification_progress()
    url = (settings or Settings.from_env()).database_url
    try:
        with storage_errors():
            if arguments.command == "import":
                print(import_file(url, arguments.file, clock()))
            else:
                print(
                    set_status(
                        url,
                        arguments.application_id,
                        arguments.status,
                        arguments.reasons,
                        arguments.at,
                        clock(),
                    )
                )
    except backoffice.BackOfficeError as error:
        print(error.report(), file=sys.stderr)
        return error.exit_code
    except StorageUnavailable as error:
        return storage_failed(error)
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
