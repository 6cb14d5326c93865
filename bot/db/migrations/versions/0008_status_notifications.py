"""Status notifications: subscriptions to an application's status, and what was queued for whom.

Revision ID: 0008_status_notifications
Revises: 0007_thread_messages
Create Date: 2026-11-29

Mirrors bot/db/notification_models.py (`StatusSubscription`, `StatusNotification`).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_status_notifications"
down_revision = "0007_thread_messages"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
CONVERSATION_ID_LENGTH = 69
"""bot.identity.CONVERSATION_ID_LENGTH when this revision was written (a migration never imports code)."""
END_REASONS = ("unsubscribed", "blocked", "owner_changed")


def _timestamp() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "status_subscriptions",
        sa.Column("id", BigId, primary_key=True),
        sa.Column(
            "application_id",
            sa.String(14),
            sa.ForeignKey("applications.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("conversation_id", sa.String(CONVERSATION_ID_LENGTH), nullable=False),
        sa.Column("created_at", _timestamp(), nullable=False),
        sa.Column("expires_at", _timestamp(), nullable=False),
        sa.Column("ended_at", _timestamp()),
        sa.Column(
            "end_reason",
            sa.Enum(
                *END_REASONS,
                name="ck_status_subscriptions_end_reason",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
        ),
        sa.UniqueConstraint("application_id", "conversation_id", name="uq_status_subscriptions_pair"),
    )
    op.create_index("ix_status_subscriptions_conversation", "status_subscriptions", ["conversation_id"])
    op.create_table(
        "status_notifications",
        sa.Column("id", BigId, primary_key=True),
        sa.Column(
            "status_change_id",
            BigId,
            sa.ForeignKey("status_changes.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "subscription_id",
            BigId,
            sa.ForeignKey("status_subscriptions.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("queued_at", _timestamp(), nullable=False),
        sa.UniqueConstraint("status_change_id", "subscription_id", name="uq_status_notifications_pair"),
    )
    op.create_index("ix_status_notifications_subscription", "status_notifications", ["subscription_id"])


def downgrade() -> None:
    op.drop_index("ix_status_notifications_subscription", table_name="status_notifications")
    op.drop_table("status_notifications")
    op.drop_index("ix_status_subscriptions_conversation", table_name="status_subscriptions")
    op.drop_table("status_subscriptions")
