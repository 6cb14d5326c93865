"""Cap on guessing one application's credit code across senders; quiet escalations; agent alerts.

Revision ID: 0004_guess_cap
Revises: 0002_handoff, 0003_unanswered
Create Date: 2026-11-29

Joins the two branches (handoff and unanswered) into one head. Mirrors bot/db/models.py
(`VerificationAttempt`'s application index) and bot/db/escalation_models.py (`Escalation.quiet`,
`AgentAlert`).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_guess_cap"
down_revision = ("0002_handoff", "0003_unanswered")
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _timestamp() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_index(
        "ix_verification_attempts_application_time",
        "verification_attempts",
        ["application_id", "attempted_at"],
    )
    op.add_column("escalations", sa.Column("quiet", sa.Boolean(), server_default=sa.false(), nullable=False))
    op.create_table(
        "agent_alerts",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("subject", sa.String(64), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("created_at", _timestamp(), nullable=False),
        sa.Column("announced_at", _timestamp()),
    )
    op.create_index("ix_agent_alerts_kind_subject_time", "agent_alerts", ["kind", "subject", "created_at"])
    op.create_index("ix_agent_alerts_announced_at", "agent_alerts", ["announced_at"])


def downgrade() -> None:
    op.drop_index("ix_agent_alerts_announced_at", table_name="agent_alerts")
    op.drop_index("ix_agent_alerts_kind_subject_time", table_name="agent_alerts")
    op.drop_table("agent_alerts")
    # Not batch mode: copying the table would lose the partial unique index on SQLite (>= 3.35 drops columns).
    op.drop_column("escalations", "quiet")
    op.drop_index("ix_verification_attempts_application_time", table_name="verification_attempts")
