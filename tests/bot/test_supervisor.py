"""A child that exits or hangs is started again with a log line; a crash loop ends with a clear message."""

from __future__ import annotations

import logging
import os
import signal
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bot.run import Stack
from bot.settings import Settings
from bot.supervisor import CrashLoop, Policy, answers
from tests.conftest import free_port

FAST = Policy(
    first_backoff_s=0.1,
    max_backoff_s=0.4,
    max_restarts=3,
    window_s=60,
    hang_s=1.5,
    probe_every_s=0.2,
    probe_timeout_s=0.5,
)
CRASHING = [sys.executable, "-c", "import sys; sys.exit(3)"]


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[Stack]:
    running = Stack(Settings.from_env({**os.environ, "BOT_VAR_DIR": str(tmp_path)}), auth_token="unused")
    yield running
    running.stop(timeout=5)


def http_server(port: int) -> list[str]:
    """A child with a health URL: a plain HTTP server on 127.0.0.1."""
    return [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"]


def run_until(tick: Callable[[], None], condition: Callable[[], bool], seconds: float = 30.0) -> None:
    """Tick the supervisor as `bot.run` does until `condition` holds."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the supervisor did not get there"
        tick()
        time.sleep(0.05)


def test_a_killed_child_is_started_again_with_a_log_line(
    stack: Stack, caplog: pytest.LogCaptureFixture
) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    stack.start("web", http_server(port), dict(os.environ), None, url)
    stack.wait_ready(checks={"web": url})
    supervisor = stack.supervisor(FAST)
    first = stack.processes["web"].pid
    os.kill(first, signal.SIGKILL)
    with caplog.at_level(logging.WARNING, logger="bot.supervisor"):
        run_until(supervisor.tick, lambda: stack.processes["web"].pid != first and answers(url, 1))
    assert "web exited with code -9; restarting it in" in caplog.text
    assert "web started again" in caplog.text


def test_a_hung_child_is_killed_and_started_again(stack: Stack, caplog: pytest.LogCaptureFixture) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    stack.start("web", http_server(port), dict(os.environ), None, url)
    stack.wait_ready(checks={"web": url})
    supervisor = stack.supervisor(FAST)
    hung = stack.processes["web"]
    os.kill(hung.pid, signal.SIGSTOP)  # alive, listening, answering nothing
    with caplog.at_level(logging.WARNING, logger="bot.supervisor"):
        run_until(supervisor.tick, lambda: "web answers again" in caplog.text)
    assert hung.poll() == -signal.SIGKILL
    assert "(hung); killed" in caplog.text
    assert stack.processes["web"] is not hung and answers(url, 1)


def test_a_crash_loop_stops_with_a_clear_message(stack: Stack, caplog: pytest.LogCaptureFixture) -> None:
    stack.start("flaky", CRASHING, dict(os.environ), None)
    supervisor = stack.supervisor(FAST)
    with caplog.at_level(logging.WARNING, logger="bot.supervisor"), pytest.raises(CrashLoop) as stopped:
        run_until(supervisor.tick, lambda: False)
    assert "flaky exited with code 3; it failed 4 times" in str(stopped.value)
    assert "not restarted again" in str(stopped.value)
    assert caplog.text.count("flaky started again") == FAST.max_restarts
    backoffs = [
        line.split("restarting it in ")[1].split(" s")[0] for line in caplog.messages if "restarting" in line
    ]
    assert backoffs == ["0.1", "0.2", "0.4"]  # doubling, capped at max_backoff_s


def test_the_policy_comes_from_the_environment() -> None:
    policy = Policy.from_env({"SUPERVISE_HANG_SECONDS": "20", "SUPERVISE_MAX_RESTARTS": "2"})
    assert (policy.hang_s, policy.max_restarts) == (20.0, 2)
    assert policy.probe_every_s < policy.hang_s and policy.probe_timeout_s < policy.hang_s
    assert Policy.from_env({}) == Policy()
