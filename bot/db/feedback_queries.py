"""Queries of answer feedback (bot/db/feedback_models.py): plain functions taking a session.

The caller opens the transaction and commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from bot.db.feedback_models import FaqAnswer, Vote, VoteSource
from bot.db.types import utc_now


def add_answer(
    session: Session,
    conversation_id: str,
    topic: str,
    question: str,
    alternatives: list[str],
    *,
    now: datetime | None = None,
) -> int:
    """Record an answer given (`question` already masked); return its id for the feedback buttons."""
    shown = ",".join(alternatives)
    while len(shown) > 400:
        shown = shown.rsplit(",", 1)[0]
    row = FaqAnswer(
        conversation_id=conversation_id,
        topic=topic,
        question=question,
        alternatives=shown,
        answered_at=now or utc_now(),
    )
    session.add(row)
    session.flush()
    return row.id


def answer_of(session: Session, answer_id: int, conversation_id: str) -> FaqAnswer | None:
    """An answer given, only to the conversation that got it (locked for the vote on PostgreSQL)."""
    query = (
        select(FaqAnswer)
        .where(FaqAnswer.id == answer_id, FaqAnswer.conversation_id == conversation_id)
        .with_for_update()
    )
    return session.scalars(query).first()


def set_vote(
    session: Session, answer: FaqAnswer, vote: Vote, source: VoteSource, *, now: datetime | None = None
) -> None:
    """Record the applicant's vote on `answer`."""
    answer.vote = vote
    answer.vote_source = source
    answer.voted_at = now or utc_now()


@dataclass(frozen=True)
class TopicVotes:
    """How a topic's answers were received."""

    topic: str
    answers: int
    up: int
    down: int

    @property
    def voted(self) -> int:
        """Answers that got a vote."""
        return self.up + self.down

    @property
    def up_rate(self) -> float | None:
        """👍 among the votes (None without votes)."""
        return self.up / self.voted if self.voted else None


def votes_by_topic(session: Session) -> list[TopicVotes]:
    """Every answered topic's answers and votes, most answered first."""
    query = (
        select(
            FaqAnswer.topic,
            func.count(FaqAnswer.id),
            func.sum(case((FaqAnswer.vote == Vote.UP, 1), else_=0)),
            func.sum(case((FaqAnswer.vote == Vote.DOWN, 1), else_=0)),
        )
        .group_by(FaqAnswer.topic)
        .order_by(func.count(FaqAnswer.id).desc(), FaqAnswer.topic)
    )
    return [
        TopicVotes(topic, int(n), int(up or 0), int(down or 0))
        for topic, n, up, down in session.execute(query)
    ]
