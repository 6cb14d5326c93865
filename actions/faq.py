"""Answer a FAQ question, or offer the likeliest topics as buttons when the answer is uncertain.

Read against what was just said: a short follow-up after a FAQ answer (「个体工商户也一样吗？」) is
answered for that topic (bot/answers/elliptical.py), and a question about fixes or timing right
after a status report is answered for that application (bot/status/followups.py).
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
from bot.answers.recorder import note_unanswered
from bot.answers.selection import decide
from bot.clock import beijing_now
from bot.db.unanswered import Reason
from bot.dialogue_context import FAQ_TOPIC, REPORTED_APPLICATION, fresh_value
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
            dispatcher.utter_message(text=topics[chosen].answer)
            return [SlotSet(FAQ_TOPIC, chosen)]
        question = tracker.latest_message.get("text") or ""
        follow_up = _elliptical(tracker, question)
        if follow_up is not None and follow_up[1] in topics:
            text, topic = follow_up
            dispatcher.utter_message(text=text or topics[topic].answer)
            return [SlotSet(FAQ_TOPIC, topic)]
        decision = decide(tracker.latest_message)
        likeliest = decision.answer or next(iter(decision.offered), None)
        own = await _about_reported_application(tracker, likeliest)
        if own:
            dispatcher.utter_message(text=own)
            return [SlotSet(REPORTED_APPLICATION, reported_application(tracker))]  # keep it fresh
        if decision.answer in topics:
            dispatcher.utter_message(text=topics[decision.answer].answer)
            return [SlotSet(FAQ_TOPIC, decision.answer)]
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
