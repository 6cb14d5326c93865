"""`python -m bot.run` (what `make run` starts) serves REST and stops every child on SIGTERM."""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from bot.settings import PROJECT_ROOT
from tests.conftest import prepare_database, stack_settings

pytestmark = pytest.mark.servers


def port_open(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def test_run_serves_then_stops_all_children_on_sigterm(model_path: Path, tmp_path: Path) -> None:
    settings = stack_settings(tmp_path)
    prepare_database(settings)
    env = {
        **os.environ,
        "BOT_VAR_DIR": str(tmp_path),
        "RASA_PORT": str(settings.rasa_port),
        "ACTION_PORT": str(settings.action_port),
        "BOT_MODELS_DIR": str(model_path.parent),
    }
    env.pop("TELEGRAM_BOT_TOKEN", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.run"],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
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
        with sqlite3.connect(tmp_path / "tracker.db") as tracker_db:  # the SQL tracker store under var/
            (stored,) = tracker_db.execute(
                "SELECT count(*) FROM events WHERE sender_id = 'rest:run-test'"
            ).fetchone()
        assert stored > 0
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
        assert not port_open(settings.rasa_port) and not port_open(settings.action_port)
    finally:
        if process.poll() is None:
            process.kill()
