"""Fixtures: real throwaway databases (SQLite file and PostgreSQL schema) for these tests."""

from tests.support.databases import (  # noqa: F401 - pytest finds fixtures by name
    database_url,
    seeded_url,
    sessions,
    unmigrated_database_url,
)
