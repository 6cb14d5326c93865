"""An aiohttp server on 127.0.0.1 running in its own thread and event loop, for test fakes."""

from __future__ import annotations

import asyncio
import threading
from typing import TypeVar

from aiohttp import web
from typing_extensions import Self

Server = TypeVar("Server", bound="ThreadedServer")


class ThreadedServer:
    """Serves `build_app()` on a free port; subclasses add the routes and their state."""

    def __init__(self, name: str) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True, name=name)
        self._runner: web.AppRunner | None = None
        self.port = 0

    async def build_app(self) -> web.Application:
        """The application to serve (runs on the server's own loop)."""
        raise NotImplementedError

    def start(self) -> Self:
        """Start serving on a free port."""
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(10)
        return self

    async def _start(self) -> None:
        self._runner = web.AppRunner(await self.build_app(), handle_signals=False, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    def stop(self) -> None:
        """Stop serving (pending requests, such as a long poll, are cancelled)."""
        asyncio.run_coroutine_threadsafe(self._shutdown(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)

    async def _shutdown(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
        current = asyncio.current_task()
        pending = [task for task in asyncio.all_tasks() if task is not current]
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
