"""The desk's timers, report and transcripts: when a case's applicant and agents last wrote, who ended it,
its rating, and what was said during the handoff (both ways).

Revision ID: 0010_desk_activity
Revises: 0009_answer_feedback
Create Date: 2026-11-29

Mirrors bot/db/escalation_models.py (`Escalation`'s activity columns, `CaseRating`, `HandoffMessage`).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_desk_activity"
down_revision = "0009_answer_feedback"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
ACTIVITY_COLUMNS = ("applicant_said_at", "first_reply_at", "agent_said_at")


def upgrade() -> None:
    with op.batch_alter_table("escalations") as batch:
        for name in ACTIVITY_COLUMNS:
            batch.add_column(sa.Column(name, sa.DateTime(timezone=True)))
        batch.add_column(sa.Column("resolved_by", sa.BigInteger()))
        batch.add_column(sa.Column("resolved_by_name", sa.String(200)))
        batch.add_column(sa.Column("auto_resolved", sa.Boolean(), server_default=sa.false(), nullable=False))
    op.create_table(
        "case_ratings",
        sa.Column("escalation_id", BigId, sa.ForeignKey("escalations.id"), primary_key=True),
        sa.Column("agent_id", sa.BigInteger()),
        sa.Column("agent_name", sa.String(200)),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("rated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "handoff_messages",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("escalation_id", BigId, sa.ForeignKey("escalations.id"), nullable=False),
        sa.Column("author", sa.String(16), nullable=False),
        sa.Column("agent_name", sa.String(200)),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_handoff_messages_escalation_id", "handoff_messages", ["escalation_id"])


def downgrade() -> None:
    op.drop_index("ix_handoff_messages_escalation_id", table_name="handoff_messages")
    op.drop_table("handoff_messages")
    op.drop_table("case_ratings")
    with op.batch_alter_table("escalations") as batch:
        for name in ("auto_resolved", "resolved_by_name", "resolved_by", *reversed(ACTIVITY_COLUMNS)):
            batch.drop_column(name)
