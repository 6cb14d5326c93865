"""Timestamps come back as aware UTC datetimes on both databases; naive ones are refused."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy.exc import StatementError
from sqlalchemy.orm import Session, sessionmaker

from bot.db import queries
from bot.db.types import BEIJING


def test_a_beijing_time_is_stored_as_utc_and_read_back_aware(sessions: sessionmaker[Session]) -> None:
    moment = datetime(2026, 11, 20, 10, 12, tzinfo=BEIJING)
    with sessions() as session, session.begin():
        queries.add_attempt(
            session, sender_id="s", application_id="RZ000000000000", succeeded=False, at=moment
        )

    with sessions() as session:
        (attempt,) = queries.recent_attempts(session, "s", since=moment - timedelta(seconds=1))

    assert attempt.attempted_at == moment
    assert attempt.attempted_at.tzinfo == timezone.utc
    assert attempt.attempted_at.hour == 2


def test_a_naive_datetime_is_refused(sessions: sessionmaker[Session]) -> None:
    with pytest.raises(StatementError, match="naive datetime"), sessions() as session, session.begin():
        queries.add_attempt(
            session,
            sender_id="s",
            application_id="RZ000000000000",
            succeeded=False,
            at=datetime(2026, 1, 1),
        )
