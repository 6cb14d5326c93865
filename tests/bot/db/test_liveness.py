"""A PostgreSQL restart (every backend terminated) costs no request, and a healthy pool sends no pings."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg2
import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine, make_url

from bot.db.engine import make_engine
from bot.db.errors import storage_errors
from bot.errors import StorageUnavailable
from bot.rasa_ext.tracker_store import UrlSQLTrackerStore
from tests.support.databases import POSTGRES_URL, postgres_unavailable, scratch_database

pytestmark = pytest.mark.postgres


@pytest.fixture
def url(tmp_path: Path) -> Iterator[str]:
    """A scratch schema, reached under an application name of its own (to find its backends)."""
    if reason := postgres_unavailable():
        pytest.fail(reason)
    name = f"liveness-{uuid.uuid4().hex[:8]}"
    with scratch_database("postgresql", tmp_path, migrate=False) as scratch:
        yield (
            make_url(scratch)
            .update_query_dict({"application_name": name})
            .render_as_string(hide_password=False)
        )


def _restart_backends(url: str) -> None:
    """What a PostgreSQL restart does to the clients: every one of their backends is terminated."""
    admin = create_engine(POSTGRES_URL, future=True, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            ended = connection.execute(
                text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = :n"
                ),
                {"n": make_url(url).query["application_name"]},
            ).scalar_one()
    finally:
        admin.dispose()
    assert ended >= 1
    time.sleep(0.3)  # the server's goodbye reaches the client


def _statements(engine: Engine) -> list[str]:
    seen: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *args: seen.append(args[2]))
    return seen


def test_a_restarted_database_is_reconnected_to_without_a_failed_request(url: str) -> None:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            before = connection.execute(text("SELECT pg_backend_pid()")).scalar_one()

        _restart_backends(url)
        with engine.connect() as connection:
            after = connection.execute(text("SELECT pg_backend_pid()")).scalar_one()
    finally:
        engine.dispose()

    assert after != before


def test_a_healthy_pooled_connection_is_used_without_a_ping(url: str) -> None:
    engine = make_engine(url)
    try:
        assert not engine.pool._pre_ping
        seen = _statements(engine)
        for _ in range(3):
            with engine.connect() as connection:
                connection.execute(text("SELECT 1 AS answer"))
        assert seen == ["SELECT 1 AS answer"] * 3  # one statement each, nothing in between
        assert engine.pool.checkedin() == 1  # the same connection every time
    finally:
        engine.dispose()


async def test_the_conversation_store_reads_a_conversation_right_after_a_restart(url: str) -> None:
    domain = Domain.empty()
    store = UrlSQLTrackerStore(domain=domain, host=url)
    sender = f"restart-{uuid.uuid4().hex[:8]}"
    tracker = DialogueStateTracker(sender, [])
    tracker.update(ActionExecuted("action_listen"))
    tracker.update(UserUttered("认证要多久"))
    try:
        await store.save(tracker)
        _restart_backends(url)

        read = await store.retrieve(sender)
    finally:
        store.engine.dispose()

    assert read is not None and read.latest_message.text == "认证要多久"
    assert store.health()["failed_reads"] == 0


def test_the_drivers_own_error_for_an_ended_backend_is_storage_unavailable(url: str) -> None:
    """Seen under attack: SQLAlchemy let psycopg2's OperationalError through unwrapped (resetting the
    isolation level of a connection whose backend had ended, on its return to the pool), and it
    escaped as an English HTTP 500 instead of the apology."""
    engine = make_engine(url)
    try:
        raw = engine.raw_connection()
        try:
            raw.cursor().execute("SELECT 1")
            _restart_backends(url)
            with pytest.raises(StorageUnavailable) as caught, storage_errors():
                raw.cursor().execute("SELECT 1")
            assert isinstance(caught.value.__cause__, psycopg2.OperationalError)
        finally:
            raw.invalidate()
    finally:
        engine.dispose()
