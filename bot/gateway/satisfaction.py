"""The satisfaction question an applicant gets when an agent ends their case, and their answer.

Asked once per case an agent held (claimed or answered), on Telegram: a message with five buttons
(1 = 很不满意 … 5 = 非常满意) whose callback_data names the case and the score (`rate:12:5`),
so a press never goes to Rasa. The first answer is kept with the agent credited with the case
(`case_ratings`); a second press is thanked without changing it; a press from another chat, or
for a case that did not end, is refused. Web and REST applicants are not asked (a button there
would reach Rasa, not the gateway).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy.orm import Session

from bot import identity
from bot.db import escalation_queries, gateway_queries
from bot.db.escalation_models import Escalation, EscalationStatus
from bot.db.types import utc_now
from bot.gateway import texts

PREFIX = "rate:"
PURPOSE = "satisfaction_question"
SCORES = (1, 2, 3, 4, 5)
_DATA = re.compile(r"rate:([0-9]{1,12}):([1-5])", re.ASCII)


@dataclass(frozen=True)
class Rating:
    """A pressed rating button: which case, which score."""

    escalation_id: int
    score: int


def parse(data: str | None) -> Rating | None:
    """`rate:12:5` → Rating(12, 5); anything else → None."""
    match = _DATA.fullmatch(data or "")
    return Rating(int(match.group(1)), int(match.group(2))) if match else None


def ask(session: Session, escalation: Escalation) -> bool:
    """Queue the question for a Telegram applicant whose case an agent held; whether it was queued."""
    chat_id = identity.telegram_user_id(escalation.sender_id)
    if escalation.claimed_by is None or chat_id is None or gateway_queries.get_chat(session, chat_id) is None:
        return False
    row = [{"text": texts.RATING_LABELS[s], "callback_data": f"{PREFIX}{escalation.id}:{s}"} for s in SCORES]
    gateway_queries.enqueue_message(
        session, chat_id, texts.RATING_QUESTION.format(id=escalation.id), purpose=PURPOSE, buttons=[row]
    )
    return True


def record(session: Session, chat_id: int, rating: Rating) -> str:
    """Keep an applicant's answer; return what their button press is answered with."""
    escalation = escalation_queries.get_escalation(session, rating.escalation_id)
    if (
        escalation is None
        or escalation.sender_id != identity.telegram(chat_id)
        or escalation.status != EscalationStatus.RESOLVED
    ):
        return texts.BUTTON_EXPIRED
    if not escalation_queries.save_rating(session, escalation, rating.score, utc_now()):
        return texts.RATING_ALREADY
    return texts.RATING_THANKS
