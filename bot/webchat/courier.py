"""Delivers queued web messages to open chat pages, and queues turn replies no page confirmed (one per Rasa process).

The queue is the `web_messages` table (bot/db/web_messages.py); any process adds to it with
`bot.webchat.outbox.enqueue_web_message`. A page that confirms what it shows says so in its
`session_request` (`"acks": true`, the chat page does); the courier knows those sockets:

- **Live.** Every POLL_SECONDS, for the conversations with such a socket in this process (and
  only then: an idle server reads nothing), it leases their undelivered messages and emits each,
  as `web_message`, to each of the conversation's sockets with an ack callback.
- **Once.** The first ack marks the message delivered. A lease is a token and an expiry written
  by one UPDATE that takes only free messages, so two processes never offer one message at the
  same time; an offer nobody acknowledged (the page was closing) is made again when its lease
  expires. The page drops a message whose id it has shown already, so a lost ack shows nothing twice.
- **On reconnect.** When a page (re)opens its session, its undelivered messages are offered at
  once, taking back this process's own leases (they went to a socket that is gone).
- **Pages that do not confirm** (rasa-webchat and other socket.io widgets) get a queued message
  as an ordinary `bot_uttered` event, counted as delivered once emitted: best effort, but an
  agent's reply reaches an open widget too, not only the chat page.
- **Turn replies.** A reply of a turn started by such a page is emitted with an ack callback; if
  no page confirms it within ACK_SECONDS (the network dropped mid-turn), it is queued under the
  same id and shown on reconnect. Replies still waiting when the server stops are queued then.

Several Rasa processes: each offers messages only to the sockets it holds (a socket.io session
lives in one process), the database is the only thing they share, and the lease keeps a message
with one of them at a time; no message broker is needed. A conversation open in two tabs held by
two different processes gets a message in the tab whose process leased it first.
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from socketio import AsyncServer
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from bot.db import web_messages
from bot.db.types import utc_now
from bot.db.web_messages import Author

logger = logging.getLogger(__name__)

WEB_MESSAGE_EVENT = "web_message"
BOT_EVENT = "bot_uttered"
"""What a page that does not confirm messages (rasa-webchat) shows: Rasa's own bot message event."""
POLL_SECONDS = 1.0
LEASE_SECONDS = 15.0
"""How long an offer waits for its ack before another offer may be made (an ack takes milliseconds)."""
ACK_SECONDS = 10.0
"""How long a turn reply waits for a page's ack before it is queued for the next reconnect."""
LOG_EVERY_SECONDS = 60.0

Sessions = Callable[[], "sessionmaker[Session]"]


def as_bot_message(payload: dict[str, Any]) -> dict[str, Any]:
    """A queued message as Rasa's socket.io bot message (text, quick replies), for widgets like rasa-webchat."""
    message: dict[str, Any] = {"text": payload.get("text", "")}
    buttons = payload.get("buttons") or []
    if buttons:
        message["quick_replies"] = [
            {"content_type": "text", "title": button["title"], "payload": button["payload"]}
            for button in buttons
        ]
    return message


class Courier:
    """Offers queued messages to this process's sockets and keeps unconfirmed turn replies (see above)."""

    def __init__(
        self,
        sio: AsyncServer,
        sessions: Sessions,
        *,
        namespace: str | None = None,
        poll_seconds: float = POLL_SECONDS,
        lease_seconds: float = LEASE_SECONDS,
        ack_seconds: float = ACK_SECONDS,
    ) -> None:
        self._sio = sio
        self._sessions = sessions
        self._namespace = namespace or "/"
        self._poll_seconds = poll_seconds
        self._lease = timedelta(seconds=lease_seconds)
        self._ack_seconds = ack_seconds
        self.process = f"{os.getpid()}-{secrets.token_hex(4)}"
        self._conversation_of: dict[str, str] = {}
        self._sockets: dict[str, set[str]] = {}
        self._unconfirming: set[str] = set()
        """Sockets whose page does not acknowledge messages (queued ones go to them as `bot_uttered`)."""
        self._unconfirmed: dict[str, tuple[str, dict[str, Any]]] = {}
        """Turn replies waiting for an ack: key → (conversation, message)."""
        self._background: set[asyncio.Task[Any]] = set()
        self._loop_task: asyncio.Task[None] | None = None
        self._last_error_log = 0.0

    # --- the sockets of this process whose pages confirm messages ---

    def attach(self, sid: str, conversation: str, *, confirms: bool = True) -> None:
        """`sid` shows `conversation` (and acknowledges what it shows, when it `confirms`)."""
        self.detach(sid)
        self._conversation_of[sid] = conversation
        self._sockets.setdefault(conversation, set()).add(sid)
        if not confirms:
            self._unconfirming.add(sid)

    def detach(self, sid: str) -> None:
        """`sid` disconnected (or now shows another conversation)."""
        conversation = self._conversation_of.pop(sid, None)
        self._unconfirming.discard(sid)
        if conversation is not None:
            sockets = self._sockets.get(conversation, set())
            sockets.discard(sid)
            if not sockets:
                self._sockets.pop(conversation, None)

    def sockets_of(self, conversation: str) -> list[str]:
        """The confirming sockets of `conversation` in this process."""
        return sorted(self._sockets.get(conversation, set()) - self._unconfirming)

    def _unconfirming_sockets_of(self, conversation: str) -> list[str]:
        return sorted(self._sockets.get(conversation, set()) & self._unconfirming)

    # --- queued messages ---

    def start(self) -> None:
        """Start the delivery loop on the running event loop."""
        if self._loop_task is None:
            self._loop_task = asyncio.get_running_loop().create_task(self._run(), name="web-courier")

    async def close(self) -> None:
        """Stop the loop; queue every turn reply still waiting for its ack."""
        if self._loop_task is not None:
            self._loop_task.cancel()
            await asyncio.gather(self._loop_task, return_exceptions=True)
            self._loop_task = None
        waiting = list(self._unconfirmed.items())
        self._unconfirmed.clear()
        for task in list(self._background):
            task.cancel()
        await asyncio.gather(*self._background, return_exceptions=True)
        for key, (conversation, message) in waiting:
            await self._keep(key, conversation, message)

    async def deliver(self, conversation: str | None = None) -> int:
        """Offer the undelivered messages of `conversation` (after a reconnect), or of every
        conversation with a confirming socket here; return how many were offered."""
        conversations = [conversation] if conversation is not None else list(self._sockets)
        if not conversations:
            return 0
        lease = f"{self.process}/{secrets.token_hex(8)}"
        reclaim = f"{self.process}/" if conversation is not None else None
        claimed = await asyncio.to_thread(self._claim, conversations, lease, reclaim)
        for target, payload in claimed:
            await self._offer(
                target, WEB_MESSAGE_EVENT, payload, lambda *_, key=payload["id"]: self._acked(key)
            )
            plain = self._unconfirming_sockets_of(target)
            for sid in plain:
                await self._sio.emit(BOT_EVENT, as_bot_message(payload), to=sid, namespace=self._namespace)
            if plain:
                self._acked(payload["id"])  # no ack will come from such a page: emitted is delivered
        return len(claimed)

    def redeliver_soon(self, conversation: str) -> None:
        """Offer `conversation`'s undelivered messages in the background (a page just opened it)."""
        self._spawn(self._deliver_logged(conversation))

    async def _run(self) -> None:
        while True:
            await self._deliver_logged(None)
            await asyncio.sleep(self._poll_seconds)

    async def _deliver_logged(self, conversation: str | None) -> None:
        try:
            await self.deliver(conversation)
        except asyncio.CancelledError:
            raise
        except (SQLAlchemyError, OSError):
            self._log_error("web messages could not be read; retrying")

    def _claim(
        self, conversations: list[str], lease: str, reclaim: str | None
    ) -> list[tuple[str, dict[str, Any]]]:
        now = utc_now()
        with self._sessions()() as session, session.begin():
            claimed = web_messages.claim(
                session, conversations, lease=lease, until=now + self._lease, now=now, reclaim_prefix=reclaim
            )
            return [(message.conversation_id, message.payload()) for message in claimed]

    def _acked(self, key: str) -> None:
        self._spawn(self._mark_delivered(key))

    async def _mark_delivered(self, key: str) -> None:
        try:
            await asyncio.to_thread(self._mark_delivered_now, key)
        except (SQLAlchemyError, OSError):
            self._log_error(
                "a delivered web message could not be marked; it may be shown again (once per page)"
            )

    def _mark_delivered_now(self, key: str) -> None:
        with self._sessions()() as session, session.begin():
            web_messages.mark_delivered(session, key)

    # --- turn replies ---

    async def send_reply(self, conversation: str, event: str, message: dict[str, Any]) -> None:
        """Emit one reply of a turn to the conversation's sockets; queue it unless a page confirms it."""
        key = web_messages.new_key()
        payload = {**message, "id": key}
        confirmed = asyncio.Event()
        sockets = self.sockets_of(conversation)
        await self._sio.emit(event, payload, room=conversation, skip_sid=sockets, namespace=self._namespace)
        self._unconfirmed[key] = (conversation, payload)
        await self._offer(conversation, event, payload, lambda *_: confirmed.set())
        self._spawn(self._keep_unless_confirmed(key, confirmed, waits=bool(sockets)))

    async def _keep_unless_confirmed(self, key: str, confirmed: asyncio.Event, *, waits: bool) -> None:
        if waits:
            try:
                await asyncio.wait_for(confirmed.wait(), self._ack_seconds)
            except asyncio.TimeoutError:
                pass
        entry = self._unconfirmed.pop(key, None)
        if entry is not None and not confirmed.is_set():
            await self._keep(key, *entry)

    async def _keep(self, key: str, conversation: str, message: dict[str, Any]) -> None:
        """Queue a turn reply nobody confirmed, under the id the page may have seen already."""
        buttons = [
            {"title": str(button.get("title", "")), "payload": str(button.get("payload", ""))}
            for button in message.get("quick_replies") or []
            if isinstance(button, dict)
        ]
        try:
            await asyncio.to_thread(
                self._enqueue_now, key, conversation, str(message.get("text") or ""), buttons
            )
        except (SQLAlchemyError, OSError):
            self._log_error(
                "an unconfirmed web reply could not be queued: a page that dropped mid-turn misses it"
            )

    def _enqueue_now(self, key: str, conversation: str, text: str, buttons: list[dict[str, str]]) -> None:
        with self._sessions()() as session, session.begin():
            web_messages.enqueue(session, conversation, text, author=Author.BOT, buttons=buttons, key=key)

    # --- plumbing ---

    async def _offer(
        self, conversation: str, event: str, payload: dict[str, Any], on_ack: Callable[..., None]
    ) -> None:
        for sid in self.sockets_of(conversation):
            await self._sio.emit(event, payload, to=sid, namespace=self._namespace, callback=on_ack)

    def _spawn(self, work: Any) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    def _log_error(self, message: str) -> None:
        now = time.monotonic()
        if now - self._last_error_log >= LOG_EVERY_SECONDS:
            self._last_error_log = now
            logger.exception(message)
