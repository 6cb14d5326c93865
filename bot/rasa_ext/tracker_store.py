"""Rasa's SQL tracker store on one database URL (TRACKER_STORE_URL): masked, and never losing turns silently.

- A failure while reading or writing is an ordinary exception: Rasa's own `session_scope` turns
  any `ValueError` (text the database driver cannot encode, a NUL PostgreSQL refuses) into
  `SystemExit`, which ended the whole server.
- Every string in an event is masked (bot.privacy) before it is written: the socket.io channel,
  the HTTP API and `/intent{…}` payloads bypass the REST channel's masking.
- A read or save that fails because its connection was lost (a PostgreSQL backend terminated
  mid-statement; SQLAlchemy marks the error `connection_invalidated`) is retried at once on a fresh
  connection, `CONNECTION_RETRIES` times: the server is up, only that backend is gone. A save
  retried after a commit whose answer was lost first checks whether its last event is stored.
- Rasa wraps every tracker store in a FailSafeTrackerStore: a failed read starts the conversation
  afresh (and the turn then saves a new session over its history), a failed save goes to a memory
  store that is never written. This store notices instead, logs at ERROR and counts the failure
  (`health()`, shown at `/webhooks/rest/`). A read that still fails raises StorageUnavailable, which
  `refuse_turns_without_history()` lets through the fail-safe wrapper: the turn fails, the channel
  apologises (`utter_storage_unavailable`) and nothing of it is written. A save that still fails
  drops the turn's events (ERROR, naming the conversation and the count; `not_stored()` tells the
  channel once, so the applicant is told): written later, after turns another worker stored
  meanwhile, they would scramble the history.
"""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import FailSafeTrackerStore, SQLTrackerStore, ensure_schema_exists
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import insert, select
from sqlalchemy.engine import make_url

from bot.cli import describe
from bot.db.engine import POSTGRES_CONNECT_TIMEOUT_S
from bot.db.errors import connection_lost
from bot.db.liveness import drop_closed_connections
from bot.errors import StorageUnavailable
from bot.privacy import mask_nested
from bot.rasa_ext.bounded_history import BoundedHistory

logger = logging.getLogger(__name__)

CONNECTION_RETRIES = 2
"""Further tries, each on a fresh connection, of a read or save whose connection was lost."""
_STORED = "_bot_events_stored"
"""Attribute set on a tracker: how many of its events are in SQL (or were given up on)."""

T = TypeVar("T")


class UrlSQLTrackerStore(BoundedHistory, SQLTrackerStore):
    """An SQLTrackerStore whose endpoint `url:` is an SQLAlchemy URL (SQLite file or PostgreSQL)."""

    def __init__(
        self,
        domain: Domain | None = None,
        host: str | None = None,
        event_broker: EventBroker | None = None,
        **kwargs: Any,
    ) -> None:
        if not host:
            raise ValueError("tracker_store needs `url:` (TRACKER_STORE_URL)")
        url = make_url(host)
        query: dict[str, Any] = dict(url.query)
        backend = url.get_backend_name()
        if backend == "sqlite" and url.database:
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        if backend == "postgresql":
            query.setdefault("connect_timeout", str(POSTGRES_CONNECT_TIMEOUT_S))
        super().__init__(
            domain=domain,
            dialect=url.drivername,
            host=url.host,
            port=url.port,
            db=url.database or "",
            username=url.username,
            password=url.password,
            event_broker=event_broker,
            query=query or None,
            **kwargs,
        )
        drop_closed_connections(self.engine)  # a restarted PostgreSQL costs no turn its history
        self._not_stored: set[str] = set()
        self._fresh: set[str] = set()
        """Conversations whose next tracker starts empty (nothing was found)."""
        self.failed_reads = 0
        self.failed_writes = 0
        self.lost_events = 0
        self.retried = 0
        self._last_failed = False

    @contextlib.contextmanager
    def session_scope(self) -> Iterator[Any]:
        """A session on the store's database; errors propagate as they are (never `SystemExit`)."""
        session = self.sessionmaker()
        try:
            ensure_schema_exists(session)
            yield session
        finally:
            session.close()

    async def _with_retries(self, work: Callable[[int], Any]) -> Any:
        """Run `await work(attempt)`; again on a fresh connection when its connection was lost."""
        for attempt in range(CONNECTION_RETRIES + 1):
            try:
                return await work(attempt)
            except Exception as error:
                if attempt == CONNECTION_RETRIES or not connection_lost(error):
                    raise
                self.retried += 1
                logger.warning("conversation store: connection lost (%s); trying again", describe(error))
        raise AssertionError("unreachable")  # pragma: no cover

    # --- health -----------------------------------------------------------------------------------

    def not_stored(self, sender_id: str) -> bool:
        """Tell (once) whether this conversation's last turn could not be stored."""
        if sender_id in self._not_stored:
            self._not_stored.discard(sender_id)
            return True
        return False

    def health(self) -> dict[str, Any]:
        """Counters for monitoring; `status` is "degraded" while the last database call failed."""
        return {
            "status": "degraded" if self._last_failed else "ok",
            "failed_reads": self.failed_reads,
            "failed_writes": self.failed_writes,
            "lost_events": self.lost_events,
            "retried": self.retried,
        }

    # --- reading ----------------------------------------------------------------------------------

    async def _retrieve(
        self, sender_id: str, fetch_events_from_all_sessions: bool
    ) -> DialogueStateTracker | None:
        async def read(_attempt: int) -> DialogueStateTracker | None:
            return await super(UrlSQLTrackerStore, self)._retrieve(sender_id, fetch_events_from_all_sessions)

        try:
            tracker: DialogueStateTracker | None = await self._with_retries(read)
        except Exception as error:
            self.failed_reads += 1
            self._last_failed = True
            logger.error(
                "conversation store unreachable: could not read a conversation (%s); "
                "the turn is refused and nothing of it is written",
                describe(error),
            )
            raise StorageUnavailable("the conversation could not be read") from error
        self._last_failed = False
        if tracker is None:
            self._fresh.add(sender_id)
        elif not fetch_events_from_all_sessions:
            setattr(tracker, _STORED, len(tracker.events))
        return tracker

    # --- writing ----------------------------------------------------------------------------------

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Write the events not yet stored (masked); drop them, logged, when the database fails."""
        sender_id = tracker.sender_id
        stored: int | None = getattr(tracker, _STORED, None)
        if stored is None and sender_id in self._fresh:
            stored = 0
        await self.stream_events(tracker)
        events = list(tracker.events)

        async def write(attempt: int) -> None:
            with self.session_scope() as session:
                if stored is None:  # not read through this store: count what SQL holds, as Rasa does
                    new = list(self._additional_events(session, tracker))
                else:
                    new = events[stored:]
                rows = [mask_nested(event.as_dict()) for event in new]
                if attempt and rows and self._is_stored(session, sender_id, rows[-1]):
                    return  # the lost connection's commit had gone through
                self._add_rows(session, sender_id, rows)
                session.commit()

        try:
            await self._with_retries(write)
        except Exception as error:  # noqa: BLE001 - whatever failed, the loss is logged and told
            dropped = len(events) - (stored or 0)
            self.failed_writes += 1
            self.lost_events += dropped
            self._last_failed = True
            self._not_stored.add(sender_id)
            self._fresh.discard(sender_id)
            setattr(tracker, _STORED, len(events))
            logger.error(
                "conversation store unreachable: could not save conversation %s (%s); %d events of "
                "this turn dropped",
                sender_id,
                describe(error),
                dropped,
            )
            return  # not raised: Rasa's fail-safe store would keep a second, never-written copy
        self._last_failed = False
        self._fresh.discard(sender_id)
        setattr(tracker, _STORED, len(events))

    def _is_stored(self, session: Any, sender_id: str, event: dict[str, Any]) -> bool:
        """Tell whether this event (same type and timestamp) is already stored for the conversation."""
        table = self.SQLEvent.__table__
        found = session.execute(
            select(table.c.id)
            .where(
                table.c.sender_id == sender_id,
                table.c.type_name == event.get("event"),
                table.c.timestamp == event.get("timestamp"),
            )
            .limit(1)
        ).first()
        return found is not None

    def _add_rows(self, session: Any, sender_id: str, events: list[dict[str, Any]]) -> None:
        """Insert the events in one statement (no ORM objects: nothing reads them back)."""
        rows = []
        for data in events:
            intent = (data.get("parse_data") or {}).get("intent") or {}
            rows.append(
                {
                    "sender_id": sender_id,
                    "type_name": data.get("event"),
                    "timestamp": data.get("timestamp"),
                    "intent_name": intent.get("name"),
                    "action_name": data.get("name"),
                    "data": json.dumps(data),
                }
            )
        if rows:
            session.execute(insert(self.SQLEvent.__table__), rows)


def refuse_turns_without_history() -> None:
    """Let StorageUnavailable from a read through Rasa's FailSafeTrackerStore (idempotent).

    The wrapper answers a failed read with None, and Rasa then starts a new session and saves it
    over the conversation's history. Other errors keep Rasa's handling.
    """
    original = FailSafeTrackerStore.on_tracker_store_retrieve_error
    if getattr(original, "_bot_refuses", False):
        return

    def on_retrieve_error(self: FailSafeTrackerStore, error: Exception) -> None:
        if isinstance(error, StorageUnavailable):
            raise error
        original(self, error)

    on_retrieve_error._bot_refuses = True  # type: ignore[attr-defined]
    FailSafeTrackerStore.on_tracker_store_retrieve_error = on_retrieve_error  # type: ignore[method-assign]
