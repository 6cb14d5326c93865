"""A stand-in for Rasa's REST channel that misbehaves on purpose: slow, empty or failing turns."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

from aiohttp import web

SLOW = "慢慢回答"
EMPTY = "不回答"
FAIL = "出错"
SLOW_SECONDS = 2.5


class FakeRasa:
    """Answers "收到：<text>"; SLOW answers late, EMPTY answers nothing, FAIL answers HTTP 500."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.resumed: list[str] = []
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True, name="fake-rasa")
        self._runner: web.AppRunner | None = None
        self.port = 0

    @property
    def url(self) -> str:
        """Where it listens."""
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> FakeRasa:
        """Start serving on a free port."""
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(10)
        return self

    async def _start(self) -> None:
        app = web.Application()
        app.router.add_post("/webhooks/rest/webhook", self._turn)
        app.router.add_post("/conversations/{sender}/tracker/events", self._events)
        self._runner = web.AppRunner(app, handle_signals=False, access_log=None)
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

    async def _turn(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.received.append(body)
        text = body.get("message", "")
        if text == FAIL:
            return web.json_response({"error": "boom"}, status=500)
        if text == EMPTY:
            return web.json_response([])
        if text == SLOW:
            await asyncio.sleep(SLOW_SECONDS)
        return web.json_response([{"recipient_id": body["sender"], "text": f"收到：{text}"}])

    async def _events(self, request: web.Request) -> web.Response:
        events = await request.json()
        if events and events[0].get("event") == "resume":
            self.resumed.append(request.match_info["sender"])
        return web.json_response({})
