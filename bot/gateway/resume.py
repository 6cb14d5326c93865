"""Giving a conversation back to the bot once its escalation is resolved: Rasa is told to resume it.

Rasa may be down when an agent resolves; the escalation then stays resolved but not resumed and
is retried: by the maintenance loop every RESUME_RETRY_S, and before the applicant's next turn.
"""

from __future__ import annotations

import datetime as dt
import logging
import time

from bot.db import escalation_queries
from bot.db.types import utc_now
from bot.errors import UpstreamUnavailable
from bot.gateway.rasa_client import RasaClient
from bot.gateway.store import Store

logger = logging.getLogger(__name__)

RESUME_RETRY_S = 10.0
RESUME_GRACE_S = 10.0
"""The maintenance loop leaves a just-resolved escalation to the /resolve that is resuming it."""


class Resumer:
    """Resumes the Rasa conversations of resolved escalations."""

    def __init__(self, store: Store, rasa: RasaClient) -> None:
        self._store = store
        self._rasa = rasa
        self._next_retry = 0.0

    async def resume(self, escalation_id: int, sender_id: str) -> bool:
        """Give the conversation back to Rasa; False (and retried later) when Rasa does not answer."""
        try:
            await self._rasa.resume(sender_id)
        except UpstreamUnavailable as error:
            logger.warning("could not resume the conversation of escalation %s: %s", escalation_id, error)
            return False
        await self._store.run(escalation_queries.mark_resumed, escalation_id)
        logger.info("escalation %s resolved and the bot resumed", escalation_id)
        return True

    async def resume_resolved(self) -> None:
        """Resume Rasa for resolved escalations not resumed yet (Rasa may have been down)."""
        if time.monotonic() < self._next_retry:
            return
        resolved_before = utc_now() - dt.timedelta(seconds=RESUME_GRACE_S)
        for escalation in await self._store.run(escalation_queries.unresumed_escalations, resolved_before):
            if not await self.resume(escalation.id, escalation.sender_id):
                self._next_retry = time.monotonic() + RESUME_RETRY_S
                return
