"""A back-office status change → one queued message for every live subscriber of the application.

Runs inside the back office's own transaction (bot/status/backoffice.py), so the change and its
notifications are committed together: a change is never saved without its messages, and a message
never goes out for a change that was rolled back. Each (change, subscription) pair is recorded with
a unique constraint before its message is queued, so nothing is queued twice. Only a change to a
different status notifies: setting the same status again sends nothing.

Telegram messages go to the gateway's outbox (sent within Telegram's limits, kept while the gateway
is down); web messages to the web-chat queue (shown on an open page, or when it comes back).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from bot.db import gateway_queries, notification_queries
from bot.db.models import Application, StatusChange
from bot.db.notification_models import StatusSubscription
from bot.gateway.conversation import CALLBACK_PREFIX
from bot.gateway.notifications import PURPOSE, UNSUBSCRIBE_PAYLOAD
from bot.identity import CONVERSATION_ID_LENGTH, Channel, channel_of, telegram_user_id
from bot.notify import texts
from bot.notify.message import notification_parts
from bot.webchat.outbox import MAX_TEXT_CHARS, enqueue_web_message

logger = logging.getLogger(__name__)

PROGRESS_EVERY = 1000
"""A large import logs its progress every this many queued notifications."""


@dataclass
class Queued:
    """How many notifications were queued, per channel."""

    telegram: int = 0
    web: int = 0

    @property
    def total(self) -> int:
        """All notifications queued."""
        return self.telegram + self.web


def is_notified(change: StatusChange) -> bool:
    """Whether subscribers hear about this change (only a move to a different status)."""
    return change.from_status is not None and change.from_status != change.to_status


def queue_notifications(
    session: Session, changes: Sequence[tuple[Application, StatusChange]], *, now: datetime
) -> Queued:
    """Queue one message per live subscriber for each change that moved an application to a new status."""
    notified = [(application, change) for application, change in changes if is_notified(change)]
    queued = Queued()
    if not notified:
        return queued
    subscribers = notification_queries.live_subscriptions(
        session, (application.id for application, _ in notified), now
    )
    if not subscribers:
        return queued
    session.flush()  # the changes get their ids
    expected = sum(len(subscribers.get(application.id, ())) for application, _ in notified)
    if expected >= PROGRESS_EVERY:
        logger.info("status notifications: queuing %d for %d changed applications", expected, len(notified))
    for application, change in notified:
        subscriptions = subscribers.get(application.id)
        if not subscriptions:
            continue
        parts = notification_parts(application, limit=MAX_TEXT_CHARS)
        for subscription in subscriptions:
            if not notification_queries.record_notification(session, change.id, subscription.id, now):
                continue
            if _queue(session, subscription, parts, queued) and queued.total % PROGRESS_EVERY == 0:
                logger.info("status notifications: %d of %d queued", queued.total, expected)
    if queued.total:
        logger.info(
            "status notifications: %d queued (Telegram %d, web %d)", queued.total, queued.telegram, queued.web
        )
    return queued


def _queue(session: Session, subscription: StatusSubscription, parts: list[str], queued: Queued) -> bool:
    """Queue the parts for the subscriber's channel; False when it has none (logged, the change goes on)."""
    conversation = subscription.conversation_id
    channel = channel_of(conversation)
    chat_id = telegram_user_id(conversation)
    if channel is Channel.TELEGRAM and chat_id is not None:
        for position, part in enumerate(parts, start=1):
            buttons = _telegram_button(session, chat_id) if position == len(parts) else None
            gateway_queries.enqueue_message(session, chat_id, part, purpose=PURPOSE, buttons=buttons)
        queued.telegram += 1
        return True
    if channel is Channel.WEB and len(conversation) <= CONVERSATION_ID_LENGTH:
        for position, part in enumerate(parts, start=1):
            button = {"title": texts.UNSUBSCRIBE_BUTTON, "payload": UNSUBSCRIBE_PAYLOAD}
            enqueue_web_message(
                session, conversation, part, buttons=[button] if position == len(parts) else []
            )
        queued.web += 1
        return True
    # subscribe() accepts only the two channels above: a row of another kind is skipped, and one bad
    # row never stops the back office's change.
    logger.warning("status notifications: subscription %s has no push channel", subscription.id)
    return False


def _telegram_button(session: Session, chat_id: int) -> list[list[dict[str, str]]]:
    stored = gateway_queries.store_callback(session, chat_id, UNSUBSCRIBE_PAYLOAD, texts.UNSUBSCRIBE_BUTTON)
    return [[{"text": texts.UNSUBSCRIBE_BUTTON, "callback_data": f"{CALLBACK_PREFIX}{stored}"}]]
