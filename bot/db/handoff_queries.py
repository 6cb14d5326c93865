"""Queries of the gateway and the handoff: plain functions taking a session (the caller commits)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from bot.db.handoff_models import (
    AgentAlert,
    CallbackPayload,
    Escalation,
    GatewayState,
    InboxUpdate,
    OutboxMessage,
    TelegramChat,
)
from bot.db.types import utc_now

OPEN = "open"
CLAIMED = "claimed"
RESOLVED = "resolved"
ACTIVE_STATUSES = (OPEN, CLAIMED)

PENDING = "pending"
SENT = "sent"
BLOCKED = "blocked"
FAILED = "failed"


def _insert_ignoring_duplicates(session: Session, model: type, values: dict[str, Any]) -> bool:
    """INSERT ... ON CONFLICT DO NOTHING; return whether a row was inserted."""
    dialect = session.get_bind().dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    if dialect not in ("postgresql", "sqlite"):
        if session.get(model, values[next(iter(values))]) is not None:
            return False
        session.add(model(**values))
        session.flush()
        return True
    statement = module.insert(model).values(**values).on_conflict_do_nothing()
    return session.execute(statement).rowcount == 1


# --- inbox -------------------------------------------------------------------------------------


def store_update(session: Session, update_id: int, payload: str) -> bool:
    """Record an incoming update; False when it was already recorded (a re-delivery)."""
    return _insert_ignoring_duplicates(
        session, InboxUpdate, {"update_id": update_id, "payload": payload, "received_at": utc_now()}
    )


def unprocessed_updates(session: Session) -> list[tuple[int, str]]:
    """Updates stored but not yet processed, oldest first, as (update_id, payload)."""
    rows = session.execute(
        select(InboxUpdate.update_id, InboxUpdate.payload)
        .where(InboxUpdate.processed_at.is_(None))
        .order_by(InboxUpdate.update_id)
    )
    return [(row.update_id, row.payload or "{}") for row in rows]


def finish_update(session: Session, update_id: int) -> bool:
    """Mark an update processed and erase its payload; False if it already was (then nothing is written)."""
    if is_update_processed(session, update_id):
        return False
    result = session.execute(
        update(InboxUpdate)
        .where(InboxUpdate.update_id == update_id, InboxUpdate.processed_at.is_(None))
        .values(processed_at=utc_now(), payload=None)
    )
    return result.rowcount == 1


def is_update_processed(session: Session, update_id: int) -> bool:
    """Tell whether an update has been processed."""
    processed = session.scalar(select(InboxUpdate.processed_at).where(InboxUpdate.update_id == update_id))
    return processed is not None


# --- outbox ------------------------------------------------------------------------------------


def enqueue_message(
    session: Session,
    chat_id: int,
    text: str,
    *,
    purpose: str,
    buttons: list[list[dict[str, str]]] | None = None,
    escalation_id: int | None = None,
) -> OutboxMessage:
    """Add a message to the outbox; the sender delivers it after the transaction commits."""
    message = OutboxMessage(
        chat_id=chat_id,
        text=text,
        purpose=purpose,
        buttons=json.dumps(buttons, ensure_ascii=False) if buttons else None,
        escalation_id=escalation_id,
        status=PENDING,
        attempts=0,
        not_before=utc_now(),
        created_at=utc_now(),
    )
    session.add(message)
    session.flush()
    return message


def pending_heads(session: Session, limit: int = 500) -> list[OutboxMessage]:
    """The oldest pending message of every chat (a chat's messages go out strictly in order)."""
    first = (
        select(func.min(OutboxMessage.id))
        .where(OutboxMessage.status == PENDING)
        .group_by(OutboxMessage.chat_id)
        .scalar_subquery()
    )
    statement = select(OutboxMessage).where(OutboxMessage.id.in_(first)).order_by(OutboxMessage.id)
    return list(session.scalars(statement.limit(limit)))


def pending_head(session: Session, chat_id: int) -> OutboxMessage | None:
    """The oldest pending message for one chat."""
    return session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.status == PENDING, OutboxMessage.chat_id == chat_id)
        .order_by(OutboxMessage.id)
        .limit(1)
    ).first()


def mark_sent(session: Session, message_id: int, telegram_message_id: int) -> None:
    """Record that Telegram accepted a message."""
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id)
        .values(status=SENT, sent_at=utc_now(), telegram_message_id=telegram_message_id, error=None)
    )


def reschedule(session: Session, message_id: int, not_before: dt.datetime, error: str) -> None:
    """Count a failed attempt and try again at `not_before`."""
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id)
        .values(attempts=OutboxMessage.attempts + 1, not_before=not_before, error=error[:300])
    )


def give_up(session: Session, message_id: int, status: str, error: str) -> None:
    """Stop trying to deliver a message (`blocked` or `failed`)."""
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id)
        .values(status=status, attempts=OutboxMessage.attempts + 1, error=error[:300])
    )


def give_up_chat(session: Session, chat_id: int, status: str, error: str) -> int:
    """Stop trying every pending message of a chat (the user blocked the bot); return how many."""
    result = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.chat_id == chat_id, OutboxMessage.status == PENDING)
        .values(status=status, error=error[:300])
    )
    return result.rowcount


def retarget_chat(session: Session, old_chat_id: int, new_chat_id: int) -> int:
    """Send a chat's pending messages to its new id (a group became a supergroup)."""
    result = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.chat_id == old_chat_id, OutboxMessage.status == PENDING)
        .values(chat_id=new_chat_id)
    )
    return result.rowcount


def escalation_of_sent_message(session: Session, chat_id: int, telegram_message_id: int) -> int | None:
    """The escalation a message the gateway posted in `chat_id` belongs to."""
    return session.scalar(
        select(OutboxMessage.escalation_id).where(
            OutboxMessage.chat_id == chat_id, OutboxMessage.telegram_message_id == telegram_message_id
        )
    )


# --- button payloads ---------------------------------------------------------------------------


def store_callback(session: Session, chat_id: int, payload: str, title: str) -> int:
    """Keep a button's payload; return the id that goes into callback_data."""
    row = CallbackPayload(chat_id=chat_id, payload=payload, title=title, created_at=utc_now())
    session.add(row)
    session.flush()
    return row.id


def get_callback(session: Session, callback_id: int, chat_id: int) -> CallbackPayload | None:
    """A stored button payload, only for the chat it was sent to."""
    row = session.get(CallbackPayload, callback_id)
    return row if row is not None and row.chat_id == chat_id else None


# --- chats -------------------------------------------------------------------------------------


def remember_chat(session: Session, chat_id: int, display_name: str) -> None:
    """Record an applicant's chat (it wrote to us, so it is no longer blocked); writes only changes."""
    display_name = display_name[:200]
    chat = session.get(TelegramChat, chat_id)
    if chat is None:
        session.add(TelegramChat(chat_id=chat_id, display_name=display_name, updated_at=utc_now()))
        session.flush()
    elif chat.display_name != display_name or chat.blocked_at is not None:
        chat.display_name = display_name
        chat.blocked_at = None
        chat.updated_at = utc_now()


def get_chat(session: Session, chat_id: int) -> TelegramChat | None:
    """A known applicant chat."""
    return session.get(TelegramChat, chat_id)


def mark_blocked(session: Session, chat_id: int) -> None:
    """Remember that the user blocked the bot."""
    chat = session.get(TelegramChat, chat_id)
    if chat is None:
        now = utc_now()
        session.add(TelegramChat(chat_id=chat_id, display_name="", blocked_at=now, updated_at=now))
    else:
        chat.blocked_at = utc_now()


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
        status=OPEN,
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
        select(func.count(), func.min(Escalation.created_at), func.max(Escalation.created_at))
        .where(Escalation.announced_at.is_(None))
    ).one()
    count, oldest, newest = row  # min() and max() keep the column's type: aware UTC datetimes
    return int(count), oldest, newest


def mark_announced(session: Session, escalation_ids: Sequence[int]) -> None:
    """Record that the escalations' announcement (card or summary) is in the outbox."""
    session.execute(
        update(Escalation).where(Escalation.id.in_(escalation_ids)).values(announced_at=utc_now())
    )


def thread_purposes(session: Session, escalation_id: int) -> set[str]:
    """The purposes of the messages queued in the escalation's own thread ("escalation" = its card)."""
    return set(
        session.scalars(
            select(OutboxMessage.purpose).where(OutboxMessage.escalation_id == escalation_id).distinct()
        )
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
    escalation.status = CLAIMED
    escalation.claimed_at = utc_now()
    escalation.claimed_by = agent_id
    escalation.claimed_by_name = agent_name[:200]
    return escalation


def resolve_escalation(session: Session, escalation_id: int) -> Escalation | None:
    """Close an active escalation; None if it is not active."""
    escalation = session.get(Escalation, escalation_id)
    if escalation is None or escalation.status not in ACTIVE_STATUSES:
        return None
    escalation.status = RESOLVED
    escalation.resolved_at = utc_now()
    return escalation


def unresumed_escalations(session: Session, resolved_before: dt.datetime | None = None) -> list[Escalation]:
    """Resolved escalations (optionally only those resolved before a time) whose conversation is paused."""
    statement = select(Escalation).where(Escalation.status == RESOLVED, Escalation.resumed_at.is_(None))
    if resolved_before is not None:
        statement = statement.where(Escalation.resolved_at < resolved_before)
    return list(session.scalars(statement.order_by(Escalation.id)))


def unresumed_escalation(session: Session, sender_id: str) -> Escalation | None:
    """A resolved escalation of this conversation whose Rasa conversation is still paused."""
    return session.scalars(
        select(Escalation).where(
            Escalation.sender_id == sender_id, Escalation.status == RESOLVED, Escalation.resumed_at.is_(None)
        )
    ).first()


def mark_resumed(session: Session, escalation_id: int) -> None:
    """Record that Rasa took the conversation back."""
    session.execute(update(Escalation).where(Escalation.id == escalation_id).values(resumed_at=utc_now()))


def active_escalations(session: Session) -> list[Escalation]:
    """Every open or claimed escalation, oldest first."""
    return list(
        session.scalars(
            select(Escalation).where(Escalation.status.in_(ACTIVE_STATUSES)).order_by(Escalation.id)
        )
    )


# --- alerts ------------------------------------------------------------------------------------


def add_alert(
    session: Session, kind: str, subject: str, detail: dict[str, Any], at: dt.datetime
) -> AgentAlert:
    """Record something the agents group should hear about once."""
    alert = AgentAlert(
        kind=kind, subject=subject, detail=json.dumps(detail, ensure_ascii=False), created_at=at
    )
    session.add(alert)
    return alert


def alerted_since(session: Session, kind: str, subject: str, since: dt.datetime) -> bool:
    """Whether an alert of `kind` about `subject` was recorded at or after `since`."""
    return session.scalar(
        select(AgentAlert.id)
        .where(AgentAlert.kind == kind, AgentAlert.subject == subject, AgentAlert.created_at >= since)
        .limit(1)
    ) is not None


def unannounced_alerts(session: Session, limit: int = 1000) -> list[AgentAlert]:
    """Alerts not yet posted to the agents group, oldest first."""
    statement = select(AgentAlert).where(AgentAlert.announced_at.is_(None)).order_by(AgentAlert.id)
    return list(session.scalars(statement.limit(limit).with_for_update()))


def mark_alerts_announced(session: Session, alert_ids: Sequence[int]) -> None:
    """Record that the alerts' message is in the outbox."""
    session.execute(update(AgentAlert).where(AgentAlert.id.in_(alert_ids)).values(announced_at=utc_now()))


# --- state -------------------------------------------------------------------------------------


def get_state(session: Session, key: str) -> str | None:
    """A remembered value."""
    row = session.get(GatewayState, key)
    return row.value if row is not None else None


def set_state(session: Session, key: str, value: str) -> None:
    """Remember a value."""
    row = session.get(GatewayState, key)
    if row is None:
        session.add(GatewayState(key=key, value=value))
    else:
        row.value = value
