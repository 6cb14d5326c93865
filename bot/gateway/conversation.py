"""An applicant's turn: relay to the agents while a person handles the chat, otherwise ask Rasa and answer.

「返回机器人」 (or /bot, or its button) during a handoff is not relayed: it goes to Rasa, whose
channel ends the handoff, tells the agents and resumes the bot (bot/rasa_ext/handoff_turns.py).

The answer and the "update processed" mark are written in one transaction, so an update replayed
after a crash is answered once. A slow Rasa turn first gets a "please wait" line; a failed turn
or an empty answer gets an apology: the applicant is never left in silence.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import time

from sqlalchemy.orm import Session
from telegram import Bot, CallbackQuery, Message
from telegram.constants import ChatAction
from telegram.error import Forbidden, TelegramError

from bot import identity, ratings
from bot.answers.feedback import FEEDBACK_PAYLOAD
from bot.db import escalation_queries, gateway_queries
from bot.db.escalation_models import Escalation
from bot.errors import TooManyMessages, UpstreamUnavailable
from bot.gateway import texts
from bot.gateway.media import attachment_of, problem
from bot.gateway.outbox import Outbox
from bot.gateway.purposes import REPLY
from bot.gateway.rasa_client import RasaClient
from bot.gateway.relay import Relay
from bot.gateway.replies import CALLBACK_PREFIX, Reply, from_rasa, keyboard_rows
from bot.gateway.resume import Resumer
from bot.gateway.satisfaction import record
from bot.gateway.store import Store
from bot.handoff import is_leave_request
from bot.rate_limit import MessageLimiter

logger = logging.getLogger(__name__)

SLOW_DOWN_NOTICE_S = 60.0
"""An applicant over the message limit is told so at most once in this time."""
TYPING_REFRESH_S = 4.5
"""Telegram shows "typing…" for about 5 s per chat action."""
TYPING_STOP_WAIT_S = 1.0
"""How long an answer waits for the typing indicator to stop; it never waits longer."""


def save_replies(session: Session, update_id: int, chat_id: int, replies: list[Reply], purpose: str) -> None:
    """Queue the replies (buttons' payloads stored, callback_data = their id) and finish the update;
    nothing when the update is finished already (a retried commit that had gone through: safe to repeat)."""
    if gateway_queries.is_update_processed(session, update_id):
        return
    for reply in replies:
        buttons = []
        for row in keyboard_rows(reply.buttons):
            stored = [gateway_queries.store_callback(session, chat_id, b.payload, b.title) for b in row]
            buttons.append(
                [{"text": b.title, "callback_data": f"{CALLBACK_PREFIX}{key}"} for b, key in zip(row, stored)]
            )
        gateway_queries.enqueue_message(
            session, chat_id, reply.text, purpose=purpose, buttons=buttons or None
        )
    gateway_queries.finish_update(session, update_id)


_ADDRESSED_COMMAND = re.compile(r"^(\s*/[A-Za-z0-9_]+)@([A-Za-z0-9_]+)(?=\s|$)", re.ASCII)


def without_bot_mention(text: str | None, bot_username: str | None) -> str | None:
    """`/bot@ThisBot …` → `/bot …`: a leading command addressed to this bot reads as the plain command."""
    if text is None or not bot_username:
        return text
    match = _ADDRESSED_COMMAND.match(text)
    if match is None or match.group(2).lower() != bot_username.lower():
        return text
    return match.group(1) + text[match.end() :]


def callback_id(data: str | None) -> int | None:
    """The stored payload id in a button's callback_data, or None if it is not ours."""
    if data and data.startswith(CALLBACK_PREFIX) and data[len(CALLBACK_PREFIX) :].isdigit():
        return int(data[len(CALLBACK_PREFIX) :])
    return None


class Conversations:
    """Serves applicants' private chats."""

    def __init__(
        self,
        bot: Bot,
        store: Store,
        rasa: RasaClient,
        outbox: Outbox,
        relay: Relay,
        resumer: Resumer,
        *,
        slow_notice_after: float,
        limiter: MessageLimiter,
    ) -> None:
        self._bot = bot
        self._store = store
        self._rasa = rasa
        self._outbox = outbox
        self._relay = relay
        self._resumer = resumer
        self._slow_notice_after = slow_notice_after
        self._limiter = limiter
        self._told_to_slow_down: dict[int, float] = {}

    async def reply(self, update_id: int, chat_id: int, *lines: str, purpose: str = "gateway_text") -> None:
        """Answer with the gateway's own texts and finish the update."""
        await self._store.run_retrying(
            save_replies, update_id, chat_id, [Reply(line) for line in lines], purpose
        )
        self._outbox.wake(chat_id)

    async def active_escalation(self, chat_id: int, display_name: str) -> Escalation | None:
        """Remember the applicant's chat; return the escalation a person is handling, if any."""

        def check(session: Session) -> tuple[Escalation | None, Escalation | None]:
            gateway_queries.remember_chat(session, chat_id, display_name)
            sender = identity.telegram(chat_id)
            return escalation_queries.active_escalation(
                session, sender
            ), escalation_queries.unresumed_escalation(session, sender)

        active, unresumed = await self._store.run_retrying(check)
        if unresumed is not None:  # resolved while Rasa was unreachable: resume before asking it
            await self._resumer.resume(unresumed.id, unresumed.sender_id)
        return active

    async def message(
        self, update_id: int, chat_id: int, display_name: str, text: str | None, *, payload: str | None = None
    ) -> None:
        """One applicant message (`text` None for photos and the like; `payload` for a pressed button)."""
        sender = identity.telegram(chat_id)
        text = without_bot_mention(text, self._bot.username)
        try:
            self._limiter.check(sender)
        except TooManyMessages as error:
            await self._slow_down(update_id, chat_id, error)
            return
        escalation = await self.active_escalation(chat_id, display_name)
        if (
            escalation is not None and payload is not None and payload.startswith(FEEDBACK_PAYLOAD)
        ):  # a 👍/👎 of an earlier answer
            await self.reply(update_id, chat_id, texts.FEEDBACK_DURING_HANDOFF)  # not a word for the agents
            return
        if escalation is not None and not is_leave_request(payload or text):  # 返回机器人: Rasa ends it
            await self._to_agents(update_id, chat_id, escalation, text)
            if text is not None:
                await self._log_paused_turn(sender, payload or text)
            return
        if text is None:
            await self.reply(update_id, chat_id, texts.UNSUPPORTED_MESSAGE)
            return
        replies = await self._ask_rasa(update_id, chat_id, sender, payload or text)
        await self._store.run_retrying(save_replies, update_id, chat_id, replies, REPLY)
        self._outbox.wake(chat_id)

    async def media(self, update_id: int, chat_id: int, display_name: str, message: Message) -> None:
        """A photo, file, voice, sticker…: during a handoff a photo or document that keeps to the guide's
        file rules is copied to the agents, one that does not is refused at once (the agents never see
        it); anything else, and any of them outside a handoff, gets the usual "text only" answer."""
        attachment = attachment_of(message)
        escalation = await self.active_escalation(chat_id, display_name) if attachment else None
        if attachment is None or escalation is None:
            await self.message(update_id, chat_id, display_name, None)
            return
        try:
            self._limiter.check(identity.telegram(chat_id))
        except TooManyMessages as error:
            await self._slow_down(update_id, chat_id, error)
            return
        refusal = problem(attachment)
        if refusal is not None:
            await self.reply(update_id, chat_id, refusal, purpose="file_refused")
            return

        def relay(session: Session) -> None:
            self._relay.media_to_agents(session, escalation, chat_id, message.message_id, attachment.caption)
            gateway_queries.finish_update(session, update_id)

        await self._store.run(relay)
        self._outbox.wake()

    async def rate(self, update_id: int, chat_id: int, query: CallbackQuery, rating: ratings.Rating) -> None:
        """A satisfaction button: keep the answer (bot/gateway/satisfaction.py), thank, remove the buttons."""

        def keep(session: Session) -> str:
            answer = record(session, chat_id, rating)
            gateway_queries.finish_update(session, update_id)
            return answer

        answer = await self._store.run(keep)
        for call in (query.answer(text=answer), query.edit_message_reply_markup(reply_markup=None)):
            try:
                await call
            except TelegramError as error:
                logger.info("could not acknowledge a rating (%s)", type(error).__name__)

    async def _slow_down(self, update_id: int, chat_id: int, error: TooManyMessages) -> None:
        """Over the per-minute limit: say so once a minute; further messages meanwhile are not processed."""
        now = time.monotonic()
        if now - self._told_to_slow_down.get(chat_id, -SLOW_DOWN_NOTICE_S) < SLOW_DOWN_NOTICE_S:
            logger.info("chat %s over its message limit; update %s not processed", chat_id, update_id)
            await self._store.run(gateway_queries.finish_update, update_id)
            return
        self._told_to_slow_down[chat_id] = now
        if len(self._told_to_slow_down) > 10_000:
            self._told_to_slow_down = {
                c: t for c, t in self._told_to_slow_down.items() if now - t < SLOW_DOWN_NOTICE_S
            }
        await self.reply(update_id, chat_id, texts.TOO_MANY_MESSAGES.format(seconds=error.seconds))

    async def _to_agents(
        self, update_id: int, chat_id: int, escalation: Escalation, text: str | None
    ) -> None:
        def relay(session: Session) -> None:
            self._relay.to_agents(session, escalation, text)
            if text is None:
                gateway_queries.enqueue_message(
                    session, chat_id, texts.AGENT_ONLY_TEXT, purpose="gateway_text"
                )
            gateway_queries.finish_update(session, update_id)

        await self._store.run(relay)
        self._outbox.wake()

    async def _log_paused_turn(self, sender: str, text: str) -> None:
        """Give Rasa the message too: a paused conversation logs it, so the tracker stays complete.

        Its answer (at most "your message went to an agent") is not shown: the agent answers.
        """
        try:
            await self._rasa.send(sender, text)
        except UpstreamUnavailable as error:
            logger.info("could not log a handed-over message in Rasa: %s", error)

    async def _keep_typing(self, chat_id: int, stop: asyncio.Event) -> None:
        # Stopped by `stop`, not only by cancelling: a cancellation that lands inside the HTTP
        # client can be swallowed there, and the loop would then run (and be awaited) forever.
        while not stop.is_set():
            try:
                await self._bot.send_chat_action(chat_id, ChatAction.TYPING)
            except Forbidden:
                return
            except TelegramError:
                pass
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(stop.wait(), TYPING_REFRESH_S)

    async def _ask_rasa(self, update_id: int, chat_id: int, sender: str, text: str) -> list[Reply]:
        stop_typing = asyncio.Event()
        typing = asyncio.create_task(self._keep_typing(chat_id, stop_typing))
        turn = asyncio.create_task(self._rasa.send(sender, text))
        try:
            done, _ = await asyncio.wait({turn}, timeout=self._slow_notice_after)
            if not done:
                logger.info("slow Rasa turn for update %s; told the applicant to wait", update_id)
                await self._store.run(
                    gateway_queries.enqueue_message, chat_id, texts.STILL_WORKING, purpose="still_working"
                )
                self._outbox.wake(chat_id)
            messages = await turn
        except UpstreamUnavailable as error:
            logger.warning("update %s: %s; apologising", update_id, error)
            return [Reply(texts.RASA_FAILED)]
        finally:
            stop_typing.set()
            typing.cancel()
            await asyncio.wait({typing}, timeout=TYPING_STOP_WAIT_S)  # the answer never waits on it
            if not turn.done():
                turn.cancel()
        replies = from_rasa(messages)
        if not replies:
            logger.warning("update %s: Rasa gave an empty answer; apologising", update_id)
            return [Reply(texts.EMPTY_REPLY)]
        return replies
