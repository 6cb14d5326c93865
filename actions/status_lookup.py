"""Application status lookup: the form's validation, the report, and ending the lookup early.

The form `status_lookup_form` asks for `application_id`, then `credit_code_suffix`. Ownership is
checked by `bot.status.lookup` against the database; the slots only steer the dialogue. Once the
code is proven, `credit_code_suffix` holds a mask, never the code.

A sender's lock (LookupLocked) hands the conversation to a person. An application ID capped for
everyone (ApplicationCapped) ends the lookup with a reply that offers a person (a button) but does
not escalate by itself: fresh sender ids would otherwise turn a guessing run into a flood of cards.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.handoff import LOCKED_LOOKUP, hand_over
from actions.safe_action import SafeAction
from actions.status_notifications import offer_status_notifications
from bot.application_ids import CREDIT_CODE_LENGTH, SUFFIX_LENGTH, TypedCode
from bot.db.types import utc_now
from bot.dialogue_context import REPORTED_APPLICATION
from bot.errors import (
    ApplicationCapped,
    BotError,
    LookupLocked,
    MalformedApplicationId,
    MalformedCreditCode,
    OwnershipNotProven,
    StorageUnavailable,
)
from bot.settings import Settings
from bot.status import parse
from bot.status.lookup import Start, StatusLookup
from bot.status.throttle import Limits

FORM = "status_lookup_form"
APPLICATION_ID = "application_id"
CODE = "credit_code_suffix"
REQUESTED_SLOT = "requested_slot"
PROVEN = "******"
"""What `credit_code_suffix` holds once ownership is proven (the form needs it filled)."""

ASKS = ("utter_ask_application_id", "utter_ask_credit_code_suffix")
"""Rasa's form sends these itself (named after the slots); listed so the domain check sees them used."""

INTERRUPTIONS = frozenset({"faq", "nlu_fallback", "cancel", "request_human"})
"""Intents with their own rules during the form: the form rejects them, the rule answers."""
WORDS_NOT_CODES = frozenset({"cancel", "request_human", "greet", "thank", "goodbye", "bot_challenge"})
"""Intents of a letters-only message that is a word, not a code (「cancel」「thanks」「hello」)."""

Events = list[dict[str, Any]]
Clock = Callable[[], datetime]


def _needs_code(events: Events) -> str | None:
    """The application ID `_take_id` accepted when it still wants the code, else None."""
    values = {event.get("name"): event.get("value") for event in events if event.get("event") == "slot"}
    if len(events) == len(values) and values.get(APPLICATION_ID) and values.get(CODE) is None:
        return str(values[APPLICATION_ID])
    return None


def _is_an_answer(code: TypedCode, intent: str | None) -> bool:
    """Whether a code-shaped text answers the code question (and so counts as an attempt).

    A message that is nothing but the code always does, letters-only included, unless it is a
    word the NLU understood (「cancel」「thanks」); inside a question, only a 6- or 18-character code does.
    """
    if intent in WORDS_NOT_CODES and code.letters_only:
        return False
    if code.bare:
        return True
    return intent not in INTERRUPTIONS or code.typed_length in (SUFFIX_LENGTH, CREDIT_CODE_LENGTH)


def _end_lookup() -> Events:
    """Slot events that finish the form at once with nothing left to report."""
    return [SlotSet(APPLICATION_ID, None), SlotSet(CODE, None), SlotSet(REQUESTED_SLOT, None)]


def conversation_started(tracker: Tracker) -> datetime | None:
    """When the current conversation session started (its `session_started` event), if known."""
    for event in reversed(tracker.events):
        if event.get("event") == "session_started" and event.get("timestamp"):
            return datetime.fromtimestamp(float(event["timestamp"]), tz=timezone.utc)
    return None


def follows_user_message(tracker: Tracker) -> bool:
    """Tell whether the form runs right after a user message (not when it resumes after a FAQ)."""
    seen_form = False
    for event in reversed(tracker.events):
        kind = event.get("event")
        if kind == "user":
            return True
        if kind == "action":
            if seen_form:
                return False
            seen_form = True
    return False


async def _lock_and_hand_over(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    locked: LookupLocked,
    application_id: str | None = None,
) -> Events:
    """Say the lookup is locked, escalate to a person (written to the DB first), end the lookup."""
    dispatcher.utter_message(response=locked.response, minutes=locked.minutes)
    paused = await hand_over(dispatcher, tracker, LOCKED_LOOKUP, application_id=application_id)
    return [*paused, *_end_lookup()]


def _capped(dispatcher: CollectingDispatcher, capped: ApplicationCapped) -> Events:
    """Say the ID cannot be looked up for now and offer a person (a button); end the lookup."""
    dispatcher.utter_message(response=capped.response, minutes=capped.minutes)
    return _end_lookup()


class _UsesLookup:
    """Shared set-up: a clock (tests inject one) and the lookup on DATABASE_URL.

    A mixin, not an Action subclass: rasa-sdk registers every Action subclass it finds.
    """

    def __init__(self, clock: Clock = utc_now) -> None:
        self._clock = clock

    def lookup(self) -> StatusLookup:
        """The lookup service on the configured database, with the configured limits."""
        settings = Settings.from_env()
        return StatusLookup.for_url(
            settings.database_url, clock=self._clock, limits=Limits.from_settings(settings)
        )


class ValidateStatusLookupForm(_UsesLookup, SafeAction):
    """Reads the ID or the code from each message; checks them against the database."""

    def name(self) -> str:
        return f"validate_{FORM}"

    async def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Events:
        if not follows_user_message(tracker):
            return []
        requested = tracker.get_slot(REQUESTED_SLOT)
        text = tracker.latest_message.get("text") or ""
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        entity = next(tracker.get_latest_entity_values(APPLICATION_ID), None)
        try:
            typed_id = parse.application_id_candidate(text, entity)
            if typed_id is None and requested is None:
                typed_id = tracker.get_slot(APPLICATION_ID)  # asking again about the same one
            if typed_id is not None:
                events = await self._take_id(dispatcher, tracker, typed_id)
                accepted = _needs_code(events)
                code = parse.typed_code(text) if accepted else None
                if accepted and code is not None and code.suffix is not None:  # ID and code in one message
                    return [*events, *await self._take_code(dispatcher, tracker, code, accepted)]
                return events
            code = parse.typed_code(text) if requested == CODE else None
            if code is not None and _is_an_answer(code, intent):
                return await self._take_code(dispatcher, tracker, code)
        except StorageUnavailable as error:
            dispatcher.utter_message(response=error.response)
            if requested == CODE:  # nothing was checked or counted: the same code can be sent again
                return [SlotSet(CODE, None)]
            return _end_lookup()
        except BotError as error:  # the lookup cannot go on: say why, and end the form
            dispatcher.utter_message(response=error.response)
            return _end_lookup()
        if requested is None or intent in INTERRUPTIONS:
            return []
        dispatcher.utter_message(response="utter_status_lookup_hint")
        return [SlotSet(requested, None)]

    async def _take_id(self, dispatcher: CollectingDispatcher, tracker: Tracker, typed_id: str) -> Events:
        try:
            application_id, start = await asyncio.to_thread(
                self.lookup().start,
                tracker.sender_id,
                typed_id,
                conversation_started=conversation_started(tracker),
            )
        except MalformedApplicationId as error:
            dispatcher.utter_message(response=error.response)
            return [SlotSet(APPLICATION_ID, None), SlotSet(CODE, None)]
        except LookupLocked as locked:
            return await _lock_and_hand_over(dispatcher, tracker, locked, typed_id)
        except ApplicationCapped as capped:
            return _capped(dispatcher, capped)
        proven = PROVEN if start is Start.VERIFIED else None
        return [SlotSet(APPLICATION_ID, application_id), SlotSet(CODE, proven)]

    async def _take_code(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        code: TypedCode,
        application_id: str | None = None,
    ) -> Events:
        application_id = application_id or tracker.get_slot(APPLICATION_ID)
        if not application_id:
            return [SlotSet(REQUESTED_SLOT, APPLICATION_ID)]
        if code.suffix is None:  # nothing to compare: say what is wanted, count nothing
            dispatcher.utter_message(response="utter_status_code_length", length=code.typed_length)
            return [SlotSet(CODE, None)]
        try:
            await asyncio.to_thread(self.lookup().check_code, tracker.sender_id, application_id, code.suffix)
        except (MalformedCreditCode, MalformedApplicationId) as error:
            dispatcher.utter_message(response=error.response)
            return [SlotSet(CODE, None)]
        except OwnershipNotProven as error:
            dispatcher.utter_message(response=error.response, remaining=error.remaining)
            if code.typed_length not in (SUFFIX_LENGTH, CREDIT_CODE_LENGTH):
                dispatcher.utter_message(response="utter_status_code_longer", length=code.typed_length)
            return [SlotSet(CODE, None)]
        except LookupLocked as locked:
            return await _lock_and_hand_over(dispatcher, tracker, locked, application_id)
        except ApplicationCapped as capped:
            return _capped(dispatcher, capped)
        return [SlotSet(CODE, PROVEN)]


class ActionStatusLookup(_UsesLookup, SafeAction):
    """Sends the status report once the form is done (the database decides, not the slots)."""

    def name(self) -> str:
        return "action_status_lookup"

    async def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Events:
        application_id = tracker.get_slot(APPLICATION_ID)
        if not application_id:  # the form ended early; the user has had their answer
            return [SlotSet(CODE, None)]
        try:
            report = await asyncio.to_thread(
                self.lookup().report,
                tracker.sender_id,
                application_id,
                conversation_started=conversation_started(tracker),
            )
        except LookupLocked as locked:
            return await _lock_and_hand_over(dispatcher, tracker, locked, application_id)
        except OwnershipNotProven:
            dispatcher.utter_message(response="utter_status_not_verified")
            return _end_lookup()
        except BotError as error:
            dispatcher.utter_message(response=error.response)
            return _end_lookup()
        dispatcher.utter_message(text=report)
        await offer_status_notifications(dispatcher, tracker, application_id, self._clock)
        # Keep the ID: "再查一下" in this conversation answers again without a code. Follow-ups
        # (「下一步怎么办」) are about this application for a few turns (actions/followup.py).
        return [SlotSet(CODE, None), SlotSet(REPORTED_APPLICATION, application_id)]


class ActionEndStatusLookup(SafeAction):
    """Ends the lookup form and forgets its slots (on 取消, or when the user asks for a person)."""

    def name(self) -> str:
        return "action_end_status_lookup"

    async def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Events:
        return [ActiveLoop(None), *_end_lookup()]
