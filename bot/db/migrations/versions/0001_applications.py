"""Applications, rejection reasons, status history, verification attempts, verified ownerships.

Revision ID: 0001_applications
Revises:
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_applications"
down_revision = None
branch_labels = None
depends_on = None

STATUSES = ("初审中", "待打款验证", "复审中", "已通过", "已驳回")
ENTITY_TYPES = ("企业", "个体工商户")
REASON_CATEGORIES = ("资料不清晰", "信息不一致", "资料过期", "行业资质缺失", "银行账户问题")

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _timestamp() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def _enum(values: tuple[str, ...], name: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=10)


def upgrade() -> None:
    op.create_table(
        "applications",
        sa.Column("id", sa.String(14), primary_key=True),
        sa.Column("company_name", sa.String(200), nullable=False),
        sa.Column("credit_code", sa.String(18), nullable=False),
        sa.Column("entity_type", _enum(ENTITY_TYPES, "ck_applications_entity_type"), nullable=False),
        sa.Column("industry", sa.String(100)),
        sa.Column("industry_license", sa.String(100)),
        sa.Column("status", _enum(STATUSES, "ck_applications_status"), nullable=False),
        sa.Column("status_since", _timestamp(), nullable=False),
        sa.Column("level", sa.String(10)),
        sa.Column("created_at", _timestamp(), nullable=False),
    )
    op.create_table(
        "rejection_reasons",
        sa.Column("id", BigId, primary_key=True),
        sa.Column(
            "application_id",
            sa.String(14),
            sa.ForeignKey("applications.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("category", _enum(REASON_CATEGORIES, "ck_rejection_reasons_category"), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
    )
    op.create_index("ix_rejection_reasons_application_id", "rejection_reasons", ["application_id"])
    op.create_table(
        "status_changes",
        sa.Column("id", BigId, primary_key=True),
        sa.Column(
            "application_id",
            sa.String(14),
            sa.ForeignKey("applications.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("from_status", _enum(STATUSES, "ck_status_changes_from_status")),
        sa.Column("to_status", _enum(STATUSES, "ck_status_changes_to_status"), nullable=False),
        sa.Column("changed_at", _timestamp(), nullable=False),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("note", sa.Text()),
    )
    op.create_index("ix_status_changes_application_id", "status_changes", ["application_id"])
    op.create_table(
        "verification_attempts",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("sender_id", sa.Text(), nullable=False),
        sa.Column("application_id", sa.String(32), nullable=False),
        sa.Column("succeeded", sa.Boolean(), nullable=False),
        sa.Column("attempted_at", _timestamp(), nullable=False),
    )
    op.create_index(
        "ix_verification_attempts_sender_time",
        "verification_attempts",
        ["sender_id", "attempted_at"],
    )
    op.create_table(
        "verified_ownerships",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("sender_id", sa.Text(), nullable=False),
        sa.Column(
            "application_id",
            sa.String(14),
            sa.ForeignKey("applications.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("verified_at", _timestamp(), nullable=False),
    )
    op.create_index(
        "ix_verified_ownerships_sender_application",
        "verified_ownerships",
        ["sender_id", "application_id", "verified_at"],
    )


def downgrade() -> None:
    op.drop_table("verified_ownerships")
    op.drop_table("verification_attempts")
    op.drop_table("status_changes")
    op.drop_table("rejection_reasons")
    op.drop_table("applications")
