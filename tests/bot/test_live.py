"""A running bot takes a newly trained model without a restart, and the training command says so."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from bot.content.topic_files import read_topic, write_topic
from bot.live import RunningBot, read_running, record_running, reload_running_bot
from bot.run import running_stack
from bot.settings import PROJECT_ROOT
from tests.bot.content.conftest import copy_content
from tests.conftest import prepare_database, stack_settings
from tests.support.rest import RestClient

NEW_PHRASINGS = ("麒麟码啥意思", "说说麒麟码", "麒麟码呢", "麒麟码是什么")
"""Phrasings an editor adds to the fees topic; the model in use has never seen 麒麟码 (nor anything like it)."""
FEES_ANSWER_WORD = "认证过程不会收取任何官方费用"


def test_no_running_bot_is_said_so(tmp_path: Path) -> None:
    settings = stack_settings(tmp_path)
    assert reload_running_bot(settings, tmp_path / "abc.tar.gz") == (
        "没有正在运行的机器人；机器人下次启动时会使用模型 abc.tar.gz。"
    )
    record_running(settings, RunningBot(2**22 + 12345, ("http://127.0.0.1:1",), "t", "old.tar.gz"))
    assert read_running(settings) is None  # its process is gone: not a running bot


@pytest.mark.servers
def test_a_new_phrasing_is_answered_after_training_without_a_restart(
    model_path: Path, tmp_path: Path
) -> None:
    root = tmp_path / "project"
    root.mkdir()
    paths = copy_content(root)
    fees = read_topic(paths.topic_file("fees"))
    write_topic(replace(fees, examples=(*fees.examples, *NEW_PHRASINGS)))
    models = tmp_path / "models"
    models.mkdir()
    for part in (model_path, model_path.with_name(model_path.name.removesuffix(".tar.gz") + ".json")):
        shutil.copy2(part, models / part.name)  # the model the bot runs: the new one is fine-tuned from it

    settings = stack_settings(tmp_path / "var")
    prepare_database(settings)
    with running_stack(settings, model_path, log_dir=tmp_path / "logs") as stack:
        running = read_running(settings)
        assert running is not None and running.model == model_path.name
        assert (
            stat.S_IMODE(os.stat(settings.var_dir / "running_bot.json").st_mode) == 0o600
        )  # holds the token
        rest = RestClient(settings.rasa_url)
        try:
            assert FEES_ANSWER_WORD not in rest.texts("editor-live", NEW_PHRASINGS[0])
            pids = {name: process.pid for name, process in stack.processes.items()}

            env = {**os.environ, "BOT_VAR_DIR": str(settings.var_dir), "BOT_MODELS_DIR": str(models)}
            trained = subprocess.run(  # noqa: PLW1510 - the exit code is asserted below
                [sys.executable, "-m", "bot.train", "--root", str(root)],
                cwd=PROJECT_ROOT,
                env=env,
                capture_output=True,
                text=True,
                timeout=1200,
            )
            assert trained.returncode == 0, trained.stdout[-2000:] + trained.stderr[-2000:]
            new_model = next(p for p in models.glob("*.tar.gz") if p.name != model_path.name)
            assert f"正在运行的机器人已换用新模型 {new_model.name}，无需重启。" in trained.stdout

            assert FEES_ANSWER_WORD in rest.texts("editor-live", NEW_PHRASINGS[0])  # same conversation
            assert {name: process.pid for name, process in stack.processes.items()} == pids
            assert all(process.poll() is None for process in stack.processes.values())  # nothing restarted
            assert read_running(settings).model == new_model.name  # type: ignore[union-attr]
        finally:
            rest.close()
    assert read_running(settings) is None  # a stopped bot is no longer described
