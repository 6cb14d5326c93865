"""A PostgreSQL backend terminated mid-read or mid-save costs no turn; a database down for good starts none."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
from rasa.core.tracker_store import FailSafeTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, UserUttered
from sqlalchemy import event, text
from sqlalchemy.engine import Engine

from bot.errors import StorageUnavailable
from bot.rasa_ext.rest_channel import run_turn
from bot.rasa_ext.tracker_store import UrlSQLTrackerStore, refuse_turns_without_history
from tests.support.databases import postgres_unavailable
from tests.support.private_stack import PrivatePostgres

pytestmark = pytest.mark.postgres

SENDER = "rest:fault"


@pytest.fixture
def database() -> Iterator[PrivatePostgres]:
    if reason := postgres_unavailable():
        pytest.fail(reason)
    private = PrivatePostgres().create()
    try:
        yield private
    finally:
        private.drop()


@pytest.fixture
def store(database: PrivatePostgres) -> Iterator[UrlSQLTrackerStore]:
    refuse_turns_without_history()  # as bot.rasa_server installs it
    tracker_store = UrlSQLTrackerStore(domain=Domain.empty(), host=database.tracker_url)
    yield tracker_store
    tracker_store.engine.dispose()


@pytest.fixture
def admin(database: PrivatePostgres) -> Iterator[Engine]:
    engine = database.engine(database.tracker_url)
    yield engine
    engine.dispose()


def _stored(admin: Engine) -> list[dict[str, Any]]:
    with admin.connect() as connection:
        rows = connection.execute(
            text("SELECT data FROM events WHERE sender_id = :s ORDER BY id"), {"s": SENDER}
        )
        return [json.loads(row[0]) for row in rows]


def _user_texts(events: list[Any]) -> list[str]:
    return [e.text if isinstance(e, UserUttered) else e["text"] for e in events if _is(e, "user")]


def _is(event: Any, name: str) -> bool:
    return (event.type_name if hasattr(event, "type_name") else event["event"]) == name


def _kill_once(store: UrlSQLTrackerStore, admin: Engine, statement_start: str) -> list[int]:
    """Terminate the store's own backend just before its first statement starting so runs."""
    killed: list[int] = []

    def before(conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if killed or not statement.lstrip().upper().startswith(statement_start):
            return
        pid = conn.connection.dbapi_connection.get_backend_pid()
        with admin.connect() as connection:
            connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            for _ in range(200):  # until the backend is gone: the statement meets a dead connection
                gone = connection.execute(
                    text("SELECT count(*) FROM pg_stat_activity WHERE pid = :pid"), {"pid": pid}
                ).scalar_one()
                if not gone:
                    break
                time.sleep(0.01)
        killed.append(pid)

    event.listen(store.engine, "before_cursor_execute", before)
    return killed


async def _first_turn(rasa_view: FailSafeTrackerStore) -> None:
    tracker = await rasa_view.get_or_create_tracker(SENDER)
    for new in (
        ActionExecuted("action_session_start"),
        SessionStarted(),
        ActionExecuted("action_listen"),
        UserUttered("查询 RZ202611200001"),
        BotUttered("请输入统一社会信用代码的后6位"),
        ActionExecuted("action_listen"),
    ):
        tracker.update(new)
    await rasa_view.save(tracker)


async def test_a_backend_killed_mid_read_is_retried_and_the_history_kept(
    store: UrlSQLTrackerStore, admin: Engine
) -> None:
    rasa_view = FailSafeTrackerStore(store)  # what Rasa wraps every tracker store in
    await _first_turn(rasa_view)
    expected = [e.as_dict() for e in (await rasa_view.retrieve(SENDER)).events]  # type: ignore[union-attr]

    killed = _kill_once(store, admin, "SELECT")
    tracker = await rasa_view.get_or_create_tracker(SENDER)

    assert killed and store.retried == 1 and store.health()["failed_reads"] == 0
    assert [e.as_dict() for e in tracker.events] == expected  # the same as without the fault
    tracker.update(UserUttered("C344"))
    await rasa_view.save(tracker)
    stored = _stored(admin)
    assert _user_texts(stored) == ["查询 RZ202611200001", "C344"]
    assert sum(_is(e, "session_started") for e in stored) == 1  # no new session


async def test_a_backend_killed_mid_save_is_retried_and_each_event_written_once(
    store: UrlSQLTrackerStore, admin: Engine
) -> None:
    rasa_view = FailSafeTrackerStore(store)
    await _first_turn(rasa_view)
    before = _stored(admin)
    tracker = await rasa_view.get_or_create_tracker(SENDER)
    tracker.update(UserUttered("C344"))
    tracker.update(BotUttered("初审中"))

    killed = _kill_once(store, admin, "INSERT")
    await rasa_view.save(tracker)

    assert killed and store.retried == 1 and not store.not_stored(SENDER)
    stored = _stored(admin)
    assert _user_texts(stored) == ["查询 RZ202611200001", "C344"]
    assert stored == before + [e.as_dict() for e in list(tracker.events)[-2:]]  # each once, in order


async def test_database_down_for_good_refuses_the_turn_and_writes_no_session_start(
    store: UrlSQLTrackerStore, admin: Engine, database: PrivatePostgres
) -> None:
    rasa_view = FailSafeTrackerStore(store)
    await _first_turn(rasa_view)
    before = _stored(admin)

    async def turn(_message: Any) -> None:  # a Rasa turn begins by reading (or creating) the tracker
        tracker = await rasa_view.get_or_create_tracker(SENDER)
        tracker.update(ActionExecuted("action_session_start"))
        await rasa_view.save(tracker)

    database.block()
    try:
        with pytest.raises(StorageUnavailable):
            await rasa_view.get_or_create_tracker(SENDER)
        reply = await run_turn(turn, None, "REST")  # type: ignore[arg-type]
    finally:
        database.unblock()

    assert reply == "utter_storage_unavailable"  # the channel answers with the storage apology
    assert _stored(admin) == before  # nothing of the refused turns was written
    assert store.health()["failed_reads"] == 2


async def test_a_save_that_fails_for_good_is_dropped_and_told_not_written_later(
    store: UrlSQLTrackerStore, admin: Engine, database: PrivatePostgres
) -> None:
    rasa_view = FailSafeTrackerStore(store)
    await _first_turn(rasa_view)
    tracker = await rasa_view.get_or_create_tracker(SENDER)
    tracker.update(UserUttered("这句没存上"))

    database.block()
    try:
        await rasa_view.save(tracker)
    finally:
        database.unblock()
    assert store.not_stored(SENDER) and not store.not_stored(SENDER)  # told once

    later = await rasa_view.get_or_create_tracker(SENDER)  # the next turn, on any worker
    later.update(UserUttered("下一句"))
    await rasa_view.save(later)
    assert _user_texts(_stored(admin)) == ["查询 RZ202611200001", "下一句"]  # in order, never scrambled
    assert store.health()["lost_events"] == 1
