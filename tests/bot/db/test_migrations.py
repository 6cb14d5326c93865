"""The Alembic migrations create exactly the tables the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from bot.db.base import Base
from bot.db.engine import make_engine
from bot.db.feedback_models import FEEDBACK_TABLES
from bot.db.migrate import alembic_config, current_revisions, downgrade, upgrade
from bot.db.models import STATUS_TABLES
from bot.db.notification_models import NOTIFICATION_TABLES
from bot.db.unanswered import UnansweredQuestion

OUR_TABLES = {table.name for table in STATUS_TABLES}


def history_of_heads(url: str) -> set[str]:
    """Every revision the database's heads stand on (0001 is below the others' revisions)."""
    script = ScriptDirectory.from_config(alembic_config())
    return {
        revision.revision
        for head in current_revisions(url)
        for revision in script.iterate_revisions(head, "base")
    }


def table_names(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_upgrade_creates_the_tables_and_is_safe_to_repeat(unmigrated_database_url: str) -> None:
    assert current_revisions(unmigrated_database_url) == ()

    upgrade(unmigrated_database_url)
    upgrade(unmigrated_database_url)

    assert OUR_TABLES <= table_names(unmigrated_database_url)
    assert "0001_applications" in history_of_heads(unmigrated_database_url)


def test_downgrade_to_base_removes_the_tables(database_url: str) -> None:
    downgrade(database_url, "base")

    assert not OUR_TABLES & table_names(database_url)
    assert current_revisions(database_url) == ()


def test_models_match_the_migrated_schema(database_url: str) -> None:
    assert model_differences(database_url, OUR_TABLES) == []


def model_differences(database_url: str, tables: set[str]) -> list[object]:
    """What differs between the migrated database and the models, for `tables` only (empty: in step)."""

    def touched(obj, name, type_, reflected, compare_to):  # type: ignore[no-untyped-def]
        table = obj if type_ == "table" else getattr(obj, "table", None)
        return table is None or table.name in tables

    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"compare_type": True, "include_object": touched}
            )
            return list(compare_metadata(context, Base.metadata))
    finally:
        engine.dispose()


GUESS_CAP_TABLES = {"verification_attempts", "escalations", "agent_alerts"}
"""The tables revision 0004_guess_cap changes or creates."""


def test_guess_cap_revision_matches_the_models_and_steps_back(database_url: str) -> None:
    def differences() -> list[object]:
        return model_differences(database_url, GUESS_CAP_TABLES)

    assert len(current_revisions(database_url)) == 1  # one head: both branches joined
    assert differences() == []
    downgrade(database_url, "0002_handoff")
    assert "agent_alerts" not in table_names(database_url)
    upgrade(database_url)
    assert differences() == []


def test_conversation_ids_get_their_channel_and_fit_one_length(database_url: str) -> None:
    from datetime import datetime, timezone

    from sqlalchemy import text

    downgrade(database_url, "0004_guess_cap")
    engine = make_engine(database_url)
    at = datetime(2026, 11, 20, tzinfo=timezone.utc)
    old_ids = {"12345": "tg:12345", "alice": "rest:alice", "0a1b": "rest:0a1b", "y" * 64: "rest:" + "y" * 64}
    try:
        with engine.begin() as connection:
            for old in [*old_ids, "x" * 100]:  # Text before: a 100-character id could be stored
                connection.execute(
                    text(
                        "INSERT INTO verification_attempts (sender_id, application_id, succeeded, attempted_at) "
                        "VALUES (:s, 'RZ202611200001', false, :at)"
                    ),
                    {"s": old, "at": at},
                )
            for old in old_ids:
                connection.execute(
                    text(
                        "INSERT INTO escalations (sender_id, reason, transcript, status, created_at, quiet) "
                        "VALUES (:s, 'asked', '[]', 'open', :at, false)"
                    ),
                    {"s": old, "at": at},
                )
        upgrade(database_url)
        with engine.connect() as connection:
            attempts = set(connection.scalars(text("SELECT sender_id FROM verification_attempts")))
            escalations = dict(connection.execute(text("SELECT sender_id, status FROM escalations")).all())
    finally:
        engine.dispose()
    assert attempts == set(old_ids.values())  # the 100-character id no client can use any more is gone
    assert escalations == {new: "open" for new in old_ids.values()}
    assert max(map(len, escalations)) == 69


def test_thread_messages_revision_matches_the_model_and_steps_back(database_url: str) -> None:
    def differences() -> list[object]:
        return model_differences(database_url, {"telegram_thread_messages"})

    assert differences() == []
    downgrade(database_url, "0006_web_messages")
    assert "telegram_thread_messages" not in table_names(database_url)
    upgrade(database_url)
    assert differences() == []


NOTIFICATION_TABLE_NAMES = {table.name for table in NOTIFICATION_TABLES}


def test_status_notification_revision_matches_the_models_and_steps_back(database_url: str) -> None:
    def differences() -> list[object]:
        return model_differences(database_url, NOTIFICATION_TABLE_NAMES)

    assert NOTIFICATION_TABLE_NAMES <= table_names(database_url)
    assert differences() == []
    downgrade(database_url, "0007_thread_messages")
    assert not NOTIFICATION_TABLE_NAMES & table_names(database_url)
    upgrade(database_url)
    assert differences() == []


FEEDBACK_TABLE_NAMES = {table.name for table in FEEDBACK_TABLES} | {UnansweredQuestion.__tablename__}


def test_answer_feedback_revision_matches_the_models_and_steps_back(database_url: str) -> None:
    def differences() -> list[object]:
        return model_differences(database_url, FEEDBACK_TABLE_NAMES)

    assert differences() == []
    downgrade(database_url, "0008_status_notifications")
    assert "faq_answers" not in table_names(database_url)
    upgrade(database_url)
    assert differences() == []


def test_desk_activity_revision_matches_the_models_and_steps_back(database_url: str) -> None:
    def differences() -> list[object]:
        return model_differences(database_url, {"escalations", "case_ratings", "handoff_messages"})

    assert differences() == []
    downgrade(database_url, "0009_answer_feedback")
    assert "case_ratings" not in table_names(database_url)
    upgrade(database_url)
    assert differences() == []
