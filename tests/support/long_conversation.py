"""A long support conversation written turn by turn through a tracker store, as Rasa writes it."""

from __future__ import annotations

import time

from rasa.core.tracker_store import TrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    BotUttered,
    ConversationPaused,
    Event,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from bot.settings import PROJECT_ROOT

DOMAIN = Domain.load(str(PROJECT_ROOT / "domain.yml"))
SENDER = "long-conversation"


def faq_turn(text: str) -> list[Event]:
    """The events of one FAQ question and its answer."""
    return [
        UserUttered(text, {"name": "faq", "confidence": 0.9}),
        ActionExecuted("action_answer_faq"),
        BotUttered(f"answer to {text}"),
        ActionExecuted("action_listen"),
    ]


async def take_turn(store: TrackerStore, events: list[Event], sender: str = SENDER) -> DialogueStateTracker:
    """What Rasa does each turn: read the tracker, add the turn's events, save it."""
    tracker = await store.retrieve(sender)
    if tracker is None:
        tracker = DialogueStateTracker(sender, DOMAIN.slots)
    for event in events:
        tracker.update(event)
    await store.save(tracker)
    return tracker


async def long_conversation(store: TrackerStore, turns: int, sender: str = SENDER) -> float:
    """`turns` user messages: a status lookup opened early and left open, FAQs, a hand-off near the end.

    Returns the session start's timestamp.
    """
    started = time.time() - 600
    await take_turn(
        store,
        [
            ActionExecuted("action_session_start"),
            SessionStarted(timestamp=started),
            ActionExecuted("action_listen"),
        ],
        sender,
    )
    for n in range(turns):
        events = faq_turn(f"question {n}")
        if n == 3:  # a lookup starts early and stays open (FAQs asked meanwhile)
            events = [
                UserUttered("查询进度", {"name": "check_status", "confidence": 0.9}),
                ActionExecuted("status_lookup_form"),
                ActiveLoop("status_lookup_form"),
                SlotSet("requested_slot", "application_id"),
                ActionExecuted("action_listen"),
            ]
        if n == 5:
            events = [
                UserUttered("RZ202611200001", {"name": "inform", "confidence": 0.9}),
                ActionExecuted("status_lookup_form"),
                SlotSet("application_id", "RZ202611200001"),
                SlotSet("requested_slot", "credit_code_suffix"),
                ActionExecuted("action_listen"),
            ]
        if n == turns - 3:
            events = [
                UserUttered("转人工", {"name": "request_human", "confidence": 0.9}),
                ActionExecuted("action_request_human"),
                ConversationPaused(),
                ActionExecuted("action_listen"),
            ]
        await take_turn(store, events, sender)
    return started
