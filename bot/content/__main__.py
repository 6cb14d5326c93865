"""The editors' commands: `python -m bot.content export|import|check|unanswered ...`."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from bot.content import texts
from bot.content.errors import EditorError
from bot.content.paths import ProjectPaths

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


def check_export_target(path: Path, force: bool) -> None:
    """Refuse (EditorError) a folder, a name not ending in .xlsx, or an existing file without --force."""
    if path.is_dir():
        raise EditorError(texts.EXPORT_IS_FOLDER.format(path=path))
    if path.suffix.lower() != ".xlsx":
        raise EditorError(texts.EXPORT_NOT_XLSX.format(path=path))
    if path.exists() and not force:
        raise EditorError(texts.EXPORT_EXISTS.format(path=path))


@contextmanager
def _writing(path: Path) -> Iterator[None]:
    """A failure to write the exported file becomes a Chinese message."""
    try:
        yield
    except OSError as error:
        raise EditorError(texts.EXPORT_FAILED.format(path=path, detail=error.strerror or error)) from error


def export(args: argparse.Namespace) -> int:
    """Write every FAQ topic to a spreadsheet."""
    from bot.content.faq_sheet import export_sheet

    check_export_target(args.file, args.force)
    with _writing(args.file):
        count = export_sheet(args.file, ProjectPaths(args.root))
    print(texts.EXPORT_DONE.format(count=count, path=args.file))
    return 0


def import_(args: argparse.Namespace) -> int:
    """Validate an edited spreadsheet and write it back into the topic files."""
    from bot.content.faq_sheet import import_sheet

    print(import_sheet(args.file, ProjectPaths(args.root)).summary())
    return 0


def check(args: argparse.Namespace) -> int:
    """Check the FAQ content; non-zero exit when anything is wrong."""
    from bot.content.checks import check_project, format_report

    paths = ProjectPaths(args.root)
    report = check_project(paths)
    print(format_report(report, paths))
    return 1 if report.errors else 0


@contextmanager
def _database() -> Iterator[Session]:
    """A session on DATABASE_URL, committed at the end; a database failure becomes an EditorError."""
    from bot.db.engine import make_engine, make_session_factory
    from bot.db.errors import storage_errors
    from bot.errors import StorageUnavailable
    from bot.settings import Settings

    try:
        engine = make_engine(Settings.from_env().database_url)
        try:
            with storage_errors(), make_session_factory(engine)() as session, session.begin():
                yield session
        finally:
            engine.dispose()
    except StorageUnavailable as error:
        failure = getattr(error.__cause__, "orig", None) or error.__cause__ or error
        if "unanswered_questions" in str(failure):
            raise EditorError(texts.UNANSWERED_DB_MISSING) from error
        raise EditorError(texts.UNANSWERED_DB_FAILED.format(detail=type(failure).__name__)) from error


def unanswered_export(args: argparse.Namespace) -> int:
    """List the questions the bot could not answer in a spreadsheet, most frequent first."""
    from bot.content.unanswered_sheet import export_unanswered

    check_export_target(args.file, args.force)
    with _database() as session, _writing(args.file):
        count = export_unanswered(session, args.file, ProjectPaths(args.root))
    message = texts.UNANSWERED_EXPORT_DONE if count else texts.UNANSWERED_EXPORT_EMPTY
    print(message.format(count=count, path=args.file))
    return 0


def unanswered_import(args: argparse.Namespace) -> int:
    """Add the questions editors assigned to a topic as its phrasings; mark them handled."""
    from bot.content.unanswered_sheet import import_unanswered

    with _database() as session:
        result = import_unanswered(session, args.file, ProjectPaths(args.root))
    print(result.summary())
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The command-line interface (help texts in Chinese: editors read them)."""
    parser = argparse.ArgumentParser(prog="python -m bot.content", description=texts.CLI_DESCRIPTION)
    parser.add_argument("--root", type=Path, default=ProjectPaths().root, help=texts.CLI_ROOT)
    commands = parser.add_subparsers(dest="command", required=True)
    for name, handler, help_text in (
        ("export", export, texts.CLI_EXPORT),
        ("import", import_, texts.CLI_IMPORT),
    ):
        command = commands.add_parser(name, help=help_text, description=help_text)
        command.add_argument("file", type=Path, help=texts.CLI_FILE)
        if handler in (export, unanswered_export):
            command.add_argument("--force", action="store_true", help=texts.CLI_FORCE)
        command.set_defaults(handler=handler)
    commands.add_parser("check", help=texts.CLI_CHECK, description=texts.CLI_CHECK).set_defaults(
        handler=check
    )
    unanswered = commands.add_parser(
        "unanswered", help=texts.CLI_UNANSWERED, description=texts.CLI_UNANSWERED
    )
    steps = unanswered.add_subparsers(dest="step", required=True)
    for name, handler, help_text in (
        ("export", unanswered_export, texts.CLI_UNANSWERED_EXPORT),
        ("import", unanswered_import, texts.CLI_UNANSWERED_IMPORT),
    ):
        command = steps.add_parser(name, help=help_text, description=help_text)
        command.add_argument("file", type=Path, help=texts.CLI_FILE)
        if handler in (export, unanswered_export):
            command.add_argument("--force", action="store_true", help=texts.CLI_FORCE)
        command.set_defaults(handler=handler)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; an EditorError becomes its Chinese message and exit code."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.handler(args))
    except EditorError as error:
        print(texts.CLI_FAILED, file=sys.stderr)
        for message in error.messages:
            print(message, file=sys.stderr)
        return error.exit_code


if __name__ == "__main__":
    sys.exit(main())
