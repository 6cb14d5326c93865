"""Questions the bot could not answer: the table and its queries (record, list open, mark handled).

    unanswered_questions   one row per distinct question (after normalisation, personal data masked):
                           how often it was asked, why it went unanswered, first and last time, and
                           whether an editor has handled it (added it to a topic, or ignored it)

Texts are masked (bot.privacy) before they reach the database. The schema is created by the
Alembic revisions `0003_unanswered` and `0009_answer_feedback`; keep them in step.
"""

from __future__ import annotations

import enum
import hashlib
import re
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Column, Integer, String, Text, UniqueConstraint, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session

from bot.content.phrasings import phrasing_key
from bot.db.base import Base
from bot.db.types import UtcDateTime, utc_now
from bot.normalization import normalize
from bot.privacy import mask


class Reason(str, enum.Enum):
    """How a message ended without an answer."""

    FALLBACK = "fallback"
    """NLU did not understand it (`utter_default`)."""
    OUT_OF_SCOPE = "out_of_scope"
    """Understood as outside the bot's subject."""
    UNCERTAIN = "uncertain"
    """The bot was unsure and offered topics as buttons."""
    HANDOFF = "handoff"
    """It ended with the applicant handed over to a person."""
    WRONG_ANSWER = "wrong_answer"
    """It was answered, and the applicant said the answer was wrong (👎, 「没解决」, or asked again at once)."""


class UnansweredQuestion(Base):
    """A distinct unanswered question and how often it was asked."""

    __tablename__ = "unanswered_questions"
    __table_args__ = (UniqueConstraint("text_hash", name="uq_unanswered_questions_text_hash"),)

    id: Mapped[int] = Column(Integer, primary_key=True)
    text_hash: Mapped[str] = Column(String(64), nullable=False)
    """sha256 of the comparison form (bot.content.phrasings.phrasing_key) of the masked text."""
    text: Mapped[str] = Column(Text, nullable=False)
    """The masked, normalised text as first asked."""
    reasons: Mapped[str] = Column(String(100), nullable=False, default="")
    """Every Reason value seen for it, comma-separated in a fixed order."""
    count: Mapped[int] = Column(Integer, nullable=False, default=1)
    first_seen: Mapped[datetime] = Column(UtcDateTime, nullable=False)
    last_seen: Mapped[datetime] = Column(UtcDateTime, nullable=False)
    handled_at: Mapped[datetime | None] = Column(UtcDateTime, index=True)
    topic: Mapped[str | None] = Column(String(100))
    """The topic key an editor added it to; NULL with `handled_at` set means ignored."""
    answer_topic: Mapped[str | None] = Column(String(100))
    """For a wrong answer: the topic the bot answered with (the latest one)."""

    def reason_list(self) -> list[Reason]:
        """The reasons as enum members."""
        return [Reason(value) for value in self.reasons.split(",") if value]


_MASKED_RUN = re.compile(r"[0-9A-Za-z]*\*{2,}[0-9A-Za-z]*")
"""A masked number ("138****5678"): questions differing only in the masked data count as one."""


def _merge_reasons(existing: str, reason: Reason) -> str:
    seen = {value for value in existing.split(",") if value} | {reason.value}
    return ",".join(member.value for member in Reason if member.value in seen)


def prepare(text: str) -> tuple[str, str] | None:
    """(masked text, hash) for a message worth recording, or None (empty, or a `/intent` payload)."""
    shown = normalize(mask(text or ""))  # masked first: normalising compacts "rz 1381234…" into an ID
    if not shown or shown.startswith("/"):
        return None
    key = phrasing_key(_MASKED_RUN.sub("<masked>", shown))
    if not key:
        return None
    return shown, hashlib.sha256(key.encode("utf-8")).hexdigest()


def record_unanswered(
    session: Session,
    text: str,
    reason: Reason | str,
    *,
    now: datetime | None = None,
    answer_topic: str | None = None,
) -> UnansweredQuestion | None:
    """Count one unanswered `text` (masked first); returns its row, or None when not worth recording.

    `answer_topic` is the topic the bot answered with, for a wrong answer (Reason.WRONG_ANSWER).

    Safe to call from several processes: a concurrent first insert of the same question is
    retried as an update.
    """
    prepared = prepare(text)
    if prepared is None:
        return None
    shown, text_hash = prepared
    reason = Reason(reason)
    now = now or utc_now()
    for _ in range(2):
        query = select(UnansweredQuestion).where(UnansweredQuestion.text_hash == text_hash)
        row = session.scalars(query).first()
        if row is not None:
            row.count += 1
            row.last_seen = max(row.last_seen, now)
            row.reasons = _merge_reasons(row.reasons, reason)
            row.answer_topic = answer_topic or row.answer_topic
            return row
        row = UnansweredQuestion(
            text_hash=text_hash,
            text=shown,
            reasons=reason.value,
            count=1,
            first_seen=now,
            last_seen=now,
            answer_topic=answer_topic,
        )
        try:
            with session.begin_nested():
                session.add(row)
            return row
        except IntegrityError:
            continue  # someone else inserted it meanwhile: count it on their row
    return None


def open_questions(session: Session) -> list[UnansweredQuestion]:
    """Questions no editor has handled yet, most frequent (then most recent) first."""
    query = (
        select(UnansweredQuestion)
        .where(UnansweredQuestion.handled_at.is_(None))
        .order_by(UnansweredQuestion.count.desc(), UnansweredQuestion.last_seen.desc(), UnansweredQuestion.id)
    )
    return list(session.scalars(query))


def questions_by_id(session: Session, ids: Iterable[int]) -> dict[int, UnansweredQuestion]:
    """The rows with these ids."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    rows = session.scalars(select(UnansweredQuestion).where(UnansweredQuestion.id.in_(wanted)))
    return {row.id: row for row in rows}


def mark_handled(
    session: Session, question: UnansweredQuestion, topic: str | None, *, now: datetime | None = None
) -> None:
    """Mark `question` handled: added to `topic`, or ignored when `topic` is None."""
    question.handled_at = now or utc_now()
    question.topic = topic
