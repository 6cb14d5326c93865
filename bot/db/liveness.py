"""Pooled PostgreSQL connections the server has closed are replaced at checkout, without a round trip.

SQLAlchemy's `pool_pre_ping` sends `SELECT 1` on every checkout: a round trip to PostgreSQL, and
work on both sides, several times per turn. When PostgreSQL restarts or a backend is terminated,
the server tells the client (an error message, then end of stream), so the socket of a connection
the server closed becomes readable, while an idle healthy connection has nothing to read (nothing
here uses LISTEN). `drop_closed_connections` asks the socket, with a poll that does not wait, at
each checkout; a readable one raises `DisconnectionError`, which makes the pool discard it and
connect afresh (SQLAlchemy's documented way of pessimistic disconnect handling).

A connection cut without the server saying so (a host that vanished from the network) is not
noticed before it is used; neither is it by `SELECT 1` before its own timeout.
"""

from __future__ import annotations

import select
from typing import Any

from sqlalchemy import event, exc
from sqlalchemy.engine import Engine


def drop_closed_connections(engine: Engine) -> Engine:
    """Check every PostgreSQL connection `engine` hands out (other databases: unchanged); returns it."""
    if engine.dialect.name == "postgresql":
        event.listen(engine, "checkout", _refuse_if_closed)
    return engine


def closed_by_server(dbapi_connection: Any) -> bool:
    """True when the server closed this idle connection, or sent something nobody asked for."""
    if getattr(dbapi_connection, "closed", 0):
        return True
    try:
        descriptor = dbapi_connection.fileno()
    except Exception:  # noqa: BLE001 - no socket to ask: it cannot be used either
        return True
    poller = select.poll()
    poller.register(descriptor, select.POLLIN | select.POLLPRI)
    return bool(poller.poll(0))


def _refuse_if_closed(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
    if closed_by_server(dbapi_connection):
        raise exc.DisconnectionError("the database closed this connection")
