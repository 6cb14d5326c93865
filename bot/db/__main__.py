"""Database commands for operators: `python -m bot.db init` migrates and seeds the demo data."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from bot.cli import EXIT_OK, storage_failed
from bot.db import texts
from bot.db.engine import make_engine, make_session_factory
from bot.db.errors import storage_errors
from bot.db.migrate import upgrade
from bot.db.seed import seed_demo_applications
from bot.errors import StorageUnavailable
from bot.settings import Settings


def init(url: str) -> list[str]:
    """Migrate the database at `url` to the newest schema and add missing demo applications."""
    upgrade(url)
    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as session, session.begin():
            return seed_demo_applications(session)
    finally:
        engine.dispose()


def build_parser() -> argparse.ArgumentParser:
    """The command line: one sub-command per job."""
    parser = argparse.ArgumentParser(prog="python -m bot.db", description=texts.DB_CLI_HELP)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("init", help=texts.DB_INIT_HELP, description=texts.DB_INIT_HELP)
    commands.add_parser("upgrade", help=texts.DB_UPGRADE_HELP, description=texts.DB_UPGRADE_HELP)
    return parser


def main(argv: Sequence[str] | None = None, settings: Settings | None = None) -> int:
    """Run one command against DATABASE_URL; return the exit code."""
    arguments = build_parser().parse_args(argv)
    settings = settings or Settings.from_env()
    try:
        with storage_errors():
            if arguments.command == "upgrade":
                upgrade(settings.database_url)
                print(texts.DB_UPGRADED)
                return EXIT_OK
            added = init(settings.database_url)
    except StorageUnavailable as error:
        return storage_failed(error)
    print(texts.DB_INITIALISED.format(added=len(added)))
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
