"""Tables of status notifications: who asked to hear about an application, and what they were sent.

    status_subscriptions    a conversation (`tg:…` or `web:…`) that proved it owns an application asked
                            to be told when its status changes; live until `expires_at`, or until it
                            ends (`ended_at`, `end_reason`: the applicant unsubscribed, or blocked the bot)
    status_notifications    one status change queued for one subscription; unique per pair, so a
                            change is never queued twice for the same subscriber

A conversation has at most one row per application: subscribing again renews it. The schema is
created by the Alembic revision `0008_status_notifications`; keep both in step.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Column, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, relationship

from bot.db.base import Base
from bot.db.models import StatusChange
from bot.db.types import BigId, UtcDateTime, value_enum
from bot.identity import CONVERSATION_ID_LENGTH


class EndReason(str, enum.Enum):
    """Why a subscription ended before it expired (stored as the value)."""

    UNSUBSCRIBED = "unsubscribed"
    """The applicant said 退订 or /unsubscribe."""
    BLOCKED = "blocked"
    """Telegram said the applicant blocked the bot (403): the subscription is dead."""
    OWNER_CHANGED = "owner_changed"
    """The back office changed the application's credit code: the old proof of ownership no longer holds."""


class StatusSubscription(Base):
    """`conversation_id` hears about `application_id`'s status changes until `expires_at`, unless ended."""

    __tablename__ = "status_subscriptions"
    __table_args__ = (
        UniqueConstraint("application_id", "conversation_id", name="uq_status_subscriptions_pair"),
        Index("ix_status_subscriptions_conversation", "conversation_id"),
    )

    id: Mapped[int] = Column(BigId, primary_key=True)
    application_id: Mapped[str] = Column(ForeignKey("applications.id", ondelete="CASCADE"), nullable=False)
    conversation_id: Mapped[str] = Column(String(CONVERSATION_ID_LENGTH), nullable=False)
    created_at: Mapped[datetime] = Column(UtcDateTime, nullable=False)
    expires_at: Mapped[datetime] = Column(UtcDateTime, nullable=False)
    ended_at: Mapped[datetime | None] = Column(UtcDateTime)
    end_reason: Mapped[EndReason | None] = Column(
        value_enum(EndReason, length=16, check="ck_status_subscriptions_end_reason")
    )


class StatusNotification(Base):
    """Status change `status_change_id` was queued for subscription `subscription_id` at `queued_at`."""

    __tablename__ = "status_notifications"
    __table_args__ = (
        UniqueConstraint("status_change_id", "subscription_id", name="uq_status_notifications_pair"),
        Index("ix_status_notifications_subscription", "subscription_id"),
    )

    id: Mapped[int] = Column(BigId, primary_key=True)
    status_change_id: Mapped[int] = Column(
        ForeignKey("status_changes.id", ondelete="CASCADE"), nullable=False
    )
    subscription_id: Mapped[int] = Column(
        ForeignKey("status_subscriptions.id", ondelete="CASCADE"), nullable=False
    )
    queued_at: Mapped[datetime] = Column(UtcDateTime, nullable=False)

    status_change: Mapped[StatusChange] = relationship("StatusChange")


NOTIFICATION_TABLES = (StatusSubscription.__table__, StatusNotification.__table__)
"""The tables this module owns (migration 0008_status_notifications creates them)."""
