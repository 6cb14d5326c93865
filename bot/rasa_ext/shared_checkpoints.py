"""Bounded-history checkpoints shared by every Rasa worker: one row per conversation beside Rasa's `events`.

A worker that makes a checkpoint writes it here (`store`: an upsert that only moves forward);
a worker without one of its own reads it together with the events after it in one statement
(`read_with_tail`), so no turn issues a query it did not issue before. A checkpoint is used only
while the event it was made at (its *anchor*: id and timestamp) is still stored: a conversation
deleted by `bot.retention` (which deletes its row too) or replaced by a new one never gets an old
state back, even from a row a worker wrote while retention was deleting.
"""

from __future__ import annotations

import contextlib
import json
import logging
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Column,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    and_,
    cast,
    delete,
    func,
    inspect,
    literal_column,
    null,
    or_,
    select,
    union_all,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.sql import Select

logger = logging.getLogger(__name__)

SHARED_DIALECTS = frozenset({"sqlite", "postgresql"})
"""Databases with an upsert (`ON CONFLICT`); on others checkpoints stay in each worker's memory."""

CHECKPOINTS = Table(
    "tracker_checkpoints",
    MetaData(),
    Column("sender_id", String(255), primary_key=True),
    Column("last_id", Integer, nullable=False),
    Column("last_timestamp", Float),
    Column("events", Text, nullable=False),
)
"""The newest checkpoint of each conversation: the state after event `last_id`, as JSON events."""

Row = tuple[int, str, "float | None", dict[str, Any]]
"""(id, type_name, timestamp, event as a dict) of one stored event."""


@dataclass(frozen=True)
class Checkpoint:
    """The dialogue state after stored event `last_id` (stamped `last_timestamp`), as events that recreate it."""

    last_id: int
    last_timestamp: float | None
    events: list[dict[str, Any]]

    def anchored_by(self, row: Row | None) -> bool:
        """Tell whether `row` is the event this checkpoint was made at (still stored, not a reused id)."""
        return row is not None and row[0] == self.last_id and row[2] == self.last_timestamp


CREATE_ATTEMPTS = 5
CREATE_PAUSE_S = 0.1


def create_table(engine: Engine) -> bool:
    """Create the table when it is missing, as Rasa creates `events`; tell whether it is there.

    Not an Alembic migration of the bot's database: the table lives in the tracker store's
    database (TRACKER_STORE_URL), which may be another database than DATABASE_URL, and whose
    other table Rasa itself creates at start-up in the same way. Its rows are a cache that
    can be dropped at any time, so a later change of shape can drop and recreate it.
    """
    if engine.dialect.name not in SHARED_DIALECTS:
        return False
    for attempt in range(1, CREATE_ATTEMPTS + 1):
        try:
            CHECKPOINTS.create(engine, checkfirst=True)
            return True
        except SQLAlchemyError:
            # Several workers starting at once race to create it (one wins), and a new SQLite
            # connection may find the file locked by another's first write: look, then try again.
            with contextlib.suppress(SQLAlchemyError):
                if inspect(engine).has_table(CHECKPOINTS.name):
                    return True
            if attempt == CREATE_ATTEMPTS:
                logger.exception("could not create the shared checkpoints table; checkpoints stay per worker")
            else:
                time.sleep(CREATE_PAUSE_S * attempt)
    return False


def store(session: Any, sender_id: str, checkpoint: Checkpoint) -> bool:
    """Write the checkpoint unless a newer one (a later anchor) is stored; tell whether it was written."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(CHECKPOINTS).values(
        sender_id=sender_id,
        last_id=checkpoint.last_id,
        last_timestamp=checkpoint.last_timestamp,
        events=json.dumps(checkpoint.events),
    )
    statement = statement.on_conflict_do_update(
        index_elements=[CHECKPOINTS.c.sender_id],
        set_={
            "last_id": statement.excluded.last_id,
            "last_timestamp": statement.excluded.last_timestamp,
            "events": statement.excluded.events,
        },
        where=CHECKPOINTS.c.last_id < statement.excluded.last_id,
    )
    return bool(session.execute(statement).rowcount)


def discard(session: Any, sender_id: str, checkpoint: Checkpoint) -> None:
    """Delete this (stale) checkpoint of the conversation, unless a worker has replaced it meanwhile."""
    session.execute(
        delete(CHECKPOINTS).where(
            CHECKPOINTS.c.sender_id == sender_id, CHECKPOINTS.c.last_id == checkpoint.last_id
        )
    )


def read_with_tail(session: Any, events: Table, sender_id: str) -> tuple[Checkpoint | None, list[Row]]:
    """The shared checkpoint and the current session's events after it, in one statement.

    Without a checkpoint, the rows are the whole current session (as Rasa reads it). With one,
    they start at its anchor, which is checked and left out. A checkpoint whose anchor is not
    among them (the conversation was deleted, or a new session began after it) is deleted and
    the session read in full (a second statement, once).
    """
    anchor = select(CHECKPOINTS.c.last_id).where(CHECKPOINTS.c.sender_id == sender_id).scalar_subquery()
    shared = select(
        literal_column("0").label("kind"),
        CHECKPOINTS.c.last_id.label("id"),
        cast(null(), String).label("type_name"),
        CHECKPOINTS.c.last_timestamp.label("timestamp"),
        CHECKPOINTS.c.events.label("data"),
    ).where(CHECKPOINTS.c.sender_id == sender_id)
    query = union_all(shared, _session_events(events, sender_id, func.coalesce(anchor, 0)))
    checkpoint: Checkpoint | None = None
    rows: list[Row] = []
    for kind, row_id, type_name, timestamp, data in session.execute(
        query.order_by(literal_column("kind"), literal_column("id"))
    ):
        if kind == 0:
            checkpoint = Checkpoint(row_id, timestamp, json.loads(data))
        else:
            rows.append((row_id, type_name, timestamp, json.loads(data)))
    if checkpoint is None:
        return None, rows
    if checkpoint.anchored_by(rows[0] if rows else None):
        return checkpoint, rows[1:]
    discard(session, sender_id, checkpoint)
    session.commit()
    whole = _session_events(events, sender_id, 0).order_by(literal_column("id"))
    return None, [
        (row_id, type_name, timestamp, json.loads(data))
        for _, row_id, type_name, timestamp, data in session.execute(whole)
    ]


def _session_events(events: Table, sender_id: str, from_id: Any) -> Select:
    """The current session's events from id `from_id` on (Rasa's session rule: since the latest start).

    The session start is a scalar subquery, computed once; Rasa's own query joins it as a derived
    table, which PostgreSQL without statistics on `events` runs once per row.
    """
    session_start = (
        select(func.max(events.c.timestamp))
        .where(events.c.sender_id == sender_id, events.c.type_name == "session_started")
        .scalar_subquery()
    )
    return select(
        literal_column("1").label("kind"),
        events.c.id,
        events.c.type_name,
        events.c.timestamp,
        events.c.data,
    ).where(
        and_(
            events.c.sender_id == sender_id,
            or_(events.c.timestamp >= session_start, session_start.is_(None)),
            events.c.id >= from_id,
        )
    )
