"""Session fixtures: a trained model and the real servers (action server + Rasa) on free ports."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.clock import TEST_NOW as TEST_NOW_VARIABLE
from bot.run import Stack, running_stack
from bot.settings import PROJECT_ROOT, Settings
from bot.train import ensure_model
from tests.support.rest import RestClient


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects by marker
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark what needs Rasa (`make unit` leaves it out); deselect benchmarks (not skip) unless asked for.

    Benchmarks print figures and assert nothing timed: `make test` deselects them.
    """
    for item in items:
        if item.get_closest_marker("servers") or "model_path" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.rasa)
    if os.environ.get("RELIABILITY_LOAD") == "1":
        return
    benchmarks = [item for item in items if item.get_closest_marker("benchmark")]
    if benchmarks:
        config.hook.pytest_deselected(items=benchmarks)
        items[:] = [item for item in items if not item.get_closest_marker("benchmark")]


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="session")
def model_path() -> Path:
    """The trained model for the current data (trained once if missing)."""
    return ensure_model(Settings.from_env().models_dir)


TEST_NOW = "2026-11-29T10:00:00+08:00"
"""The test stack's "now" for dates applicants read (BOT_TEST_NOW, bot/clock.py): ETAs stay the same on any day."""

TEST_MESSAGES_PER_MINUTE = 120
"""Some tests walk one conversation through dozens of turns in seconds; the limit is tested on its own."""
TEST_AGENT_CHAT_ID = "-1009999999999"
"""An agents group is configured for the servers (so the bot hands over to a person); the gateway tests
give their gateway a group of their own (the servers only need to know that one exists)."""


def stack_settings(var_dir: Path, **extra: str) -> Settings:
    """Settings for a private stack: its own var/ folder and free ports."""
    env = {
        **os.environ,
        "BOT_VAR_DIR": str(var_dir),
        "RASA_PORT": str(free_port()),
        "ACTION_PORT": str(free_port()),
        "MESSAGES_PER_MINUTE": str(TEST_MESSAGES_PER_MINUTE),
        "TELEGRAM_AGENT_CHAT_ID": TEST_AGENT_CHAT_ID,
        **extra,
    }
    for inherited in ("DATABASE_URL", "TRACKER_STORE_URL", "RASA_URL"):
        if inherited not in extra:
            env.pop(inherited, None)
    return Settings.from_env(env)


def prepare_database(settings: Settings) -> None:
    """Create the schema and seed the demo applications, as `make run` does."""
    env = {**os.environ, "DATABASE_URL": settings.database_url}
    subprocess.run([sys.executable, "-m", "bot.db", "init"], cwd=PROJECT_ROOT, env=env, check=True)


@pytest.fixture(scope="session")
def embedding_site_port() -> int:
    """The port of the test site allowed to embed the web chat (`http://localhost:<port>`, WEB_CHAT_ORIGINS)."""
    return free_port()


@pytest.fixture(scope="session")
def stack(
    model_path: Path, tmp_path_factory: pytest.TempPathFactory, embedding_site_port: int
) -> Iterator[Stack]:
    """The real action server and Rasa server for this test session (SQLite under a temp dir)."""
    var_dir = tmp_path_factory.mktemp("var")
    os.environ.setdefault(TEST_NOW_VARIABLE, TEST_NOW)  # the servers inherit it
    settings = stack_settings(var_dir, WEB_CHAT_ORIGINS=f"http://localhost:{embedding_site_port}")
    prepare_database(settings)
    with running_stack(settings, model_path, log_dir=var_dir / "logs") as running:
        yield running


@pytest.fixture(scope="session")
def rest(stack: Stack) -> Iterator[RestClient]:
    """A REST-channel client talking to the session's Rasa server."""
    client = RestClient(stack.settings.rasa_url)
    yield client
    client.close()


@pytest.fixture
def sender() -> str:
    """A fresh conversation id, so tests never share a conversation."""
    return f"test-{uuid.uuid4().hex[:12]}"
