"""Tables of the human handoff: escalations and the alerts the bot's side leaves for the agents.

    escalations    one row per handoff to a person: why, the masked transcript, open → claimed →
                   resolved (then Rasa is resumed), and its thread in the agents group
    agent_alerts   something the bot's side wants the agents to hear about once (an application
                   ID capped after too many wrong credit codes; what a web or REST applicant wrote
                   during their handoff, or that they left it); the gateway posts it
    case_ratings   the applicant's satisfaction answer for an ended escalation, and its agent
    handoff_messages  what the applicant and the agents said during the handoff (masked), for transcripts

The bot's side writes both (bot/handoff.py, bot/status/lookup.py) without knowing the agents
group; the gateway reads them (bot/gateway/). Timestamps are aware UTC datetimes
(`bot.db.types.UtcDateTime`). The schema is created by the Alembic revisions `0002_handoff` and
`0004_guess_cap`, then `0010_desk_activity` (activity times, who resolved, `case_ratings`); keep
them in step (a test compares them).
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import BigInteger, Boolean, Column, ForeignKey, Index, Integer, String, Text, false, text
from sqlalchemy.orm import Mapped

from bot.db.base import Base
from bot.db.types import BigId, UtcDateTime, utc_now, value_enum
from bot.identity import CONVERSATION_ID_LENGTH


class EscalationStatus(str, enum.Enum):
    """Where an escalation stands (stored as the value)."""

    OPEN = "open"
    """Waiting for an agent."""
    CLAIMED = "claimed"
    """An agent took it (/claim, or their first reply)."""
    RESOLVED = "resolved"
    """Ended; the conversation goes back to the bot (`resumed_at` once Rasa took it)."""


ACTIVE_STATUSES = (EscalationStatus.OPEN, EscalationStatus.CLAIMED)
"""An escalation in one of these holds its conversation: at most one per conversation."""


class AlertKind(str, enum.Enum):
    """What an agent alert is about (stored as the value; `subject` says which one)."""

    APPLICATION_CAPPED = "application_capped"
    """Too many wrong credit codes for one application ID (`subject`) from all senders together."""
    APPLICANT_SAID = "applicant_said"
    """A web or REST applicant wrote during their handoff (`subject`: the escalation id; `detail`:
    {"text": masked}); the gateway relays it into the escalation's thread."""
    APPLICANT_LEFT = "applicant_left"
    """The applicant returned to the bot (「返回机器人」), which resolved the escalation (`subject`)."""


APPLICANT_ALERTS = (AlertKind.APPLICANT_SAID, AlertKind.APPLICANT_LEFT)
"""Alerts about one escalation's applicant: relayed one by one into its thread, not in the alerts digest."""


class Escalation(Base):
    """A conversation handed to a person: open → claimed → resolved (then Rasa is resumed)."""

    __tablename__ = "escalations"
    __table_args__ = (
        # At most one unresolved escalation per conversation.
        Index(
            "uq_escalations_active_sender",
            "sender_id",
            unique=True,
            sqlite_where=text("status != 'resolved'"),
            postgresql_where=text("status != 'resolved'"),
        ),
    )

    id: Mapped[int] = Column(BigId, primary_key=True)
    sender_id: Mapped[str] = Column(String(CONVERSATION_ID_LENGTH), index=True, nullable=False)
    reason: Mapped[str] = Column(String(32), nullable=False)
    application_id: Mapped[str | None] = Column(String(32))
    transcript: Mapped[str] = Column(Text, default="[]", nullable=False)  # JSON, personal data masked
    status: Mapped[EscalationStatus] = Column(
        value_enum(EscalationStatus, length=16), default=EscalationStatus.OPEN, nullable=False
    )
    created_at: Mapped[dt.datetime] = Column(UtcDateTime, default=utc_now, nullable=False)
    announced_at: Mapped[dt.datetime | None] = Column(UtcDateTime)
    claimed_at: Mapped[dt.datetime | None] = Column(UtcDateTime)
    claimed_by: Mapped[int | None] = Column(BigInteger)
    claimed_by_name: Mapped[str | None] = Column(String(200))
    resolved_at: Mapped[dt.datetime | None] = Column(UtcDateTime)
    resumed_at: Mapped[dt.datetime | None] = Column(UtcDateTime)
    topic_id: Mapped[int | None] = Column(BigInteger)
    root_message_id: Mapped[int | None] = Column(BigInteger)
    quiet: Mapped[bool] = Column(Boolean, default=False, server_default=false(), nullable=False)
    """Over its conversation's hourly limit: announced in a summary line, never as its own card."""
    applicant_said_at: Mapped[dt.datetime | None] = Column(UtcDateTime)
    """When the applicant last wrote during the handoff (revision 0010_desk_activity, as the four below)."""
    first_reply_at: Mapped[dt.datetime | None] = Column(UtcDateTime)
    """When an agent's first reply went to the applicant (first response time = this − created_at)."""
    agent_said_at: Mapped[dt.datetime | None] = Column(UtcDateTime)
    """When an agent's latest reply went to the applicant."""
    resolved_by: Mapped[int | None] = Column(BigInteger)
    resolved_by_name: Mapped[str | None] = Column(String(200))
    """The agent credited with the resolved case: its owner when it ended (else whoever ended it)."""
    auto_resolved: Mapped[bool] = Column(Boolean, default=False, server_default=false(), nullable=False)
    """Ended by the gateway after the applicant's silence (AUTO_RESOLVE_MINUTES)."""


class CaseRating(Base):
    """The applicant's answer to the satisfaction question asked when their case ended (1–5; 👍 = 5, 👎 = 1)."""

    __tablename__ = "case_ratings"

    escalation_id: Mapped[int] = Column(BigId, ForeignKey(Escalation.id), primary_key=True)
    agent_id: Mapped[int | None] = Column(BigInteger)
    agent_name: Mapped[str | None] = Column(String(200))
    score: Mapped[int] = Column(Integer, nullable=False)
    rated_at: Mapped[dt.datetime] = Column(UtcDateTime, default=utc_now, nullable=False)


class HandoffMessage(Base):
    """One message of a handoff, either way: `author` is "applicant" or "agent" (then `agent_name`)."""

    __tablename__ = "handoff_messages"

    id: Mapped[int] = Column(BigId, primary_key=True)
    escalation_id: Mapped[int] = Column(BigId, ForeignKey(Escalation.id), index=True, nullable=False)
    author: Mapped[str] = Column(String(16), nullable=False)
    agent_name: Mapped[str | None] = Column(String(200))
    text: Mapped[str] = Column(Text, nullable=False)
    created_at: Mapped[dt.datetime] = Column(UtcDateTime, default=utc_now, nullable=False)


class AgentAlert(Base):
    """An event the agents group hears about once, e.g. `application_capped` for an application ID.

    Written by the bot's side (which does not know the group); `bot/gateway/announcer.py` posts it.
    `kind` is an AlertKind value; `detail` is JSON with the figures the announcement shows.
    """

    __tablename__ = "agent_alerts"
    __table_args__ = (Index("ix_agent_alerts_kind_subject_time", "kind", "subject", "created_at"),)

    id: Mapped[int] = Column(BigId, primary_key=True)
    kind: Mapped[str] = Column(String(32), nullable=False)
    subject: Mapped[str] = Column(String(64), nullable=False)
    detail: Mapped[str] = Column(Text, default="{}", nullable=False)
    created_at: Mapped[dt.datetime] = Column(UtcDateTime, default=utc_now, nullable=False)
    announced_at: Mapped[dt.datetime | None] = Column(UtcDateTime, index=True)
