"""Database failures become `bot.errors.StorageUnavailable` here, and only here (`storage_errors()`)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.exc import SQLAlchemyError

from bot.errors import StorageUnavailable


@contextmanager
def storage_errors() -> Iterator[None]:
    """Raise any SQLAlchemy error inside the block as StorageUnavailable (the original is its cause).

        with storage_errors(), sessions() as session, session.begin():
            ...

    The message is the error's class name only: a database's own message can quote the values
    of the statement (personal data) and StorageUnavailable reaches logs.
    """
    try:
        yield
    except SQLAlchemyError as error:
        raise StorageUnavailable(type(error).__name__) from error
