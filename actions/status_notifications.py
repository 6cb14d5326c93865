"""Status notifications: the offer after a verified report, subscribing, and 「退订」 / /unsubscribe.

Ownership is read from the database (`bot.notify.subscriptions`), never from slots: the
`application_id` slot only says which application the conversation was talking about.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.safe_action import SafeAction
from bot.db.types import utc_now
from bot.errors import BotError, MalformedApplicationId, OwnershipNotProven
from bot.identity import Channel, channel_of
from bot.notify.subscriptions import SUBSCRIPTION_LIFETIME, Subscriptions, can_be_notified
from bot.settings import Settings
from bot.status.lookup import VERIFIED_WITHOUT_CONVERSATION_START

logger = logging.getLogger(__name__)

APPLICATION_ID = "application_id"
OFFER = "utter_offer_status_notifications"

Events = list[dict[str, Any]]
Clock = Callable[[], datetime]


def subscriptions(clock: Clock = utc_now) -> Subscriptions:
    """The subscription service on DATABASE_URL."""
    return Subscriptions.for_url(Settings.from_env().database_url, clock=clock)


def verified_since(tracker: Tracker, now: datetime) -> datetime:
    """From when a proof of ownership counts: this conversation's start (as for the status report)."""
    from actions.status_lookup import conversation_started  # the lookup module imports this one

    return conversation_started(tracker) or now - VERIFIED_WITHOUT_CONVERSATION_START


async def offer_status_notifications(
    dispatcher: CollectingDispatcher, tracker: Tracker, application_id: str, clock: Clock = utc_now
) -> None:
    """After a verified report: offer notifications, unless the channel cannot get them or it has them.

    The offer is optional: when the database cannot say, the report stands alone.
    """
    try:
        wanted = await asyncio.to_thread(subscriptions(clock).offer_wanted, tracker.sender_id, application_id)
    except BotError as error:
        logger.warning("status notifications: no offer (%s)", type(error).__name__)
        return
    if wanted:
        dispatcher.utter_message(response=OFFER)


class ActionSubscribeStatusNotifications(SafeAction):
    """Subscribes the conversation to the application it verified in this conversation."""

    def __init__(self, clock: Clock = utc_now) -> None:
        self._clock = clock

    def name(self) -> str:
        return "action_subscribe_status_notifications"

    async def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Events:
        if not can_be_notified(tracker.sender_id):
            dispatcher.utter_message(response="utter_status_notifications_unavailable")
            return []
        application_id = tracker.get_slot(APPLICATION_ID)
        if not application_id:
            dispatcher.utter_message(response="utter_status_notifications_need_verification")
            return []
        since = verified_since(tracker, self._clock())
        try:
            await asyncio.to_thread(
                subscriptions(self._clock).subscribe, tracker.sender_id, application_id, verified_since=since
            )
        except (OwnershipNotProven, MalformedApplicationId):
            dispatcher.utter_message(response="utter_status_notifications_need_verification")
            return []
        web = channel_of(tracker.sender_id) is Channel.WEB
        dispatcher.utter_message(
            response="utter_status_notifications_on_web" if web else "utter_status_notifications_on",
            application_id=application_id,
            days=SUBSCRIPTION_LIFETIME.days,
        )
        return []


class ActionUnsubscribeStatusNotifications(SafeAction):
    """Ends every status notification of the conversation (「退订」, /unsubscribe, the 退订 button)."""

    def __init__(self, clock: Clock = utc_now) -> None:
        self._clock = clock

    def name(self) -> str:
        return "action_unsubscribe_status_notifications"

    async def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Events:
        ended = await asyncio.to_thread(subscriptions(self._clock).unsubscribe, tracker.sender_id)
        dispatcher.utter_message(
            response="utter_status_notifications_off" if ended else "utter_status_notifications_none"
        )
        return []
