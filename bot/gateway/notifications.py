"""Status notifications on the gateway's side: a blocked chat's subscriptions end; progress in the log.

The notifications themselves are ordinary outbox rows, queued by the back office's process
(bot/notify/fanout.py) and sent by the outbox like any other message: within Telegram's limits,
kept while the gateway is down, never twice.
"""

from __future__ import annotations

import logging
import time

from sqlalchemy.orm import Session

from bot import identity
from bot.db import notification_queries
from bot.db.notification_models import EndReason
from bot.db.types import utc_now
from bot.gateway.store import Store

logger = logging.getLogger(__name__)

PURPOSE = "status_notification"
"""The outbox purpose the back office gives status notifications (bot.notify.fanout.PURPOSE)."""
UNSUBSCRIBE_PAYLOAD = "/unsubscribe"
"""What /unsubscribe and a notification's 退订 button send to Rasa (the `unsubscribe` intent)."""
PROGRESS_INTERVAL_S = 10.0


def end_blocked_subscriptions(session: Session, chat_id: int) -> None:
    """The applicant blocked the bot (403): their subscriptions are dead (in the transaction marking it)."""
    if chat_id <= 0:
        return  # a group, not an applicant
    ended = notification_queries.end_subscriptions(
        session, [identity.telegram(chat_id)], EndReason.BLOCKED, now=utc_now()
    )
    if ended:
        logger.info("status notifications: chat %s blocked the bot; %d subscriptions ended", chat_id, ended)


class Progress:
    """Logs, every PROGRESS_INTERVAL_S while any wait, how many notifications wait and how fast they go."""

    def __init__(self, store: Store, *, interval: float = PROGRESS_INTERVAL_S) -> None:
        self._store = store
        self._interval = interval
        self._last_check = 0.0
        self._last_pending = 0

    async def report(self) -> None:
        """Log the progress when the interval has passed (call it often)."""
        now = time.monotonic()
        if now - self._last_check < self._interval:
            return
        elapsed = now - self._last_check
        self._last_check = now
        pending = await self._store.run(notification_queries.pending_in_outbox, PURPOSE)
        previous, self._last_pending = self._last_pending, pending
        if pending and previous:
            went = max(previous - pending, 0)
            logger.info(
                "status notifications: %d waiting; %d sent in the last %.0f s (%.1f/s)",
                pending,
                went,
                elapsed,
                went / elapsed,
            )
        elif pending:
            logger.info("status notifications: %d waiting to be sent", pending)
        elif previous:
            logger.info("status notifications: all sent")
