"""Escalations from the bot's side: why a conversation goes to a person, its masked transcript, recording it.

The gateway (bot/gateway/handoff.py) announces recorded escalations to the agents group; the
actions only call `record_escalation`, which is safe to repeat (one active escalation per sender).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy.orm import Session

from bot.db import handoff_queries as queries
from bot.privacy import mask
from bot.text import find_application_id, is_valid_application_id

ASKED = "asked"
"""The applicant asked for a person (intent request_human, /human, the "转人工" button)."""
FALLBACKS = "fallbacks"
"""The bot failed to understand twice in a row."""
LOCKED_LOOKUP = "locked_lookup"
"""The status lookup locked after too many wrong credit codes."""
REASONS = (ASKED, FALLBACKS, LOCKED_LOOKUP)

FALLBACK_RESPONSE = "utter_default"
"""The reply that means "I did not understand"; the second in a row escalates."""
TRANSCRIPT_TURNS = 8
TRANSCRIPT_LINE_CHARS = 200

Event = Mapping[str, Any]


def _user_indexes(events: Sequence[Event]) -> list[int]:
    return [index for index, event in enumerate(events) if event.get("event") == "user"]


def previous_turn_was_fallback(events: Sequence[Event]) -> bool:
    """Tell whether the bot answered the previous user message with `utter_default`.

    `events` is the tracker as an action sees it: the current user message is the last
    `user` event; the previous turn is everything between the two last `user` events.
    """
    users = _user_indexes(events)
    if len(users) < 2:
        return False
    previous_turn = events[users[-2] + 1 : users[-1]]
    return any(
        event.get("event") == "bot" and (event.get("metadata") or {}).get("utter_action") == FALLBACK_RESPONSE
        for event in previous_turn
    )


def transcript(events: Iterable[Event], turns: int = TRANSCRIPT_TURNS) -> list[dict[str, str]]:
    """The last user and bot messages, personal data masked, each cut to a readable length."""
    lines: list[dict[str, str]] = []
    for event in events:
        kind = event.get("event")
        text = event.get("text")
        if kind not in ("user", "bot") or not text:
            continue
        masked = mask(str(text)).strip()
        if len(masked) > TRANSCRIPT_LINE_CHARS:
            masked = masked[: TRANSCRIPT_LINE_CHARS - 1] + "…"
        lines.append({"role": kind, "text": masked})
    return lines[-turns:]


def application_id_in(events: Sequence[Event], slot_value: Any = None) -> str | None:
    """The application ID the conversation is about: the slot, else the latest one the user typed."""
    if isinstance(slot_value, str) and is_valid_application_id(slot_value):
        return slot_value
    for event in reversed(events):
        if event.get("event") == "user":
            candidate = find_application_id(str(event.get("text") or ""))
            if candidate and is_valid_application_id(candidate):
                return candidate
    return None


def record_escalation(
    session: Session,
    *,
    sender_id: str,
    reason: str,
    events: Sequence[Event],
    application_id: str | None = None,
) -> int:
    """Write the escalation (or find the active one) and return its id."""
    if reason not in REASONS:
        raise ValueError(f"unknown escalation reason {reason!r}")
    escalation = queries.open_escalation(
        session,
        sender_id=sender_id,
        reason=reason,
        application_id=application_id_in(events, application_id),
        transcript=transcript(events),
    )
    return escalation.id


def parse_transcript(stored: str) -> list[dict[str, str]]:
    """The transcript as stored in the escalations table."""
    try:
        lines = json.loads(stored or "[]")
    except ValueError:
        return []
    return [line for line in lines if isinstance(line, dict)]
