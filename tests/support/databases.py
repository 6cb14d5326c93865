"""Real throwaway databases for tests: a fresh SQLite file, or a uniquely named PostgreSQL schema.

Import the fixtures into a conftest.py (`from tests.support.databases import database_url`).
PostgreSQL comes from TEST_POSTGRES_URL (default: the local server, database `test`); when it
cannot be reached, its cases fail with the reason (a missing service is never a skipped test).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from bot.db.engine import dispose_shared_engines, shared_session_factory
from bot.db.migrate import upgrade
from bot.db.seed import seed_demo_applications

POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/test")
BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
]


@lru_cache(maxsize=1)
def postgres_unavailable() -> str | None:
    """Why PostgreSQL cannot be used (None when it can)."""
    engine = create_engine(POSTGRES_URL, connect_args={"connect_timeout": 3}, future=True)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as error:  # noqa: BLE001 - any failure makes the PostgreSQL cases fail, with the reason
        return f"PostgreSQL at {make_url(POSTGRES_URL).render_as_string(hide_password=True)} unavailable: {error}"
    finally:
        engine.dispose()
    return None


@contextmanager
def scratch_database(backend: str, directory: Path, *, migrate: bool = True) -> Iterator[str]:
    """Yield the URL of an empty database (migrated unless told not to); drop it afterwards."""
    if backend == "sqlite":
        url = f"sqlite:///{directory / f'scratch-{uuid.uuid4().hex[:8]}.db'}"
        try:
            if migrate:
                upgrade(url)
            yield url
        finally:
            dispose_shared_engines(url)
        return
    schema = f"test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL, future=True, isolation_level="AUTOCOMMIT")
    url = make_url(POSTGRES_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    url_text = url.render_as_string(hide_password=False)
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        if migrate:
            upgrade(url_text)
        yield url_text
    finally:
        dispose_shared_engines(url_text)
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def _fail_unless_usable(backend: str) -> None:
    if backend == "postgresql" and (reason := postgres_unavailable()):
        pytest.fail(reason)


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated, empty database on each backend."""
    _fail_unless_usable(request.param)
    with scratch_database(request.param, tmp_path) as url:
        yield url


@pytest.fixture(params=BACKENDS)
def unmigrated_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database on each backend, with no tables at all."""
    _fail_unless_usable(request.param)
    with scratch_database(request.param, tmp_path, migrate=False) as url:
        yield url


@pytest.fixture
def sessions(database_url: str) -> sessionmaker[Session]:
    """Sessions on the test database."""
    return shared_session_factory(database_url)


@pytest.fixture
def seeded_url(database_url: str, sessions: sessionmaker[Session]) -> str:
    """The test database with the six demo applications."""
    with sessions() as session, session.begin():
        seed_demo_applications(session)
    return database_url
