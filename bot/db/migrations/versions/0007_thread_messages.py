"""Agents' messages relayed from an escalation's thread, so a colleague's reply to one is relayed too.

Revision ID: 0007_thread_messages
Revises: 0006_web_messages
Create Date: 2026-11-29

Mirrors bot/db/gateway_models.py (`ThreadMessage`).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_thread_messages"
down_revision = "0006_web_messages"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "telegram_thread_messages",
        sa.Column("chat_id", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("message_id", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("escalation_id", BigId, sa.ForeignKey("escalations.id"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index(
        "ix_telegram_thread_messages_escalation_id", "telegram_thread_messages", ["escalation_id"]
    )


def downgrade() -> None:
    op.drop_index("ix_telegram_thread_messages_escalation_id", table_name="telegram_thread_messages")
    op.drop_table("telegram_thread_messages")
