"""Sending one outbox row to Telegram: its sending limits (bot/gateway/limits.py) and what its errors mean.

    RetryAfter    wait `retry_after` seconds (the chat is paused), then try again
    TimedOut,
    NetworkError  try again with back-off (a timed-out send may have arrived: at-least-once)
    Forbidden     the user blocked the bot: the chat's pending messages are marked `blocked`;
                  the agents group keeps its messages and retries (the bot may be re-added)
    ChatMigrated  the group became a supergroup: its pending messages move to the new id
    BadRequest    a lost thread is recreated once; anything else is `failed` (logged, not retried);
                  a bot's answer an applicant could not be shown is followed, once, by a plain-text
                  apology (`REPLY_NOT_SHOWN`), unless Telegram says the chat cannot be reached at all

An agents-group message that belongs to an escalation is placed in the escalation's thread
(`Threads`, bot/gateway/threads.py). A `card_update` row is not a new message: it edits the
escalation's card in place (its owner, its buttons); "message is not modified" counts as done.
A card whose escalation ended while it waited in the outbox is posted as ended, without buttons.
A photo or document (bot/gateway/media.py) is copied from the message it came in (copyMessage).
A `topic_update` row renames the escalation's forum topic (closed once the escalation ended);
a message for a closed topic reopens it, or goes outside it when its escalation has ended.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable
from typing import Any, Protocol

from sqlalchemy.orm import Session
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Message, MessageId
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter, TelegramError

from bot.db import escalation_queries, gateway_queries
from bot.db.escalation_models import Escalation, EscalationStatus
from bot.db.gateway_models import DeliveryStatus, OutboxMessage
from bot.db.types import utc_now
from bot.gateway import texts
from bot.gateway.agents_group import AgentsGroup
from bot.gateway.limits import SendLimits
from bot.gateway.media import COPY_PURPOSES, read_copy_payload
from bot.gateway.purposes import CARD, CARD_UPDATE, REPLY, REPLY_NOT_SHOWN, TOPIC_UPDATE
from bot.gateway.store import Store

logger = logging.getLogger(__name__)

MAX_BACKOFF_S = 60.0
THREAD_LOST = ("thread not found", "topic_deleted", "replied message not found")
NOT_MODIFIED = "message is not modified"
TOPIC_CLOSED = "topic_closed"
UNREACHABLE = (
    "chat not found",
    "blocked",
    "deactivated",
    "kicked",
    "peer_id_invalid",
    "can't initiate conversation",
    "chat_write_forbidden",
    "not enough rights",
    "have no rights",
)
"""BadRequest reasons that mean nothing at all can be sent to the chat: no apology is tried."""


class Threads(Protocol):
    """Places agents-group messages of an escalation in its thread (see bot/gateway/threads.py)."""

    async def placement(self, row: OutboxMessage) -> dict[str, Any]:
        """Extra send_message arguments for `row`."""

    async def sent(self, row: OutboxMessage, message: Message | MessageId) -> None:
        """Called after `row` was delivered as `message`."""

    async def lost(self, row: OutboxMessage) -> None:
        """Telegram says `row`'s thread is gone: start a new one."""

    async def closed(self, row: OutboxMessage) -> None:
        """Telegram says `row`'s topic is closed: reopen it, or post outside it if its escalation ended."""

    async def rename(self, row: OutboxMessage) -> int | None:
        """Rename `row`'s topic to its text (and close it if its escalation ended); its id, or None."""


def seconds(value: float | dt.timedelta) -> float:
    """A retry_after value in seconds (python-telegram-bot gives int or timedelta)."""
    return value.total_seconds() if isinstance(value, dt.timedelta) else float(value)


def keyboard(buttons_json: str | None) -> InlineKeyboardMarkup | None:
    """The inline keyboard stored with an outbox row."""
    if not buttons_json:
        return None
    rows = json.loads(buttons_json)
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(b["text"], callback_data=b["callback_data"]) for b in row] for row in rows]
    )


class TelegramDelivery:
    """The outbox's `Delivery` for Telegram chats (applicants' private chats and the agents group)."""

    def __init__(
        self,
        bot: Bot,
        store: Store,
        agents: AgentsGroup,
        threads: Threads,
        *,
        limits: SendLimits | None = None,
        on_blocked: Callable[[Session, int], None] | None = None,
        on_failed: Callable[[Session, OutboxMessage], None] | None = None,
        ended_card: Callable[[Session, Escalation, bool], str] | None = None,
    ) -> None:
        """`on_blocked(session, chat_id)` runs in the transaction that marks a chat blocked, and
        `on_failed(session, row)` in the one that gives a row up after Telegram refused it;
        `ended_card(session, escalation, forum)` writes the card of an escalation that ended while its
        card was queued (cards.py sits above this module, so services hands it in)."""
        self._bot = bot
        self._store = store
        self._agents = agents
        self._threads = threads
        self._limits = limits or SendLimits()
        self._on_blocked = on_blocked
        self._on_failed = on_failed
        self._ended_card = ended_card

    async def deliver(self, row: OutboxMessage) -> bool:
        """Send one row when Telegram's limits allow; return whether the chat's next row may follow now."""
        await self._limits.acquire(row.chat_id)
        is_agents = row.chat_id == self._agents.chat_id
        is_edit = row.purpose in (CARD_UPDATE, TOPIC_UPDATE)
        try:
            try:
                if is_edit:
                    message_id = (
                        await self._edit_card(row)
                        if row.purpose == CARD_UPDATE
                        else await self._threads.rename(row)
                    )
                    if message_id is None:
                        if row.purpose == TOPIC_UPDATE:
                            await self._store.run(
                                gateway_queries.give_up, row.id, DeliveryStatus.FAILED, "no topic"
                            )
                        return True
                else:
                    extra = await self._threads.placement(row) if is_agents and row.escalation_id else {}
                    text, buttons = row.text, row.buttons
                    if is_agents and row.purpose == CARD and row.escalation_id:
                        text, buttons = await self._store.run(self._card_now, row)
                    message: Message | MessageId
                    if row.purpose in COPY_PURPOSES:  # a photo or document, copied with our caption
                        message = await self._bot.copy_message(
                            chat_id=row.chat_id, **read_copy_payload(text), **extra
                        )
                    else:
                        message = await self._bot.send_message(
                            chat_id=row.chat_id, text=text, reply_markup=keyboard(buttons), **extra
                        )
                    message_id = message.message_id
            finally:
                self._limits.release()
        except RetryAfter as error:
            wait = seconds(error.retry_after)
            logger.warning("outbox: Telegram asks to wait %.0f s for chat %s", wait, row.chat_id)
            self._limits.pause(row.chat_id, wait)
            return await self._retry_later(row, wait, "RetryAfter")
        except Forbidden as error:
            if is_agents:
                logger.error("outbox: the bot cannot write to the agents group (%s); retrying later", error)
                return await self._retry_later(row, MAX_BACKOFF_S, "Forbidden")
            logger.info("outbox: chat %s blocked the bot; its pending messages are dropped", row.chat_id)
            await self._store.run(self._blocked, row.chat_id)
            return False
        except ChatMigrated as error:
            await self._migrate(row.chat_id, error.new_chat_id)
            return False
        except BadRequest as error:
            lowered = str(error).lower()
            if is_edit and NOT_MODIFIED in lowered:
                await self._store.run(gateway_queries.give_up, row.id, DeliveryStatus.SENT, "not modified")
                return True
            if is_agents and not is_edit and row.escalation_id and TOPIC_CLOSED in lowered:
                await self._threads.closed(row)
                return await self._retry_later(row, 0, "topic closed")
            if (
                is_agents
                and not is_edit
                and row.escalation_id
                and any(marker in lowered for marker in THREAD_LOST)
            ):
                logger.warning("outbox: thread of escalation %s is gone; starting anew", row.escalation_id)
                await self._threads.lost(row)
                return await self._retry_later(row, 0, "thread lost")
            logger.error("outbox: Telegram rejected message %s to chat %s: %s", row.id, row.chat_id, error)
            apologise = (
                not is_agents
                and row.purpose == REPLY
                and not any(marker in lowered for marker in UNREACHABLE)
            )
            if await self._store.run(self._failed, row, f"BadRequest: {error}", apologise):
                logger.warning(
                    "outbox: chat %s is told that message %s could not be shown", row.chat_id, row.id
                )
            return True
        except NetworkError as error:  # TimedOut included
            kind = type(error).__name__
            logger.warning("outbox: network error sending to chat %s (%s); retrying", row.chat_id, kind)
            return await self._retry_later(row, self._backoff(row), kind)
        except TelegramError as error:
            logger.error("outbox: Telegram error sending to chat %s: %s", row.chat_id, error)
            return await self._retry_later(row, self._backoff(row), type(error).__name__)
        await self._store.run_retrying(gateway_queries.mark_sent, row.id, message_id)  # sent: must not resend
        if is_agents and row.escalation_id and not is_edit:
            await self._threads.sent(row, message)
        return True

    def _card_now(self, session: Session, row: OutboxMessage) -> tuple[str, Any]:
        """A card whose escalation ended while it was queued is posted as ended, without buttons."""
        escalation = escalation_queries.get_escalation(session, row.escalation_id)
        if escalation is None or escalation.status != EscalationStatus.RESOLVED or self._ended_card is None:
            return row.text, row.buttons
        return self._ended_card(session, escalation, bool(self._agents.is_forum)), None

    async def _edit_card(self, row: OutboxMessage) -> int | None:
        """Edit the escalation's card to `row`'s text; None (row given up) when the card was never sent."""
        assert row.escalation_id is not None
        card = await self._store.run(gateway_queries.sent_message_id, row.chat_id, row.escalation_id, CARD)
        if card is None:
            await self._store.run(gateway_queries.give_up, row.id, DeliveryStatus.FAILED, "no card to edit")
            return None
        await self._bot.edit_message_text(
            chat_id=row.chat_id, message_id=card, text=row.text, reply_markup=keyboard(row.buttons)
        )
        return card

    def _failed(self, session: Session, row: OutboxMessage, error: str, apologise: bool = False) -> bool:
        """Give `row` up; queue the apology when asked and none waits already; return whether queued."""
        gateway_queries.give_up(session, row.id, DeliveryStatus.FAILED, error)
        if self._on_failed is not None:
            self._on_failed(session, row)
        if not apologise or gateway_queries.has_pending(session, row.chat_id, REPLY_NOT_SHOWN):
            return False
        gateway_queries.enqueue_message(session, row.chat_id, texts.REPLY_NOT_SHOWN, purpose=REPLY_NOT_SHOWN)
        return True

    async def _retry_later(self, row: OutboxMessage, wait: float, error: str) -> bool:
        not_before = utc_now() + dt.timedelta(seconds=wait)
        await self._store.run(gateway_queries.reschedule, row.id, not_before, error)
        return False

    @staticmethod
    def _backoff(row: OutboxMessage) -> float:
        return min(MAX_BACKOFF_S, 2.0**row.attempts)

    def _blocked(self, session: Session, chat_id: int) -> None:
        gateway_queries.mark_blocked(session, chat_id)
        gateway_queries.give_up_chat(
            session, chat_id, DeliveryStatus.BLOCKED, "Forbidden: blocked by the user"
        )
        if self._on_blocked is not None:
            self._on_blocked(session, chat_id)

    async def _migrate(self, old_chat_id: int, new_chat_id: int) -> None:
        logger.warning("outbox: chat %s became supergroup %s; moving its messages", old_chat_id, new_chat_id)
        if old_chat_id == self._agents.chat_id:
            await self._agents.migrate(self._store, new_chat_id)
        else:
            await self._store.run(gateway_queries.retarget_chat, old_chat_id, new_chat_id)
        self._limits.move(old_chat_id, new_chat_id)
