"""Unanswered questions: what applicants asked that the bot could not answer (masked, counted).

Revision ID: 0003_unanswered
Revises: 0001_applications
Create Date: 2026-11-26

A branch beside the handoff tables (0002); `upgrade heads` applies both.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_unanswered"
down_revision = "0001_applications"
branch_labels = None
depends_on = None


def _timestamp() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "unanswered_questions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("text_hash", sa.String(64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("reasons", sa.String(100), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("first_seen", _timestamp(), nullable=False),
        sa.Column("last_seen", _timestamp(), nullable=False),
        sa.Column("handled_at", _timestamp()),
        sa.Column("topic", sa.String(100)),
        sa.UniqueConstraint("text_hash", name="uq_unanswered_questions_text_hash"),
    )
    op.create_index("ix_unanswered_questions_handled_at", "unanswered_questions", ["handled_at"])


def downgrade() -> None:
    op.drop_index("ix_unanswered_questions_handled_at", table_name="unanswered_questions")
    op.drop_table("unanswered_questions")
