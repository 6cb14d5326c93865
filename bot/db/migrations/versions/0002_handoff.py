"""Telegram gateway and handoff: inbox, outbox, button payloads, chats, escalations, gateway state.

Revision ID: 0002_handoff
Revises: 0001_applications
Create Date: 2026-11-26

A branch beside 0003_unanswered; `upgrade heads` applies both. Mirrors bot/db/gateway_models.py and bot/db/escalation_models.py.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_handoff"
down_revision = "0001_applications"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _timestamp() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "telegram_inbox",
        sa.Column("update_id", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("payload", sa.Text()),
        sa.Column("received_at", _timestamp(), nullable=False),
        sa.Column("processed_at", _timestamp()),
    )
    op.create_index("ix_telegram_inbox_processed_at", "telegram_inbox", ["processed_at"])
    op.create_table(
        "escalations",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("sender_id", sa.String(64), nullable=False),
        sa.Column("reason", sa.String(32), nullable=False),
        sa.Column("application_id", sa.String(32)),
        sa.Column("transcript", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", _timestamp(), nullable=False),
        sa.Column("announced_at", _timestamp()),
        sa.Column("claimed_at", _timestamp()),
        sa.Column("claimed_by", sa.BigInteger()),
        sa.Column("claimed_by_name", sa.String(200)),
        sa.Column("resolved_at", _timestamp()),
        sa.Column("resumed_at", _timestamp()),
        sa.Column("topic_id", sa.BigInteger()),
        sa.Column("root_message_id", sa.BigInteger()),
    )
    op.create_index("ix_escalations_sender_id", "escalations", ["sender_id"])
    op.create_index(
        "uq_escalations_active_sender",
        "escalations",
        ["sender_id"],
        unique=True,
        sqlite_where=sa.text("status != 'resolved'"),
        postgresql_where=sa.text("status != 'resolved'"),
    )
    op.create_table(
        "telegram_outbox",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("buttons", sa.Text()),
        sa.Column("purpose", sa.String(32), nullable=False),
        sa.Column("escalation_id", BigId, sa.ForeignKey("escalations.id")),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("not_before", _timestamp(), nullable=False),
        sa.Column("created_at", _timestamp(), nullable=False),
        sa.Column("sent_at", _timestamp()),
        sa.Column("telegram_message_id", sa.BigInteger()),
        sa.Column("error", sa.String(300)),
    )
    op.create_index("ix_telegram_outbox_pending", "telegram_outbox", ["status", "chat_id", "id"])
    op.create_index("ix_telegram_outbox_escalation_id", "telegram_outbox", ["escalation_id"])
    op.create_table(
        "telegram_callbacks",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("created_at", _timestamp(), nullable=False),
    )
    op.create_table(
        "telegram_chats",
        sa.Column("chat_id", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("display_name", sa.String(200), nullable=False),
        sa.Column("blocked_at", _timestamp()),
        sa.Column("updated_at", _timestamp(), nullable=False),
    )
    op.create_table(
        "gateway_state",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("value", sa.String(200), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("gateway_state")
    op.drop_table("telegram_chats")
    op.drop_table("telegram_callbacks")
    op.drop_index("ix_telegram_outbox_escalation_id", table_name="telegram_outbox")
    op.drop_index("ix_telegram_outbox_pending", table_name="telegram_outbox")
    op.drop_table("telegram_outbox")
    op.drop_index("uq_escalations_active_sender", table_name="escalations")
    op.drop_index("ix_escalations_sender_id", table_name="escalations")
    op.drop_table("escalations")
    op.drop_index("ix_telegram_inbox_processed_at", table_name="telegram_inbox")
    op.drop_table("telegram_inbox")
