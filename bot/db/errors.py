"""Database failures become `bot.errors.StorageUnavailable` here, and only here (`storage_errors()`)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg2
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from bot.errors import StorageUnavailable


@contextmanager
def storage_errors() -> Iterator[None]:
    """Raise any SQLAlchemy error inside the block as StorageUnavailable (the original is its cause).

    Also the database drivers' own errors, which SQLAlchemy lets through unwrapped in a few places
    (resetting a connection as it goes back to the pool, after PostgreSQL ended its backend).

        with storage_errors(), sessions() as session, session.begin():
            ...

    The message is the error's class name only: a database's own message can quote the values
    of the statement (personal data) and StorageUnavailable reaches logs.
    """
    try:
        yield
    except (SQLAlchemyError, psycopg2.Error, sqlite3.Error) as error:
        raise StorageUnavailable(type(error).__name__) from error


def connection_lost(error: BaseException) -> bool:
    """Tell whether `error` is a lost connection (SQLAlchemy invalidated it), not a refused or failed one.

    Such a statement can be run again at once on a fresh connection: the server is up, only the
    backend that served it is gone (terminated, or PostgreSQL restarted).
    """
    return isinstance(error, DBAPIError) and bool(error.connection_invalidated)
