"""A case nobody wrote in for AUTO_RESOLVE_MINUTES ends by itself, with a note to the applicant and the agents.

Silence is counted from the latest of: the case being opened, the applicant's last message, an
agent's last reply — so an applicant always has the whole time to answer the latest reply, and a
case waiting for an agent ends only when its applicant too has said nothing for that long.
The case ends as /resolve ends it (bot/gateway/endings.py: the card, the topic, the satisfaction
question when an agent held it), with its own words: the applicant hears why and that they can
ask for a person again; the thread says the case ended for silence. The conversation then goes
back to Rasa (bot/gateway/resume.py). Each pass runs in one transaction, so a restart neither
repeats nor forgets an ending.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable

from sqlalchemy.orm import Session

from bot.db import escalation_queries, gateway_queries
from bot.db.escalation_models import Escalation
from bot.db.types import utc_now
from bot.gateway import texts
from bot.gateway.agents_group import AgentsGroup
from bot.gateway.cards import has_card
from bot.gateway.endings import close_topics, end_case
from bot.gateway.relay import AGENT_NOTICE, Relay
from bot.gateway.resume import Resumer
from bot.gateway.store import Store

logger = logging.getLogger(__name__)

CHECK_EVERY_S = 5.0


class SilentCases:
    """Ends cases silent for `after` (None: never); see the module docstring."""

    def __init__(
        self,
        store: Store,
        agents: AgentsGroup,
        relay: Relay,
        resumer: Resumer,
        wake: Callable[[], None],
        *,
        after: dt.timedelta | None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._store = store
        self._agents = agents
        self._relay = relay
        self._resumer = resumer
        self._wake = wake
        self._after = after
        self._clock = clock
        self._every = min(CHECK_EVERY_S, after.total_seconds() / 4) if after else CHECK_EVERY_S
        self._next_check = 0.0

    async def end_silent(self) -> int:
        """One check (at most every few seconds); return how many cases ended."""
        if self._after is None or self._clock() < self._next_check:
            return 0
        self._next_check = self._clock() + self._every
        ended = await self._store.run(self._end_due, utc_now() - self._after)
        if ended:
            logger.info("ended %d escalation(s) after the applicant's silence", len(ended))
            self._wake()
        for escalation in ended:
            await self._resumer.resume(escalation.id, escalation.sender_id)
        return len(ended)

    def _end_due(self, session: Session, quiet_since: dt.datetime) -> list[Escalation]:
        assert self._after is not None
        minutes = f"{self._after.total_seconds() / 60:g}"
        ended: list[Escalation] = []
        for silent in escalation_queries.silent_escalations(session, quiet_since):
            escalation = end_case(
                session,
                self._relay,
                self._agents,
                silent.id,
                by_id=None,
                by_name="",
                applicant_text=texts.AUTO_RESOLVED_APPLICANT.format(minutes=minutes),
                auto=True,
            )
            if escalation is None:
                continue
            gateway_queries.enqueue_message(
                session,
                self._agents.chat_id,
                texts.AUTO_RESOLVED_AGENTS.format(id=escalation.id, minutes=minutes),
                purpose=AGENT_NOTICE,
                escalation_id=escalation.id if has_card(session, escalation.id) else None,
            )
            ended.append(escalation)
        close_topics(session, self._agents, ended)
        return ended
