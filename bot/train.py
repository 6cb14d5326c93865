"""Train the Rasa model only when the training-relevant content changed (`python -m bot.train`).

The model is named after a fingerprint of config.yml, domain.yml and data/. FAQ answers and
editor notes are left out of the fingerprint: the action server reads answers from data/ at run
time, so changing an answer needs no retraining.
"""

from __future__ import annotations

import argparse
import fcntl
import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import yaml

from bot.settings import PROJECT_ROOT, RASA_PROCESS_ENV, Settings

TRAINING_INPUTS = ("config.yml", "domain.yml", "data")
FAQ_FOLDER = Path("data") / "nlu" / "faq"
KEEP_MODELS = 3


def _faq_training_view(text: str) -> str:
    """The part of a FAQ topic file that training depends on: its intent and phrasings."""
    document: dict[str, Any] = yaml.safe_load(text) or {}
    phrasings = [
        {"intent": item.get("intent"), "examples": item.get("examples")}
        for item in document.get("nlu") or []
    ]
    return yaml.safe_dump(phrasings, allow_unicode=True, sort_keys=True)


def _training_files(root: Path) -> list[Path]:
    files: list[Path] = []
    for name in TRAINING_INPUTS:
        path = root / name
        files.extend(sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path])
    return files


def fingerprint(root: Path = PROJECT_ROOT) -> str:
    """A short hash of everything the trained model depends on."""
    digest = hashlib.sha256()
    for path in _training_files(root):
        relative = path.relative_to(root)
        content = path.read_text(encoding="utf-8")
        if relative.parent == FAQ_FOLDER and relative.suffix == ".yml":
            content = _faq_training_view(content)
        digest.update(str(relative).encode() + b"\0" + content.encode() + b"\0")
    return digest.hexdigest()[:16]


def model_path(models_dir: Path, root: Path = PROJECT_ROOT) -> Path:
    """Where the model for the current content lives (it may not exist yet)."""
    return models_dir / f"{fingerprint(root)}.tar.gz"


def _prune(models_dir: Path, keep: Path) -> None:
    older = sorted(models_dir.glob("*.tar.gz"), key=lambda p: p.stat().st_mtime, reverse=True)
    for stale in [p for p in older if p != keep][KEEP_MODELS - 1 :]:
        stale.unlink(missing_ok=True)


def ensure_model(models_dir: Path, root: Path = PROJECT_ROOT, *, force: bool = False) -> Path:
    """Return the current model, training it first if it does not exist (one trainer at a time)."""
    models_dir.mkdir(parents=True, exist_ok=True)
    with open(models_dir / ".train.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        target = model_path(models_dir, root)
        if target.exists() and not force:
            print(f"Model up to date: {target.relative_to(root) if target.is_relative_to(root) else target}")
            return target
        print(f"Training {target.name} (config.yml, domain.yml or data/ changed) ...", flush=True)
        started = time.monotonic()
        command = [
            sys.executable, "-m", "rasa", "train",
            "--config", "config.yml", "--domain", "domain.yml", "--data", "data",
            "--out", str(models_dir), "--fixed-model-name", target.name.removesuffix(".tar.gz"),
        ]  # fmt: skip
        subprocess.run(command, cwd=root, check=True, env={**os.environ, **RASA_PROCESS_ENV})
        print(f"Trained in {time.monotonic() - started:.0f} s: {target.name}", flush=True)
        _prune(models_dir, keep=target)
        return target


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(prog="python -m bot.train", description=__doc__)
    parser.add_argument("--force", action="store_true", help="train even if the model exists")
    parser.add_argument("--print-path", action="store_true", help="only print the model path")
    args = parser.parse_args(argv)
    models_dir = Settings.from_env().models_dir
    if args.print_path:
        print(model_path(models_dir))
        return 0
    try:
        ensure_model(models_dir, force=args.force)
    except subprocess.CalledProcessError as error:
        print(f"训练失败（rasa train 退出码 {error.returncode}），请查看上面的输出。", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
