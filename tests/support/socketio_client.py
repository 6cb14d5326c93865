"""A socket.io client session against Rasa's socket.io channel, as a web chat widget would use it."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import socketio


async def one_session(
    url: str, messages: list[str], *, metadata: dict[str, Any] | None = None
) -> list[list[dict[str, Any]]]:
    """Send each message in one persistent session; return the bot messages each one got (in order)."""
    client = socketio.AsyncClient()
    received: list[dict[str, Any]] = []
    client.on("bot_uttered", received.append)
    # polling: engineio's websocket transport needs a newer aiohttp than Rasa 3.6 pins
    await client.connect(url, socketio_path="/socket.io", transports=["polling"])
    session = f"socket-{uuid.uuid4().hex[:10]}"
    await client.emit("session_request", {"session_id": session})
    answers = []
    for message in messages:
        before = len(received)
        await client.emit("user_uttered", {"message": message, "session_id": session, "metadata": metadata or {}})
        for _ in range(300):
            await asyncio.sleep(0.1)
            if len(received) > before:
                await asyncio.sleep(0.5)  # the rest of this turn's messages
                break
        answers.append(received[before:])
    await client.disconnect()
    return answers
