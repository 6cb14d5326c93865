"""Incoming updates: stored (by update_id) before Telegram is told they arrived, processed once, in chat order.

`InboxQueue` is the Application's update queue: the Updater awaits `put()` for every update of a
batch before it moves the getUpdates offset, so an update is in the database before Telegram
forgets it. A failed write is retried inside `put()` (a pause growing to STORE_RETRY_MAX_PAUSE_S)
for up to STORE_GIVE_UP_S: an exception out of `put()` would end python-telegram-bot's polling
task for good (its retry loop catches only TelegramError), leaving a live process that never asks
Telegram again. Only after STORE_GIVE_UP_S does `put()` raise; the polling watchdog
(bot/gateway/watchdog.py) then ends the process and the supervisor restarts it. A re-delivered
update (same update_id) is not queued again; updates stored but not processed when the gateway
stopped are replayed at start-up (`replay_unprocessed`).
`ChatOrderedProcessor` serves chats concurrently and each chat's updates one after another.

The inbox is the gateway's edge: every string of an update (texts, captions, names, button
data) is cleaned (`bot.inbound.clean_text`) before the update is stored or handled.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable
from typing import Any

from telegram import Bot, Update
from telegram.ext import BaseUpdateProcessor

from bot.db import gateway_queries
from bot.errors import StorageUnavailable
from bot.gateway.store import Store
from bot.inbound import clean_json

logger = logging.getLogger(__name__)

STORE_RETRY_FIRST_PAUSE_S = 0.1
STORE_RETRY_MAX_PAUSE_S = 5.0
STORE_GIVE_UP_S = 60.0
"""How long one update's write is retried before the gateway gives up (and is restarted)."""
REMEMBERED_UPDATES = 1000
"""Update ids queued by this process that are remembered (Telegram re-sends at most a batch of 100)."""


async def retry_pause(pause: float) -> float:
    """Sleep `pause` seconds; return the next, longer pause."""
    await asyncio.sleep(pause)
    return min(pause * 2, STORE_RETRY_MAX_PAUSE_S)


class InboxQueue(asyncio.Queue):  # type: ignore[type-arg]
    """The update queue whose `put()` returns only once the update is stored (retrying a failed write)."""

    def __init__(self, store: Store, *, give_up_after: float = STORE_GIVE_UP_S) -> None:
        super().__init__()
        self._store = store
        self._give_up_after = give_up_after
        self._queued: dict[int, None] = {}  # insertion-ordered: the oldest are forgotten first

    async def put(self, item: Any) -> None:
        """Store an update (cleaned), then queue it; an update stored and queued before (re-delivered) is dropped."""
        if isinstance(item, Update):
            item = clean_update(item)
            if not await self._store_until_stored(item):
                logger.info("update %s was delivered again; already stored, skipped", item.update_id)
                return
            self._remember(item.update_id)
        await super().put(item)

    async def replay(self, update: Update) -> None:
        """Queue an already stored update (used at start-up)."""
        self._remember(update.update_id)
        await super().put(update)

    async def _store_until_stored(self, update: Update) -> bool:
        """Write the update, retrying; True when it is to be queued now. Raises StorageUnavailable in the end."""
        deadline = asyncio.get_running_loop().time() + self._give_up_after
        pause, failures = STORE_RETRY_FIRST_PAUSE_S, 0
        while True:
            try:
                fresh = await self._store.run(
                    gateway_queries.store_update, update.update_id, update.to_json()
                )
                if fresh or failures == 0 or update.update_id in self._queued:
                    return fresh
                # A failed attempt may have committed before its connection died: stored, never queued.
                return not await self._store.run(gateway_queries.is_update_processed, update.update_id)
            except StorageUnavailable as error:
                failures += 1
                if asyncio.get_running_loop().time() + pause > deadline:
                    logger.critical(
                        "cannot store update %s after %d attempts (%s); giving up",
                        update.update_id,
                        failures,
                        error,
                    )
                    raise
                logger.warning(
                    "cannot store update %s (%s, attempt %d); retrying, not yet confirmed to Telegram",
                    update.update_id,
                    error,
                    failures,
                )
                pause = await retry_pause(pause)

    def _remember(self, update_id: int) -> None:
        self._queued[update_id] = None
        while len(self._queued) > REMEMBERED_UPDATES:
            del self._queued[next(iter(self._queued))]


def clean_update(update: Update) -> Update:
    """`update` with every string cleaned; the same object when nothing needed cleaning."""
    raw = update.to_dict()
    cleaned = clean_json(raw)
    if cleaned == raw:
        return update
    logger.warning("update %s carried characters no store can keep; removed", update.update_id)
    try:
        bot = update.get_bot()
    except RuntimeError:  # an update built without a bot (tests)
        bot = None
    rebuilt = Update.de_json(cleaned, bot)
    return rebuilt if rebuilt is not None else update


async def replay_unprocessed(queue: InboxQueue, store: Store, bot: Bot) -> int:
    """Queue every stored but unprocessed update again; return how many."""
    pending = await store.run(gateway_queries.unprocessed_updates)
    for update_id, payload in pending:
        update = Update.de_json(json.loads(payload), bot)
        if update is None:
            await store.run(gateway_queries.finish_update, update_id)
            continue
        await queue.replay(update)
    if pending:
        logger.info("replaying %d stored update(s) not processed before the last stop", len(pending))
    return len(pending)


def chat_key(update: object) -> int | None:
    """The chat an update belongs to (its updates are processed in order), or None."""
    if isinstance(update, Update) and update.effective_chat is not None:
        return update.effective_chat.id
    return None


class ChatOrderedProcessor(BaseUpdateProcessor):
    """Processes different chats concurrently and each chat's updates in arrival order.

    After an update's handlers finished (errors included: the error handler answered it), the
    update is marked processed; an update interrupted by a stop stays unprocessed and is replayed.
    """

    def __init__(self, store: Store, max_concurrent_updates: int = 256) -> None:
        super().__init__(max_concurrent_updates)
        self._store = store
        self._locks: dict[int, tuple[asyncio.Lock, int]] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = chat_key(update)
        if key is None:
            await coroutine
        else:
            lock, users = self._locks.get(key, (asyncio.Lock(), 0))
            self._locks[key] = (lock, users + 1)
            try:
                async with lock:
                    await coroutine
            finally:
                lock, users = self._locks[key]
                if users <= 1:
                    del self._locks[key]
                else:
                    self._locks[key] = (lock, users - 1)
        if isinstance(update, Update):
            await self._finish(update.update_id)

    async def _finish(self, update_id: int) -> None:
        try:
            await self._store.run_retrying(gateway_queries.finish_update, update_id)
        except StorageUnavailable:
            logger.error("could not mark update %s processed; it may be replayed", update_id)

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""
