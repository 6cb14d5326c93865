"""What the conversation was just about: a remembered slot counts only for a few turns after it was set.

Follow-ups (「要改哪些地方」 after a status report, 「要多久？」 after the materials answer) are read
against the application last reported or the FAQ topic last answered, but only while they are
recent: `FRESH_TURNS` user messages, the one being answered included. An answer about the same
application or topic sets the slot again, so a conversation that stays on it keeps its context.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

REPORTED_APPLICATION = "reported_application"
"""Slot: the application the last status report in this conversation was about."""
FAQ_TOPIC = "faq_topic"
"""Slot: the FAQ topic answered last."""
FAQ_ANSWER = "faq_answer"
"""Slot: the id of the FAQ answer given last (bot/db/feedback_models.py), for 「没解决」 and rephrasings."""

FRESH_TURNS = 3
"""A follow-up may come this many messages after the answer it refers to (the follow-up itself counts)."""


def turns_since_set(events: Sequence[Mapping[str, Any]], slot: str) -> int | None:
    """User messages since `slot` was last set to a value (None if not among `events`, or last cleared)."""
    turns = 0
    for event in reversed(events):
        kind = event.get("event")
        if kind == "user":
            turns += 1
        elif kind == "slot" and event.get("name") == slot:
            return turns if event.get("value") else None
        elif kind == "session_started":
            return None
    return None


def fresh_value(
    events: Sequence[Mapping[str, Any]], slots: Mapping[str, Any], slot: str, *, turns: int = FRESH_TURNS
) -> str | None:
    """The slot's value when it was set within the last `turns` user messages, else None."""
    since = turns_since_set(events, slot)
    value = slots.get(slot)
    if since is None or since > turns or not isinstance(value, str) or not value:
        return None
    return value
