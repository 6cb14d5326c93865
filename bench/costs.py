"""What the bot costs to build: full training, retraining after an edit, model size.

Trains in a copy of config.yml, domain.yml and data/ in a temp folder (with its own Rasa cache,
cold for the full training and warm for the retraining, as in the project), so the project's
models/ and .rasa/ are untouched. The edits are the two an editor makes most:

- an answer-only change (a FAQ answer's text): the fingerprint ignores answers, so no training;
- a single-phrasing change (one more phrasing for a FAQ topic): NLU retrains.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml

from bot.settings import PROJECT_ROOT
from bot.train import TRAINING_INPUTS, ensure_model

ADDED_PHRASING = "基准测试临时加入的一条说法：认证要准备什么"
CHANGED_ANSWER_SUFFIX = "（基准测试修改的答案文字）"


@contextmanager
def _output_to(path: Path) -> Iterator[None]:
    """Send this process's stdout and stderr (and its children's) to `path`."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    with open(path, "ab") as sink:
        os.dup2(sink.fileno(), 1)
        os.dup2(sink.fileno(), 2)
        try:
            yield
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            os.close(saved[0])
            os.close(saved[1])


def copy_training_inputs(target: Path) -> None:
    """Copy what training reads (config.yml, domain.yml, data/) into `target`."""
    for name in TRAINING_INPUTS:
        source = PROJECT_ROOT / name
        if source.is_dir():
            shutil.copytree(source, target / name)
        else:
            shutil.copy2(source, target / name)


def _topic_file(root: Path) -> Path:
    return min((root / "data" / "nlu" / "faq").glob("*.yml"))


def change_an_answer(root: Path) -> None:
    """Edit the answer text of one FAQ topic (nothing else)."""
    path = _topic_file(root)
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    (key,) = document["responses"]
    variant = document["responses"][key][0]
    variant["text"] = variant["text"].rstrip() + CHANGED_ANSWER_SUFFIX
    path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8")


def add_a_phrasing(root: Path) -> None:
    """Add one phrasing to one FAQ topic."""
    path = _topic_file(root)
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    document["nlu"][0]["examples"] = document["nlu"][0]["examples"].rstrip("\n") + f"\n- {ADDED_PHRASING}\n"
    path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _timed_training(log_path: Path, models: Path, root: Path, *, force: bool = False) -> tuple[Path, float]:
    """`ensure_model` with its output in `log_path`; return the model and the seconds it took."""
    with _output_to(log_path):
        started = time.monotonic()
        model = ensure_model(models, root, force=force)
        return model, time.monotonic() - started


def measure(log_path: Path, log: Any = print) -> dict[str, Any]:
    """Train from scratch, then after an answer-only and a phrasing change; time each."""
    log_path.write_text("")
    with tempfile.TemporaryDirectory(prefix="bench-train-") as tmp:
        root = Path(tmp)
        copy_training_inputs(root)
        models = root / "models"
        model, full = _timed_training(log_path, models, root, force=True)
        log(f"  full training {full:.0f} s, model {model.stat().st_size / 2**20:.1f} MiB")
        change_an_answer(root)
        after_answer, answer_seconds = _timed_training(log_path, models, root)
        log(f"  after an answer-only change: {answer_seconds:.2f} s, retrained: {after_answer != model}")
        add_a_phrasing(root)
        after_phrasing, phrasing_seconds = _timed_training(log_path, models, root)
        log(f"  after a one-phrasing change: {phrasing_seconds:.0f} s, retrained: {after_phrasing != model}")
        return {
            "full_training_s": round(full, 1),
            "model_size_mib": round(model.stat().st_size / 2**20, 1),
            "answer_change_retrain_s": round(answer_seconds, 2),
            "answer_change_retrained": after_answer != model,
            "phrasing_change_retrain_s": round(phrasing_seconds, 1),
            "phrasing_change_retrained": after_phrasing != model,
        }
