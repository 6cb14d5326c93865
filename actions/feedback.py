"""👍/👎 under a FAQ answer, and 「没解决」「没用」「不对」 typed right after one (bot/answers/feedback.py)."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.safe_action import SafeAction
from bot.answers.feedback import ANSWER_REF, FEEDBACK_INTENT, VOTE, parse_ref, take_vote
from bot.db.feedback_models import Vote, VoteSource
from bot.dialogue_context import FAQ_ANSWER, fresh_value

NOTHING_TO_RATE = "utter_feedback_nothing_to_rate"
"""「没解决」 with no FAQ answer just before it: sorry, rephrase or ask for a person."""


class ActionAnswerFeedback(SafeAction):
    """Takes a vote on an answer this conversation got and acknowledges it; never silent."""

    def name(self) -> str:
        return "action_answer_feedback"

    async def respond(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        if intent == FEEDBACK_INTENT:
            answer_id = parse_ref(next(tracker.get_latest_entity_values(ANSWER_REF), None))
            value = next(tracker.get_latest_entity_values(VOTE), None)
            vote = Vote(value) if value in {member.value for member in Vote} else None
            source = VoteSource.BUTTON
        else:  # typed: a 👎 on the answer given just before
            slots = tracker.slots if isinstance(tracker.slots, dict) else {}
            answer_id = parse_ref(fresh_value(tracker.events, slots, FAQ_ANSWER, turns=1))
            vote, source = Vote.DOWN, VoteSource.TYPED
        if answer_id is None or vote is None:
            dispatcher.utter_message(
                response=NOTHING_TO_RATE if intent != FEEDBACK_INTENT else "utter_feedback_unknown"
            )
            return []
        outcome = await take_vote(tracker.sender_id, answer_id, vote, source)
        dispatcher.utter_message(response=outcome.value)
        return []
