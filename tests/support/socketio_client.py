"""A socket.io client against the bot's socket.io channel, as a web chat widget uses it.

The server issues the session token (`session_confirm`); the client presents it again on
reconnect and with every message, as rasa-webchat does.
"""

from __future__ import annotations

import asyncio
from typing import Any

import socketio

TURN_TIMEOUT_S = 30.0
QUIET_S = 0.5
"""After the first bot message of a turn, wait this long for the rest of the turn's messages."""


class WebChat:
    """One browser tab: connect, get (or resume) a session, send messages, collect bot messages."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.client = socketio.AsyncClient()
        self.received: list[dict[str, Any]] = []
        self.queued: list[dict[str, Any]] = []
        """`web_message` events (an agent's reply, a notice): acknowledged, as the chat page does."""
        self.errors: list[Any] = []
        self.token: str | None = None
        self._confirmed = asyncio.Event()
        self.client.on("bot_uttered", self.received.append)
        self.client.on("error", self.errors.append)
        self.client.on("session_confirm", self._on_confirm)
        self.client.on("web_message", self._on_web_message)

    async def _on_web_message(self, message: Any) -> bool:
        self.queued.append(message)
        return True  # the ack

    async def _on_confirm(self, token: Any) -> None:
        self.token = token
        self._confirmed.set()

    async def connect(self, token: Any = None, *, request: Any = ...) -> str | None:
        """Connect and send `session_request` (with `token`, or `request` as the raw payload)."""
        # polling: engineio's websocket transport needs a newer aiohttp than Rasa 3.6 pins
        await self.client.connect(self.url, socketio_path="/socket.io", transports=["polling"])
        self._confirmed.clear()
        payload = {"session_id": token} if request is ... else request
        await self.client.emit("session_request", payload)
        await asyncio.wait_for(self._confirmed.wait(), TURN_TIMEOUT_S)
        return self.token

    async def say(
        self, message: Any, *, session_id: Any = ..., metadata: Any = None, raw: Any = ...
    ) -> list[dict[str, Any]]:
        """Send one message (or a `raw` event payload); return the bot messages of this turn."""
        before, errors_before = len(self.received), len(self.errors)
        if raw is ...:
            raw = {
                "message": message,
                "session_id": self.token if session_id is ... else session_id,
                "metadata": metadata or {},
            }
        await self.client.emit("user_uttered", raw)
        waited = 0.0
        while waited < TURN_TIMEOUT_S and len(self.received) == before and len(self.errors) == errors_before:
            await asyncio.sleep(0.05)
            waited += 0.05
        await asyncio.sleep(QUIET_S)
        return self.received[before:]

    async def close(self) -> None:
        """Disconnect at once, as a closed tab does (without waiting for the pending long poll)."""
        for namespace in self.client.namespaces:
            await self.client._send_packet(
                self.client.packet_class(socketio.packet.DISCONNECT, namespace=namespace)
            )
        await self.client.eio.disconnect(abort=True)


async def one_session(
    url: str, messages: list[str], *, metadata: dict[str, Any] | None = None
) -> list[list[dict[str, Any]]]:
    """Send each message in one new session; return the bot messages each one got (in order)."""
    chat = WebChat(url)
    await chat.connect()
    answers = []
    for message in messages:
        before = len(chat.received)
        await chat.say(message, metadata=metadata)
        answers.append(chat.received[before:])
    await chat.close()
    return answers
