"""👍/👎 under a FAQ answer, and 「有用」 or 「没解决」「没用」「不对」 typed right after one (bot/answers/feedback.py)."""

from __future__ import annotations

import json
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.safe_action import SafeAction
from bot.answers.feedback import (
    ANSWER_REF,
    FEEDBACK_INTENT,
    FEEDBACK_PAYLOAD,
    VOTE,
    Outcome,
    parse_ref,
    take_vote,
)
from bot.db.feedback_models import Vote, VoteSource
from bot.dialogue_context import FAQ_ANSWER, fresh_value

REPLIES = {
    Outcome.THANKS: "utter_feedback_thanks",
    Outcome.SORRY: "utter_feedback_sorry",
    Outcome.ALREADY: "utter_feedback_already",
    Outcome.UNKNOWN: "utter_feedback_unknown",
}
NOTHING_TO_RATE = {
    Vote.UP: "utter_feedback_thanks",
    Vote.DOWN: "utter_feedback_nothing_to_rate",
}
"""Typed with no FAQ answer just before it: thanks, or sorry with a rephrasing or a person offered."""
VOTES = frozenset(member.value for member in Vote)


def button_vote(text: str) -> tuple[int | None, Vote | None]:
    """The answer and vote of a 👍/👎 button's payload exactly as the buttons write it
    (`/answer_feedback{"answer_ref": "12", "vote": "up"}`): anything else, (None, None)."""
    if not text.startswith(FEEDBACK_PAYLOAD):
        return None, None
    try:
        body = json.loads(text[len(FEEDBACK_PAYLOAD) :])
    except ValueError:
        return None, None
    if not isinstance(body, dict) or set(body) != {ANSWER_REF, VOTE}:
        return None, None
    ref, value = body[ANSWER_REF], body[VOTE]
    if not isinstance(ref, str) or ref != ref.strip() or not isinstance(value, str) or value not in VOTES:
        return None, None
    return parse_ref(ref), Vote(value)


class ActionAnswerFeedback(SafeAction):
    """Takes a vote on an answer this conversation got and acknowledges it; never silent."""

    def name(self) -> str:
        return "action_answer_feedback"

    async def respond(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        pressed = next(tracker.get_latest_entity_values(ANSWER_REF), None)
        payload = str(tracker.latest_message.get("text") or "").lstrip().startswith("/")
        if intent == FEEDBACK_INTENT and (pressed is not None or payload):  # a button, or made up as one
            answer_id, vote = button_vote(str(tracker.latest_message.get("text") or ""))
            if answer_id is None or vote is None:
                dispatcher.utter_message(response=REPLIES[Outcome.UNKNOWN])
                return []
            outcome = await take_vote(tracker.sender_id, answer_id, vote, VoteSource.BUTTON)
        else:  # typed: about the answer given just before, if there was one
            vote = Vote.UP if intent == FEEDBACK_INTENT else Vote.DOWN
            slots = tracker.slots if isinstance(tracker.slots, dict) else {}
            answer_id = parse_ref(fresh_value(tracker.events, slots, FAQ_ANSWER, turns=1))
            if answer_id is None:
                dispatcher.utter_message(response=NOTHING_TO_RATE[vote])
                return []
            outcome = await take_vote(tracker.sender_id, answer_id, vote, VoteSource.TYPED)
        dispatcher.utter_message(response=REPLIES[outcome])
        return []
