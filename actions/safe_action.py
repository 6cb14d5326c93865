"""Base class for every custom action: errors become one clear reply, never silence or a 500."""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.errors import BotError

logger = logging.getLogger(__name__)


class SafeAction(Action, ABC):
    """Runs `respond`; a BotError or any unexpected exception is answered with an apology.

    rasa-sdk answers an uncaught exception with HTTP 500 echoing the whole tracker (personal
    data in Rasa's log) and the user gets silence, so nothing may escape `run`.
    """

    @abstractmethod
    def name(self) -> str:
        """The action's name in domain.yml."""

    @abstractmethod
    async def respond(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Do the action's work and return its events."""

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        try:
            return await self.respond(dispatcher, tracker, domain)
        except BotError as error:
            logger.warning("%s failed: %s", self.name(), type(error).__name__)
            dispatcher.messages.clear()
            dispatcher.utter_message(response=error.response)
        except Exception:  # the last line of defence; logged without the tracker
            logger.exception("%s crashed", self.name())
            dispatcher.messages.clear()
            dispatcher.utter_message(response="utter_action_failed")
        return []
