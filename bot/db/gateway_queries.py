"""Queries of the Telegram gateway's tables (bot/db/gateway_models.py): plain functions taking a session.

    inbox       updates stored once, processed once
    outbox      messages queued, delivered in order per chat, retried or given up
    callbacks   button payloads behind callback_data
    chats       applicants' chats: display names, blocked
    state       facts remembered across restarts

The caller opens the transaction and commits.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from bot.db.gateway_models import (
    CallbackPayload,
    DeliveryStatus,
    GatewayState,
    InboxUpdate,
    OutboxMessage,
    TelegramChat,
    ThreadMessage,
)
from bot.db.types import utc_now


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
        status=DeliveryStatus.PENDING,
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
        .where(OutboxMessage.status == DeliveryStatus.PENDING)
        .group_by(OutboxMessage.chat_id)
        .scalar_subquery()
    )
    statement = select(OutboxMessage).where(OutboxMessage.id.in_(first)).order_by(OutboxMessage.id)
    return list(session.scalars(statement.limit(limit)))


def pending_head(session: Session, chat_id: int) -> OutboxMessage | None:
    """The oldest pending message for one chat."""
    return session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.status == DeliveryStatus.PENDING, OutboxMessage.chat_id == chat_id)
        .order_by(OutboxMessage.id)
        .limit(1)
    ).first()


def has_pending(session: Session, chat_id: int, purpose: str) -> bool:
    """Whether a message of `purpose` still waits to go to the chat."""
    return (
        session.scalars(
            select(OutboxMessage.id)
            .where(
                OutboxMessage.status == DeliveryStatus.PENDING,
                OutboxMessage.chat_id == chat_id,
                OutboxMessage.purpose == purpose,
            )
            .limit(1)
        ).first()
        is not None
    )


def next_pending(session: Session, chat_id: int, urgent: tuple[str, ...]) -> OutboxMessage | None:
    """The message a group chat should get next: the oldest due one of an `urgent` purpose, else the oldest.

    A message of an escalation never overtakes an older one of the same escalation (its card first,
    then its thread in order): that older one goes next instead.
    """
    pending = (OutboxMessage.status == DeliveryStatus.PENDING, OutboxMessage.chat_id == chat_id)
    chosen = session.scalars(
        select(OutboxMessage)
        .where(*pending, OutboxMessage.purpose.in_(urgent), OutboxMessage.not_before <= utc_now())
        .order_by(OutboxMessage.id)
        .limit(1)
    ).first() or pending_head(session, chat_id)
    if chosen is None or chosen.escalation_id is None:
        return chosen
    return session.scalars(
        select(OutboxMessage)
        .where(*pending, OutboxMessage.escalation_id == chosen.escalation_id)
        .order_by(OutboxMessage.id)
        .limit(1)
    ).first()


def mark_sent(session: Session, message_id: int, telegram_message_id: int) -> None:
    """Record that Telegram accepted a message."""
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id)
        .values(
            status=DeliveryStatus.SENT, sent_at=utc_now(), telegram_message_id=telegram_message_id, error=None
        )
    )


def reschedule(session: Session, message_id: int, not_before: dt.datetime, error: str) -> None:
    """Count a failed attempt and try again at `not_before`."""
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id)
        .values(attempts=OutboxMessage.attempts + 1, not_before=not_before, error=error[:300])
    )


def give_up(session: Session, message_id: int, status: DeliveryStatus, error: str) -> None:
    """Stop trying to deliver a message (`blocked` or `failed`)."""
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id)
        .values(status=status, attempts=OutboxMessage.attempts + 1, error=error[:300])
    )


def give_up_chat(session: Session, chat_id: int, status: DeliveryStatus, error: str) -> int:
    """Stop trying every pending message of a chat (the user blocked the bot); return how many."""
    result = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.chat_id == chat_id, OutboxMessage.status == DeliveryStatus.PENDING)
        .values(status=status, error=error[:300])
    )
    return result.rowcount


def retarget_chat(session: Session, old_chat_id: int, new_chat_id: int) -> int:
    """Send a chat's pending messages to its new id (a group became a supergroup)."""
    result = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.chat_id == old_chat_id, OutboxMessage.status == DeliveryStatus.PENDING)
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


def thread_purposes(session: Session, escalation_id: int) -> set[str]:
    """The purposes of the messages queued in the escalation's own thread ("escalation" = its card)."""
    return set(
        session.scalars(
            select(OutboxMessage.purpose).where(OutboxMessage.escalation_id == escalation_id).distinct()
        )
    )


def pending_rows(session: Session, chat_id: int, limit: int = 200) -> list[OutboxMessage]:
    """The oldest pending messages of one chat, in the order they were queued."""
    return list(
        session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.status == DeliveryStatus.PENDING, OutboxMessage.chat_id == chat_id)
            .order_by(OutboxMessage.id)
            .limit(limit)
        )
    )


def detach_from_thread(session: Session, message_id: int) -> None:
    """Post a message outside its escalation's thread (the thread is closed for good)."""
    session.execute(update(OutboxMessage).where(OutboxMessage.id == message_id).values(escalation_id=None))


def drop_pending(session: Session, chat_id: int, escalation_id: int, purpose: str) -> int:
    """Delete the pending messages of one purpose for an escalation (a newer one replaces them)."""
    result = session.execute(
        delete(OutboxMessage).where(
            OutboxMessage.chat_id == chat_id,
            OutboxMessage.escalation_id == escalation_id,
            OutboxMessage.purpose == purpose,
            OutboxMessage.status == DeliveryStatus.PENDING,
        )
    )
    return result.rowcount


def sent_message_id(session: Session, chat_id: int, escalation_id: int, purpose: str) -> int | None:
    """Telegram's id of the first message of `purpose` sent for the escalation (its card)."""
    return session.scalar(
        select(OutboxMessage.telegram_message_id)
        .where(
            OutboxMessage.chat_id == chat_id,
            OutboxMessage.escalation_id == escalation_id,
            OutboxMessage.purpose == purpose,
            OutboxMessage.telegram_message_id.is_not(None),
        )
        .order_by(OutboxMessage.id)
        .limit(1)
    )


def escalation_of_unsent_text(session: Session, chat_id: int, text: str) -> int | None:
    """The escalation of a message being sent right now (accepted by Telegram, not yet recorded) with `text`."""
    return session.scalar(
        select(OutboxMessage.escalation_id)
        .where(
            OutboxMessage.chat_id == chat_id,
            OutboxMessage.status == DeliveryStatus.PENDING,
            OutboxMessage.escalation_id.is_not(None),
            OutboxMessage.text == text,
        )
        .order_by(OutboxMessage.id)
        .limit(1)
    )


def last_texts(session: Session, escalation_ids: list[int], purpose: str) -> dict[int, str]:
    """The text of the latest message of `purpose` queued for each escalation."""
    if not escalation_ids:
        return {}
    latest = (
        select(func.max(OutboxMessage.id))
        .where(OutboxMessage.escalation_id.in_(escalation_ids), OutboxMessage.purpose == purpose)
        .group_by(OutboxMessage.escalation_id)
        .scalar_subquery()
    )
    rows = session.execute(
        select(OutboxMessage.escalation_id, OutboxMessage.text).where(OutboxMessage.id.in_(latest))
    )
    return {int(row.escalation_id): row.text for row in rows}


# --- agents' messages in escalation threads ----------------------------------------------------


def remember_thread_message(session: Session, chat_id: int, message_id: int, escalation_id: int) -> None:
    """Record that an agent's message in the agents group belongs to an escalation's thread."""
    _insert_ignoring_duplicates(
        session,
        ThreadMessage,
        {
            "chat_id": chat_id,
            "message_id": message_id,
            "escalation_id": escalation_id,
            "created_at": utc_now(),
        },
    )


def escalation_of_thread_message(session: Session, chat_id: int, message_id: int) -> int | None:
    """The escalation an agent's earlier message in the agents group belonged to."""
    row = session.get(ThreadMessage, (chat_id, message_id))
    return row.escalation_id if row is not None else None


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


# --- state -------------------------------------------------------------------------------------

WAIT_TOLD_PREFIX = "handoff_wait_told:"
"""Key prefix of the marks that an escalation's applicant was told nobody took it yet
(bot/gateway/waiting.py): `handoff_wait_told:<escalation id>` = when, ISO UTC; retention purges them."""


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
