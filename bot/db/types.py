"""Column types shared by the models: aware UTC timestamps, row ids, enums stored as their values."""

from __future__ import annotations

import enum
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import BigInteger, DateTime, Enum, Integer
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

BEIJING = timezone(timedelta(hours=8), "北京时间")
"""Applicants and reviewers read and write times in Beijing time (UTC+8, no daylight saving)."""


BigId = BigInteger().with_variant(Integer, "sqlite")
"""A row id: BIGINT on PostgreSQL; plain INTEGER on SQLite, where only that is an auto-incrementing rowid."""


def value_enum(enum_class: type[enum.Enum], *, length: int, check: str | None = None) -> Enum:
    """A VARCHAR(length) holding the enum's values (not its names); a CHECK constraint named `check`.

    Python sees members of `enum_class`; the database sees their values, so a column of plain
    strings becomes an enum column without a data migration (and without `check`, without a
    schema change either).
    """
    return Enum(
        enum_class,
        name=check,
        native_enum=False,
        create_constraint=check is not None,
        length=length,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )


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
