"""Outgoing messages: every message is an outbox row; one worker per chat delivers its rows in order.

`Outbox` is the queue: it finds the chats with a message due, runs one worker per chat, and
stops cleanly (a message being sent may finish, so none is sent twice after a restart). How one
row is sent, and what an error means, is the `Delivery`'s job (Telegram's: bot/gateway/delivery.py);
it records the outcome (sent, retry at a later time, given up) in the row. Rows stay in the
database, so a restarted gateway resumes where it stopped.

A private chat gets its messages strictly in order. A group (the agents group, which Telegram
lets a bot post about 20 messages a minute to) gets the `urgent` purposes first — relayed
applicant messages and answers to agents' commands — before cards, summaries, alerts and
reminders; an escalation's own messages still keep their order (bot.db.gateway_queries.next_pending).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Protocol

from bot.db import gateway_queries
from bot.db.gateway_models import OutboxMessage
from bot.db.types import utc_now
from bot.errors import StorageUnavailable
from bot.gateway.store import Store

logger = logging.getLogger(__name__)

IDLE_POLL_S = 1.0
STOP_GRACE_S = 5.0
SCAN_GAP_S = 0.2


class Delivery(Protocol):
    """Sends one outbox row and records what happened to it."""

    async def deliver(self, row: OutboxMessage) -> bool:
        """Send `row` (or reschedule or give it up); return whether the chat's next row may follow now."""


class Outbox:
    """Delivers pending outbox rows; `wake()` after committing new rows to send them at once."""

    def __init__(self, store: Store, delivery: Delivery, *, urgent: tuple[str, ...] = ()) -> None:
        """`urgent`: the purposes a group's worker sends before the others."""
        self._store = store
        self._urgent = urgent
        self._delivery = delivery
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
            # A worker finishing wakes this loop; with thousands of chats due (a big status change)
            # that would rescan the queue for every message sent. At most SCAN_GAP_S apart instead;
            # a chat woken with its id starts at once (wake(chat_id)).
            await asyncio.sleep(SCAN_GAP_S)

    async def stop(self) -> None:
        """Let messages being sent finish (so none is sent twice after a restart), then stop."""
        self._stopping = True
        self._wake.set()
        workers = list(self._workers.values())
        if workers:
            _, late = await asyncio.wait(workers, timeout=STOP_GRACE_S)
            for task in late:
                task.cancel()

    async def _next(self, chat_id: int) -> OutboxMessage | None:
        if chat_id < 0 and self._urgent:  # a group
            return await self._store.run(gateway_queries.next_pending, chat_id, self._urgent)
        return await self._store.run(gateway_queries.pending_head, chat_id)

    async def _drain(self, chat_id: int) -> None:
        try:
            row = await self._next(chat_id)
            while not self._stopping and row is not None and row.not_before <= utc_now():
                if not await self._delivery.deliver(row):
                    return
                row = await self._next(chat_id)
        except StorageUnavailable:
            logger.warning("outbox: database unavailable while sending to chat %s", chat_id)
        except Exception:  # one chat's worker must not stop the outbox
            logger.exception("outbox worker for chat %s crashed", chat_id)
        finally:
            self._workers.pop(chat_id, None)
            self._wake.set()  # rows a delivery queued for other chats (a notice to the agents) go out too
