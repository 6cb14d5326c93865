"""The subscription service the actions call: offer it?, subscribe, unsubscribe.

Only a conversation that proved in the database that it owns an application may subscribe to it
(the same proof the status report needs: `queries.has_verified_ownership` since the conversation
started); a slot or a typed `/subscribe_status_notifications{…}` proves nothing. Only channels
that can be reached without the applicant asking get the offer: Telegram and the web chat. A REST
integrator's conversation has no way to receive a message it did not ask for.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from bot.db import notification_queries, queries
from bot.db.engine import shared_session_factory
from bot.db.errors import storage_errors
from bot.db.notification_models import EndReason
from bot.db.types import utc_now
from bot.errors import OwnershipNotProven
from bot.identity import Channel, channel_of
from bot.status import parse

Clock = Callable[[], datetime]

PUSH_CHANNELS = frozenset({Channel.TELEGRAM, Channel.WEB})
"""Channels a notification can reach without the applicant asking."""
SUBSCRIPTION_LIFETIME = timedelta(days=90)
"""A subscription lasts this long after the latest subscribe (then `python -m bot.retention` deletes it)."""


def can_be_notified(conversation_id: str) -> bool:
    """Whether the conversation's channel can receive a message it did not ask for."""
    return channel_of(conversation_id) in PUSH_CHANNELS


class Subscriptions:
    """Subscribes conversations that proved ownership; one instance per request is fine."""

    def __init__(self, sessions: sessionmaker[Session], *, clock: Clock = utc_now) -> None:
        self._sessions = sessions
        self._clock = clock

    @classmethod
    def for_url(cls, url: str, *, clock: Clock = utc_now) -> Subscriptions:
        """The service on the process-wide engine for `url` (StorageUnavailable if it cannot be made)."""
        with storage_errors():
            return cls(shared_session_factory(url), clock=clock)

    def offer_wanted(self, conversation_id: str, application_id: str) -> bool:
        """Whether to offer the subscription after a report: a push channel, not subscribed yet."""
        if not can_be_notified(conversation_id):
            return False
        with self._transaction() as session:
            return not notification_queries.is_subscribed(
                session, conversation_id, parse.application_id(application_id), self._clock()
            )

    def subscribe(self, conversation_id: str, application_id: str, *, verified_since: datetime) -> datetime:
        """Subscribe the conversation to the application; returns when the subscription expires.

        Raises OwnershipNotProven (remaining None) unless the conversation proved ownership at or
        after `verified_since`, and for a channel notifications cannot reach; MalformedApplicationId
        for an ID that is not one.
        """
        application_id = parse.application_id(application_id)
        if not can_be_notified(conversation_id):
            raise OwnershipNotProven(remaining=None)
        now = self._clock()
        with self._transaction() as session:
            if not queries.has_verified_ownership(session, conversation_id, application_id, verified_since):
                raise OwnershipNotProven(remaining=None)
            expires_at = now + SUBSCRIPTION_LIFETIME
            notification_queries.subscribe(
                session, conversation_id, application_id, now=now, expires_at=expires_at
            )
            return expires_at

    def unsubscribe(self, conversation_id: str) -> int:
        """End every live subscription of the conversation; returns how many there were."""
        now = self._clock()
        with self._transaction() as session:
            return notification_queries.end_subscriptions(
                session, [conversation_id], EndReason.UNSUBSCRIBED, now=now
            )

    @contextmanager
    def _transaction(self) -> Iterator[Session]:
        with storage_errors(), self._sessions() as session, session.begin():
            yield session
