"""Escalations from the bot's side: why a conversation goes to a person, its masked transcript, recording it.

The gateway (bot/gateway/announcer.py) announces recorded escalations to the agents group; the
actions only call `record_escalation`, which is safe to repeat (one active escalation per sender).

Nothing a conversation asks for is dropped. `record_escalation` says which of three things happened:

    OPENED        a new escalation; the agents get it as its own card (or in a summary during a burst)
    ALREADY_OPEN  the conversation's escalation is still open: the request joins it
    OVER_LIMIT    the conversation already opened `per_hour` escalations in the last hour: this one is
                  recorded and handed over all the same, but `quiet` (listed in the agents' summary,
                  never a card of its own), and the applicant is told how else to reach support

While a person handles the conversation, the applicant's side works the same on every channel:

    reach_of(id)          how an agent's reply reaches the applicant (Reach: a Telegram chat at once,
                          a web page live or when it returns, a REST caller with its next response)
    note_for_agents       a web or REST applicant's message, left for the gateway to relay
                          (Telegram applicants' messages are relayed by the gateway itself)
    is_leave_request      「返回机器人」 (the button's payload), /bot: the applicant wants the bot back
    leave                 resolve the escalation and tell its agents; the channel then resumes Rasa
"""

from __future__ import annotations

import enum
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from bot.application_ids import find_application_id, is_valid_application_id
from bot.db import escalation_queries
from bot.db.escalation_models import AlertKind, Escalation
from bot.db.types import utc_now
from bot.identity import Channel, channel_of
from bot.inbound import is_opening
from bot.normalization import normalize
from bot.privacy import mask

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
DEFAULT_PER_HOUR = 3
"""Escalations a conversation opens per hour before further ones are quiet (ESCALATIONS_PER_HOUR)."""
LIMIT_WINDOW = timedelta(hours=1)


class Outcome(enum.Enum):
    """What recording a request for a person did (see the module docstring)."""

    OPENED = "opened"
    ALREADY_OPEN = "already_open"
    OVER_LIMIT = "over_limit"


@dataclass(frozen=True)
class Recorded:
    """The escalation a request was recorded in, and how."""

    escalation_id: int
    outcome: Outcome


Event = Mapping[str, Any]


def _user_indexes(events: Sequence[Event]) -> list[int]:
    return [index for index, event in enumerate(events) if event.get("event") == "user"]


def previous_turn_was_fallback(events: Sequence[Event]) -> bool:
    """Tell whether the bot answered the previous question with `utter_default`.

    `events` is the tracker as an action sees it: the current user message is the last `user`
    event. Blank messages and widgets' opening payloads (`bot.inbound.is_opening`) are not
    questions: the current one never escalates, and an earlier one (with whatever the bot
    answered it) is passed over, so a widget's opening message never makes the first unclear
    question the second fallback.
    """
    users = _user_indexes(events)
    if not users or is_opening(events[users[-1]].get("text")):
        return False
    questions = [index for index in users[:-1] if not is_opening(events[index].get("text"))]
    if not questions:
        return False
    previous = questions[-1]
    answered_by = next(index for index in users if index > previous)
    return any(
        event.get("event") == "bot" and (event.get("metadata") or {}).get("utter_action") == FALLBACK_RESPONSE
        for event in events[previous + 1 : answered_by]
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
    per_hour: int = DEFAULT_PER_HOUR,
    now: datetime | None = None,
) -> Recorded:
    """Write the escalation (or find the active one); say whether it is new, joined or over the limit."""
    if reason not in REASONS:
        raise ValueError(f"unknown escalation reason {reason!r}")
    active = escalation_queries.active_escalation(session, sender_id)
    if active is not None:
        return Recorded(active.id, Outcome.ALREADY_OPEN)
    since = (now or utc_now()) - LIMIT_WINDOW
    over_limit = escalation_queries.escalations_since(session, sender_id, since) >= per_hour
    escalation = escalation_queries.open_escalation(
        session,
        sender_id=sender_id,
        reason=reason,
        application_id=application_id_in(events, application_id),
        transcript=transcript(events),
        quiet=over_limit,
    )
    return Recorded(escalation.id, Outcome.OVER_LIMIT if over_limit else Outcome.OPENED)


def parse_transcript(stored: str) -> list[dict[str, str]]:
    """The transcript as stored in the escalations table."""
    try:
        lines = json.loads(stored or "[]")
    except ValueError:
        return []
    return [line for line in lines if isinstance(line, dict)]


# --- the applicant's side of a handoff, on every channel -----------------------------------------


class Reach(enum.Enum):
    """How a person's reply reaches the applicant of a conversation (by its channel)."""

    CHAT = "chat"
    """Telegram: a message in the applicant's chat, at once."""
    PAGE = "page"
    """The web page: pushed live while it is open; shown when the page returns (same browser tab)."""
    NEXT_REQUEST = "next_request"
    """REST: nothing can be pushed; the reply is returned with the sender's next request."""


_REACH = {Channel.TELEGRAM: Reach.CHAT, Channel.WEB: Reach.PAGE, Channel.REST: Reach.NEXT_REQUEST}


def reach_of(conversation_id: str) -> Reach:
    """How an agent's reply reaches this conversation (an id of no known channel: with its next request)."""
    channel = channel_of(conversation_id)
    return _REACH[channel] if channel is not None else Reach.NEXT_REQUEST


LEAVE_PHRASE = "返回机器人"
"""What the 「返回机器人」 button sends, and what an applicant types, to end a handoff."""
_LEAVE_REQUESTS = frozenset({LEAVE_PHRASE, "回到机器人", "返回智能助手", "/bot"})
_TRAILING = " 。.!！~～"


def is_leave_request(text: str | None) -> bool:
    """Whether the applicant asks to return to the bot (「返回机器人」, traditional or full-width too, /bot)."""
    return normalize(text or "").strip(_TRAILING).lower() in _LEAVE_REQUESTS


def note_for_agents(session: Session, conversation_id: str, text: str) -> Escalation | None:
    """Leave an applicant's message (masked) for the agents of the active escalation; None when there is none."""
    escalation = escalation_queries.active_escalation(session, conversation_id)
    if escalation is not None:
        escalation_queries.add_alert(
            session, AlertKind.APPLICANT_SAID, str(escalation.id), {"text": mask(text)}, utc_now()
        )
    return escalation


def leave(session: Session, conversation_id: str) -> Escalation | None:
    """The applicant returns to the bot: resolve the active escalation and tell its agents (None: none active).

    The caller resumes the Rasa conversation, then marks the escalation resumed.
    """
    escalation = escalation_queries.active_escalation(session, conversation_id)
    if escalation is None:
        return None
    escalation_queries.resolve_escalation(session, escalation.id)
    escalation_queries.add_alert(session, AlertKind.APPLICANT_LEFT, str(escalation.id), {}, utc_now())
    return escalation
