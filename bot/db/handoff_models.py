"""Tables of the Telegram gateway and the human handoff: inbox, outbox, escalations, chats.

    telegram_inbox      every Telegram update, stored (unique update_id) before Telegram is told it arrived
    telegram_outbox     every message the gateway sends; a row stays `pending` until Telegram accepted it
    telegram_callbacks  button payloads (Telegram's callback_data holds only 64 bytes)
    telegram_chats      applicants' private chats: display name for agents, blocked flag
    escalations         one row per handoff to a person, with its thread in the agents group
    agent_alerts        something the bot's side wants the agents to hear about once (an application
                        ID capped after too many wrong credit codes); the gateway posts it
    gateway_state       small key/value facts that must survive restarts (the agents group's id)

Timestamps are aware UTC datetimes (`bot.db.types.UtcDateTime`). The schema is created by the
Alembic revisions `0002_handoff` and `0004_guess_cap`; keep both in step (a test compares them).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Boolean, Column, ForeignKey, Index, Integer, String, Text, false, text
from sqlalchemy.orm import Mapped

from bot.db.base import Base
from bot.identity import CONVERSATION_ID_LENGTH
from bot.db.types import UtcDateTime, utc_now

# BIGINT on PostgreSQL; plain INTEGER on SQLite, where only that is an auto-incrementing rowid.
BigId = BigInteger().with_variant(Integer, "sqlite")


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
    escalation_id: Mapped[int | None] = Column(BigId, ForeignKey("escalations.id"), index=True)
    status: Mapped[str] = Column(String(16), default="pending", nullable=False)
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


class Escalation(Base):
    """A conversation handed to a person: open → claimed → resolved (then Rasa is resumed)."""

    __tablename__ = "escalations"
    __table_args__ = (
        # At most one unresolved escalation per conversation.
        Index(
            "uq_escalations_active_sender",
            "sender_id",
            unique=True,
            sqlite_where=text("status != 'resolved'"),
            postgresql_where=text("status != 'resolved'"),
        ),
    )

    id: Mapped[int] = Column(BigId, primary_key=True)
    sender_id: Mapped[str] = Column(String(CONVERSATION_ID_LENGTH), index=True, nullable=False)
    reason: Mapped[str] = Column(String(32), nullable=False)
    application_id: Mapped[str | None] = Column(String(32))
    transcript: Mapped[str] = Column(Text, default="[]", nullable=False)  # JSON, personal data masked
    status: Mapped[str] = Column(String(16), default="open", nullable=False)
    created_at: Mapped[dt.datetime] = Column(UtcDateTime, default=utc_now, nullable=False)
    announced_at: Mapped[dt.datetime | None] = Column(UtcDateTime)
    claimed_at: Mapped[dt.datetime | None] = Column(UtcDateTime)
    claimed_by: Mapped[int | None] = Column(BigInteger)
    claimed_by_name: Mapped[str | None] = Column(String(200))
    resolved_at: Mapped[dt.datetime | None] = Column(UtcDateTime)
    resumed_at: Mapped[dt.datetime | None] = Column(UtcDateTime)
    topic_id: Mapped[int | None] = Column(BigInteger)
    root_message_id: Mapped[int | None] = Column(BigInteger)
    quiet: Mapped[bool] = Column(Boolean, default=False, server_default=false(), nullable=False)
    """Over its conversation's hourly limit: announced in a summary line, never as its own card."""


class AgentAlert(Base):
    """An event the agents group hears about once, e.g. `application_capped` for an application ID.

    Written by the bot's side (which does not know the group); `bot/gateway/announcer.py` posts it.
    `detail` is JSON with the figures the announcement shows.
    """

    __tablename__ = "agent_alerts"
    __table_args__ = (Index("ix_agent_alerts_kind_subject_time", "kind", "subject", "created_at"),)

    id: Mapped[int] = Column(BigId, primary_key=True)
    kind: Mapped[str] = Column(String(32), nullable=False)
    subject: Mapped[str] = Column(String(64), nullable=False)
    detail: Mapped[str] = Column(Text, default="{}", nullable=False)
    created_at: Mapped[dt.datetime] = Column(UtcDateTime, default=utc_now, nullable=False)
    announced_at: Mapped[dt.datetime | None] = Column(UtcDateTime, index=True)


class GatewayState(Base):
    """A fact the gateway must remember across restarts."""

    __tablename__ = "gateway_state"

    key: Mapped[str] = Column(String(64), primary_key=True)
    value: Mapped[str] = Column(String(200), nullable=False)
