"""Turns of a conversation a person handles, as the Rasa channels serve them (bot/handoff.py has the rules).

- **Leaving.** 「返回机器人」 (or /bot; `bot.handoff.is_leave_request`) never reaches NLU: with an
  active escalation, it is resolved, its agents are told (the gateway posts it in its thread),
  and the conversation is resumed here (`utter_handoff_left`); without one the applicant hears
  they are talking to the bot already (`utter_not_in_handoff`). The Telegram gateway sends the
  phrase here too, so every channel leaves the same way.
- **Messages meanwhile.** A turn Rasa logged in a paused conversation says nothing; on REST and
  socket.io its text is left for the agents (`bot.handoff.note_for_agents`; the gateway relays it
  into the escalation's thread) and the applicant hears what happens next: `utter_handed_over`,
  or `utter_handed_over_rest` where nothing can be pushed.
- **Satisfaction.** A rating button's payload (`rate:12:5`, bot/ratings.py) never reaches NLU: the
  answer is kept and thanked for (`utter_rating_thanks`, or `_already` / `_refused`).
- **REST replies.** An agent's replies to a REST caller wait in `web_messages` and are returned
  before the replies of the caller's next request (`take_replies`; an empty message fetches them).

No database failure escapes: the applicant gets `utter_storage_unavailable` instead.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

from rasa.shared.core.events import ActionExecuted, ConversationResumed

from bot import ratings
from bot.answers.feedback import FEEDBACK_PAYLOAD
from bot.db import escalation_queries, web_messages
from bot.db.engine import shared_engine, shared_session_factory
from bot.db.errors import storage_errors
from bot.errors import StorageUnavailable
from bot.handoff import Reach, leave, note_for_agents, reach_of

logger = logging.getLogger(__name__)

LEFT = "utter_handoff_left"
NOT_IN_HANDOFF = "utter_not_in_handoff"
HANDED_OVER = "utter_handed_over"
FEEDBACK_EXPIRED = "utter_feedback_unknown"
HANDED_OVER_REST = "utter_handed_over_rest"
NOT_STORED = "utter_storage_unavailable"
NO_REPLY = "utter_action_failed"
RATING_RESPONSES = {
    ratings.Outcome.KEPT: "utter_rating_thanks",
    ratings.Outcome.ALREADY: "utter_rating_already",
    ratings.Outcome.REFUSED: "utter_rating_refused",
}


async def resume_conversation(agent: Any, conversation: str) -> None:
    """Append `resume` and `action_listen` to the conversation (as Rasa's tracker-events API does)."""
    async with agent.lock_store.lock(conversation):
        tracker = await agent.processor.fetch_tracker_with_initial_session(conversation)
        for event in (ConversationResumed(), ActionExecuted("action_listen")):
            tracker.update(event, agent.domain)
        await agent.tracker_store.save(tracker)


class HandoffTurns:
    """The channels' side of a handoff (see the module docstring); one per channel, on one database."""

    def __init__(self, database_url: str) -> None:
        self._database_url = database_url

    def _run(self, work: Any, *args: Any) -> Any:
        with storage_errors(), shared_session_factory(self._database_url)() as session, session.begin():
            return work(session, *args)

    async def leave(self, agent: Any, conversation: str) -> str:
        """The applicant asked for the bot back: the response that answers them."""
        try:
            escalation = await asyncio.to_thread(self._run, _leave_id, conversation)
        except StorageUnavailable:
            logger.warning("could not end a handoff the applicant left: database unavailable")
            return NOT_STORED
        if escalation is None:
            return NOT_IN_HANDOFF
        try:
            await resume_conversation(agent, conversation)
        except StorageUnavailable:  # the conversation cannot be read: it stays with the agents
            logger.warning("could not give a conversation back to the bot: conversation store unavailable")
            return NOT_STORED
        try:
            await asyncio.to_thread(self._run, escalation_queries.mark_resumed, escalation)
        except StorageUnavailable:
            logger.warning(
                "escalation %s: resumed, but not marked so (the gateway resumes it again)", escalation
            )
        logger.info("escalation %s: the applicant returned to the bot", escalation)
        return LEFT

    async def paused(self, conversation: str, text: str) -> str:
        """A message in a paused conversation: left for the agents; the response that says what happens.
        A 👍/👎 under an earlier answer is not a word for the agents: it is answered as expired."""
        if text.startswith(FEEDBACK_PAYLOAD):
            return FEEDBACK_EXPIRED
        try:
            escalation = await asyncio.to_thread(self._run, note_for_agents, conversation, text)
        except StorageUnavailable:
            logger.warning(
                "a message during a handoff could not be left for the agents: database unavailable"
            )
            return NOT_STORED
        if escalation is None:  # resolved, and Rasa not resumed yet: the gateway resumes it shortly
            return NO_REPLY
        return HANDED_OVER_REST if reach_of(conversation) is Reach.NEXT_REQUEST else HANDED_OVER

    async def rate(self, conversation: str, text: str) -> str | None:
        """A rating button's payload (bot/ratings.py): kept, and the response that thanks for it; None
        when `text` is not one (it is an ordinary turn)."""
        rating = ratings.parse(text)
        if rating is None:
            return RATING_RESPONSES[ratings.Outcome.REFUSED] if ratings.looks_like(text) else None
        try:
            outcome = await asyncio.to_thread(self._run, ratings.record, conversation, rating)
        except StorageUnavailable:
            logger.warning("a satisfaction answer could not be kept: database unavailable")
            return NOT_STORED
        return RATING_RESPONSES[outcome]

    async def is_active(self, conversation: str) -> bool:
        """Whether a person handles the conversation now (False when the database cannot tell)."""
        try:
            return bool(
                await asyncio.to_thread(self._run, escalation_queries.active_escalation, conversation)
            )
        except StorageUnavailable:
            return False

    async def take_replies(self, conversation: str) -> list[dict[str, Any]]:
        """A REST caller's waiting replies (agents' and the gateway's), as REST replies, oldest first."""
        try:
            return await asyncio.to_thread(self._take_replies, conversation)
        except StorageUnavailable:
            logger.warning("waiting replies for a REST caller could not be read; they stay queued")
            return []

    def _take_replies(self, conversation: str) -> list[dict[str, Any]]:
        """Look first, outside a transaction (one round trip; there are rarely any); take when there are."""
        with (
            storage_errors(),
            shared_engine(self._database_url)
            .connect()
            .execution_options(isolation_level="AUTOCOMMIT") as connection,
        ):
            if not web_messages.has_undelivered(connection, conversation):
                return []
        return self._run(_take, conversation)  # type: ignore[no-any-return]


def _leave_id(session: Any, conversation: str) -> int | None:
    escalation = leave(session, conversation)
    return escalation.id if escalation is not None else None


def _take(session: Any, conversation: str) -> list[dict[str, Any]]:
    replies = []
    for message in web_messages.take_undelivered(session, conversation):
        reply: dict[str, Any] = {"recipient_id": conversation, "text": message.text}
        buttons = json.loads(message.buttons or "[]")
        if buttons:
            reply["buttons"] = buttons
        replies.append(reply)
    return replies
