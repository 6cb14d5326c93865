"""Retention: delete conversations and records older than RETENTION_DAYS (`python -m bot.retention`).

What goes, once older than the cutoff (now - RETENTION_DAYS, default 30):

    tracker DB (TRACKER_STORE_URL)
      events                  every event of a conversation whose newest event is older (idle
                              conversations); conversations with an unresolved escalation stay
      tracker_checkpoints     the bounded-history checkpoint of each conversation deleted, and any
                              left without a conversation (a worker that wrote one meanwhile)
    application DB (DATABASE_URL)
      verification_attempts   credit-code checks (the throttle looks back one hour only)
      verified_ownerships     proofs of ownership (they count within one conversation only)
      escalations             resolved ones, with their sent Telegram messages and the record of
                              the agents' messages in their thread (telegram_thread_messages) and
                              their satisfaction answers and handoff messages (case_ratings, handoff_messages)
      agent_alerts            alerts already posted to the agents group
      telegram_outbox         messages already sent / given up (never pending ones)
      telegram_inbox          processed updates (their payload is already erased)
      telegram_callbacks      button payloads (an old button is answered "expired")
      telegram_chats          applicants' display names, unless their escalation is still open
      unanswered_questions    questions an editor has handled (open ones are masked and anonymous: kept)
      faq_answers             answers given and their 👍/👎 (so `make evaluate`'s 👍 rate covers the period)
      web_messages            messages for web pages and REST callers (agents' replies…), delivered
                              or not, unless the conversation's escalation is still open
      gateway_state           the marks that an applicant was told nobody took their escalation yet
      status_subscriptions    every subscription that expired (SUBSCRIPTION_LIFETIME after it was made,
                              whatever the cutoff) or ended (退订, blocked bot, new credit code)
      status_notifications    records of what was queued for whom (their messages are already queued)

Applications, their status history and rejection reasons are business records and are kept.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Float, String, column, delete, exists, func, inspect, select, table
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.cli import EXIT_OK, EXIT_USAGE, storage_failed
from bot.db import notification_queries, texts
from bot.db.engine import make_engine, make_session_factory
from bot.db.errors import storage_errors
from bot.db.escalation_models import AgentAlert, CaseRating, Escalation, EscalationStatus, HandoffMessage
from bot.db.feedback_models import FaqAnswer
from bot.db.gateway_models import (
    CallbackPayload,
    DeliveryStatus,
    GatewayState,
    InboxUpdate,
    OutboxMessage,
    TelegramChat,
    ThreadMessage,
)
from bot.db.gateway_queries import WAIT_TOLD_PREFIX
from bot.db.models import VerificationAttempt, VerifiedOwnership
from bot.db.types import utc_now
from bot.db.unanswered import UnansweredQuestion
from bot.db.web_messages import WebMessage
from bot.errors import StorageUnavailable
from bot.identity import telegram_user_id
from bot.rasa_ext.shared_checkpoints import CHECKPOINTS
from bot.settings import Settings

TRACKER_EVENTS = table("events", column("sender_id", String), column("timestamp", Float))
"""Rasa's SQLTrackerStore table (only the columns retention needs)."""


@dataclass
class Purged:
    """How many rows each table lost."""

    counts: dict[str, int] = field(default_factory=dict)

    def add(self, name: str, rows: int) -> None:
        """Count `rows` deleted from `name`."""
        self.counts[name] = self.counts.get(name, 0) + max(rows, 0)

    @property
    def total(self) -> int:
        """All rows deleted."""
        return sum(self.counts.values())


def cutoff_for(days: int, now: datetime) -> datetime:
    """The moment before which data is deleted."""
    if days < 1:
        raise ValueError("the retention period must be at least one day")
    return now - timedelta(days=days)


def active_escalation_senders(session: Session) -> set[str]:
    """Conversations with an escalation that is not resolved yet (kept whatever their age)."""
    return set(
        session.scalars(select(Escalation.sender_id).where(Escalation.status != EscalationStatus.RESOLVED))
    )


def purge_application_data(
    session: Session, cutoff: datetime, purged: Purged, *, now: datetime | None = None
) -> None:
    """Delete the application database's personal records older than `cutoff` (see the module doc)."""
    subscriptions, notifications = notification_queries.purge_subscriptions(
        session, now=now or utc_now(), cutoff=cutoff
    )
    purged.add("status_subscriptions", subscriptions)
    purged.add("status_notifications", notifications)
    purged.add(
        "verification_attempts",
        session.execute(
            delete(VerificationAttempt).where(VerificationAttempt.attempted_at < cutoff)
        ).rowcount,
    )
    purged.add(
        "verified_ownerships",
        session.execute(delete(VerifiedOwnership).where(VerifiedOwnership.verified_at < cutoff)).rowcount,
    )
    closed = (
        select(Escalation.id)
        .where(Escalation.status == EscalationStatus.RESOLVED, Escalation.resolved_at < cutoff)
        .where(
            ~select(OutboxMessage.id)
            .where(
                OutboxMessage.escalation_id == Escalation.id, OutboxMessage.status == DeliveryStatus.PENDING
            )
            .exists()
        )
    )
    closed_ids = list(session.scalars(closed))
    if closed_ids:
        purged.add(
            "telegram_outbox",
            session.execute(
                delete(OutboxMessage).where(OutboxMessage.escalation_id.in_(closed_ids))
            ).rowcount,
        )
        purged.add(
            "telegram_thread_messages",
            session.execute(
                delete(ThreadMessage).where(ThreadMessage.escalation_id.in_(closed_ids))
            ).rowcount,
        )
        purged.add(
            "handoff_messages",
            session.execute(
                delete(HandoffMessage).where(HandoffMessage.escalation_id.in_(closed_ids))
            ).rowcount,
        )
        purged.add(
            "case_ratings",
            session.execute(delete(CaseRating).where(CaseRating.escalation_id.in_(closed_ids))).rowcount,
        )
        purged.add(
            "escalations", session.execute(delete(Escalation).where(Escalation.id.in_(closed_ids))).rowcount
        )
    purged.add(
        "telegram_outbox",
        session.execute(
            delete(OutboxMessage).where(
                OutboxMessage.status != DeliveryStatus.PENDING,
                OutboxMessage.created_at < cutoff,
                OutboxMessage.escalation_id.is_(None),
            )
        ).rowcount,
    )
    purged.add(
        "agent_alerts",
        session.execute(
            delete(AgentAlert).where(AgentAlert.created_at < cutoff, AgentAlert.announced_at.is_not(None))
        ).rowcount,
    )
    purged.add(
        "telegram_inbox",
        session.execute(delete(InboxUpdate).where(InboxUpdate.processed_at < cutoff)).rowcount,
    )
    purged.add(
        "telegram_callbacks",
        session.execute(delete(CallbackPayload).where(CallbackPayload.created_at < cutoff)).rowcount,
    )
    keep_chats = {
        chat_id
        for sender in active_escalation_senders(session)
        if (chat_id := telegram_user_id(sender)) is not None  # an agent's reply still needs the chat
    }
    stale_chats = delete(TelegramChat).where(TelegramChat.updated_at < cutoff)
    if keep_chats:
        stale_chats = stale_chats.where(TelegramChat.chat_id.not_in(keep_chats))
    purged.add("telegram_chats", session.execute(stale_chats).rowcount)
    purged.add(
        "unanswered_questions",
        session.execute(delete(UnansweredQuestion).where(UnansweredQuestion.handled_at < cutoff)).rowcount,
    )
    purged.add(
        "faq_answers",
        session.execute(delete(FaqAnswer).where(FaqAnswer.answered_at < cutoff)).rowcount,
    )
    old_web_messages = delete(WebMessage).where(WebMessage.created_at < cutoff)
    if keep_web := sorted(
        sender for sender in active_escalation_senders(session) if sender.startswith(("web:", "rest:"))
    ):
        old_web_messages = old_web_messages.where(WebMessage.conversation_id.not_in(keep_web))
    purged.add("web_messages", session.execute(old_web_messages).rowcount)
    purged.add(
        "gateway_state",
        session.execute(
            delete(GatewayState)
            .where(GatewayState.key.like(f"{WAIT_TOLD_PREFIX}%"), GatewayState.value < cutoff.isoformat())
            .execution_options(synchronize_session=False)
        ).rowcount,
    )


def purge_idle_conversations(engine: Engine, cutoff: datetime, keep: set[str], purged: Purged) -> None:
    """Delete every event of conversations whose newest event is older than `cutoff`, and their checkpoints."""
    tables = set(inspect(engine).get_table_names())
    if TRACKER_EVENTS.name not in tables:
        return  # Rasa has not created its table yet: no conversations
    idle = (
        select(TRACKER_EVENTS.c.sender_id)
        .group_by(TRACKER_EVENTS.c.sender_id)
        .having(func.max(TRACKER_EVENTS.c.timestamp) < cutoff.timestamp())
    )
    with engine.begin() as connection:
        senders = [sender for sender in connection.execute(idle).scalars() if sender not in keep]
        for start in range(0, len(senders), 500):
            batch = senders[start : start + 500]
            result = connection.execute(delete(TRACKER_EVENTS).where(TRACKER_EVENTS.c.sender_id.in_(batch)))
            purged.add("events", result.rowcount)
        purged.add("conversations", len(senders))
        if CHECKPOINTS.name in tables:
            # Every checkpoint without a conversation: those just deleted, and any a worker wrote
            # while an earlier run deleted its conversation (a worker never uses one whose event is gone).
            orphaned = ~exists().where(TRACKER_EVENTS.c.sender_id == CHECKPOINTS.c.sender_id)
            purged.add(
                "tracker_checkpoints", connection.execute(delete(CHECKPOINTS).where(orphaned)).rowcount
            )


def purge(settings: Settings, *, days: int | None = None, now: datetime | None = None) -> Purged:
    """Apply the retention period to both databases; returns what was deleted."""
    now = now or utc_now()
    cutoff = cutoff_for(settings.retention_days if days is None else days, now)
    purged = Purged()
    engine = make_engine(settings.database_url)
    try:
        with make_session_factory(engine)() as session, session.begin():
            keep = active_escalation_senders(session)
            purge_application_data(session, cutoff, purged, now=now)
    finally:
        engine.dispose()
    tracker_engine = make_engine(settings.tracker_store_url)
    try:
        purge_idle_conversations(tracker_engine, cutoff, keep, purged)
    finally:
        tracker_engine.dispose()
    return purged


def main(argv: Sequence[str] | None = None, settings: Settings | None = None) -> int:
    """Delete what is older than the retention period; print what was deleted."""
    parser = argparse.ArgumentParser(prog="python -m bot.retention", description=texts.RETENTION_HELP)
    parser.add_argument("--days", type=int, default=None, help=texts.RETENTION_DAYS_HELP)
    arguments = parser.parse_args(argv)
    settings = settings or Settings.from_env()
    days = settings.retention_days if arguments.days is None else arguments.days
    if days < 1:
        print(texts.RETENTION_BAD_DAYS.format(days=days), file=sys.stderr)
        return EXIT_USAGE
    try:
        with storage_errors():
            purged = purge(settings, days=days)
    except StorageUnavailable as error:
        return storage_failed(error)
    details = "，".join(f"{name} {rows}" for name, rows in sorted(purged.counts.items()) if rows)
    print(texts.RETENTION_DONE.format(days=days, total=purged.total, details=details or "—"))
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
