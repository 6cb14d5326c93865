"""`make run` with Telegram: a killed gateway is started again and answers what came meanwhile; after
its Rasa server is killed and started again, Telegram messages are answered again."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.bot.gateway.conftest import new_user_id, telegram_env
from tests.bot.gateway.fake_telegram import TOKEN, FakeTelegram
from tests.bot.test_run import answered, children_of, run_environment, start_run
from tests.conftest import prepare_database, stack_settings

pytestmark = pytest.mark.servers

QUESTION = "认证需要费用吗"


def wait_for_line(output: Path, line: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while line not in output.read_text(errors="replace"):
        assert time.monotonic() < deadline, output.read_text(errors="replace")[-3000:]
        time.sleep(0.5)


def test_run_restarts_a_killed_gateway_and_telegram_is_answered_after_rasa_was_killed(
    model_path: Path, tmp_path: Path, telegram: FakeTelegram, agents_group: int
) -> None:
    settings = stack_settings(tmp_path)
    prepare_database(settings)
    env = run_environment(tmp_path, settings, model_path, **telegram_env(telegram, agents_group))
    output = tmp_path / "run.out"
    with output.open("wb") as sink:
        process = start_run(env, sink)
    applicant = new_user_id()
    try:
        answered(settings.rasa_url, "supervised-1", seconds=240)
        telegram.send_text(applicant, QUESTION)
        assert "免费" in telegram.wait_for_texts(applicant, 1, timeout=120)[-1]
        children = children_of(process.pid)
        assert set(children) == {"rasa", "action server", "gateway"}

        time.sleep(2)  # the outbox has marked its answer sent (a kill right after a send repeats it)
        os.killpg(children["gateway"], signal.SIGKILL)
        telegram.send_text(applicant, QUESTION)  # arrives while no gateway runs
        wait_for_line(output, "gateway exited with code -9; restarting it in 1.0 s", 30)
        assert "免费" in telegram.wait_for_texts(applicant, 2, timeout=120)[-1], telegram.texts(applicant)
        time.sleep(2)  # anything doubled would arrive now
        assert telegram.texts(applicant)[1:] == [telegram.texts(applicant)[0]]

        os.killpg(children["rasa"], signal.SIGKILL)
        wait_for_line(output, "rasa exited with code -9", 30)
        answered(settings.rasa_url, "supervised-2", seconds=300)  # Rasa is back
        telegram.send_text(applicant, QUESTION)
        texts = telegram.wait_for_texts(applicant, 3, timeout=120)
        assert "免费" in texts[-1], texts
        time.sleep(1)
        assert len(telegram.texts(applicant)) == 3  # nothing doubled
        assert process.poll() is None
    finally:
        leftovers = children_of(process.pid)
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
        for pid in leftovers.values():
            try:
                os.killpg(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
    log = output.read_text(errors="replace")
    assert TOKEN not in log and TOKEN.split(":")[1] not in log
