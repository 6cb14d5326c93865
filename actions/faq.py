"""Answer a FAQ question, or offer the likeliest topics as buttons when the answer is uncertain."""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.handoff import FALLBACKS, hand_over, is_second_fallback
from actions.safe_action import SafeAction
from bot.answers.catalog import Catalog
from bot.answers.recorder import note_unanswered
from bot.answers.selection import decide
from bot.db.unanswered import Reason


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
            return []
        decision = decide(tracker.latest_message)
        if decision.answer in topics:
            dispatcher.utter_message(text=topics[decision.answer].answer)
            return []
        offered = [topics[key] for key in decision.offered if key in topics]
        question = tracker.latest_message.get("text")
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
