"""Fixtures for the gateway: the fake Telegram Bot API and the gateway as a child process beside the real Rasa."""

from __future__ import annotations

import itertools
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bot.db.migrate import upgrade
from bot.run import Stack, child_environment
from bot.settings import PROJECT_ROOT
from tests.bot.gateway.fake_rasa import FakeRasa
from tests.bot.gateway.fake_telegram import TOKEN, FakeTelegram

STARTED_LINE = "gateway started"
_ids = itertools.count(random.randrange(10**9, 2 * 10**9, 10**5))


def new_user_id() -> int:
    """A Telegram user id no other test uses (conversations live in one shared database)."""
    return next(_ids)


def new_group_id() -> int:
    """A supergroup id no other test uses."""
    return -1_000_000_000_000 - next(_ids)


class GatewayProcess:
    """`python -m bot.gateway` as a child process with its log in a file."""

    def __init__(self, env: dict[str, str], log_path: Path) -> None:
        self.env = env
        self.log_path = log_path
        self.process: subprocess.Popen[bytes] | None = None
        self._starts = 0

    def start(self, timeout: float = 30.0) -> GatewayProcess:
        """Start it and wait until it says it is polling."""
        self._starts += 1
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "bot.gateway"],
                cwd=PROJECT_ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while self.log().count(STARTED_LINE) < self._starts:
            if self.process.poll() is not None:
                raise AssertionError(f"gateway exited with {self.process.returncode}:\n{self.log()[-3000:]}")
            if time.monotonic() > deadline:
                raise AssertionError(f"gateway did not start in {timeout:.0f} s:\n{self.log()[-3000:]}")
            time.sleep(0.05)
        return self

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def stop(self, timeout: float = 20.0) -> None:
        """SIGTERM and wait (SIGKILL if it hangs)."""
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)

    def log(self) -> str:
        """Everything it logged so far."""
        return self.log_path.read_text(encoding="utf-8", errors="replace") if self.log_path.exists() else ""


@pytest.fixture
def telegram() -> Iterator[FakeTelegram]:
    """A fresh fake Bot API."""
    fake = FakeTelegram().start()
    yield fake
    fake.stop()


@pytest.fixture
def agents_group(telegram: FakeTelegram) -> int:
    """The agents group's chat id (a supergroup without topics); its members are added by tests."""
    chat_id = new_group_id()
    telegram.add_chat(chat_id, title="客服群")
    return chat_id


def telegram_env(telegram: FakeTelegram, agents_group: int) -> dict[str, str]:
    """The gateway's Telegram settings: the fake Bot API, a short long-poll so stops are quick."""
    return {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_AGENT_CHAT_ID": str(agents_group),
        "TELEGRAM_API_BASE_URL": telegram.base_url,
        "TELEGRAM_POLL_TIMEOUT": "2",
    }


@pytest.fixture
def gateway_env(stack: Stack, telegram: FakeTelegram, agents_group: int) -> dict[str, str]:
    """The gateway's environment: the session's real Rasa and database, the fake Telegram."""
    return {**child_environment(stack.settings, stack.auth_token), **telegram_env(telegram, agents_group)}


@pytest.fixture
def fake_rasa() -> Iterator[FakeRasa]:
    """A Rasa stand-in that can be slow, silent or failing."""
    rasa = FakeRasa().start()
    yield rasa
    rasa.stop()


@pytest.fixture
def offline_env(
    telegram: FakeTelegram, agents_group: int, fake_rasa: FakeRasa, tmp_path: Path
) -> dict[str, str]:
    """The gateway's environment without the real servers: a private SQLite database and the fake Rasa."""
    database_url = f"sqlite:///{tmp_path / 'gateway.db'}"
    upgrade(database_url)
    return {
        **os.environ,
        "PYTHONPATH": str(PROJECT_ROOT),
        "DATABASE_URL": database_url,
        "RASA_URL": fake_rasa.url,
        "GATEWAY_SLOW_NOTICE_AFTER": "1",
        **telegram_env(telegram, agents_group),
    }


def _gateways(env: dict[str, str], directory: Path) -> Iterator[Callable[..., GatewayProcess]]:
    made: list[GatewayProcess] = []

    def make(**changes: str) -> GatewayProcess:
        gateway = GatewayProcess({**env, **changes}, directory / f"gateway-{len(made)}.log")
        made.append(gateway)
        return gateway

    yield make
    for gateway in made:
        gateway.stop()
    for gateway in made:  # whatever happened in the test, the token never reaches the log
        assert TOKEN not in gateway.log() and TOKEN.split(":")[1] not in gateway.log()


@pytest.fixture
def make_gateway(gateway_env: dict[str, str], tmp_path: Path) -> Iterator[Callable[..., GatewayProcess]]:
    """Build gateway processes (not started) beside the real Rasa; all are stopped after the test."""
    yield from _gateways(gateway_env, tmp_path)


@pytest.fixture
def gateway(make_gateway: Callable[..., GatewayProcess]) -> GatewayProcess:
    """A running gateway beside the real Rasa."""
    return make_gateway().start()


@pytest.fixture
def make_offline_gateway(
    offline_env: dict[str, str], tmp_path: Path
) -> Iterator[Callable[..., GatewayProcess]]:
    """Build gateway processes using the fake Rasa and a private database."""
    yield from _gateways(offline_env, tmp_path)


@pytest.fixture
def offline_gateway(make_offline_gateway: Callable[..., GatewayProcess]) -> GatewayProcess:
    """A running gateway using the fake Rasa."""
    return make_offline_gateway().start()
