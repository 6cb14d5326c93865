"""`python -m bot.run` (what `make run` starts) serves REST, starts a killed or hung child again, and stops
every child on SIGTERM."""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import IO

import httpx
import pytest

from bot.settings import PROJECT_ROOT, Settings
from tests.conftest import prepare_database, stack_settings
from tests.reliability.replies import response_text

pytestmark = pytest.mark.servers


def run_environment(var_dir: Path, settings: Settings, model_path: Path, **extra: str) -> dict[str, str]:
    """The environment `python -m bot.run` gets in these tests: its own var/ and ports, the trained model,
    no Telegram unless `extra` brings it."""
    env = {
        **os.environ,
        "BOT_VAR_DIR": str(var_dir),
        "RASA_PORT": str(settings.rasa_port),
        "ACTION_PORT": str(settings.action_port),
        "BOT_MODELS_DIR": str(model_path.parent),
    }
    env.pop("TELEGRAM_BOT_TOKEN", None)
    return {**env, **extra}


def start_run(env: dict[str, str], stdout: IO[bytes] | int) -> subprocess.Popen[bytes]:
    """`python -m bot.run` from the project root, its output (stderr too) to `stdout`."""
    return subprocess.Popen(
        [sys.executable, "-m", "bot.run"], cwd=PROJECT_ROOT, env=env, stdout=stdout, stderr=subprocess.STDOUT
    )


def port_open(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def test_run_serves_then_stops_all_children_on_sigterm(model_path: Path, tmp_path: Path) -> None:
    settings = stack_settings(tmp_path)
    prepare_database(settings)
    # an agents group but no gateway to serve it (no TELEGRAM_BOT_TOKEN): nobody may be handed over
    env = run_environment(tmp_path, settings, model_path, TELEGRAM_AGENT_CHAT_ID="-1001234567890")
    env.pop("TELEGRAM_GATEWAY_ELSEWHERE", None)
    process = start_run(env, subprocess.PIPE)
    try:
        deadline = time.monotonic() + 180
        while not port_open(settings.rasa_port) or not port_open(settings.action_port):
            assert process.poll() is None, process.stdout.read().decode(errors="replace")[-3000:]
            assert time.monotonic() < deadline, "bot did not come up"
            time.sleep(0.5)
        reply = httpx.post(
            f"{settings.rasa_url}/webhooks/rest/webhook",
            json={"sender": "run-test", "message": "认证需要费用吗"},
            timeout=60,
        )
        assert "免费" in reply.json()[0]["text"]
        handoff = httpx.post(
            f"{settings.rasa_url}/webhooks/rest/webhook",
            json={"sender": "run-test-person", "message": "转人工"},
            timeout=60,
        )
        assert [message["text"] for message in handoff.json()] == [response_text("utter_handoff_unavailable")]
        with sqlite3.connect(tmp_path / "tracker.db") as tracker_db:  # the SQL tracker store under var/
            (stored,) = tracker_db.execute(
                "SELECT count(*) FROM events WHERE sender_id = 'rest:run-test'"
            ).fetchone()
        assert stored > 0
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
        assert not port_open(settings.rasa_port) and not port_open(settings.action_port)
        assert "TELEGRAM_GATEWAY_ELSEWHERE=1" in process.stdout.read().decode(errors="replace")  # says why
    finally:
        if process.poll() is None:
            process.kill()


def children_of(pid: int) -> dict[str, int]:
    """The child processes of `pid` by what they run: `rasa`, `action server`, `gateway`."""
    found: dict[str, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes().decode(errors="replace").split("\0")
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) != pid:
            continue
        for module, name in (
            ("bot.rasa_server", "rasa"),
            ("bot.action_server", "action server"),
            ("bot.gateway", "gateway"),
        ):
            if module in command:
                found[name] = int(entry.name)
    return found


def answered(rasa_url: str, sender: str, seconds: float) -> str:
    """The reply to a FAQ question, asked again until the bot answers (or `seconds` pass)."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            reply = httpx.post(
                f"{rasa_url}/webhooks/rest/webhook",
                json={"sender": sender, "message": "认证需要费用吗"},
                timeout=60,
            )
            texts = "\n".join(message.get("text", "") for message in reply.json())
            if "免费" in texts:
                return texts
        except (httpx.HTTPError, ValueError):
            pass
        assert time.monotonic() < deadline, "no answer after the restart"
        time.sleep(1)


def test_run_starts_a_killed_or_hung_child_again_and_keeps_answering(
    model_path: Path, tmp_path: Path
) -> None:
    settings = stack_settings(tmp_path)
    prepare_database(settings)
    env = run_environment(tmp_path, settings, model_path, SUPERVISE_HANG_SECONDS="10")
    output = tmp_path / "run.out"
    with output.open("wb") as sink:
        process = start_run(env, sink)
    try:
        assert "免费" in answered(settings.rasa_url, "run-restart-1", seconds=240)
        children = children_of(process.pid)
        assert set(children) == {"rasa", "action server"}

        os.kill(children["rasa"], signal.SIGKILL)
        assert "免费" in answered(settings.rasa_url, "run-restart-2", seconds=300)
        log = output.read_text(errors="replace")
        assert "rasa exited with code -9; restarting it in 1.0 s" in log
        assert "rasa started again" in log

        os.kill(children["action server"], signal.SIGSTOP)  # hung: its health check gets no answer
        deadline = time.monotonic() + 240
        while "action server did not answer" not in output.read_text(errors="replace"):
            assert time.monotonic() < deadline, output.read_text(errors="replace")[-3000:]
            time.sleep(1)
        assert "免费" in answered(settings.rasa_url, "run-restart-3", seconds=120)
        while "action server answers again" not in output.read_text(errors="replace"):  # at its next probe
            assert time.monotonic() < deadline, output.read_text(errors="replace")[-3000:]
            time.sleep(1)
        assert process.poll() is None  # bot.run itself never stopped

        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
        assert not port_open(settings.rasa_port) and not port_open(settings.action_port)
    finally:
        leftovers = children_of(process.pid)
        if process.poll() is None:
            process.kill()
        for pid in leftovers.values():
            os.killpg(pid, signal.SIGKILL)
