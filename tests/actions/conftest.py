"""Fixtures: real throwaway databases (SQLite file and PostgreSQL schema) for these tests, an agents group."""

import pytest

from tests.support.databases import (  # noqa: F401 - pytest finds fixtures by name
    database_url,
    seeded_url,
    sessions,
    unmigrated_database_url,
)

AGENT_CHAT_ID = "-1001234567890"


@pytest.fixture(autouse=True)
def agents_group_configured(monkeypatch: pytest.MonkeyPatch) -> str:
    """An agents group is set up where the bot runs (TELEGRAM_AGENT_CHAT_ID), so requests reach a person."""
    monkeypatch.setenv("TELEGRAM_AGENT_CHAT_ID", AGENT_CHAT_ID)
    return AGENT_CHAT_ID
