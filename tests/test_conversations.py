"""Rasa's own conversation tests (tests/test_*.yml) pass against the trained model."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.settings import PROJECT_ROOT, RASA_PROCESS_ENV

STORY_FILES = sorted((PROJECT_ROOT / "tests").glob("test_*.yml"))


@pytest.mark.parametrize("stories", STORY_FILES, ids=lambda path: path.name)
def test_conversation_stories_pass(model_path: Path, stories: Path, tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "rasa",
            "test",
            "core",
            "--model",
            str(model_path),
            "--stories",
            str(stories),
            "--endpoints",
            "endpoints.yml",
            "--out",
            str(tmp_path),
            "--fail-on-prediction-errors",
        ],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        env={
            **os.environ,
            **RASA_PROCESS_ENV,
            "TRACKER_STORE_URL": f"sqlite:///{tmp_path / 't.db'}",
            "ACTION_PORT": "9",
            "ACTION_SERVER_SECRET": "no-action-server-in-these-tests",
        },
        check=False,
    )
    failed = tmp_path / "failed_test_stories.yml"
    details = failed.read_text(encoding="utf-8") if failed.exists() else result.stdout[-3000:]
    assert result.returncode == 0, details + result.stderr[-3000:]
    assert not failed.exists() or "# None of the test stories failed" in failed.read_text(encoding="utf-8")
