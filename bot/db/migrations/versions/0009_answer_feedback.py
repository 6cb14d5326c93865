"""Applicants' feedback on FAQ answers; the answer given beside a question answered wrongly.

Revision ID: 0009_answer_feedback
Revises: 0008_status_notifications
Create Date: 2026-11-29

Mirrors bot/db/feedback_models.py (`FaqAnswer`) and `UnansweredQuestion.answer_topic`
(bot/db/unanswered.py).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_answer_feedback"
down_revision = "0008_status_notifications"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
CONVERSATION_ID_LENGTH = 69
"""bot.identity.CONVERSATION_ID_LENGTH when this revision was written (a migration never imports code)."""


def _timestamp() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def _enum(values: tuple[str, ...], name: str, length: int) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=length)


def upgrade() -> None:
    op.create_table(
        "faq_answers",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("conversation_id", sa.String(CONVERSATION_ID_LENGTH), nullable=False),
        sa.Column("topic", sa.String(100), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("alternatives", sa.String(400), nullable=False),
        sa.Column("answered_at", _timestamp(), nullable=False),
        sa.Column("vote", _enum(("up", "down"), "ck_faq_answers_vote", 4)),
        sa.Column("vote_source", _enum(("button", "typed", "rephrased"), "ck_faq_answers_vote_source", 10)),
        sa.Column("voted_at", _timestamp()),
    )
    op.create_index("ix_faq_answers_conversation", "faq_answers", ["conversation_id"])
    op.create_index("ix_faq_answers_topic", "faq_answers", ["topic"])
    with op.batch_alter_table("unanswered_questions") as batch:
        batch.add_column(sa.Column("answer_topic", sa.String(100)))


def downgrade() -> None:
    with op.batch_alter_table("unanswered_questions") as batch:
        batch.drop_column("answer_topic")
    op.drop_index("ix_faq_answers_topic", table_name="faq_answers")
    op.drop_index("ix_faq_answers_conversation", table_name="faq_answers")
    op.drop_table("faq_answers")
