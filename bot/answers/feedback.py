"""Applicants' feedback on FAQ answers: each answer recorded with its 👍/👎 buttons, votes taken once.

A 👎 (pressed, 「没解决」 typed, or an immediate rephrasing: bot/answers/rephrasing.py) puts the
question into the editors' unanswered sheet as 「答错了」 with the topic that was answered
(bot/db/unanswered.py), where it is ranked with the other unanswered questions by how often it
was asked. Questions are masked before they are stored.

Recording an answer is best effort (the answer goes out without buttons when the database
fails); a vote's failure is raised as StorageUnavailable (the action apologises).
"""

from __future__ import annotations

import asyncio
import enum
import json
import logging
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from bot.answers.rephrasing import is_rephrasing
from bot.db import feedback_queries
from bot.db.engine import shared_session_factory
from bot.db.errors import storage_errors
from bot.db.feedback_models import FaqAnswer, Vote, VoteSource
from bot.db.types import utc_now
from bot.db.unanswered import Reason, record_unanswered
from bot.inbound import clean_text
from bot.privacy import mask
from bot.settings import database_url_from_env

logger = logging.getLogger(__name__)

FEEDBACK_INTENT = "answer_feedback"
"""The intent the buttons send: `/answer_feedback{"answer_ref": "12", "vote": "up"}`; typed 「有用」 is a 👍."""
UNHELPFUL_INTENT = "answer_unhelpful"
"""「没解决」「没用」「不对」 typed: a 👎 on the answer just given."""
FEEDBACK_PAYLOAD = f"/{FEEDBACK_INTENT}"
"""How every 👍/👎 button's payload starts (see feedback_buttons)."""
ANSWER_REF = "answer_ref"
VOTE = "vote"
BUTTON_TITLES = {Vote.UP: "👍", Vote.DOWN: "👎"}
QUESTION_LENGTH = 2000


class Outcome(enum.Enum):
    """What became of a vote (actions/feedback.py names each one's reply)."""

    THANKS = "thanks"
    """👍 taken."""
    SORRY = "sorry"
    """👎 taken: the question goes to the editors; a person or a rephrasing is offered."""
    ALREADY = "already"
    """This answer already has a vote: the first one stands."""
    UNKNOWN = "unknown"
    """No such answer in this conversation (a made-up or foreign payload)."""


def feedback_buttons(answer_id: int) -> list[dict[str, str]]:
    """The 👍/👎 buttons under answer `answer_id`."""
    return [
        {
            "title": title,
            "payload": FEEDBACK_PAYLOAD
            + json.dumps({ANSWER_REF: str(answer_id), VOTE: vote.value}, ensure_ascii=False),
        }
        for vote, title in BUTTON_TITLES.items()
    ]


def _database_url(database_url: str | None) -> str:
    return database_url or database_url_from_env()


def record_answer_now(
    conversation_id: str,
    topic: str,
    question: str,
    alternatives: list[str],
    *,
    database_url: str | None = None,
    now: datetime | None = None,
) -> int | None:
    """Record an answer given; its id, or None (logged) when the database failed."""
    shown = mask(clean_text(question or "")[:QUESTION_LENGTH])
    try:
        factory = shared_session_factory(_database_url(database_url))
        with factory() as session, session.begin():
            return feedback_queries.add_answer(session, conversation_id, topic, shown, alternatives, now=now)
    except Exception as error:  # noqa: BLE001 - best effort: the answer matters more than its buttons
        logger.warning("could not record a FAQ answer: %s", type(error).__name__)
        return None


async def record_answer(
    conversation_id: str,
    topic: str,
    question: str,
    alternatives: list[str],
    *,
    database_url: str | None = None,
) -> int | None:
    """`record_answer_now` off the event loop (actions call this)."""
    return await asyncio.to_thread(
        record_answer_now, conversation_id, topic, question, alternatives, database_url=database_url
    )


def parse_ref(value: Any) -> int | None:
    """An answer id from a button's payload or a slot (None when it is not one)."""
    text = str(value or "").strip()
    canonical = text.isascii() and text.isdigit() and len(text) <= 18 and not text.startswith("0")
    return int(text) if canonical else None  # only as buttons write them: no "061", no "６１"


def take_vote_now(
    conversation_id: str,
    answer_id: int,
    vote: Vote,
    source: VoteSource,
    *,
    database_url: str | None = None,
    now: datetime | None = None,
) -> Outcome:
    """Record a vote on an answer this conversation got; a 👎 sends its question to the editors."""
    now = now or utc_now()
    with storage_errors():
        factory = shared_session_factory(_database_url(database_url))
        with factory() as session, session.begin():
            answer = feedback_queries.answer_of(session, answer_id, conversation_id)
            if answer is None:
                return Outcome.UNKNOWN
            if answer.vote is not None and answer.vote_source is not VoteSource.REPHRASED:
                return Outcome.ALREADY  # a vote the applicant gave; one the bot inferred gives way
            if vote is Vote.UP:
                feedback_queries.set_vote(session, answer, vote, source, now=now)
                return Outcome.THANKS
            _mark_wrong(session, answer, source, now)
            return Outcome.SORRY


def _mark_wrong(session: Session, answer: FaqAnswer, source: VoteSource, now: datetime) -> None:
    """A 👎 on `answer`, and its question into the editors' unanswered sheet as 答错了."""
    feedback_queries.set_vote(session, answer, Vote.DOWN, source, now=now)
    record_unanswered(session, answer.question, Reason.WRONG_ANSWER, now=now, answer_topic=answer.topic)


async def take_vote(conversation_id: str, answer_id: int, vote: Vote, source: VoteSource) -> Outcome:
    """`take_vote_now` off the event loop (actions call this)."""
    return await asyncio.to_thread(take_vote_now, conversation_id, answer_id, vote, source)


def note_rephrasing_now(
    conversation_id: str,
    answer_id: int,
    outcome_topic: str | None,
    *,
    database_url: str | None = None,
    now: datetime | None = None,
) -> bool:
    """A 👎 (`rephrased`) on the unrated answer `answer_id` when the question right after it, which
    ended in `outcome_topic` (None: no answer), rephrased it (bot/answers/rephrasing.py); best effort."""
    now = now or utc_now()
    try:
        factory = shared_session_factory(_database_url(database_url))
        with factory() as session, session.begin():
            answer = feedback_queries.answer_of(session, answer_id, conversation_id)
            if answer is None or answer.vote is not None:
                return False
            if not is_rephrasing(
                answered_topic=answer.topic,
                alternatives=answer.alternative_topics(),
                answered_at=answer.answered_at,
                outcome_topic=outcome_topic,
                now=now,
            ):
                return False
            _mark_wrong(session, answer, VoteSource.REPHRASED, now)
            return True
    except Exception as error:  # noqa: BLE001 - best effort: the new question's reply matters more
        logger.warning("could not check a rephrasing: %s", type(error).__name__)
        return False


async def note_rephrasing(conversation_id: str, answer_id: int, outcome_topic: str | None) -> bool:
    """`note_rephrasing_now` off the event loop (actions call this)."""
    return await asyncio.to_thread(note_rephrasing_now, conversation_id, answer_id, outcome_topic)
