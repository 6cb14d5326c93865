"""Hand the conversation to a person: write the escalation first, then tell the user and pause the bot.

Other actions escalate through `hand_over` (e.g. the status lookup when it locks):

    return await hand_over(dispatcher, tracker, LOCKED_LOOKUP, application_id=application_id)

The reply says what happened (bot/handoff.py): a new escalation (by reason), the request joined
the open one, or the conversation is over its hourly limit (recorded and handed over all the
same; the reply also says how else to reach support). A second message says how a person's reply
reaches this applicant on their channel (bot.handoff.Reach), with a 「返回机器人」 button: no channel
promises what it cannot do.

Without an agents group (TELEGRAM_AGENT_CHAT_ID unset where the bot runs) nobody is handed over:
the applicant hears so and how else to reach support, and the question is recorded for the editors.
"""

from __future__ import annotations

import asyncio
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import ConversationPaused
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.safe_action import SafeAction
from bot.answers.recorder import note_unanswered
from bot.db.engine import shared_session_factory
from bot.db.errors import storage_errors
from bot.db.unanswered import Reason
from bot.handoff import (
    ASKED,
    FALLBACKS,
    LOCKED_LOOKUP,
    Outcome,
    Reach,
    Recorded,
    previous_turn_was_fallback,
    reach_of,
    record_escalation,
)
from bot.inbound import is_opening
from bot.settings import Settings

__all__ = ["ASKED", "FALLBACKS", "LOCKED_LOOKUP", "ActionRequestHuman", "hand_over", "is_second_fallback"]

RESPONSES = {
    ASKED: "utter_handoff_started",
    FALLBACKS: "utter_handoff_after_fallbacks",
    LOCKED_LOOKUP: "utter_handoff_locked_lookup",
}
JOINED = "utter_handoff_already_open"
OVER_LIMIT = "utter_handoff_over_limit"
HOW_REPLIES_REACH = {
    Reach.CHAT: "utter_handoff_how_telegram",
    Reach.PAGE: "utter_handoff_how_web",
    Reach.NEXT_REQUEST: "utter_handoff_how_rest",
}
UNAVAILABLE = "utter_handoff_unavailable"


def _record(
    sender_id: str, reason: str, events: list[dict[str, Any]], application_id: str | None
) -> Recorded:
    settings = Settings.from_env()
    with storage_errors(), shared_session_factory(settings.database_url)() as session, session.begin():
        return record_escalation(
            session,
            sender_id=sender_id,
            reason=reason,
            events=events,
            application_id=application_id,
            per_hour=settings.escalations_per_hour,
        )


def reply_for(reason: str, outcome: Outcome) -> str:
    """The response the applicant gets for a recorded request."""
    if outcome is Outcome.ALREADY_OPEN:
        return JOINED
    if outcome is Outcome.OVER_LIMIT:
        return OVER_LIMIT
    return RESPONSES[reason]


def is_second_fallback(tracker: Tracker) -> bool:
    """Tell whether answering `utter_default` now would be the second time in a row."""
    return previous_turn_was_fallback(tracker.events)


def question_before(events: list[dict[str, Any]]) -> str | None:
    """The applicant's question that led to asking for a person: the last user message before this one."""
    users = [event for event in events if event.get("event") == "user"]
    for event in reversed(users[:-1]):
        text = str(event.get("text") or "")
        if not is_opening(text) and not text.startswith("/"):
            return text
    return None


async def hand_over(
    dispatcher: CollectingDispatcher, tracker: Tracker, reason: str, *, application_id: str | None = None
) -> list[dict[str, Any]]:
    """Record the escalation, tell the user how a person's reply will reach them, and return the
    events that pause the bot; without an agents group, say so and pause nothing."""
    if Settings.from_env().agent_chat_id is None:
        if reason == ASKED:  # a fallback was recorded by its action; a locked lookup's words are codes
            await note_unanswered(question_before(list(tracker.events)), Reason.HANDOFF)
        dispatcher.utter_message(response=UNAVAILABLE)
        return []
    slot = tracker.slots.get("application_id") if isinstance(tracker.slots, dict) else None
    recorded = await asyncio.to_thread(
        _record, tracker.sender_id, reason, list(tracker.events), application_id or slot
    )
    dispatcher.utter_message(response=reply_for(reason, recorded.outcome))
    dispatcher.utter_message(response=HOW_REPLIES_REACH[reach_of(tracker.sender_id)])
    return [ConversationPaused()]


class ActionRequestHuman(SafeAction):
    """The applicant asked for a person: escalate and pause the bot until an agent resolves it."""

    def name(self) -> str:
        return "action_request_human"

    async def respond(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        return await hand_over(dispatcher, tracker, ASKED)
