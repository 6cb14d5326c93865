"""`make evaluate` keeps Rasa's and TensorFlow's output out of the editor's console."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from bot.quality.console import stderr_to
from bot.quality.model_labels import DOMAIN_MEMBER, known_labels


def test_warnings_of_this_process_and_its_children_go_to_the_log(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    log = tmp_path / "var" / "log" / "evaluate.log"
    with stderr_to(log):
        sys.stderr.write("TensorFlow is noisy\n")
        os.write(2, b"C++ log line\n")
        subprocess.run(
            [sys.executable, "-c", "import sys; sys.stderr.write('rasa training epoch 1\\n')"], check=True
        )
        print("中文摘要")
    console = capfd.readouterr()
    assert "中文摘要" in console.out
    assert console.err == ""
    written = log.read_text(encoding="utf-8")
    assert (
        "TensorFlow is noisy" in written and "C++ log line" in written and "rasa training epoch 1" in written
    )
    os.write(2, b"after\n")
    assert "after" in capfd.readouterr().err  # the console is back


def test_the_labels_a_model_knows_come_from_its_domain(tmp_path: Path) -> None:
    domain = b"intents:\n- greet\n- out_of_scope\n- faq\nresponses:\n  utter_faq/fees:\n  - text: x\n  utter_greet:\n  - text: y\n"
    model = tmp_path / "m.tar.gz"
    with tarfile.open(model, "w:gz") as archive:
        info = tarfile.TarInfo(DOMAIN_MEMBER)
        info.size = len(domain)
        archive.addfile(info, io.BytesIO(domain))
    assert known_labels(model) == frozenset({"greet", "out_of_scope", "faq", "faq/fees"})
    (tmp_path / "broken.tar.gz").write_bytes(b"model")
    assert known_labels(tmp_path / "broken.tar.gz") is None
