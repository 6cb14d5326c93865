"""The table of FAQ answers given and what the applicant thought of each (👍/👎, typed, or rephrased).

    faq_answers    one row per FAQ answer the bot gave: the conversation, the topic, the question
                   (masked), the runner-up topics the model also considered, and at most one vote
                   (`up` or `down`) with how it came (`button`, `typed` 「没解决」, or `rephrased`)

The feedback buttons carry the row's id; a vote counts only from the conversation that got the
answer. The schema is created by the Alembic revision `0009_answer_feedback`; keep both in step.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Column, Index, String, Text
from sqlalchemy.orm import Mapped

from bot.db.base import Base
from bot.db.types import BigId, UtcDateTime, value_enum
from bot.identity import CONVERSATION_ID_LENGTH

TOPIC_LENGTH = 100
"""A topic key's column width (as unanswered_questions.topic)."""


class Vote(str, enum.Enum):
    """What the applicant thought of an answer."""

    UP = "up"
    DOWN = "down"


class VoteSource(str, enum.Enum):
    """How the vote came."""

    BUTTON = "button"
    """👍 or 👎 pressed under the answer."""
    TYPED = "typed"
    """「没解决」「没用」「不对」 typed right after the answer (a 👎)."""
    REPHRASED = "rephrased"
    """The applicant asked again at once and got another topic or none (a 👎; bot/answers/rephrasing.py)."""


class FaqAnswer(Base):
    """An answer of topic `topic` to `question` in `conversation_id`, and its vote if any."""

    __tablename__ = "faq_answers"
    __table_args__ = (
        Index("ix_faq_answers_conversation", "conversation_id"),
        Index("ix_faq_answers_topic", "topic"),
    )

    id: Mapped[int] = Column(BigId, primary_key=True)
    conversation_id: Mapped[str] = Column(String(CONVERSATION_ID_LENGTH), nullable=False)
    topic: Mapped[str] = Column(String(TOPIC_LENGTH), nullable=False)
    question: Mapped[str] = Column(Text, nullable=False)
    """The applicant's words, masked (bot.privacy) before they are stored."""
    alternatives: Mapped[str] = Column(String(400), nullable=False, default="")
    """The other topics the model ranked for the question, comma-separated, best first."""
    answered_at: Mapped[datetime] = Column(UtcDateTime, nullable=False)
    vote: Mapped[Vote | None] = Column(value_enum(Vote, length=4, check="ck_faq_answers_vote"))
    vote_source: Mapped[VoteSource | None] = Column(
        value_enum(VoteSource, length=10, check="ck_faq_answers_vote_source")
    )
    voted_at: Mapped[datetime | None] = Column(UtcDateTime)

    def alternative_topics(self) -> list[str]:
        """The runner-up topics as a list."""
        return [key for key in self.alternatives.split(",") if key]


FEEDBACK_TABLES = (FaqAnswer.__table__,)
