"""Out-of-scope questions: note them for the editors (bot.answers.recorder), then say what the bot covers."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.safe_action import SafeAction
from bot.answers.recorder import note_unanswered
from bot.db.unanswered import Reason


class ActionOutOfScope(SafeAction):
    """Records the question as unanswered (never failing the reply), then utters `utter_out_of_scope`."""

    def name(self) -> str:
        return "action_out_of_scope"

    async def respond(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        await note_unanswered(tracker.latest_message.get("text"), Reason.OUT_OF_SCOPE)
        dispatcher.utter_message(response="utter_out_of_scope")
        return []
