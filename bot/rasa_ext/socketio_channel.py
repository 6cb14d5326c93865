"""Rasa's socket.io channel with server-issued sessions, allowed origins and the REST channel's checks.

- **Sessions the client cannot choose.** Rasa takes the conversation id from every message's
  `session_id`, so any client could continue any conversation. Here the server issues a signed
  session token (`bot.identity.WebSessions`) on `session_request`, honours a token presented on
  reconnect only when it carries our signature, and binds the conversation `web:<id>` to the
  socket: a message's own `session_id` never selects a conversation (it only opens the session
  of a socket that sent a message before its `session_request`, as a reconnecting page may).
- **Origins.** Rasa turns python-socketio's CORS handling off, which lets any site's page talk
  to socket.io over WebSocket (browsers apply no CORS there) and no other site's page over long
  polling. Here the bot's own origin and WEB_CHAT_ORIGINS are allowed, for both transports, and
  every other origin is refused (`bot.webchat.origins`). Refused requests (another origin, an old
  protocol, an unknown session) get the same status as before, with Chinese JSON
  (`bot.rasa_ext.socketio_errors`).
- Rasa 3.6 calls `AsyncServer.enter_room` without `await` (python-socketio 5 makes it a
  coroutine): the socket never joined its room and replies went nowhere. Joined here properly.
- Text is cleaned, capped and masked, metadata too, each session may send MESSAGES_PER_MINUTE
  messages a minute across all workers (bot/rate_limit.py), no exception in a turn ends the
  server, and a turn that produced no message gets the apology (or "handed over" when the
  conversation is paused), as on REST. A bot message is one event, blank lines and all (Rasa's
  output splits it at every blank line).
- **Several workers** (REDIS_URL set): python-socketio's Redis client manager carries every emit
  to a room to the other workers too, so a message for a web user's room reaches the worker that
  holds the socket; with one process the rooms stay in its memory.
- A malformed event gets an `error` event and a bot message saying what was wrong; nothing is stored.
- A widget's opening message (`/start`, `/get_started`, or a blank first message: rasa-webchat
  sends one when it opens without `initPayload`) is answered with the greeting and never reaches
  Rasa; a later blank message gets a hint. Neither is a turn.

What the chat page (bot/webchat/) adds, each optional for other clients such as rasa-webchat:

    session_request {"session_id": token, "greet": true, "acks": true}
        greet: a new session opens with the greeting (no turn, nothing sent to Rasa);
        acks:  this page acknowledges every bot message, so messages from outside a turn
               (`web_message`) and turn replies lost to a network drop reach it
               (bot/webchat/courier.py); without it, messages from outside a turn (an agent's
               reply) still come, as `bot_uttered`, while the socket is open
    user_uttered {"message": …, "session_id": token, "message_id": "<client id>"}
        a message sent again after a reconnect with a `message_id` already handled is ignored;
        the event's ack (when asked for) comes when the turn has ended
    handoff_state {}
        acked with {"active": true} while a person handles the conversation (the page then shows
        its 「返回机器人」 bar); 「返回机器人」 itself is a message like any other
        (bot/rasa_ext/handoff_turns.py), and so are messages meanwhile: left for the agents
"""

from __future__ import annotations

import logging
import secrets
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketIOInput, SocketIOOutput
from sanic import Blueprint
from socketio import AsyncRedisManager, AsyncServer

from bot.db.engine import shared_session_factory
from bot.errors import InvalidRequest, TooManyMessages
from bot.handoff import is_leave_request
from bot.identity import WebSessions
from bot.inbound import is_opening, screen, screen_metadata
from bot.rasa_ext.handoff_turns import HandoffTurns
from bot.rasa_ext.rest_channel import EMPTY_MESSAGE, GREET, response_text, run_turn, silence_reply
from bot.rasa_ext.socketio_errors import use_chinese_errors
from bot.rate_limit import SharedMessageLimiter
from bot.settings import Settings
from bot.webchat.courier import Courier
from bot.webchat.origins import OriginPolicy

logger = logging.getLogger(__name__)

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]
CONVERSATION = "conversation"
"""Key of the socket's session (python-socketio keeps it per socket) holding its conversation id."""
SPOKE = "spoke"
"""Key of the socket's session: it sent a message already (a blank first message is an opening)."""
BAD_EVENT = "utter_request_bad_event"
ERROR_EVENT = "error"
MAX_MESSAGE_ID_CHARS = 64
REMEMBERED_MESSAGE_IDS = 10_000
ROOMS_CHANNEL = "dingtalk_bot:socketio"
"""The Redis pub/sub channel on which the workers pass on emits to rooms."""


def share_rooms(sio: AsyncServer, redis_url: str) -> None:
    """Let emits to a room reach the sockets every worker holds (python-socketio's AsyncRedisManager).

    Must run before the first connection: python-socketio initialises its manager then.
    """
    manager = AsyncRedisManager(redis_url, channel=ROOMS_CHANNEL)
    sio.manager = manager
    manager.set_server(sio)


class _WebOutput(SocketIOOutput):
    """The socket.io output of one turn: one event per bot message, counted; through the courier
    when the page that started the turn acknowledges messages."""

    def __init__(
        self, sio: AsyncServer, bot_message_evt: str, namespace: str, courier: Courier | None
    ) -> None:
        super().__init__(sio, bot_message_evt)
        self.namespace = namespace
        self.courier = courier
        self.sent = 0

    async def _send_message(self, socket_id: str, response: Any) -> None:
        self.sent += 1
        if self.courier is not None:
            await self.courier.send_reply(socket_id, self.bot_message_evt, response)
        else:
            await self.sio.emit(self.bot_message_evt, response, room=socket_id, namespace=self.namespace)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self._send_message(recipient_id, {"text": text.strip()})

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        replies = [
            {"content_type": "text", "title": button["title"], "payload": button["payload"]}
            for button in buttons
        ]
        await self._send_message(recipient_id, {"text": text.strip(), "quick_replies": replies})


class _HandledMessageIds:
    """The `message_id`s already handled, per conversation (the most recent REMEMBERED_MESSAGE_IDS)."""

    def __init__(self, size: int = REMEMBERED_MESSAGE_IDS) -> None:
        self._seen: OrderedDict[tuple[str, str], None] = OrderedDict()
        self._size = size

    def first_time(self, conversation: str, message_id: object) -> bool:
        """False when this conversation's page already sent `message_id` (a resend after a reconnect)."""
        if not isinstance(message_id, str) or not 0 < len(message_id) <= MAX_MESSAGE_ID_CHARS:
            return True
        key = (conversation, message_id)
        if key in self._seen:
            return False
        self._seen[key] = None
        if len(self._seen) > self._size:
            self._seen.popitem(last=False)
        return True


def web_sessions(settings: Settings) -> WebSessions:
    """Session signing with the configured secret (a per-process one, with a warning, when unset)."""
    if settings.web_session_secret:
        return WebSessions(settings.web_session_secret)
    logger.warning("WEB_SESSION_SECRET is not set: web sessions will not survive a restart of this process")
    return WebSessions(secrets.token_urlsafe(32))


class SocketIOChannel(SocketIOInput):
    """The `socketio` channel (same name, path and credentials as Rasa's) with the fixes above."""

    handoff: HandoffTurns
    """Set by `blueprint`: leaving a handoff, messages during one."""

    @classmethod
    def name(cls) -> str:
        return "socketio"

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        blueprint = super().blueprint(on_new_message)
        self._blueprint = blueprint
        sio = self.sio
        assert sio is not None
        settings = Settings.from_env()
        if settings.redis_url:
            share_rooms(sio, settings.redis_url)
        origins = OriginPolicy(settings.web_chat_origins, bot_url=settings.rasa_url)
        sio.eio.cors_allowed_origins = origins.allows
        sio.eio.cors_credentials = False  # the chat uses no cookies
        use_chinese_errors(sio.eio)
        sessions = web_sessions(settings)
        limiter = SharedMessageLimiter(settings.messages_per_minute, settings.redis_url)
        handled = _HandledMessageIds()
        namespace = self.namespace or "/"
        courier = Courier(sio, lambda: shared_session_factory(settings.database_url), namespace=namespace)
        self.courier = courier
        self.handoff = HandoffTurns(settings.database_url)

        @blueprint.listener("after_server_start")
        async def start_courier(_app: Any, _loop: Any) -> None:
            courier.start()

        @blueprint.listener("before_server_stop")
        async def stop_courier(_app: Any, _loop: Any) -> None:
            await courier.close()

        async def start_session(sid: str, token: object, options: dict[str, Any]) -> str:
            conversation = sessions.conversation_of(token)
            new = conversation is None
            if conversation is None:
                token, conversation = sessions.issue()
            else:
                token = sessions.renew(conversation)  # only sessions idle for the token's lifetime end
            confirms = options.get("acks") is True
            await sio.save_session(sid, {CONVERSATION: conversation, "acks": confirms}, namespace=namespace)
            await sio.enter_room(sid, conversation, namespace=namespace)
            await sio.emit("session_confirm", token, room=sid, namespace=namespace)
            if new and options.get("greet") is True:
                await self._tell(sid, response_text(self._agent(), GREET))
            courier.attach(sid, conversation, confirms=confirms)
            courier.redeliver_soon(conversation)
            return conversation

        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: str, data: Any = None) -> None:
            options = data if isinstance(data, dict) else {}
            await start_session(sid, options.get("session_id"), options)

        @sio.on("handoff_state", namespace=self.namespace)
        async def handoff_state(sid: str, _data: Any = None) -> dict[str, bool]:
            conversation = (await sio.get_session(sid, namespace=namespace)).get(CONVERSATION)
            return {"active": conversation is not None and await self.handoff.is_active(conversation)}

        @sio.on("disconnect", namespace=self.namespace)
        async def disconnect(sid: str, *_reason: Any) -> None:
            courier.detach(sid)

        @sio.on(self.user_message_evt, namespace=self.namespace)
        async def handle_message(sid: str, data: Any = None) -> dict[str, Any]:
            session = await sio.get_session(sid, namespace=namespace)
            conversation = session.get(CONVERSATION)
            if conversation is None:
                token = data.get("session_id") if isinstance(data, dict) else None
                conversation = await start_session(sid, token, {})
                session = await sio.get_session(sid, namespace=namespace)
            try:
                text = _message_text(data)
                if not handled.first_time(conversation, data.get("message_id")):
                    return {"duplicate": True}
                await limiter.check(conversation)
            except InvalidRequest as error:
                await self._tell(sid, response_text(self._agent(), error.response), error=True)
                return {"error": True}
            except TooManyMessages as error:
                await self._tell(sid, response_text(self._agent(), error.response, seconds=error.seconds))
                return {"error": True}
            first = not session.get(SPOKE)
            if first:
                await sio.save_session(sid, {**session, SPOKE: True}, namespace=namespace)
            output_courier = courier if session.get("acks") else None
            metadata = data.get(self.metadata_key)
            await self._turn(on_new_message, conversation, text, metadata, output_courier, first=first)
            return {"done": True}

        return blueprint

    def _agent(self) -> Any:
        return next(iter(self._blueprint.apps)).ctx.agent

    async def _tell(self, sid: str, text: str, *, error: bool = False) -> None:
        """Answer one socket directly (not its conversation's room)."""
        assert self.sio is not None
        namespace = self.namespace or "/"
        if error:
            await self.sio.emit(ERROR_EVENT, {"error": text}, room=sid, namespace=namespace)
        await self.sio.emit(self.bot_message_evt, {"text": text}, room=sid, namespace=namespace)

    async def _turn(
        self,
        on_new_message: OnNewMessage,
        conversation: str,
        text: str,
        metadata: Any,
        courier: Courier | None,
        *,
        first: bool = False,
    ) -> None:
        assert self.sio is not None
        agent = self._agent()
        output = _WebOutput(self.sio, self.bot_message_evt, self.namespace or "/", courier)
        screened = screen(text)
        if is_opening(screened.text):
            opening = GREET if screened.text.strip() or first else EMPTY_MESSAGE
            await output.send_text_message(conversation, response_text(agent, opening))
            return
        rated = await self.handoff.rate(conversation, screened.text)
        if rated is not None:  # a satisfaction button on the page
            await output.send_text_message(conversation, response_text(agent, rated))
            return
        if is_leave_request(screened.text):
            left = await self.handoff.leave(agent, conversation)
            await output.send_text_message(conversation, response_text(agent, left))
            return
        for name in screened.notices:
            await output.send_text_message(conversation, response_text(agent, name))
        message = UserMessage(
            screened.text, output, conversation, input_channel=self.name(), metadata=screen_metadata(metadata)
        )
        refused = await run_turn(on_new_message, message, "socket.io")
        if refused is not None:
            await output.send_text_message(conversation, response_text(agent, refused))
        elif output.sent == len(screened.notices):
            reply = await silence_reply(agent, conversation, screened.text, self.handoff)
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
