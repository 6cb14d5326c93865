"""Reminders in the agents group: an escalation nobody claimed within AGENT_REMINDER_MINUTES is named again.

Each escalation is reminded of once: in its thread when it has a card (a forum topic shows it as
new), else in one message listing every such escalation (those only in a summary). When more than
BATCH_OVER are due in one pass, they are all listed in one message (ids and waiting times), so a
burst of unclaimed cases does not flood the group. The newest
escalation id looked at is remembered in the database (`gateway_state`), so a restart neither
repeats nor forgets a reminder. An escalation not announced yet is left for a later pass.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from sqlalchemy.orm import Session

from bot.db import escalation_queries, gateway_queries
from bot.db.escalation_models import Escalation, EscalationStatus
from bot.db.types import utc_now
from bot.gateway import texts
from bot.gateway.agent_commands import waited
from bot.gateway.agents_group import AgentsGroup
from bot.gateway.cards import has_card
from bot.gateway.store import Store
from bot.message_length import split_text

logger = logging.getLogger(__name__)

REMINDER = "unclaimed_reminder"
"""The outbox purpose of a reminder."""
WATERMARK_KEY = "reminded_through_escalation"
BATCH_OVER = 3
"""More reminders than this due in one pass are listed in one message instead of a line each."""


class Reminders:
    """Queues reminders for escalations unclaimed past `after` (None: never)."""

    def __init__(
        self,
        store: Store,
        agents: AgentsGroup,
        wake: Callable[[], None],
        *,
        after: dt.timedelta | None,
        clock: Callable[[], dt.datetime] = utc_now,
    ) -> None:
        self._store = store
        self._agents = agents
        self._wake = wake
        self._after = after
        self._clock = clock

    async def remind(self) -> int:
        """One pass: queue the reminders that are due; return how many escalations were named."""
        if self._after is None:
            return 0
        named = await self._store.run(self._queue, self._clock() - self._after)
        if named:
            logger.info("reminded the agents of %d unclaimed escalation(s)", named)
            self._wake()
        return named

    def _queue(self, session: Session, created_before: dt.datetime) -> int:
        through = int(gateway_queries.get_state(session, WATERMARK_KEY) or 0)
        due: list[Escalation] = []
        for escalation in escalation_queries.escalations_created_before(session, through, created_before):
            if escalation.status == EscalationStatus.OPEN and escalation.announced_at is None:
                break  # announced soon; reminded in a later pass
            through = escalation.id
            if escalation.status == EscalationStatus.OPEN:
                due.append(escalation)
        if len(due) > BATCH_OVER:
            self._queue_batch(session, due)
        else:
            self._queue_each(session, due)
        gateway_queries.set_state(session, WATERMARK_KEY, str(through))
        return len(due)

    def _queue_each(self, session: Session, due: list[Escalation]) -> None:
        """A few: each in its thread when it has a card; those only in a summary together."""
        unthreaded: list[str] = []
        for escalation in due:
            text = texts.UNCLAIMED_REMINDER.format(id=escalation.id, waited=waited(escalation))
            if has_card(session, escalation.id):
                gateway_queries.enqueue_message(
                    session, self._agents.chat_id, text, purpose=REMINDER, escalation_id=escalation.id
                )
            else:
                unthreaded.append(text)
        for part in split_text("\n".join(unthreaded)):
            gateway_queries.enqueue_message(session, self._agents.chat_id, part, purpose=REMINDER)

    def _queue_batch(self, session: Session, due: list[Escalation]) -> None:
        """Many at once: one message lists them all (split only past Telegram's limit)."""
        lines = [texts.UNCLAIMED_REMINDER_HEADER.format(count=len(due))]
        lines += [texts.UNCLAIMED_REMINDER_LINE.format(id=e.id, waited=waited(e)) for e in due]
        lines.append(texts.UNCLAIMED_REMINDER_HOW_TO.format(example=due[0].id))
        for part in split_text("\n".join(lines)):
            gateway_queries.enqueue_message(session, self._agents.chat_id, part, purpose=REMINDER)
