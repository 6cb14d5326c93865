"""The gateway's database access: run a query function in a worker thread inside one transaction.

A transaction whose connection was cut before it committed (PostgreSQL restarted, the backend
terminated) rolled back on the server: it is run again on a fresh connection, up to
RECONNECT_ATTEMPTS times. A cut during the commit itself is not retried there (it may have
committed); `run_retrying` retries any failure, for functions that may safely run twice.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Concatenate, ParamSpec, TypeVar

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.db.engine import make_engine, make_session_factory
from bot.db.errors import connection_lost, storage_errors
from bot.errors import StorageUnavailable

DATABASE_THREADS = 16
"""Chats are served concurrently; each turn does a few short queries in these threads."""
RECONNECT_ATTEMPTS = 3
IDEMPOTENT_ATTEMPTS = 5
FIRST_RETRY_PAUSE_S = 0.1

P = ParamSpec("P")
T = TypeVar("T")


class Store:
    """Sessions on one database; `await store.run(fn, *args)` calls `fn(session, *args)` in a transaction."""

    def __init__(self, url: str, *, threads: int = DATABASE_THREADS) -> None:
        self._engine: Engine = make_engine(url)
        self._sessions = make_session_factory(self._engine)
        self._executor = ThreadPoolExecutor(threads, thread_name_prefix="db")

    def call(self, fn: Callable[Concatenate[Session, P], T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run `fn` in a transaction in this thread (again if its connection was cut before the commit);
        database errors become StorageUnavailable."""
        attempt = 1
        while True:
            with storage_errors(), self._sessions() as session:
                transaction = session.begin()
                try:
                    result = fn(session, *args, **kwargs)
                    session.flush()
                except BaseException as error:
                    transaction.rollback()
                    if not connection_lost(error) or attempt == RECONNECT_ATTEMPTS:
                        raise
                    attempt += 1
                    continue
                transaction.commit()
                return result

    async def run(self, fn: Callable[Concatenate[Session, P], T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run `fn` in a transaction in a worker thread."""
        call = functools.partial(self.call, fn, *args, **kwargs)
        return await asyncio.get_running_loop().run_in_executor(self._executor, call)

    async def run_retrying(
        self, fn: Callable[Concatenate[Session, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """`run`, retried with growing pauses on StorageUnavailable; only for `fn` that may run twice."""
        pause = FIRST_RETRY_PAUSE_S
        for _ in range(IDEMPOTENT_ATTEMPTS - 1):
            try:
                return await self.run(fn, *args, **kwargs)
            except StorageUnavailable:
                await asyncio.sleep(pause)
                pause *= 2
        return await self.run(fn, *args, **kwargs)

    def dispose(self) -> None:
        """Close the connection pool and the worker threads."""
        self._executor.shutdown(wait=False)
        self._engine.dispose()
