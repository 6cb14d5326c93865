"""The polling watchdog: a gateway that no longer polls Telegram ends, non-zero, so the supervisor restarts it.

python-telegram-bot polls in one background task of its Updater. An exception other than a
TelegramError (from our update queue, say) ends that task for good while the process stays up
with an idle event loop: no applicant is answered and nothing is logged again. The watchdog looks
at that task every CHECK_EVERY_S; once it has ended while the Updater still runs it logs why,
stops the Updater (retrieving the task's error), and stops the application, which shuts down
cleanly; `run()` then raises `PollingStopped` and `python -m bot.gateway` exits 1.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from telegram.ext import Application

logger = logging.getLogger(__name__)

CHECK_EVERY_S = 1.0
POLLING_TASK_NAME = "Updater:start_polling:polling_task"
"""The name python-telegram-bot (21.x–22.x) gives its polling task."""


def polling_task() -> asyncio.Task[Any] | None:
    """The Updater's polling task on the running loop, if there is one."""
    return next((task for task in asyncio.all_tasks() if task.get_name() == POLLING_TASK_NAME), None)


class PollingWatchdog:
    """Watches the Updater's polling; `tripped` tells whether it had to stop the gateway."""

    def __init__(
        self, application: Application[Any, Any, Any, Any, Any, Any], *, every: float = CHECK_EVERY_S
    ) -> None:
        self._application = application
        self._every = every
        self._task: asyncio.Task[None] | None = None
        self.tripped = False

    def start(self) -> None:
        """Begin watching (call on the running loop, e.g. in post_init)."""
        self._task = asyncio.create_task(self._watch(), name="gateway-polling-watchdog")

    async def stop(self) -> None:
        """Stop watching."""
        if self._task is not None and self._task is not asyncio.current_task():
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _watch(self) -> None:
        updater = self._application.updater
        assert updater is not None
        while not (self._application.running and updater.running and polling_task() is not None):
            await asyncio.sleep(self._every / 10)  # start-up: polling begins once post_init returned
        task = polling_task()
        while task is not None and not task.done():
            await asyncio.sleep(self._every)
            if not updater.running:
                return  # Updater.stop() is only called by a shutdown, which is under way
        await self._trip()

    async def _trip(self) -> None:
        cause = "its polling task ended"
        try:
            await self._application.updater.stop()  # type: ignore[union-attr]
        except Exception as error:  # noqa: BLE001 - whatever ended the polling task is only logged
            cause = f"its polling task ended with {type(error).__name__}: {error}"
        logger.critical("gateway no longer polls Telegram (%s); exiting so that it is restarted", cause)
        self.tripped = True
        self._application.stop_running()
