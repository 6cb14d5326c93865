"""Rasa's socket.io channel, fixed and hardened like the REST channel.

- Rasa 3.6 calls `AsyncServer.enter_room` without `await`; with python-socketio 5 that is a
  coroutine, so with `session_persistence: true` the client never joins its session's room and
  every bot reply goes nowhere (silence for every socket.io user). `session_request` is
  re-registered here with the `await`.
- Text is capped and personal data masked before the message enters Rasa (the applicant is told),
  metadata is masked too, and a turn that produced no message gets the apology (or "handed over"
  when the conversation is paused), as on REST.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketIOInput, SocketIOOutput
from sanic import Blueprint

from bot.privacy import mask_nested
from bot.rasa_ext.rest_channel import domain_reply, screen_text, silence_reply

logger = logging.getLogger(__name__)

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]


class _CountingOutput(SocketIOOutput):
    """The socket.io output channel, counting what it sends."""

    def __init__(self, inner: SocketIOOutput) -> None:
        super().__init__(inner.sio, inner.bot_message_evt)
        self.sent = 0

    async def _send_message(self, socket_id: str, response: Any) -> None:
        self.sent += 1
        await super()._send_message(socket_id, response)


class SocketIOChannel(SocketIOInput):
    """The `socketio` channel (same name, path and credentials as Rasa's) with the fixes above."""

    @classmethod
    def name(cls) -> str:
        return "socketio"

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        blueprint = super().blueprint(partial(self._turn, on_new_message))
        self._blueprint = blueprint
        sio = self.sio
        assert sio is not None

        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: str, data: Any) -> None:
            data = data if isinstance(data, dict) else {}
            if not data.get("session_id"):
                data["session_id"] = uuid.uuid4().hex
            if self.session_persistence:
                await sio.enter_room(sid, data["session_id"])
            await sio.emit("session_confirm", data["session_id"], room=sid)

        return blueprint

    async def _turn(self, on_new_message: OnNewMessage, message: UserMessage) -> None:
        agent = next(iter(self._blueprint.apps)).ctx.agent
        text, masked, notices = screen_text(message.text or "")
        message.text = masked.text if masked.kinds else text
        message.metadata = mask_nested(message.metadata)
        output = _CountingOutput(message.output_channel)  # type: ignore[arg-type]
        message.output_channel = output
        for name in notices:
            await output.send_text_message(message.sender_id, domain_reply(agent, message.sender_id, name)["text"])
        try:
            await on_new_message(message)
        except Exception:  # noqa: BLE001 - the applicant gets an apology instead of silence
            logger.exception("turn failed for a socket.io message")
        if output.sent == len(notices):
            await output.send_text_message(message.sender_id, (await silence_reply(agent, message.sender_id, message.text))["text"])
