"""Outgoing messages: every message is an outbox row; a sender task delivers them in order per chat.

Delivery honours Telegram's limits (bot/gateway/limits.py) and errors:

    RetryAfter    wait `retry_after` seconds (the chat is paused), then try again
    TimedOut,
    NetworkError  try again with back-off (a timed-out send may have arrived: at-least-once)
    Forbidden     the user blocked the bot: the chat's pending messages are marked `blocked`;
                  the agents group keeps its messages and retries (the bot may be re-added)
    ChatMigrated  the group became a supergroup: its pending messages move to the new id
    BadRequest    a lost thread is recreated once; anything else is `failed` (logged, not retried)

Rows stay in the database, so a restarted gateway resumes where it stopped.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Message
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter, TelegramError

from bot.db import gateway_queries
from bot.db.gateway_models import DeliveryStatus, OutboxMessage
from bot.db.types import utc_now
from bot.errors import StorageUnavailable
from bot.gateway.limits import SendLimits
from bot.gateway.store import Store

logger = logging.getLogger(__name__)

IDLE_POLL_S = 1.0
MAX_BACKOFF_S = 60.0
STOP_GRACE_S = 5.0
THREAD_LOST = ("thread not found", "topic_deleted", "topic_closed", "replied message not found")


class Threads(Protocol):
    """Places agents-group messages of an escalation in its thread (see bot/gateway/handoff.py)."""

    async def placement(self, row: OutboxMessage) -> dict[str, Any]:
        """Extra send_message arguments for `row`."""

    async def sent(self, row: OutboxMessage, message: Message) -> None:
        """Called after `row` was delivered as `message`."""

    async def lost(self, row: OutboxMessage) -> None:
        """Telegram says `row`'s thread is gone: start a new one."""


class AgentsGroup:
    """The agents group's current chat id (it changes when a group becomes a supergroup)."""

    def __init__(self, chat_id: int) -> None:
        self.chat_id = chat_id
        self.is_forum: bool | None = None


def seconds(value: int | float | dt.timedelta) -> float:
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


class Outbox:
    """Delivers pending outbox rows; `wake()` after committing new rows to send them at once."""

    def __init__(
        self,
        bot: Bot,
        store: Store,
        agents: AgentsGroup,
        threads: Threads,
        *,
        limits: SendLimits | None = None,
        on_blocked: Callable[[int], Awaitable[None]] | None = None,
    ) -> None:
        self._bot = bot
        self._store = store
        self._agents = agents
        self._threads = threads
        self._limits = limits or SendLimits()
        self._on_blocked = on_blocked
        self._wake = asyncio.Event()
        self._workers: dict[int, asyncio.Task[None]] = {}
        self._stopping = False

    def wake(self, chat_id: int | None = None) -> None:
        """New rows were committed (for `chat_id`, when given: its worker starts at once)."""
        if chat_id is not None and chat_id not in self._workers and not self._stopping:
            self._workers[chat_id] = asyncio.create_task(self._drain(chat_id))
        self._wake.set()

    async def run(self) -> None:
        """Start a worker for every chat with a message due, until cancelled."""
        while not self._stopping:
            self._wake.clear()
            timeout = IDLE_POLL_S
            try:
                heads = await self._store.run(gateway_queries.pending_heads)
            except StorageUnavailable:
                logger.warning("outbox: database unavailable, retrying")
                heads, timeout = [], 2.0
            now = utc_now()
            for row in heads:
                if row.chat_id in self._workers:
                    continue
                delay = (row.not_before - now).total_seconds()
                if delay <= 0:
                    self._workers[row.chat_id] = asyncio.create_task(self._drain(row.chat_id))
                else:
                    timeout = min(timeout, delay)
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=max(timeout, 0.05))
            except asyncio.TimeoutError:
                pass

    async def stop(self) -> None:
        """Let messages being sent finish (so none is sent twice after a restart), then stop."""
        self._stopping = True
        self._wake.set()
        workers = list(self._workers.values())
        if workers:
            _, late = await asyncio.wait(workers, timeout=STOP_GRACE_S)
            for task in late:
                task.cancel()

    async def _drain(self, chat_id: int) -> None:
        try:
            row = await self._store.run(gateway_queries.pending_head, chat_id)
            while not self._stopping and row is not None and row.not_before <= utc_now():
                await self._limits.acquire(chat_id)
                if not await self._deliver(row):
                    return
                row = await self._store.run(gateway_queries.pending_head, chat_id)
        except StorageUnavailable:
            logger.warning("outbox: database unavailable while sending to chat %s", chat_id)
        except Exception:  # noqa: BLE001 - one chat's worker must not stop the outbox
            logger.exception("outbox worker for chat %s crashed", chat_id)
        finally:
            self._workers.pop(chat_id, None)
            self._wake.set()

    async def _retry_later(self, row: OutboxMessage, wait: float, error: str) -> bool:
        await self._store.run(gateway_queries.reschedule, row.id, utc_now() + dt.timedelta(seconds=wait), error)
        return False

    def _backoff(self, row: OutboxMessage) -> float:
        return min(MAX_BACKOFF_S, 2.0 ** row.attempts)

    async def _deliver(self, row: OutboxMessage) -> bool:
        """Send one row; return whether the chat's next row may follow now."""
        is_agents = row.chat_id == self._agents.chat_id
        try:
            extra = await self._threads.placement(row) if is_agents and row.escalation_id else {}
            message = await self._bot.send_message(
                chat_id=row.chat_id, text=row.text, reply_markup=keyboard(row.buttons), **extra
            )
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
            await self._store.run(_blocked, row.chat_id)
            if self._on_blocked is not None:
                await self._on_blocked(row.chat_id)
            return False
        except ChatMigrated as error:
            await self._migrate(row.chat_id, error.new_chat_id)
            return False
        except BadRequest as error:
            lowered = str(error).lower()
            if is_agents and row.escalation_id and any(marker in lowered for marker in THREAD_LOST):
                logger.warning("outbox: thread of escalation %s is gone; starting anew", row.escalation_id)
                await self._threads.lost(row)
                return await self._retry_later(row, 0, "thread lost")
            logger.error("outbox: Telegram rejected message %s to chat %s: %s", row.id, row.chat_id, error)
            await self._store.run(gateway_queries.give_up, row.id, DeliveryStatus.FAILED, f"BadRequest: {error}")
            return True
        except NetworkError as error:  # TimedOut included
            kind = type(error).__name__
            logger.warning("outbox: network error sending to chat %s (%s); retrying", row.chat_id, kind)
            return await self._retry_later(row, self._backoff(row), type(error).__name__)
        except TelegramError as error:
            logger.error("outbox: Telegram error sending to chat %s: %s", row.chat_id, error)
            return await self._retry_later(row, self._backoff(row), type(error).__name__)
        await self._store.run(gateway_queries.mark_sent, row.id, message.message_id)
        if is_agents and row.escalation_id:
            await self._threads.sent(row, message)
        return True

    async def _migrate(self, old_chat_id: int, new_chat_id: int) -> None:
        logger.warning("outbox: chat %s became supergroup %s; moving its messages", old_chat_id, new_chat_id)
        if old_chat_id == self._agents.chat_id:
            await migrate_agents_group(self._store, self._agents, new_chat_id)
        else:
            await self._store.run(gateway_queries.retarget_chat, old_chat_id, new_chat_id)
        self._limits.move(old_chat_id, new_chat_id)


def _blocked(session: Any, chat_id: int) -> None:
    gateway_queries.mark_blocked(session, chat_id)
    gateway_queries.give_up_chat(session, chat_id, DeliveryStatus.BLOCKED, "Forbidden: blocked by the user")


AGENTS_MIGRATED_KEY = "agents_group_migrated_from:{configured}"


async def migrate_agents_group(store: Store, agents: AgentsGroup, new_chat_id: int) -> None:
    """Remember the agents group's new id (across restarts) and move its pending messages."""
    old_chat_id = agents.chat_id

    def move(session: Any) -> None:
        gateway_queries.set_state(session, AGENTS_MIGRATED_KEY.format(configured=old_chat_id), str(new_chat_id))
        gateway_queries.retarget_chat(session, old_chat_id, new_chat_id)

    await store.run(move)
    agents.chat_id = new_chat_id
    agents.is_forum = None


async def current_agents_chat_id(store: Store, configured: int) -> int:
    """The configured agents group id, followed through any migration recorded earlier."""
    chat_id = configured
    for _ in range(3):  # a group migrates at most once; guard against loops anyway
        moved = await store.run(gateway_queries.get_state, AGENTS_MIGRATED_KEY.format(configured=chat_id))
        if moved is None:
            break
        chat_id = int(moved)
    return chat_id
