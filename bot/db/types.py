"""Column types shared by the models: timezone-aware UTC timestamps on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

BEIJING = timezone(timedelta(hours=8), "北京时间")
"""Applicants and reviewers read and write times in Beijing time (UTC+8, no daylight saving)."""


class UtcDateTime(TypeDecorator):
    """A timestamp that is always an aware UTC `datetime` in Python.

    PostgreSQL stores `timestamp with time zone`; SQLite has no time zones, so the value is
    stored as naive UTC text (which also makes SQLite's string comparisons correct).
    Naive datetimes are refused: they are the bug this type exists to prevent.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value!r}: pass an aware (UTC) datetime")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


def utc_now() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(timezone.utc)
