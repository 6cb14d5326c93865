"""Rasa's SQL tracker store configured by one database URL (TRACKER_STORE_URL)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from sqlalchemy.engine import make_url

from bot.db.engine import POSTGRES_CONNECT_TIMEOUT_S


class UrlSQLTrackerStore(SQLTrackerStore):
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
