"""Rasa's socket.io channel with server-issued sessions and the REST channel's checks.

- **Sessions the client cannot choose.** Rasa takes the conversation id from every message's
  `session_id`, so any client could continue any conversation. Here the server issues a signed
  session token (`bot.identity.WebSessions`) on `session_request`, honours a token presented on
  reconnect only when it carries our signature, and binds the conversation `web:<id>` to the
  socket: a message's own `session_id` never selects a conversation.
- Rasa 3.6 calls `AsyncServer.enter_room` without `await` (python-socketio 5 makes it a
  coroutine): the socket never joined its room and replies went nowhere. Joined here properly.
- Text is cleaned, capped and masked, metadata too, each session may send MESSAGES_PER_MINUTE
  messages a minute, no exception in a turn ends the server, and a turn that produced no message
  gets the apology (or "handed over" when the conversation is paused), as on REST.
- A malformed event gets an `error` event and a bot message saying what was wrong; nothing is stored.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketIOInput, SocketIOOutput
from sanic import Blueprint
from socketio import AsyncServer

from bot.errors import InvalidRequest, TooManyMessages
from bot.identity import WebSessions
from bot.inbound import screen, screen_metadata
from bot.rasa_ext.rest_channel import EMPTY_MESSAGE, response_text, run_turn, silence_reply
from bot.rate_limit import MessageLimiter
from bot.settings import Settings

logger = logging.getLogger(__name__)

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]
CONVERSATION = "conversation"
"""Key of the socket's session (python-socketio keeps it per socket) holding its conversation id."""
BAD_EVENT = "utter_request_bad_event"
ERROR_EVENT = "error"


class _CountingOutput(SocketIOOutput):
    """The socket.io output channel, counting what it sends."""

    def __init__(self, sio: AsyncServer, bot_message_evt: str) -> None:
        super().__init__(sio, bot_message_evt)
        self.sent = 0

    async def _send_message(self, socket_id: str, response: Any) -> None:
        self.sent += 1
        await super()._send_message(socket_id, response)


def web_sessions(settings: Settings) -> WebSessions:
    """Session signing with the configured secret (a per-process one, with a warning, when unset)."""
    if settings.web_session_secret:
        return WebSessions(settings.web_session_secret)
    logger.warning("WEB_SESSION_SECRET is not set: web sessions will not survive a restart of this process")
    return WebSessions(secrets.token_urlsafe(32))


class SocketIOChannel(SocketIOInput):
    """The `socketio` channel (same name, path and credentials as Rasa's) with the fixes above."""

    @classmethod
    def name(cls) -> str:
        return "socketio"

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        blueprint = super().blueprint(on_new_message)
        self._blueprint = blueprint
        sio = self.sio
        assert sio is not None
        settings = Settings.from_env()
        sessions = web_sessions(settings)
        limiter = MessageLimiter(settings.messages_per_minute)

        async def start_session(sid: str, token: object) -> str:
            conversation = sessions.conversation_of(token)
            if conversation is None:
                token, conversation = sessions.issue()
            await sio.save_session(sid, {CONVERSATION: conversation}, namespace=self.namespace)
            await sio.enter_room(sid, conversation, namespace=self.namespace)
            await sio.emit("session_confirm", token, room=sid, namespace=self.namespace)
            return conversation

        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: str, data: Any = None) -> None:
            await start_session(sid, data.get("session_id") if isinstance(data, dict) else None)

        @sio.on(self.user_message_evt, namespace=self.namespace)
        async def handle_message(sid: str, data: Any = None) -> None:
            session = await sio.get_session(sid, namespace=self.namespace)
            conversation = session.get(CONVERSATION) or await start_session(sid, None)
            try:
                text = _message_text(data)
                limiter.check(conversation)
            except InvalidRequest as error:
                await self._tell(sid, response_text(self._agent(), error.response), error=True)
                return
            except TooManyMessages as error:
                await self._tell(sid, response_text(self._agent(), error.response, seconds=error.seconds))
                return
            await self._turn(on_new_message, conversation, text, data.get(self.metadata_key))

        return blueprint

    def _agent(self) -> Any:
        return next(iter(self._blueprint.apps)).ctx.agent

    async def _tell(self, sid: str, text: str, *, error: bool = False) -> None:
        """Answer one socket directly (not its conversation's room)."""
        assert self.sio is not None
        if error:
            await self.sio.emit(ERROR_EVENT, {"error": text}, room=sid, namespace=self.namespace)
        await self.sio.emit(self.bot_message_evt, {"text": text}, room=sid, namespace=self.namespace)

    async def _turn(self, on_new_message: OnNewMessage, conversation: str, text: str, metadata: Any) -> None:
        assert self.sio is not None
        agent = self._agent()
        output = _CountingOutput(self.sio, self.bot_message_evt)
        screened = screen(text)
        if not screened.text.strip():
            await output.send_text_message(conversation, response_text(agent, EMPTY_MESSAGE))
            return
        for name in screened.notices:
            await output.send_text_message(conversation, response_text(agent, name))
        message = UserMessage(
            screened.text, output, conversation, input_channel=self.name(), metadata=screen_metadata(metadata)
        )
        await run_turn(on_new_message, message, "socket.io")
        if output.sent == len(screened.notices):
            reply = await silence_reply(agent, conversation, screened.text)
            await output.send_text_message(conversation, reply["text"])


def _message_text(data: Any) -> str:
    """The text of a `user_uttered` event; raises InvalidRequest for anything malformed."""
    if not isinstance(data, dict):
        raise InvalidRequest(BAD_EVENT)
    text = data.get("message")
    if text is None:
        return ""
    if not isinstance(text, str):
        raise InvalidRequest(BAD_EVENT)
    return text
