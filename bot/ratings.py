"""The applicant's answer to the satisfaction question asked when an agent ended their case (any channel).

A rating button carries `rate:<case>:<score>` (score 1–5): on Telegram as callback_data (the
gateway, bot/gateway/satisfaction.py), on the web page as the button's payload (the socket.io
channel, bot/rasa_ext/handoff_turns.py), so it never reaches NLU. The first answer per case is
kept with the agent credited with it; a later one changes nothing; one from another conversation,
for a case that has not ended or whose applicant was never asked (`was_asked`), or a malformed
`rate:…` typed on the page, is refused.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from sqlalchemy.orm import Session

from bot.db import escalation_queries
from bot.db.escalation_models import Escalation, EscalationStatus
from bot.db.types import utc_now

PREFIX = "rate:"
SCORES = (1, 2, 3, 4, 5)
_PAYLOAD = re.compile(r"rate:([1-9][0-9]{0,11}):([1-5])", re.ASCII)  # as buttons write them


class Outcome(str, enum.Enum):
    """What became of a pressed rating button."""

    KEPT = "kept"
    ALREADY = "already"
    REFUSED = "refused"


@dataclass(frozen=True)
class Rating:
    """A pressed rating button: which case, which score."""

    escalation_id: int
    score: int


def payload(escalation_id: int, score: int) -> str:
    """What a rating button sends."""
    return f"{PREFIX}{escalation_id}:{score}"


def looks_like(text: str | None) -> bool:
    """Whether `text` is meant as a rating button's payload (`rate:…`), well formed or not."""
    return (text or "").strip().lower().startswith(PREFIX)


def was_asked(escalation: Escalation) -> bool:
    """Whether the applicant was asked to rate this case: an agent held it and ended it (ending
    credits the owner, bot/gateway/endings.py); a case the applicant left was never asked about."""
    return escalation.claimed_by is not None and escalation.resolved_by is not None


def parse(text: str | None) -> Rating | None:
    """`rate:12:5` → Rating(12, 5); anything else → None."""
    match = _PAYLOAD.fullmatch(text or "")  # exactly as the buttons write it
    return Rating(int(match.group(1)), int(match.group(2))) if match else None


def record(session: Session, conversation: str, rating: Rating) -> Outcome:
    """Keep the answer of `conversation` (see the module docstring)."""
    escalation = escalation_queries.get_escalation(session, rating.escalation_id)
    if (
        escalation is None
        or escalation.sender_id != conversation
        or escalation.status != EscalationStatus.RESOLVED
        or not was_asked(escalation)
    ):
        return Outcome.REFUSED
    if not escalation_queries.save_rating(session, escalation, rating.score, utc_now()):
        return Outcome.ALREADY
    return Outcome.KEPT
