"""Bounded tracker retrieval for Rasa's SQL tracker store: each turn loads a short tail of the session.

Rasa's SQLTrackerStore reads every event of the current session on every turn and replays it
(and Rasa then featurises and ships it to the action server): the 200th message of a
conversation costs several times the 10th. `BoundedHistory` keeps, per conversation, a
*checkpoint*: the dialogue state at one stored event (session start, slot values, active loop,
pause) written as the few events that recreate it — the shape of a new session whose slots were
carried over. A turn then reads only the rows stored after the checkpoint. When that tail
holds more than `max_turns` user messages, a new checkpoint is made from what was just read,
`keep_turns` user messages before the end, always just before a user message (after
`action_listen`), so rules, the fallback count and the hand-off transcript still see the
recent turns.

What stays exact: slots, the active form (with its interrupted/rejected flags), pause, the
session start and its timestamp, and everything in the kept turns. What a turn no longer sees:
events older than the checkpoint, and the trigger message of a form activated before it.
The full history is untouched in SQL (`retrieve_full_tracker` and `/conversations/…/tracker`
read it all).

Checkpoints are shared by every worker (`shared_checkpoints.py`: a table beside Rasa's `events`).
The worker that makes one keeps it in memory (an LRU: the fast path) and writes it to the table,
where a newer checkpoint is never replaced by an older one. A worker without one of its own
(restart, eviction, a conversation new to it) reads the shared one together with the rows after
it in the one statement a full read would have cost; only when none is shared does it read the
whole session. A worker's own checkpoint may be older than one another worker shared since: it
does not look (that would be a query more on every turn), the turn reads more rows after it, to
the same outcome. A checkpoint is used only while the event it was made at is still stored, so a
conversation deleted from SQL (`bot.retention`, which deletes its shared checkpoint too) is never
brought back by any worker. No turn's outcome depends on which checkpoint a worker has, if any.

`TRACKER_MAX_TURNS=0` turns bounding off.
"""

from __future__ import annotations

import json
import logging
import os
from collections import OrderedDict
from typing import Any

from rasa.shared.core.constants import ACTION_LISTEN_NAME, ACTION_SESSION_START_NAME
from rasa.shared.core.events import (
    ActionExecuted,
    ActionExecutionRejected,
    ActiveLoop,
    ConversationPaused,
    LoopInterrupted,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import event as sa_event
from sqlalchemy import pool
from sqlalchemy.exc import SQLAlchemyError

from bot.cli import describe
from bot.rasa_ext import shared_checkpoints as shared
from bot.rasa_ext.shared_checkpoints import Checkpoint, Row

logger = logging.getLogger(__name__)

MAX_TURNS_VARIABLE = "TRACKER_MAX_TURNS"
DEFAULT_MAX_TURNS = 12
"""A new checkpoint is made when the tail read holds more user messages than this ..."""
KEEP_TURNS = 6
"""... and keeps at least this many user messages after it (the hand-off transcript shows 8 lines)."""
MAX_CHECKPOINTS = 20_000
"""Conversations whose checkpoint is remembered (least recently used are forgotten)."""
SQLITE_BUSY_TIMEOUT_MS = 5000

_LOADED = "_bot_bounded_events_loaded"
"""Attribute set on a tracker read here: how many of its events came from the store."""


def max_turns_from_env(env: dict[str, str] | None = None) -> int:
    """TRACKER_MAX_TURNS (default 12; 0 turns bounding off)."""
    raw = (os.environ if env is None else env).get(MAX_TURNS_VARIABLE, "")
    try:
        return max(0, int(raw)) if raw.strip() else DEFAULT_MAX_TURNS
    except ValueError:
        raise ValueError(f"{MAX_TURNS_VARIABLE} must be a whole number, got {raw!r}") from None


def _is_listen(event: dict[str, Any]) -> bool:
    return event.get("event") == ActionExecuted.type_name and event.get("name") == ACTION_LISTEN_NAME


def choose_cut(events: list[dict[str, Any]], keep_turns: int) -> int | None:
    """Where to cut: the last user message after `action_listen` with >= `keep_turns` user messages on."""
    users = [i for i, e in enumerate(events) if e.get("event") == UserUttered.type_name]
    if len(users) < keep_turns:
        return None
    for index in reversed(users[: len(users) - keep_turns + 1]):
        if index > 0 and _is_listen(events[index - 1]):
            return index
    return None


def state_events(sender_id: str, events: list[dict[str, Any]], slots: Any) -> list[dict[str, Any]]:
    """Events that recreate the state after `events` (which end with `action_listen`)."""
    tracker = DialogueStateTracker.from_dict(sender_id, events, slots)
    stamp = events[-1].get("timestamp")
    state: list[dict[str, Any]] = []
    restart = max((i for i, e in enumerate(events) if e.get("event") == Restarted.type_name), default=-1)
    starts = [i for i, e in enumerate(events) if e.get("event") == SessionStarted.type_name and i > restart]
    if starts:
        start = starts[-1]
        before = events[start - 1] if start > 0 else {}
        if (before.get("event"), before.get("name")) == (ActionExecuted.type_name, ACTION_SESSION_START_NAME):
            state.append(before)
        state.append(events[start])
    for slot in tracker.slots.values():
        if slot.value != slot.initial_value:
            state.append(SlotSet(slot.name, slot.value, timestamp=stamp).as_dict())
    loop = tracker.active_loop_name
    if loop:
        # As the form's last run left it: a later run continues it rather than starting it anew.
        state.append(ActionExecuted(loop, timestamp=stamp).as_dict())
        state.append(ActiveLoop(loop, timestamp=stamp).as_dict())
        if tracker.is_active_loop_interrupted:
            state.append(LoopInterrupted(True, timestamp=stamp).as_dict())
        if tracker.is_active_loop_rejected:
            state.append(ActionExecutionRejected(loop, timestamp=stamp).as_dict())
    if tracker.is_paused():
        state.append(ConversationPaused(timestamp=stamp).as_dict())
    state.append(events[-1])  # action_listen
    return state


def tune_sqlite(store: Any) -> None:
    """Give an SQLite tracker store a connection pool, WAL and `synchronous=NORMAL`.

    SQLAlchemy 1.4 opens a new SQLite connection per session and Rasa keeps SQLite's default
    rollback journal with a full fsync per commit, on the event loop, twice a turn. WAL with
    NORMAL sync stays consistent after a crash; a power cut can lose the last turns.
    """
    engine = store.engine
    if engine.dialect.name != "sqlite" or engine.url.database in (None, "", ":memory:"):
        return
    from sqlalchemy import create_engine
    from sqlalchemy.orm import sessionmaker

    tuned = create_engine(
        engine.url,
        poolclass=pool.QueuePool,
        pool_size=2,
        max_overflow=8,
        connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
    )

    def pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()

    sa_event.listen(tuned, "connect", pragmas)
    engine.dispose()
    store.engine = tuned
    store.sessionmaker = sessionmaker(bind=tuned)


class BoundedHistory:
    """Mixin for an SQLTrackerStore subclass: `retrieve` reads a checkpoint plus a bounded tail.

    Put it before SQLTrackerStore in the bases; it replaces only the current-session read.
    """

    max_turns: int = DEFAULT_MAX_TURNS
    keep_turns: int = KEEP_TURNS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.max_turns = max_turns_from_env()
        self.keep_turns = min(KEEP_TURNS, self.max_turns)
        self._checkpoints: OrderedDict[str, Checkpoint] = OrderedDict()
        self.rows_read = 0
        """Event rows read by bounded reads so far (for measurements)."""
        tune_sqlite(self)
        self._shared = shared.create_table(self.engine)  # type: ignore[attr-defined]

    async def _retrieve(
        self, sender_id: str, fetch_events_from_all_sessions: bool
    ) -> DialogueStateTracker | None:
        if fetch_events_from_all_sessions or not self.max_turns:
            return await super()._retrieve(sender_id, fetch_events_from_all_sessions)  # type: ignore[misc]
        with self.session_scope() as session:  # type: ignore[attr-defined]
            checkpoint, rows = self._read_rows(session, sender_id)
            prefix = checkpoint.events if checkpoint else []
            events = [row[3] for row in rows]
            if sum(e.get("event") == UserUttered.type_name for e in events) > self.max_turns:
                cut = choose_cut(events, self.keep_turns)
                if cut is not None:
                    state = state_events(sender_id, prefix + events[:cut], self._slots())
                    anchor = rows[cut - 1]
                    checkpoint = Checkpoint(anchor[0], anchor[2], state)
                    self.keep_checkpoint(session, sender_id, checkpoint)
                    prefix, events = checkpoint.events, events[cut:]
        all_events = prefix + events
        if not (self.domain and all_events):  # type: ignore[attr-defined]
            return None
        tracker = DialogueStateTracker.from_dict(sender_id, all_events, self._slots())
        setattr(tracker, _LOADED, len(all_events))
        return tracker

    def _additional_events(self, session: Any, tracker: DialogueStateTracker) -> Any:
        """The events to append: after those read (Rasa counts SQL rows, which a bounded read is not)."""
        loaded = getattr(tracker, _LOADED, None)
        if loaded is None:
            return super()._additional_events(session, tracker)  # type: ignore[misc]
        events = list(tracker.events)
        setattr(tracker, _LOADED, len(events))  # the caller writes them now
        return events[loaded:]

    def forget_checkpoint(self, sender_id: str) -> None:
        """Drop this worker's checkpoint of a conversation (its next read takes the shared one)."""
        self._checkpoints.pop(sender_id, None)

    def _slots(self) -> Any:
        return self.domain.slots  # type: ignore[attr-defined]

    def _remember(self, sender_id: str, checkpoint: Checkpoint) -> None:
        self._checkpoints[sender_id] = checkpoint
        self._checkpoints.move_to_end(sender_id)
        while len(self._checkpoints) > MAX_CHECKPOINTS:
            self._checkpoints.popitem(last=False)

    def keep_checkpoint(self, session: Any, sender_id: str, checkpoint: Checkpoint) -> None:
        """Keep a new checkpoint in this worker and share it; a failure to share only leaves it here."""
        self._remember(sender_id, checkpoint)
        if not self._shared:
            return
        try:
            written = shared.store(session, sender_id, checkpoint)
            session.commit()
        except SQLAlchemyError as error:
            session.rollback()
            logger.warning("could not share a checkpoint (%s); it stays in this worker", describe(error))
            return
        if not written:  # another worker shared a newer one: the next turn here reads it
            self.forget_checkpoint(sender_id)

    def _read_rows(self, session: Any, sender_id: str) -> tuple[Checkpoint | None, list[Row]]:
        """This worker's checkpoint, else the shared one, else none; and the rows after it."""
        table = self.SQLEvent  # type: ignore[attr-defined]
        checkpoint = self._checkpoints.get(sender_id)
        rows: list[Row] | None = None
        if checkpoint is not None:
            self._checkpoints.move_to_end(sender_id)
            query = session.query(table).filter(table.sender_id == sender_id, table.id >= checkpoint.last_id)
            rows = self._decoded(query.order_by(table.id))
            if checkpoint.anchored_by(rows[0] if rows else None):
                rows = rows[1:]
            else:
                # Its event is gone: the conversation was deleted (bot.retention), perhaps begun
                # anew since. Never bring its state back; read what SQL holds.
                self.forget_checkpoint(sender_id)
                checkpoint, rows = None, None
        if rows is None and self._shared:
            checkpoint, rows = shared.read_with_tail(session, table.__table__, sender_id)
            if checkpoint is not None:
                self._remember(sender_id, checkpoint)
        if rows is None:
            query = self._event_query(  # type: ignore[attr-defined]
                session, sender_id, fetch_events_from_all_sessions=False
            )
            rows = self._decoded(query)
        self.rows_read += len(rows)
        starts = [row[2] for row in rows if row[1] == SessionStarted.type_name and row[2] is not None]
        if checkpoint is not None and starts:
            # A new session began after the checkpoint: as Rasa does, keep that session only.
            start = max(starts)
            rows = [row for row in rows if row[2] is not None and row[2] >= start]
            checkpoint = None
            self.forget_checkpoint(sender_id)
        return checkpoint, rows

    def _decoded(self, query: Any) -> list[Row]:
        table = self.SQLEvent  # type: ignore[attr-defined]
        return [
            (row.id, row.type_name, row.timestamp, json.loads(row.data))
            for row in query.with_entities(table.id, table.type_name, table.timestamp, table.data)
        ]
