"""Fixtures: real throwaway databases (SQLite file and PostgreSQL schema) for the feedback tests."""

from tests.support.databases import database_url, sessions  # noqa: F401 - pytest finds fixtures by name
