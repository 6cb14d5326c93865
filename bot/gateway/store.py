"""The gateway's database access: run a query function in a worker thread inside one transaction."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Concatenate, ParamSpec, TypeVar

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.db.engine import make_engine, make_session_factory
from bot.db.errors import storage_errors

DATABASE_THREADS = 16
"""Chats are served concurrently; each turn does a few short queries in these threads."""

P = ParamSpec("P")
T = TypeVar("T")


class Store:
    """Sessions on one database; `await store.run(fn, *args)` calls `fn(session, *args)` in a transaction."""

    def __init__(self, url: str, *, threads: int = DATABASE_THREADS) -> None:
        self._engine: Engine = make_engine(url)
        self._sessions = make_session_factory(self._engine)
        self._executor = ThreadPoolExecutor(threads, thread_name_prefix="db")

    def call(self, fn: Callable[Concatenate[Session, P], T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run `fn` in a transaction in this thread; database errors become StorageUnavailable."""
        with storage_errors(), self._sessions() as session, session.begin():
            return fn(session, *args, **kwargs)

    async def run(self, fn: Callable[Concatenate[Session, P], T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run `fn` in a transaction in a worker thread."""
        call = functools.partial(self.call, fn, *args, **kwargs)
        return await asyncio.get_running_loop().run_in_executor(self._executor, call)

    def dispose(self) -> None:
        """Close the connection pool and the worker threads."""
        self._executor.shutdown(wait=False)
        self._engine.dispose()
