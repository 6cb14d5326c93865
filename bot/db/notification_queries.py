"""Queries of status notifications (bot/db/notification_models.py): plain functions taking a session.

    subscriptions   subscribe (or renew), end (unsubscribed, blocked, owner changed), live ones
    notifications   the record of which status change was queued for which subscription

A subscription is live while `ended_at` is empty and `expires_at` is in the future. The caller
opens the transaction and commits.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from bot.db.gateway_models import DeliveryStatus, OutboxMessage
from bot.db.notification_models import EndReason, StatusNotification, StatusSubscription

IN_LIST_CHUNK = 500
"""At most this many values in one `IN (…)` list."""


def _live(now: datetime):  # type: ignore[no-untyped-def]
    return (StatusSubscription.ended_at.is_(None), StatusSubscription.expires_at > now)


def subscribe(
    session: Session, conversation_id: str, application_id: str, *, now: datetime, expires_at: datetime
) -> StatusSubscription:
    """Start (or renew) the conversation's subscription to the application; returns it (two statements)."""
    subscription = session.scalars(
        select(StatusSubscription).where(
            StatusSubscription.conversation_id == conversation_id,
            StatusSubscription.application_id == application_id,
        )
    ).first()
    if subscription is None:
        subscription = StatusSubscription(
            conversation_id=conversation_id, application_id=application_id, created_at=now
        )
        session.add(subscription)
    subscription.expires_at = expires_at
    subscription.ended_at = None
    subscription.end_reason = None
    session.flush()
    return subscription


def is_subscribed(session: Session, conversation_id: str, application_id: str, now: datetime) -> bool:
    """Tell whether the conversation has a live subscription to the application."""
    found = session.scalar(
        select(StatusSubscription.id).where(
            StatusSubscription.conversation_id == conversation_id,
            StatusSubscription.application_id == application_id,
            *_live(now),
        )
    )
    return found is not None


def end_subscriptions(
    session: Session,
    conversation_ids: Sequence[str],
    reason: EndReason,
    *,
    now: datetime,
    application_id: str | None = None,
) -> int:
    """End the live subscriptions of these conversations (of one application, when given); return how many."""
    ended = 0
    for start in range(0, len(conversation_ids), IN_LIST_CHUNK):
        statement = update(StatusSubscription).where(
            StatusSubscription.conversation_id.in_(conversation_ids[start : start + IN_LIST_CHUNK]),
            *_live(now),
        )
        if application_id is not None:
            statement = statement.where(StatusSubscription.application_id == application_id)
        ended += session.execute(statement.values(ended_at=now, end_reason=reason)).rowcount
    return ended


def end_subscriptions_of_applications(
    session: Session, application_ids: Sequence[str], reason: EndReason, *, now: datetime
) -> int:
    """End every live subscription to these applications (their ownership changed); return how many."""
    ended = 0
    for start in range(0, len(application_ids), IN_LIST_CHUNK):
        statement = update(StatusSubscription).where(
            StatusSubscription.application_id.in_(application_ids[start : start + IN_LIST_CHUNK]),
            *_live(now),
        )
        ended += session.execute(statement.values(ended_at=now, end_reason=reason)).rowcount
    return ended


def live_subscriptions(
    session: Session, application_ids: Iterable[str], now: datetime
) -> dict[str, list[StatusSubscription]]:
    """The live subscriptions to these applications, by application ID, oldest first."""
    wanted = sorted(set(application_ids))
    found: dict[str, list[StatusSubscription]] = {}
    for start in range(0, len(wanted), IN_LIST_CHUNK):
        statement = (
            select(StatusSubscription)
            .where(StatusSubscription.application_id.in_(wanted[start : start + IN_LIST_CHUNK]), *_live(now))
            .order_by(StatusSubscription.id)
        )
        for subscription in session.scalars(statement):
            found.setdefault(subscription.application_id, []).append(subscription)
    return found


def record_notification(session: Session, status_change_id: int, subscription_id: int, now: datetime) -> bool:
    """Record that the change is queued for the subscription; False when it already was (send nothing)."""
    values = {"status_change_id": status_change_id, "subscription_id": subscription_id, "queued_at": now}
    dialect = session.get_bind().dialect.name
    if dialect in ("postgresql", "sqlite"):
        module = postgresql if dialect == "postgresql" else sqlite
        statement = module.insert(StatusNotification).values(**values).on_conflict_do_nothing()
        return session.execute(statement).rowcount == 1
    exists = session.scalar(
        select(StatusNotification.id).where(
            StatusNotification.status_change_id == status_change_id,
            StatusNotification.subscription_id == subscription_id,
        )
    )
    if exists is not None:
        return False
    session.add(StatusNotification(**values))
    session.flush()
    return True


def purge_subscriptions(session: Session, *, now: datetime, cutoff: datetime) -> tuple[int, int]:
    """Delete subscriptions that expired or ended (by `now`), and notification records older than `cutoff`.

    Returns (subscriptions, notifications) deleted (records of deleted subscriptions go with them).
    """
    old_records = session.execute(
        delete(StatusNotification).where(StatusNotification.queued_at < cutoff)
    ).rowcount
    finished = or_(StatusSubscription.expires_at <= now, StatusSubscription.ended_at.is_not(None))
    gone_ids = list(session.scalars(select(StatusSubscription.id).where(finished)))
    records = 0
    subscriptions = 0
    for start in range(0, len(gone_ids), IN_LIST_CHUNK):
        chunk = gone_ids[start : start + IN_LIST_CHUNK]
        records += session.execute(
            delete(StatusNotification).where(StatusNotification.subscription_id.in_(chunk))
        ).rowcount
        subscriptions += session.execute(
            delete(StatusSubscription).where(StatusSubscription.id.in_(chunk))
        ).rowcount
    return subscriptions, old_records + records


def pending_in_outbox(session: Session, purpose: str) -> int:
    """How many Telegram messages with this outbox purpose wait to be sent (the gateway's progress log)."""
    return int(
        session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.status == DeliveryStatus.PENDING, OutboxMessage.purpose == purpose)
        )
        or 0
    )
