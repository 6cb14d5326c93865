"""Tells an applicant, once and honestly, that no agent has taken their escalation after a while.

An escalation still open (no agent claimed or answered it) HANDOFF_WAIT_MINUTES after it was
opened gets one message to its applicant, on their channel (bot/gateway/relay.py): nobody has
taken it yet; they can keep writing (their messages wait for the agents), press 「返回机器人」, or
call the support phone from the guide. The escalation stays open: an agent may still take it.
That it was told is remembered in `gateway_state`, in the same transaction, so a restart never
tells it twice. The agents' own reminders are not this module's job.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy.orm import Session

from bot.db import escalation_queries, gateway_queries
from bot.db.escalation_models import Escalation
from bot.db.types import utc_now
from bot.gateway import texts
from bot.gateway.relay import Relay
from bot.gateway.store import Store
from bot.handoff import Reach, reach_of

CHECK_EVERY_S = 5.0
LOOKBACK = timedelta(days=2)
"""Escalations opened longer ago than the wait plus this are not looked at any more."""
TOLD_KEY = gateway_queries.WAIT_TOLD_PREFIX + "{id}"
PURPOSE = "handoff_waiting"
_TEXTS = {
    Reach.CHAT: texts.WAITING_TELEGRAM,
    Reach.PAGE: texts.WAITING_WEB,
    Reach.NEXT_REQUEST: texts.WAITING_REST,
}


def waiting_text(escalation: Escalation, minutes: float) -> str:
    """What the applicant of `escalation` is told, for their channel."""
    return _TEXTS[reach_of(escalation.sender_id)].format(minutes=f"{minutes:g}")


class WaitingApplicants:
    """Tells applicants whose escalation nobody took within `after` (see the module docstring)."""

    def __init__(
        self,
        store: Store,
        relay: Relay,
        wake: Callable[[], None],
        *,
        after: timedelta,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._store = store
        self._relay = relay
        self._wake = wake
        self._after = after
        self._clock = clock
        self._next_check = 0.0

    async def tell(self) -> int:
        """One check (at most every CHECK_EVERY_S); return how many applicants were told."""
        if self._clock() < self._next_check:
            return 0
        self._next_check = self._clock() + CHECK_EVERY_S
        told = await self._store.run(self._tell_due)
        if told:
            self._wake()
        return told

    def _tell_due(self, session: Session) -> int:
        now = utc_now()
        cutoff = now - self._after
        told = 0
        for escalation in escalation_queries.unclaimed_since(session, cutoff, cutoff - LOOKBACK):
            key = TOLD_KEY.format(id=escalation.id)
            if gateway_queries.get_state(session, key) is not None:
                continue
            text = waiting_text(escalation, self._after.total_seconds() / 60)
            self._relay.tell_applicant(session, escalation, text, PURPOSE, leave_button=True)
            gateway_queries.set_state(session, key, now.isoformat())
            told += 1
        return told
