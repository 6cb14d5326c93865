"""Ending a case, the same way whoever ends it (/resolve, 结束, or the applicant's silence).

The escalation is resolved and credited to its owner (else to whoever ended it), the applicant is
told on their channel and, when an agent held the case, asked how satisfied they are
(bot/gateway/satisfaction.py), and the card shows it ended. The caller posts its notice in the
thread first and then closes the forum topics (`close_topics`), so the notice lands inside them.
Everything runs in the caller's transaction.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from bot.db import escalation_queries
from bot.db.escalation_models import Escalation
from bot.gateway import satisfaction
from bot.gateway.agents_group import AgentsGroup
from bot.gateway.cards import has_card, queue_card_update, queue_topic_update
from bot.gateway.relay import Relay

RESOLVED_PURPOSE = "handoff_resolved"


def end_case(
    session: Session,
    relay: Relay,
    agents: AgentsGroup,
    escalation_id: int,
    *,
    by_id: int | None,
    by_name: str,
    applicant_text: str,
    auto: bool = False,
) -> Escalation | None:
    """End one active escalation (see the module docstring); None when it was not active."""
    escalation = escalation_queries.resolve_escalation(session, escalation_id)
    if escalation is None:
        return None
    escalation_queries.credit_resolution(session, escalation, by_id, by_name, auto=auto)
    relay.tell_applicant(session, escalation, applicant_text, RESOLVED_PURPOSE)
    satisfaction.ask(session, escalation)
    queue_card_update(session, agents.chat_id, escalation, forum=bool(agents.is_forum))
    return escalation


def close_topics(session: Session, agents: AgentsGroup, ended: list[Escalation]) -> None:
    """In a forum, rename and close the ended escalations' topics (after their notices were queued)."""
    if not agents.is_forum:
        return
    for escalation in ended:
        if has_card(session, escalation.id):
            queue_topic_update(session, agents.chat_id, escalation)
