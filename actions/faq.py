"""Answer a FAQ question, or offer the likeliest topics as buttons when the answer is uncertain.

Read against what was just said: a short follow-up after a FAQ answer (「个体工商户也一样吗？」) is
answered for that topic (bot/answers/elliptical.py), and a question about fixes or timing right
after a status report is answered for that application (bot/status/followups.py).

Every FAQ answer is recorded and carries 👍/👎 buttons (bot/answers/feedback.py); a new question
right after an answer may show that the answer was wrong (bot/answers/rephrasing.py).
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.followup import about_reported, reported_application
from actions.handoff import FALLBACKS, hand_over, is_second_fallback
from actions.safe_action import SafeAction
from bot.answers.catalog import Catalog
from bot.answers.elliptical import followups
from bot.answers.feedback import feedback_buttons, note_rephrasing, parse_ref, record_answer
from bot.answers.recorder import note_unanswered
from bot.answers.rephrasing import RUNNER_UPS
from bot.answers.selection import candidates, decide
from bot.clock import beijing_now
from bot.db.unanswered import Reason
from bot.dialogue_context import FAQ_ANSWER, FAQ_TOPIC, REPORTED_APPLICATION, fresh_value
from bot.status.followups import TOPIC_KINDS, answer_for_topic


@lru_cache(maxsize=1)
def catalog() -> Catalog:
    """The FAQ catalog, built on first use (importing this module does nothing)."""
    return Catalog()


def faq_button(key: str, title: str) -> dict[str, str]:
    """A button that answers topic `key` when pressed."""
    return {"title": title, "payload": "/faq" + json.dumps({"faq_key": key}, ensure_ascii=False)}


class ActionAnswerFaq(SafeAction):
    """Answers the chosen or recognised FAQ topic; offers buttons when unsure."""

    def name(self) -> str:
        return "action_answer_faq"

    async def respond(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        topics = catalog().topics()
        chosen = next(tracker.get_latest_entity_values("faq_key"), None)
        if chosen in topics:
            return await _answer(dispatcher, tracker, chosen, topics[chosen].answer, asked_before(tracker))
        question = tracker.latest_message.get("text") or ""
        follow_up = _elliptical(tracker, question)
        if follow_up is not None and follow_up[1] in topics:
            text, topic = follow_up
            return await _answer(dispatcher, tracker, topic, text or topics[topic].answer, question)
        decision = decide(tracker.latest_message)
        likeliest = decision.answer or next(iter(decision.offered), None)
        own = await _about_reported_application(tracker, likeliest)
        if own:
            dispatcher.utter_message(text=own)
            return [SlotSet(REPORTED_APPLICATION, reported_application(tracker))]  # keep it fresh
        await _check_rephrasing(tracker, decision.answer if decision.answer in topics else None)
        if decision.answer in topics:
            return await _answer(
                dispatcher, tracker, decision.answer, topics[decision.answer].answer, question
            )
        offered = [topics[key] for key in decision.offered if key in topics]
        if offered:
            await note_unanswered(question, Reason.UNCERTAIN)
            buttons = [faq_button(topic.key, topic.question) for topic in offered]
            buttons.append({"title": "都不是，转人工", "payload": "/request_human"})
            dispatcher.utter_message(response="utter_faq_uncertain", buttons=buttons)
        elif is_second_fallback(tracker):
            await note_unanswered(question, Reason.HANDOFF)
            return await hand_over(dispatcher, tracker, FALLBACKS)
        else:
            await note_unanswered(question, Reason.FALLBACK)
            dispatcher.utter_message(response="utter_default")
        return []


async def _answer(
    dispatcher: CollectingDispatcher, tracker: Tracker, topic: str, text: str, question: str
) -> list[dict[str, Any]]:
    """Send topic `topic`'s answer `text` with 👍/👎 buttons (without them when it cannot be recorded)."""
    others = [c.key for c in candidates(tracker.latest_message) if c.key != topic][:RUNNER_UPS]
    answer_id = await record_answer(tracker.sender_id, topic, question, others)
    if answer_id is None:
        dispatcher.utter_message(text=text)
        return [SlotSet(FAQ_TOPIC, topic), SlotSet(FAQ_ANSWER, None)]
    dispatcher.utter_message(text=text, buttons=feedback_buttons(answer_id))
    return [SlotSet(FAQ_TOPIC, topic), SlotSet(FAQ_ANSWER, str(answer_id))]


def asked_before(tracker: Tracker) -> str:
    """The applicant's own words behind a pressed topic button: the last message that was not a payload."""
    for event in reversed(tracker.events):
        text = event.get("text") if event.get("event") == "user" else None
        if isinstance(text, str) and text.strip() and not text.strip().startswith("/"):
            return text
    return ""


async def _check_rephrasing(tracker: Tracker, outcome_topic: str | None) -> None:
    """A 👎 on the answer just given when this question rephrases it (bot/answers/rephrasing.py)."""
    slots = tracker.slots if isinstance(tracker.slots, dict) else {}
    answer_id = parse_ref(fresh_value(tracker.events, slots, FAQ_ANSWER, turns=1))
    if answer_id is not None:
        await note_rephrasing(tracker.sender_id, answer_id, outcome_topic)


def _elliptical(tracker: Tracker, question: str) -> tuple[str | None, str] | None:
    """(the pair's text or None, topic) when `question` follows up the FAQ topic answered a moment ago."""
    slots = tracker.slots if isinstance(tracker.slots, dict) else {}
    last_topic = fresh_value(tracker.events, slots, FAQ_TOPIC)
    return followups().answer(question, last_topic) if last_topic else None


async def _about_reported_application(tracker: Tracker, topic: str | None) -> str | None:
    """The reported application's own answer to `topic` (its ETA, its fixes), right after its report."""
    application_id = reported_application(tracker) if topic else None
    if not application_id or topic not in TOPIC_KINDS:
        return None
    today = beijing_now().date()
    return await about_reported(tracker, application_id, lambda app: answer_for_topic(str(topic), app, today))
