"""A stand-in for Rasa's gateway channel that misbehaves on purpose: slow, empty or failing turns."""

from __future__ import annotations

import asyncio
from typing import Any

from aiohttp import web

from tests.support.threaded_server import ThreadedServer

SLOW = "慢慢回答"
EMPTY = "不回答"
FAIL = "出错"
SLOW_SECONDS = 2.5


class FakeRasa(ThreadedServer):
    """Answers "收到：<text>"; SLOW answers late, EMPTY answers nothing, FAIL answers HTTP 500."""

    def __init__(self) -> None:
        super().__init__("fake-rasa")
        self.received: list[dict[str, Any]] = []
        self.resumed: list[str] = []

    @property
    def url(self) -> str:
        """Where it listens."""
        return f"http://127.0.0.1:{self.port}"

    async def build_app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/webhooks/gateway/webhook", self._turn)
        app.router.add_post("/webhooks/gateway/resume", self._resume)
        return app

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

    async def _resume(self, request: web.Request) -> web.Response:
        self.resumed.append((await request.json())["sender"])
        return web.json_response({})
