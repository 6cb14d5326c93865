"""Tables of the application status lookup: applications, their history, ownership checks.

    applications            one certification application (ID `RZ` + 12 digits) and its current status
    rejection_reasons       why a rejected application was rejected, one row per reason, in order
    status_changes          every status an application reached, when, and who recorded it
    verification_attempts   every credit-code check: sender, application ID as typed, success, time
    verified_ownerships     a sender proved they own an application (asks again without a code)

All timestamps are aware UTC datetimes (`bot.db.types.UtcDateTime`). The schema itself is created by
the Alembic migrations in `bot/db/migrations/`; keep both in step (a test compares them).
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, Column, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, relationship

from bot.db.base import Base
from bot.db.types import BigId, UtcDateTime, utc_now, value_enum
from bot.identity import CONVERSATION_ID_LENGTH

APPLICATION_ID_LENGTH = 14
CREDIT_CODE_LENGTH = 18


class Status(str, enum.Enum):
    """The statuses of the guide's workflow: 初审中 → 待打款验证 → 复审中 → 已通过, or 已驳回."""

    FIRST_REVIEW = "初审中"
    PAYMENT_VERIFICATION = "待打款验证"
    SECOND_REVIEW = "复审中"
    APPROVED = "已通过"
    REJECTED = "已驳回"


class EntityType(str, enum.Enum):
    """Who applies: a company, or an individual business (个体工商户)."""

    ENTERPRISE = "企业"
    INDIVIDUAL_BUSINESS = "个体工商户"


class ReasonCategory(str, enum.Enum):
    """The rejection causes the guide lists (FAQ Q1); each has its fix in `bot.status.texts`."""

    UNCLEAR = "资料不清晰"
    MISMATCH = "信息不一致"
    EXPIRED = "资料过期"
    LICENSE_MISSING = "行业资质缺失"
    BANK_ACCOUNT = "银行账户问题"


class Application(Base):
    """One intermediate-certification application and where it stands now."""

    __tablename__ = "applications"

    id: Mapped[str] = Column(String(APPLICATION_ID_LENGTH), primary_key=True)
    company_name: Mapped[str] = Column(String(200), nullable=False)
    credit_code: Mapped[str] = Column(String(CREDIT_CODE_LENGTH), nullable=False)
    entity_type: Mapped[EntityType] = Column(
        value_enum(EntityType, length=10, check="ck_applications_entity_type"), nullable=False
    )
    industry: Mapped[str | None] = Column(String(100))
    industry_license: Mapped[str | None] = Column(String(100))
    status: Mapped[Status] = Column(
        value_enum(Status, length=10, check="ck_applications_status"), nullable=False
    )
    status_since: Mapped[datetime] = Column(UtcDateTime, nullable=False)
    level: Mapped[str | None] = Column(String(10))
    created_at: Mapped[datetime] = Column(UtcDateTime, nullable=False, default=utc_now)

    rejection_reasons: Mapped[list[RejectionReason]] = relationship(
        "RejectionReason",
        back_populates="application",
        order_by="RejectionReason.position",
        cascade="all, delete-orphan",
    )
    history: Mapped[list[StatusChange]] = relationship(
        "StatusChange",
        back_populates="application",
        order_by="StatusChange.id",
        cascade="all, delete-orphan",
    )


class RejectionReason(Base):
    """One reason a rejected application was rejected: the guide's category and the reviewer's words."""

    __tablename__ = "rejection_reasons"

    id: Mapped[int] = Column(BigId, primary_key=True)
    application_id: Mapped[str] = Column(
        ForeignKey("applications.id", ondelete="CASCADE"), nullable=False, index=True
    )
    position: Mapped[int] = Column(Integer, nullable=False)
    category: Mapped[ReasonCategory] = Column(
        value_enum(ReasonCategory, length=10, check="ck_rejection_reasons_category"), nullable=False
    )
    detail: Mapped[str] = Column(Text, nullable=False)

    application: Mapped[Application] = relationship("Application", back_populates="rejection_reasons")


class StatusChange(Base):
    """An application reached `to_status` at `changed_at` (recorded by seed, import or set-status)."""

    __tablename__ = "status_changes"

    id: Mapped[int] = Column(BigId, primary_key=True)
    application_id: Mapped[str] = Column(
        ForeignKey("applications.id", ondelete="CASCADE"), nullable=False, index=True
    )
    from_status: Mapped[Status | None] = Column(
        value_enum(Status, length=10, check="ck_status_changes_from_status")
    )
    to_status: Mapped[Status] = Column(
        value_enum(Status, length=10, check="ck_status_changes_to_status"), nullable=False
    )
    changed_at: Mapped[datetime] = Column(UtcDateTime, nullable=False)
    source: Mapped[str] = Column(String(20), nullable=False)
    note: Mapped[str | None] = Column(Text)

    application: Mapped[Application] = relationship("Application", back_populates="history")


class VerificationAttempt(Base):
    """One credit-code check. The application ID is kept as typed (normalised), known or not."""

    __tablename__ = "verification_attempts"
    __table_args__ = (
        Index("ix_verification_attempts_sender_time", "sender_id", "attempted_at"),
        # The cap per application ID across all senders counts its recent wrong codes.
        Index("ix_verification_attempts_application_time", "application_id", "attempted_at"),
    )

    id: Mapped[int] = Column(BigId, primary_key=True)
    sender_id: Mapped[str] = Column(String(CONVERSATION_ID_LENGTH), nullable=False)
    application_id: Mapped[str] = Column(String(32), nullable=False)
    succeeded: Mapped[bool] = Column(Boolean, nullable=False)
    attempted_at: Mapped[datetime] = Column(UtcDateTime, nullable=False)


class VerifiedOwnership(Base):
    """`sender_id` proved at `verified_at` that they own `application_id`."""

    __tablename__ = "verified_ownerships"
    __table_args__ = (
        Index(
            "ix_verified_ownerships_sender_application",
            "sender_id",
            "application_id",
            "verified_at",
        ),
    )

    id: Mapped[int] = Column(BigId, primary_key=True)
    sender_id: Mapped[str] = Column(String(CONVERSATION_ID_LENGTH), nullable=False)
    application_id: Mapped[str] = Column(ForeignKey("applications.id", ondelete="CASCADE"), nullable=False)
    verified_at: Mapped[datetime] = Column(UtcDateTime, nullable=False)


STATUS_TABLES = (
    Application.__table__,
    RejectionReason.__table__,
    StatusChange.__table__,
    VerificationAttempt.__table__,
    VerifiedOwnership.__table__,
)
"""The tables this module owns (migration 0001_applications creates them, 0004_guess_cap adds an index)."""
