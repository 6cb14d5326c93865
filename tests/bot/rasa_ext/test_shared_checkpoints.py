"""Checkpoints shared by every worker: a cold worker reads only the tail, with the same state; never backwards."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    ConversationResumed,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import event as sa_event
from sqlalchemy import func, select

from bot.rasa_ext.bounded_history import DEFAULT_MAX_TURNS, state_events
from bot.rasa_ext.shared_checkpoints import CHECKPOINTS, Checkpoint
from bot.rasa_ext.tracker_store import UrlSQLTrackerStore
from tests.support.databases import unmigrated_database_url  # noqa: F401 - the fixture
from tests.support.long_conversation import DOMAIN, SENDER, faq_turn, long_conversation, take_turn

Worker = Callable[[], UrlSQLTrackerStore]


@pytest.fixture
def worker(unmigrated_database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Worker]:  # noqa: F811
    """Start a new Rasa worker's tracker store on the one tracker database (SQLite file or PostgreSQL)."""
    monkeypatch.setenv("TRACKER_MAX_TURNS", str(DEFAULT_MAX_TURNS))
    started: list[UrlSQLTrackerStore] = []

    def start() -> UrlSQLTrackerStore:
        started.append(UrlSQLTrackerStore(DOMAIN, host=unmigrated_database_url))
        return started[-1]

    yield start
    for store in started:
        store.engine.dispose()


@contextmanager
def counted_selects(store: UrlSQLTrackerStore) -> Iterator[list[str]]:
    """Collect the SELECT statements the store sends while the block runs."""
    statements: list[str] = []

    def collect(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append(statement)

    sa_event.listen(store.engine, "before_cursor_execute", collect)
    try:
        yield statements
    finally:
        sa_event.remove(store.engine, "before_cursor_execute", collect)


def assert_same_state(bounded: DialogueStateTracker, full: DialogueStateTracker) -> None:
    """What the next prediction depends on: slots, form, pause, session start and the last message."""
    assert bounded.current_slot_values() == full.current_slot_values()
    assert bounded.active_loop_name == full.active_loop_name
    assert bounded.is_active_loop_interrupted == full.is_active_loop_interrupted
    assert bounded.is_paused() == full.is_paused()
    assert bounded.latest_message.text == full.latest_message.text
    starts = [[e.timestamp for e in t.events if isinstance(e, SessionStarted)][-1:] for t in (bounded, full)]
    assert starts[0] == starts[1]


def shared_last_id(store: UrlSQLTrackerStore) -> int | None:
    with store.session_scope() as session:
        return session.scalar(select(CHECKPOINTS.c.last_id).where(CHECKPOINTS.c.sender_id == SENDER))


async def test_a_cold_worker_reads_the_shared_checkpoint_and_the_tail_in_one_query(worker: Worker) -> None:
    first = worker()
    await long_conversation(first, 60)
    session_rows = len((await first.retrieve_full_tracker(SENDER)).events)

    cold = worker()  # restarted, or a conversation new to this worker
    with counted_selects(cold) as selects:
        bounded = await cold.retrieve(SENDER)

    assert len(selects) == 1
    assert cold.rows_read <= 5 * DEFAULT_MAX_TURNS < session_rows / 4
    assert sum(isinstance(e, UserUttered) for e in bounded.events) <= DEFAULT_MAX_TURNS
    full = await cold.retrieve_full_tracker(SENDER)
    assert_same_state(bounded, full)
    assert bounded.current_slot_values()["application_id"] == "RZ202611200001"
    assert bounded.active_loop_name == "status_lookup_form" and bounded.is_paused()


async def test_a_turn_on_a_cold_worker_ends_as_on_the_full_tracker(worker: Worker) -> None:
    first = worker()
    await long_conversation(first, 40)

    after_turn = await take_turn(
        worker(),
        [
            ConversationResumed(),
            UserUttered("B2C344", {"name": "inform", "confidence": 0.9}),
            ActionExecuted("status_lookup_form"),
            SlotSet("credit_code_suffix", "B2C344"),
            SlotSet("requested_slot", None),
            ActiveLoop(None),
            ActionExecuted("action_listen"),
        ],
    )

    full = await first.retrieve_full_tracker(SENDER)
    assert_same_state(after_turn, full)
    assert not full.is_paused() and full.active_loop_name is None
    assert full.current_slot_values()["credit_code_suffix"] == "B2C344"
    assert [e.text for e in full.events if isinstance(e, UserUttered)][-1] == "B2C344"
    assert sum(isinstance(e, UserUttered) for e in full.events) == 41  # stored once, nothing lost
    assert_same_state(await worker().retrieve(SENDER), full)  # and the next cold worker agrees


async def test_no_turn_costs_a_query_more(worker: Worker) -> None:
    writer = worker()
    for n in range(3):
        await take_turn(writer, faq_turn(f"short {n}"), sender="short")
    await long_conversation(writer, 30)

    for store, sender in ((worker(), "short"), (writer, SENDER), (worker(), SENDER)):
        with counted_selects(store) as selects:
            assert await store.retrieve(sender) is not None
        assert len(selects) == 1  # cold short conversation, warm worker, cold worker with a shared one


def checkpoints_of(full: DialogueStateTracker, rows: list[tuple[int, float]]) -> list[Checkpoint]:
    """A real checkpoint before every user message that follows action_listen, oldest first."""
    events = [e.as_dict() for e in full.events]
    return [
        Checkpoint(rows[i - 1][0], rows[i - 1][1], state_events(SENDER, events[:i], DOMAIN.slots))
        for i in range(2, len(events))
        if events[i]["event"] == "user" and events[i - 1].get("name") == "action_listen"
    ]


async def test_two_workers_racing_keep_the_newest_checkpoint(
    worker: Worker, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRACKER_MAX_TURNS", "0")
    await long_conversation(worker(), 80)  # written without checkpoints
    monkeypatch.setenv("TRACKER_MAX_TURNS", str(DEFAULT_MAX_TURNS))
    one, two = worker(), worker()
    full = await one.retrieve_full_tracker(SENDER)
    with one.session_scope() as session:
        table = one.SQLEvent
        rows = [tuple(r) for r in session.execute(select(table.id, table.timestamp).order_by(table.id))]
    candidates = checkpoints_of(full, rows)[:-DEFAULT_MAX_TURNS]  # leave a tail after the newest
    start = threading.Barrier(2)

    def share(store: UrlSQLTrackerStore, mine: list[Checkpoint]) -> None:
        start.wait()
        for checkpoint in mine:
            with store.session_scope() as session:
                store.keep_checkpoint(session, SENDER, checkpoint)

    racers = [
        threading.Thread(target=share, args=(one, candidates[0::2])),
        threading.Thread(target=share, args=(two, candidates[1::2])),
    ]
    for racer in racers:
        racer.start()
    for racer in racers:
        racer.join()

    newest = candidates[-1]
    assert shared_last_id(one) == newest.last_id  # whichever write landed last
    with two.session_scope() as session:  # a late write of an older one changes nothing ...
        two.keep_checkpoint(session, SENDER, candidates[0])
    assert shared_last_id(one) == newest.last_id
    before = two.rows_read
    assert_same_state(await two.retrieve(SENDER), full)
    tail = sum(1 for row in rows if row[0] > newest.last_id)
    assert two.rows_read - before == tail  # ... it reads the newest
    assert_same_state(await one.retrieve(SENDER), full)  # from its own or the newest: the same turn


async def test_a_new_session_after_a_shared_checkpoint_starts_clean(worker: Worker) -> None:
    first = worker()
    await long_conversation(first, 30)
    await take_turn(
        first, [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")]
    )
    await take_turn(first, faq_turn("after the break"))

    tracker = await worker().retrieve(SENDER)

    assert [e.text for e in tracker.events if isinstance(e, UserUttered)] == ["after the break"]
    assert tracker.current_slot_values()["application_id"] is None
    assert not tracker.is_paused()
    assert shared_last_id(first) is None  # the old session's checkpoint went with its first cold read


async def test_an_older_checkpoint_of_this_worker_still_gives_the_same_turn(worker: Worker) -> None:
    one, two = worker(), worker()
    await long_conversation(one, 30)  # `one` keeps its checkpoint
    for n in range(30):  # the conversation goes on at another worker, which shares newer ones
        await take_turn(two, faq_turn(f"elsewhere {n}"))

    with counted_selects(one) as selects:
        tracker = await one.retrieve(SENDER)

    assert len(selects) == 1
    assert_same_state(tracker, await one.retrieve_full_tracker(SENDER))
    assert tracker.current_slot_values()["application_id"] == "RZ202611200001"


def test_a_worker_started_while_another_creates_the_table_shares_too(worker: Worker) -> None:
    stores: list[UrlSQLTrackerStore] = []
    threads = [threading.Thread(target=lambda: stores.append(worker())) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(stores) == 3 and all(store._shared for store in stores)
    with stores[0].session_scope() as session:
        assert session.scalar(select(func.count()).select_from(CHECKPOINTS)) == 0
