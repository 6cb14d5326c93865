"""Queries of escalations and agent alerts (bot/db/escalation_models.py): plain functions taking a session.

The caller opens the transaction and commits.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import String, cast, func, or_, select, update
from sqlalchemy.orm import Session

from bot.db.escalation_models import (
    ACTIVE_STATUSES,
    APPLICANT_ALERTS,
    AgentAlert,
    AlertKind,
    CaseRating,
    Escalation,
    EscalationStatus,
    HandoffMessage,
)
from bot.db.types import utc_now

# --- escalations -------------------------------------------------------------------------------


def active_escalation(session: Session, sender_id: str) -> Escalation | None:
    """The open or claimed escalation of a conversation."""
    return session.scalars(
        select(Escalation).where(Escalation.sender_id == sender_id, Escalation.status.in_(ACTIVE_STATUSES))
    ).first()


def escalations_since(session: Session, sender_id: str, since: dt.datetime) -> int:
    """How many escalations the conversation opened since `since`."""
    return session.scalar(
        select(func.count())
        .select_from(Escalation)
        .where(Escalation.sender_id == sender_id, Escalation.created_at >= since)
    )


def open_escalation(
    session: Session,
    *,
    sender_id: str,
    reason: str,
    application_id: str | None,
    transcript: Sequence[dict[str, str]],
    quiet: bool = False,
) -> Escalation:
    """Record an escalation, or return the conversation's active one (safe to repeat)."""
    existing = active_escalation(session, sender_id)
    if existing is not None:
        return existing
    escalation = Escalation(
        sender_id=sender_id,
        reason=reason,
        application_id=application_id,
        transcript=json.dumps(list(transcript), ensure_ascii=False),
        status=EscalationStatus.OPEN,
        created_at=utc_now(),
        quiet=quiet,
    )
    session.add(escalation)
    session.flush()
    return escalation


def get_escalation(session: Session, escalation_id: int) -> Escalation | None:
    """One escalation by id."""
    return session.get(Escalation, escalation_id)


def unannounced_escalations(session: Session, limit: int | None = None) -> list[Escalation]:
    """Escalations not yet posted to the agents group, oldest first (at most `limit`)."""
    statement = select(Escalation).where(Escalation.announced_at.is_(None)).order_by(Escalation.id)
    if limit is not None:
        statement = statement.limit(limit)
    return list(session.scalars(statement.with_for_update()))


def waiting_escalations(session: Session) -> tuple[int, dt.datetime | None, dt.datetime | None]:
    """How many escalations wait to be posted to the agents group, the oldest and newest arrival."""
    row = session.execute(
        select(func.count(), func.min(Escalation.created_at), func.max(Escalation.created_at)).where(
            Escalation.announced_at.is_(None)
        )
    ).one()
    count, oldest, newest = row  # min() and max() keep the column's type: aware UTC datetimes
    return int(count), oldest, newest


def mark_announced(session: Session, escalation_ids: Sequence[int]) -> None:
    """Record that the escalations' announcement (card or summary) is in the outbox."""
    session.execute(
        update(Escalation).where(Escalation.id.in_(escalation_ids)).values(announced_at=utc_now())
    )


def set_thread(
    session: Session, escalation_id: int, *, topic_id: int | None = None, root_message_id: int | None = None
) -> None:
    """Record the escalation's thread in the agents group (a forum topic or the first message)."""
    session.execute(
        update(Escalation)
        .where(Escalation.id == escalation_id)
        .values(topic_id=topic_id, root_message_id=root_message_id)
    )


def escalation_by_topic(session: Session, topic_id: int) -> Escalation | None:
    """The escalation whose forum topic is `topic_id`."""
    return session.scalars(select(Escalation).where(Escalation.topic_id == topic_id)).first()


def claim_escalation(
    session: Session, escalation_id: int, agent_id: int, agent_name: str
) -> Escalation | None:
    """Mark an active escalation as taken by an agent; None if it is not active."""
    escalation = session.get(Escalation, escalation_id)
    if escalation is None or escalation.status not in ACTIVE_STATUSES:
        return None
    escalation.status = EscalationStatus.CLAIMED
    escalation.claimed_at = utc_now()
    escalation.claimed_by = agent_id
    escalation.claimed_by_name = agent_name[:200]
    return escalation


def claim_if_open(session: Session, escalation_id: int, agent_id: int, agent_name: str) -> bool:
    """Give an open escalation to an agent in one UPDATE; False when it was not open (someone was faster)."""
    result = session.execute(
        update(Escalation)
        .where(Escalation.id == escalation_id, Escalation.status == EscalationStatus.OPEN)
        .values(
            status=EscalationStatus.CLAIMED,
            claimed_at=utc_now(),
            claimed_by=agent_id,
            claimed_by_name=agent_name[:200],
        )
        .execution_options(synchronize_session="fetch")
    )
    return result.rowcount == 1


def claimed_escalations(session: Session, agent_id: int) -> list[Escalation]:
    """The escalations an agent holds now, oldest first."""
    return list(
        session.scalars(
            select(Escalation)
            .where(Escalation.status == EscalationStatus.CLAIMED, Escalation.claimed_by == agent_id)
            .order_by(Escalation.created_at, Escalation.id)
        )
    )


def previous_escalation(session: Session, escalation: Escalation) -> Escalation | None:
    """The conversation's escalation before this one, if any."""
    return session.scalars(
        select(Escalation)
        .where(Escalation.sender_id == escalation.sender_id, Escalation.id < escalation.id)
        .order_by(Escalation.id.desc())
        .limit(1)
    ).first()


def escalations_created_before(session: Session, after_id: int, before: dt.datetime) -> list[Escalation]:
    """Escalations with an id above `after_id` created before `before`, in id order."""
    return list(
        session.scalars(
            select(Escalation)
            .where(Escalation.id > after_id, Escalation.created_at < before)
            .order_by(Escalation.id)
            .limit(500)
        )
    )


def resolve_escalation(session: Session, escalation_id: int) -> Escalation | None:
    """Close an active escalation; None if it is not active."""
    escalation = session.get(Escalation, escalation_id)
    if escalation is None or escalation.status not in ACTIVE_STATUSES:
        return None
    escalation.status = EscalationStatus.RESOLVED
    escalation.resolved_at = utc_now()
    return escalation


def note_applicant_said(session: Session, escalation_id: int, at: dt.datetime) -> None:
    """The applicant wrote at `at` (kept only if later than what is known)."""
    escalation = session.get(Escalation, escalation_id)
    if escalation is not None and (escalation.applicant_said_at is None or escalation.applicant_said_at < at):
        escalation.applicant_said_at = at


def note_agent_reply(session: Session, escalation_id: int, at: dt.datetime) -> None:
    """An agent's reply went to the applicant at `at` (the first one is kept for response times)."""
    escalation = session.get(Escalation, escalation_id)
    if escalation is not None:
        escalation.first_reply_at = escalation.first_reply_at or at
        escalation.agent_said_at = at


def credit_resolution(
    session: Session, escalation: Escalation, agent_id: int | None, agent_name: str, *, auto: bool = False
) -> None:
    """Record who is credited with a resolved escalation: its owner, else `agent_id` (who ended it)."""
    if escalation.claimed_by is not None:
        escalation.resolved_by, escalation.resolved_by_name = (
            escalation.claimed_by,
            escalation.claimed_by_name,
        )
    else:
        escalation.resolved_by, escalation.resolved_by_name = agent_id, agent_name[:200] or None
    escalation.auto_resolved = auto


def silent_escalations(session: Session, quiet_since: dt.datetime) -> list[Escalation]:
    """Announced active escalations where nobody wrote — applicant or agent — since `quiet_since`.

    The applicant has had the whole time to answer the latest agent reply (or to write at all).
    """
    latest = [Escalation.created_at, Escalation.applicant_said_at, Escalation.agent_said_at]
    statement = select(Escalation).where(
        Escalation.status.in_(ACTIVE_STATUSES), Escalation.announced_at.is_not(None)
    )
    for column in latest:
        statement = statement.where(or_(column.is_(None), column < quiet_since))
    return list(session.scalars(statement.order_by(Escalation.id).limit(200)))


def save_rating(session: Session, escalation: Escalation, score: int, at: dt.datetime) -> bool:
    """Keep the applicant's first answer to the satisfaction question; False when one is kept already."""
    if session.get(CaseRating, escalation.id) is not None:
        return False
    session.add(
        CaseRating(
            escalation_id=escalation.id,
            agent_id=escalation.resolved_by,
            agent_name=escalation.resolved_by_name,
            score=score,
            rated_at=at,
        )
    )
    return True


def resolved_between(
    session: Session, start: dt.datetime, end: dt.datetime
) -> list[tuple[Escalation, CaseRating | None]]:
    """Escalations resolved in [start, end) with their rating (if any), in the order they ended."""
    rows = session.execute(
        select(Escalation, CaseRating)
        .outerjoin(CaseRating, CaseRating.escalation_id == Escalation.id)
        .where(
            Escalation.status == EscalationStatus.RESOLVED,
            Escalation.resolved_at >= start,
            Escalation.resolved_at < end,
        )
        .order_by(Escalation.resolved_at, Escalation.id)
    )
    return [(escalation, rating) for escalation, rating in rows]


def add_handoff_message(
    session: Session, escalation_id: int, text: str, at: dt.datetime, *, agent_name: str | None = None
) -> None:
    """Keep one (masked) message of the handoff for transcripts: the applicant's, or an agent's when named."""
    session.add(
        HandoffMessage(
            escalation_id=escalation_id,
            author="agent" if agent_name is not None else "applicant",
            agent_name=agent_name[:200] if agent_name is not None else None,
            text=text,
            created_at=at,
        )
    )


def handoff_messages(session: Session, escalation_id: int, last: int) -> list[HandoffMessage]:
    """The escalation's last `last` handoff messages, oldest first."""
    newest = session.scalars(
        select(HandoffMessage)
        .where(HandoffMessage.escalation_id == escalation_id)
        .order_by(HandoffMessage.id.desc())
        .limit(last)
    )
    return list(reversed(list(newest)))


def unresumed_escalations(session: Session, resolved_before: dt.datetime | None = None) -> list[Escalation]:
    """Resolved escalations (optionally only those resolved before a time) whose conversation is paused."""
    statement = select(Escalation).where(
        Escalation.status == EscalationStatus.RESOLVED, Escalation.resumed_at.is_(None)
    )
    if resolved_before is not None:
        statement = statement.where(Escalation.resolved_at < resolved_before)
    return list(session.scalars(statement.order_by(Escalation.id)))


def unresumed_escalation(session: Session, sender_id: str) -> Escalation | None:
    """A resolved escalation of this conversation whose Rasa conversation is still paused."""
    return session.scalars(
        select(Escalation).where(
            Escalation.sender_id == sender_id,
            Escalation.status == EscalationStatus.RESOLVED,
            Escalation.resumed_at.is_(None),
        )
    ).first()


def mark_resumed(session: Session, escalation_id: int) -> None:
    """Record that Rasa took the conversation back."""
    session.execute(update(Escalation).where(Escalation.id == escalation_id).values(resumed_at=utc_now()))


def unclaimed_since(
    session: Session, created_before: dt.datetime, created_after: dt.datetime
) -> list[Escalation]:
    """Escalations still waiting for an agent that were opened between the two times, oldest first."""
    return list(
        session.scalars(
            select(Escalation)
            .where(
                Escalation.status == EscalationStatus.OPEN,
                Escalation.created_at <= created_before,
                Escalation.created_at > created_after,
            )
            .order_by(Escalation.id)
        )
    )


def active_escalations(session: Session) -> list[Escalation]:
    """Every open or claimed escalation, the longest waiting first."""
    return list(
        session.scalars(
            select(Escalation)
            .where(Escalation.status.in_(ACTIVE_STATUSES))
            .order_by(Escalation.created_at, Escalation.id)
        )
    )


# --- alerts ------------------------------------------------------------------------------------


def add_alert(
    session: Session, kind: AlertKind, subject: str, detail: dict[str, Any], at: dt.datetime
) -> AgentAlert:
    """Record something the agents group should hear about once."""
    alert = AgentAlert(
        kind=kind.value, subject=subject, detail=json.dumps(detail, ensure_ascii=False), created_at=at
    )
    session.add(alert)
    return alert


def alerted_since(session: Session, kind: AlertKind, subject: str, since: dt.datetime) -> bool:
    """Whether an alert of `kind` about `subject` was recorded at or after `since`."""
    return (
        session.scalar(
            select(AgentAlert.id)
            .where(
                AgentAlert.kind == kind.value, AgentAlert.subject == subject, AgentAlert.created_at >= since
            )
            .limit(1)
        )
        is not None
    )


def unannounced_alerts(
    session: Session, limit: int = 1000, kinds: Sequence[AlertKind] | None = None
) -> list[AgentAlert]:
    """Alerts (of `kinds`, default all) not yet posted to the agents group, oldest first."""
    statement = select(AgentAlert).where(AgentAlert.announced_at.is_(None)).order_by(AgentAlert.id)
    if kinds is not None:
        statement = statement.where(AgentAlert.kind.in_([kind.value for kind in kinds]))
    return list(session.scalars(statement.limit(limit).with_for_update()))


def mark_alerts_announced(session: Session, alert_ids: Sequence[int]) -> None:
    """Record that the alerts' message is in the outbox."""
    session.execute(update(AgentAlert).where(AgentAlert.id.in_(alert_ids)).values(announced_at=utc_now()))


def relayable_applicant_alerts(session: Session, limit: int) -> list[AgentAlert]:
    """Applicants' alerts (said, left) not relayed yet whose escalation is announced, oldest first.

    Those of an escalation not announced yet wait: its card (or summary line) goes out first.
    """
    statement = (
        select(AgentAlert)
        .join(Escalation, AgentAlert.subject == cast(Escalation.id, String))
        .where(
            AgentAlert.announced_at.is_(None),
            AgentAlert.kind.in_([kind.value for kind in APPLICANT_ALERTS]),
            Escalation.announced_at.is_not(None),
        )
        .order_by(AgentAlert.id)
        .limit(limit)
    )
    return list(session.scalars(statement.with_for_update(of=AgentAlert)))


def has_held_applicant_alerts(
    session: Session, escalation_id: int, kinds: Sequence[AlertKind] = APPLICANT_ALERTS
) -> bool:
    """Whether some of the escalation's applicant alerts (of `kinds`) still wait to be relayed."""
    return (
        session.scalar(
            select(AgentAlert.id)
            .where(
                AgentAlert.subject == str(escalation_id),
                AgentAlert.announced_at.is_(None),
                AgentAlert.kind.in_([kind.value for kind in kinds]),
            )
            .limit(1)
        )
        is not None
    )
