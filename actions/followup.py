"""Follow-ups about what was just said: what to do now, why it is slow, an appeal.

Right after a status report (bot.dialogue_context: a few turns), these are answered for that
application, read again from the database for the conversation that proved ownership
(bot.status.followups). Without a recent report they get a general answer; an appeal always
goes to a person, with the application attached when there is one.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.handoff import ASKED, hand_over
from actions.safe_action import SafeAction
from actions.status_lookup import conversation_started
from bot.clock import beijing_now
from bot.db.models import Application
from bot.dialogue_context import REPORTED_APPLICATION, fresh_value
from bot.errors import OwnershipNotProven
from bot.settings import Settings
from bot.status.followups import Kind, answer
from bot.status.lookup import StatusLookup
from bot.status.throttle import Limits

INTENT_KINDS = {"ask_next_step": Kind.NEXT_STEP, "complain_slow": Kind.SLOW}
APPEAL = "appeal"
GENERAL_REPLIES = {
    "ask_next_step": "utter_next_step_which",
    "complain_slow": "utter_complain_slow",
    APPEAL: "utter_appeal",
}

Render = Callable[[Application], str | None]


def reported_application(tracker: Tracker) -> str | None:
    """The application reported within the last few turns of this conversation, if any."""
    slots = tracker.slots if isinstance(tracker.slots, dict) else {}
    return fresh_value(tracker.events, slots, REPORTED_APPLICATION)


async def about_reported(tracker: Tracker, application_id: str, render: Render) -> str | None:
    """`render` applied to the reported application, or None when this conversation no longer owns it."""
    settings = Settings.from_env()
    lookup = StatusLookup.for_url(settings.database_url, limits=Limits.from_settings(settings))
    try:
        return await asyncio.to_thread(
            lookup.about,
            tracker.sender_id,
            application_id,
            render,
            conversation_started=conversation_started(tracker),
        )
    except OwnershipNotProven:
        return None


class ActionFollowUp(SafeAction):
    """Answers 「下一步怎么办」「怎么这么慢」「我不服」 for the application just reported, or in general."""

    def name(self) -> str:
        return "action_follow_up"

    async def respond(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        intent = str((tracker.latest_message.get("intent") or {}).get("name") or "")
        application_id = reported_application(tracker)
        if intent == APPEAL:
            if application_id:
                dispatcher.utter_message(response="utter_appeal_application", application_id=application_id)
            else:
                dispatcher.utter_message(response=GENERAL_REPLIES[APPEAL])
            return await hand_over(dispatcher, tracker, ASKED, application_id=application_id)
        kind = INTENT_KINDS.get(intent)
        if application_id and kind is not None:
            today = beijing_now().date()
            reply = await about_reported(tracker, application_id, lambda app: answer(kind, app, today))
            if reply:
                dispatcher.utter_message(text=reply)
                return [SlotSet(REPORTED_APPLICATION, application_id)]  # still about it: keep it fresh
        dispatcher.utter_message(response=GENERAL_REPLIES.get(intent, "utter_default"))
        return []
