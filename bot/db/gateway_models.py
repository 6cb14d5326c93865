"""Tables of the Telegram gateway: updates in, messages out, button payloads, chats, remembered facts.

    telegram_inbox      every Telegram update, stored (unique update_id) before Telegram is told it arrived
    telegram_outbox     every message the gateway sends; a row stays `pending` until Telegram accepted it;
                        one that belongs to an escalation's thread in the agents group names it
    telegram_callbacks  button payloads (Telegram's callback_data holds only 64 bytes)
    telegram_chats      applicants' private chats: display name for agents, blocked flag
    gateway_state       small key/value facts that must survive restarts (the agents group's id)

Timestamps are aware UTC datetimes (`bot.db.types.UtcDateTime`). The schema is created by the
Alembic revision `0002_handoff`; keep both in step.
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import BigInteger, Column, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped

from bot.db.base import Base
from bot.db.escalation_models import Escalation
from bot.db.types import BigId, UtcDateTime, utc_now, value_enum


class DeliveryStatus(str, enum.Enum):
    """Where an outgoing message stands (stored as the value)."""

    PENDING = "pending"
    """Not delivered yet (retried until it is, or given up)."""
    SENT = "sent"
    """Telegram accepted it."""
    BLOCKED = "blocked"
    """The recipient blocked the bot; not retried."""
    FAILED = "failed"
    """Telegram refused it for good (BadRequest); not retried."""


class InboxUpdate(Base):
    """A Telegram update; `payload` (the raw update) is erased once it has been processed."""

    __tablename__ = "telegram_inbox"

    update_id: Mapped[int] = Column(BigInteger, primary_key=True, autoincrement=False)
    payload: Mapped[str | None] = Column(Text)
    received_at: Mapped[dt.datetime] = Column(UtcDateTime, default=utc_now, nullable=False)
    processed_at: Mapped[dt.datetime | None] = Column(UtcDateTime, index=True)


class OutboxMessage(Base):
    """One outgoing message: pending until sent, then sent / blocked / failed."""

    __tablename__ = "telegram_outbox"
    __table_args__ = (Index("ix_telegram_outbox_pending", "status", "chat_id", "id"),)

    id: Mapped[int] = Column(BigId, primary_key=True)
    chat_id: Mapped[int] = Column(BigInteger, nullable=False)
    text: Mapped[str] = Column(Text, nullable=False)
    buttons: Mapped[str | None] = Column(Text)  # JSON: [[{"text": ..., "callback_data": ...}]]
    purpose: Mapped[str] = Column(String(32), nullable=False)
    escalation_id: Mapped[int | None] = Column(BigId, ForeignKey(Escalation.id), index=True)
    status: Mapped[DeliveryStatus] = Column(
        value_enum(DeliveryStatus, length=16), default=DeliveryStatus.PENDING, nullable=False
    )
    attempts: Mapped[int] = Column(Integer, default=0, nullable=False)
    not_before: Mapped[dt.datetime] = Column(UtcDateTime, default=utc_now, nullable=False)
    created_at: Mapped[dt.datetime] = Column(UtcDateTime, default=utc_now, nullable=False)
    sent_at: Mapped[dt.datetime | None] = Column(UtcDateTime)
    telegram_message_id: Mapped[int | None] = Column(BigInteger)
    error: Mapped[str | None] = Column(String(300))


class CallbackPayload(Base):
    """What a pressed inline button sends to Rasa; callback_data carries only this row's id."""

    __tablename__ = "telegram_callbacks"

    id: Mapped[int] = Column(BigId, primary_key=True)
    chat_id: Mapped[int] = Column(BigInteger, nullable=False)
    payload: Mapped[str] = Column(Text, nullable=False)
    title: Mapped[str] = Column(Text, nullable=False)
    created_at: Mapped[dt.datetime] = Column(UtcDateTime, default=utc_now, nullable=False)


class TelegramChat(Base):
    """An applicant's private chat with the bot."""

    __tablename__ = "telegram_chats"

    chat_id: Mapped[int] = Column(BigInteger, primary_key=True, autoincrement=False)
    display_name: Mapped[str] = Column(String(200), default="", nullable=False)
    blocked_at: Mapped[dt.datetime | None] = Column(UtcDateTime)
    updated_at: Mapped[dt.datetime] = Column(UtcDateTime, default=utc_now, nullable=False)


class GatewayState(Base):
    """A fact the gateway must remember across restarts."""

    __tablename__ = "gateway_state"

    key: Mapped[str] = Column(String(64), primary_key=True)
    value: Mapped[str] = Column(String(200), nullable=False)


class ThreadMessage(Base):
    """An agent's message relayed from an escalation's thread, so a colleague's reply to it is relayed too.

    Telegram tells which message a reply answers, but only the gateway knows that an agent's message
    belonged to an escalation (revision `0007_thread_messages`).
    """

    __tablename__ = "telegram_thread_messages"

    chat_id: Mapped[int] = Column(BigInteger, primary_key=True, autoincrement=False)
    message_id: Mapped[int] = Column(BigInteger, primary_key=True, autoincrement=False)
    escalation_id: Mapped[int] = Column(BigId, ForeignKey(Escalation.id), index=True, nullable=False)
    created_at: Mapped[dt.datetime] = Column(UtcDateTime, default=utc_now, nullable=False)
