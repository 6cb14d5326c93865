"""Rasa's SQL tracker store on one database URL (TRACKER_STORE_URL): masked, and never losing turns silently.

- A failure while reading or writing is an ordinary exception: Rasa's own `session_scope` turns
  any `ValueError` (text the database driver cannot encode, a NUL PostgreSQL refuses) into
  `SystemExit`, which ended the whole server.
- Every string in an event is masked (bot.privacy) before it is written: the socket.io channel,
  the HTTP API and `/intent{…}` payloads bypass the REST channel's masking.
- Rasa wraps every tracker store in a FailSafeTrackerStore: a failed save goes to a memory store
  that is never written back, and a failed read starts the conversation afresh. This store
  notices instead: it logs at ERROR, counts the failure (`health()`, shown at
  `/webhooks/rest/`), keeps the conversation's unsaved events (`has_unsaved()`, so the REST
  channel can tell the applicant), and writes them first when the database answers again — at
  the next read or save of that conversation. They are kept in this process's memory: a Rasa
  restart during the outage loses them (logged at ERROR when the cap is hit).
"""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SQLTrackerStore, ensure_schema_exists
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import insert
from sqlalchemy.engine import make_url

from bot.cli import describe
from bot.db.engine import POSTGRES_CONNECT_TIMEOUT_S
from bot.db.liveness import drop_closed_connections
from bot.privacy import mask_nested
from bot.rasa_ext.bounded_history import BoundedHistory

logger = logging.getLogger(__name__)

MAX_UNSAVED_EVENTS = 200_000
"""Events kept in memory while the database is unreachable; beyond this they are dropped (logged)."""
_STORED = "_bot_events_stored"
"""Attribute set on a tracker: how many of its events are in SQL or kept in memory."""


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
        self._unsaved: dict[str, list[dict[str, Any]]] = {}
        self._fresh: set[str] = set()
        """Conversations whose next tracker starts empty (nothing found, or the read failed)."""
        self.failed_reads = 0
        self.failed_writes = 0
        self.lost_events = 0
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

    # --- health -----------------------------------------------------------------------------------

    def has_unsaved(self, sender_id: str) -> bool:
        """Tell whether events of this conversation are waiting for the database."""
        return bool(self._unsaved.get(sender_id))

    def health(self) -> dict[str, Any]:
        """Counters for monitoring; `status` is "degraded" while anything waits for the database."""
        unsaved = sum(len(events) for events in self._unsaved.values())
        return {
            "status": "degraded" if unsaved or self._last_failed else "ok",
            "unsaved_events": unsaved,
            "unsaved_conversations": len(self._unsaved),
            "failed_reads": self.failed_reads,
            "failed_writes": self.failed_writes,
            "lost_events": self.lost_events,
        }

    # --- reading ----------------------------------------------------------------------------------

    async def _retrieve(
        self, sender_id: str, fetch_events_from_all_sessions: bool
    ) -> DialogueStateTracker | None:
        try:
            if sender_id in self._unsaved:
                with self.session_scope() as session:
                    self._add_rows(session, sender_id, self._unsaved[sender_id])
                    session.commit()
                kept = self._unsaved.pop(sender_id)
                logger.warning(
                    "wrote %d events of a conversation kept while the database was down", len(kept)
                )
            tracker = await super()._retrieve(sender_id, fetch_events_from_all_sessions)
        except Exception as error:
            self.failed_reads += 1
            self._last_failed = True
            self._fresh.add(sender_id)  # Rasa now starts this conversation afresh, in memory
            logger.error(
                "conversation store unreachable: could not read a conversation (%s); "
                "this turn starts without its history",
                describe(error),
            )
            raise
        self._last_failed = False
        if tracker is None:
            self._fresh.add(sender_id)
        elif not fetch_events_from_all_sessions:
            setattr(tracker, _STORED, len(tracker.events))
        return tracker

    # --- writing ----------------------------------------------------------------------------------

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Write the events not yet stored (masked); keep them for later when the database fails."""
        sender_id = tracker.sender_id
        stored: int | None = getattr(tracker, _STORED, None)
        if stored is None and sender_id in self._fresh:
            stored = 0
        await self.stream_events(tracker)
        events = list(tracker.events)
        try:
            with self.session_scope() as session:
                if stored is None:  # not read through this store: count what SQL holds, as Rasa does
                    new = list(self._additional_events(session, tracker))
                else:
                    new = events[stored:]
                self._add_rows(session, sender_id, self._unsaved.get(sender_id, []))
                self._add_rows(session, sender_id, [mask_nested(event.as_dict()) for event in new])
                session.commit()
        except Exception as error:  # noqa: BLE001 - whatever failed, the events are kept and logged
            self.failed_writes += 1
            self._last_failed = True
            self._keep(sender_id, events[stored or 0 :])
            self._fresh.discard(sender_id)
            setattr(tracker, _STORED, len(events))
            logger.error(
                "conversation store unreachable: could not save a conversation (%s); %d events kept in "
                "memory until the database answers",
                describe(error),
                len(self._unsaved.get(sender_id, [])),
            )
            return  # not raised: Rasa's fail-safe store would keep a second, never-written copy
        self._last_failed = False
        self._unsaved.pop(sender_id, None)
        self._fresh.discard(sender_id)
        setattr(tracker, _STORED, len(events))

    def _keep(self, sender_id: str, events: Iterable[Any]) -> None:
        kept = [mask_nested(event.as_dict()) for event in events]
        room = MAX_UNSAVED_EVENTS - sum(len(waiting) for waiting in self._unsaved.values())
        if len(kept) > room:
            self.lost_events += len(kept) - max(room, 0)
            logger.error(
                "%d conversation events lost: too many waiting for the database", len(kept) - max(room, 0)
            )
            kept = kept[: max(room, 0)]
        if kept:
            self._unsaved.setdefault(sender_id, []).extend(kept)

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
