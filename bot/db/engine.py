"""Engine and session construction for a database URL (SQLite WAL + busy timeout, PostgreSQL)."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session, sessionmaker

from bot.db.liveness import drop_closed_connections
from bot.errors import StorageUnavailable

SQLITE_BUSY_TIMEOUT_MS = 5000
POSTGRES_CONNECT_TIMEOUT_S = 5


def make_engine(url: str) -> Engine:
    """Build an engine for `url`; creates the folder of an SQLite file and turns on WAL.

    Raises StorageUnavailable when that folder cannot be created (SQLAlchemy's own errors come
    later, on connecting, and become StorageUnavailable in `bot.db.errors.storage_errors`).
    """
    parsed = make_url(url)
    kwargs: dict[str, Any] = {"future": True}
    if parsed.get_backend_name() == "sqlite":
        kwargs["pool_pre_ping"] = True
        if parsed.database and parsed.database != ":memory:":
            try:
                Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                raise StorageUnavailable(type(error).__name__) from error
        kwargs["connect_args"] = {"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}
        engine = create_engine(parsed, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if parsed.get_backend_name() == "postgresql":
        kwargs["connect_args"] = {"connect_timeout": POSTGRES_CONNECT_TIMEOUT_S}
        return drop_closed_connections(create_engine(parsed, **kwargs))  # instead of a ping per checkout
    kwargs["pool_pre_ping"] = True
    return create_engine(parsed, **kwargs)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Return a factory for sessions bound to `engine` (use as `with factory() as s, s.begin():`)."""
    return sessionmaker(engine, future=True, expire_on_commit=False)


_shared: dict[str, sessionmaker[Session]] = {}
_shared_lock = threading.Lock()


def shared_session_factory(url: str) -> sessionmaker[Session]:
    """A session factory on one engine per URL for the whole process, built on first use."""
    with _shared_lock:
        factory = _shared.get(url)
        if factory is None:
            factory = _shared[url] = make_session_factory(make_engine(url))
        return factory


def shared_engine(url: str) -> Engine:
    """The engine under `shared_session_factory(url)`."""
    engine: Engine = shared_session_factory(url).kw["bind"]
    return engine


def dispose_shared_engines(url: str | None = None) -> None:
    """Close the pooled connections of the shared engine for `url` (default: of all of them)."""
    with _shared_lock:
        urls = [url] if url is not None else list(_shared)
        for key in urls:
            factory = _shared.pop(key, None)
            if factory is not None and factory.kw.get("bind") is not None:
                factory.kw["bind"].dispose()
