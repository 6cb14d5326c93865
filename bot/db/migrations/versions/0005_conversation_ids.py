"""Conversation ids carry their channel (`tg:`, `web:`, `rest:`) and have one length everywhere.

Revision ID: 0005_conversation_ids
Revises: 0004_guess_cap
Create Date: 2026-11-29

Every column that stores a conversation id becomes VARCHAR(CONVERSATION_ID_LENGTH) (69). Ids
stored before carried no channel: all-digit ids were Telegram users (`tg:`), the rest came from
REST or socket.io clients and become `rest:` ids. A REST or socket.io id that no longer fits
(over 64 characters) cannot be reached by any client any more: its verification rows are
deleted, and an escalation of it is closed. Old socket.io conversations are not carried over
(their ids were chosen by clients; a web user starts a new session). The conversation store
(Rasa's `events` table) keeps old conversations under their old ids until
`python -m bot.retention` deletes them.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_conversation_ids"
down_revision = "0004_guess_cap"
branch_labels = None
depends_on = None

LENGTH = 69
"""bot.identity.CONVERSATION_ID_LENGTH when this revision was written (a migration never imports code)."""
REST_LOCAL_MAX = 64
VERIFICATION_TABLES = ("verification_attempts", "verified_ownerships")
ACTIVE_INDEX = "uq_escalations_active_sender"
ACTIVE_WHERE = "status != 'resolved'"


def _prefix(table: str) -> None:
    """Give every id of `table` its channel; drop or close what no longer fits."""
    op.execute(sa.text(f"UPDATE {table} SET sender_id = 'tg:' || sender_id WHERE {_is_digits()}"))
    op.execute(
        sa.text(
            f"UPDATE {table} SET sender_id = 'rest:' || sender_id WHERE NOT ({_is_digits()}) "
            "AND sender_id NOT LIKE 'tg:%'"
        )
    )


def _is_digits() -> str:
    """SQL true for an id of digits only, on SQLite and PostgreSQL alike."""
    if op.get_bind().dialect.name == "postgresql":
        return "sender_id ~ '^[0-9]+$'"
    return "sender_id <> '' AND sender_id NOT GLOB '*[^0-9]*'"


def upgrade() -> None:
    too_long = f"length(sender_id) > {REST_LOCAL_MAX}"
    for table in VERIFICATION_TABLES:
        op.execute(sa.text(f"DELETE FROM {table} WHERE {too_long}"))
    op.execute(
        sa.text(
            f"UPDATE escalations SET status = 'resolved', sender_id = substr(sender_id, 1, {REST_LOCAL_MAX}) "
            f"WHERE {too_long}"
        )
    )
    for table in VERIFICATION_TABLES:
        with op.batch_alter_table(table) as batch:
            batch.alter_column(
                "sender_id", existing_type=sa.Text(), type_=sa.String(LENGTH), existing_nullable=False
            )
    op.drop_index(ACTIVE_INDEX, table_name="escalations")
    with op.batch_alter_table("escalations") as batch:
        batch.alter_column(
            "sender_id", existing_type=sa.String(64), type_=sa.String(LENGTH), existing_nullable=False
        )
    _create_active_index()
    for table in (*VERIFICATION_TABLES, "escalations"):
        _prefix(table)


def downgrade() -> None:
    op.drop_index(ACTIVE_INDEX, table_name="escalations")
    op.execute(
        sa.text(
            "UPDATE escalations SET status = 'resolved', sender_id = substr(sender_id, 1, 64) "
            "WHERE length(sender_id) > 64"
        )
    )
    with op.batch_alter_table("escalations") as batch:
        batch.alter_column(
            "sender_id", existing_type=sa.String(LENGTH), type_=sa.String(64), existing_nullable=False
        )
    _create_active_index()
    for table in VERIFICATION_TABLES:
        with op.batch_alter_table(table) as batch:
            batch.alter_column(
                "sender_id", existing_type=sa.String(LENGTH), type_=sa.Text(), existing_nullable=False
            )


def _create_active_index() -> None:
    op.create_index(
        ACTIVE_INDEX,
        "escalations",
        ["sender_id"],
        unique=True,
        sqlite_where=sa.text(ACTIVE_WHERE),
        postgresql_where=sa.text(ACTIVE_WHERE),
    )
