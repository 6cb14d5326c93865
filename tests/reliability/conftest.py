"""Fixtures of the reliability suite: a private stack on a private PostgreSQL role, logging at DEBUG.

The session `stack` (tests/conftest.py) serves the tests that only talk to the bot; this one is
for tests that kill, restart or cut off its parts, and for the canary scan (DEBUG logging makes
Rasa and rasa-sdk write messages, slots and trackers into their logs — the redaction must hold).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.databases import postgres_unavailable
from tests.support.private_stack import PrivatePostgres, PrivateStack, private_stack

DEBUG_LOGGING = {"LOG_LEVEL": "DEBUG", "COLOREDLOGS_LOG_LEVEL": "DEBUG"}


@pytest.fixture(scope="package")
def private(
    model_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[PrivateStack, PrivatePostgres]]:
    """The private stack and its databases (PostgreSQL; a missing server fails the tests, never skips them)."""
    if reason := postgres_unavailable():
        pytest.fail(reason)
    var_dir = tmp_path_factory.mktemp("private-var")
    with private_stack(model_path, var_dir, extra_env=DEBUG_LOGGING) as running:
        yield running
