"""Messages waiting for a web-chat page (agents' replies, notifications, unconfirmed turn replies).

Revision ID: 0006_web_messages
Revises: 0005_conversation_ids
Create Date: 2026-11-30

Mirrors bot/db/web_messages.py (`WebMessage`).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_web_messages"
down_revision = "0005_conversation_ids"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
CONVERSATION_ID_LENGTH = 69
"""bot.identity.CONVERSATION_ID_LENGTH when this revision was written (a migration never imports code)."""


def _timestamp() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "web_messages",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("key", sa.String(32), nullable=False),
        sa.Column("conversation_id", sa.String(CONVERSATION_ID_LENGTH), nullable=False),
        sa.Column(
            "author",
            sa.Enum(
                "bot",
                "agent",
                name="ck_web_messages_author",
                native_enum=False,
                create_constraint=True,
                length=10,
            ),
            nullable=False,
        ),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("buttons", sa.Text(), nullable=False),
        sa.Column("created_at", _timestamp(), nullable=False),
        sa.Column("delivered_at", _timestamp()),
        sa.Column("lease", sa.String(64)),
        sa.Column("lease_until", _timestamp()),
        sa.UniqueConstraint("key", name="uq_web_messages_key"),
    )
    op.create_index(
        "ix_web_messages_conversation_delivered", "web_messages", ["conversation_id", "delivered_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_web_messages_conversation_delivered", table_name="web_messages")
    op.drop_table("web_messages")
