"""Train the Rasa model only when the training-relevant content changed (`python -m bot.train`).

The model is named after a fingerprint of config.yml, domain.yml and data/. FAQ answers and
editor notes are left out of the fingerprint: the action server reads answers from data/ at run
time, so changing an answer needs no retraining.

When only example phrasings changed (same config, domain, rules and the same intents and FAQ
topics), the newest such model is fine-tuned (`rasa train --finetune`) with a fraction of the
epochs instead of training from scratch; after MAX_FINETUNES fine-tunings in a row, or with
`--force`, training starts from scratch again.

Each model's lineage file (`<name>.json` beside it) also records the model that was newest when
its training started (`started_from`): the model the edit began with, which `make evaluate`
compares against. That model is kept when older ones are pruned. When a bot is running
(bot.live), it is told to load the new model.
"""

from __future__ import annotations

import argparse
import fcntl
import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import yaml

from bot.settings import PROJECT_ROOT, RASA_PROCESS_ENV, Settings

TRAINING_INPUTS = ("config.yml", "domain.yml", "data")
NOT_TRAINED_ON = frozenset(
    {Path("data") / "followups.yml", Path("data") / "facts.yml", Path("data") / "saved_replies.yml"}
)
"""Files under data/ that only the actions or the content check read: changing them never needs a new model."""
FAQ_FOLDER = Path("data") / "nlu" / "faq"
NLU_FOLDER = Path("data") / "nlu"
KEEP_MODELS = 3
MAX_FINETUNES = 5
FINETUNE_EPOCH_FRACTION = 0.2


def _faq_training_view(text: str, *, phrasings: bool = True) -> str:
    """The part of a FAQ topic file that training depends on: its intent and (optionally) phrasings."""
    document: dict[str, Any] = yaml.safe_load(text) or {}
    items = [
        {"intent": item.get("intent"), "examples": item.get("examples") if phrasings else None}
        for item in document.get("nlu") or []
    ]
    return yaml.safe_dump(items, allow_unicode=True, sort_keys=True)


def _without_intent_examples(text: str) -> str:
    """An NLU file with the phrasings of its intents left out (regexes, lookups and synonyms kept)."""
    document: dict[str, Any] = yaml.safe_load(text) or {}
    items = [
        {key: value for key, value in item.items() if key != "examples"} if "intent" in item else item
        for item in document.get("nlu") or []
    ]
    return yaml.safe_dump(items, allow_unicode=True, sort_keys=True)


def training_files(root: Path) -> list[Path]:
    """Every file under TRAINING_INPUTS that training reads (sorted; junk and action-only files left out)."""
    files: list[Path] = []
    for name in TRAINING_INPUTS:
        path = root / name
        files.extend(sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path])
    return [
        file for file in files if file.relative_to(root) not in NOT_TRAINED_ON and not _is_junk(file, root)
    ]


def _is_junk(path: Path, root: Path) -> bool:
    """Dotfiles (an editor's or an interrupted import's temporary files) and `*.tmp` are never trained on."""
    relative = path.relative_to(root)
    return any(part.startswith(".") for part in relative.parts) or path.suffix == ".tmp"


def fingerprint(root: Path = PROJECT_ROOT, *, ignore_phrasings: bool = False) -> str:
    """A short hash of everything the trained model depends on (optionally all but the phrasings)."""
    digest = hashlib.sha256()
    for path in training_files(root):
        relative = path.relative_to(root)
        content = path.read_text(encoding="utf-8")
        if relative.parent == FAQ_FOLDER and relative.suffix == ".yml":
            content = _faq_training_view(content, phrasings=not ignore_phrasings)
        elif ignore_phrasings and relative.is_relative_to(NLU_FOLDER) and relative.suffix == ".yml":
            content = _without_intent_examples(content)
        digest.update(str(relative).encode() + b"\0" + content.encode() + b"\0")
    return digest.hexdigest()[:16]


def _lineage_path(model: Path) -> Path:
    return model.with_name(model.name.removesuffix(".tar.gz") + ".json")


def _finetune_base(models_dir: Path, structure: str) -> tuple[Path, int] | None:
    """The newest model with the same structure that may be fine-tuned again, and its fine-tune count."""
    for model in sorted(models_dir.glob("*.tar.gz"), key=lambda p: p.stat().st_mtime, reverse=True):
        try:
            lineage = json.loads(_lineage_path(model).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if lineage.get("structure") == structure and int(lineage.get("finetunes", 0)) < MAX_FINETUNES:
            return model, int(lineage.get("finetunes", 0))
    return None


def _newest_model(models_dir: Path, besides: Path) -> Path | None:
    models = [p for p in models_dir.glob("*.tar.gz") if p != besides]
    return max(models, key=lambda p: p.stat().st_mtime, default=None)


def lineage(model: Path) -> dict[str, Any]:
    """What the lineage file beside `model` records ({} when there is none)."""
    try:
        recorded = json.loads(_lineage_path(model).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return recorded if isinstance(recorded, dict) else {}


def started_from(model: Path) -> Path | None:
    """The model that was newest when `model`'s training started, if it is still there."""
    name = lineage(model).get("started_from")
    previous = model.with_name(str(name)) if name else None
    return previous if previous is not None and previous.exists() and previous != model else None


def model_path(models_dir: Path, root: Path = PROJECT_ROOT) -> Path:
    """Where the model for the current content lives (it may not exist yet)."""
    return models_dir / f"{fingerprint(root)}.tar.gz"


def _prune(models_dir: Path, keep: Path) -> None:
    older = sorted(models_dir.glob("*.tar.gz"), key=lambda p: p.stat().st_mtime, reverse=True)
    kept = {keep} | ({previous} if (previous := started_from(keep)) else set())
    for stale in [p for p in older if p not in kept][KEEP_MODELS - len(kept) :]:
        stale.unlink(missing_ok=True)
        _lineage_path(stale).unlink(missing_ok=True)
        for figures in models_dir.glob(stale.name.removesuffix(".tar.gz") + ".figures*.json"):
            figures.unlink(missing_ok=True)


def _rasa_train(root: Path, models_dir: Path, target: Path, finetune: Path | None) -> None:
    command = [
        sys.executable,
        "-m",
        "bot.rasa_server",
        "train",
        "--config",
        "config.yml",
        "--domain",
        "domain.yml",
        "--data",
        "data",
        "--out",
        str(models_dir),
        "--fixed-model-name",
        target.name.removesuffix(".tar.gz"),
    ]
    if finetune is not None:
        command += ["--finetune", str(finetune), "--epoch-fraction", str(FINETUNE_EPOCH_FRACTION)]
    subprocess.run(command, cwd=root, check=True, env={**os.environ, **RASA_PROCESS_ENV})


def ensure_model(models_dir: Path, root: Path = PROJECT_ROOT, *, force: bool = False) -> Path:
    """Return the current model, training it first if it does not exist (one trainer at a time)."""
    models_dir.mkdir(parents=True, exist_ok=True)
    with open(models_dir / ".train.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        target = model_path(models_dir, root)
        if target.exists() and not force:
            print(f"Model up to date: {target.relative_to(root) if target.is_relative_to(root) else target}")
            return target
        structure = fingerprint(root, ignore_phrasings=True)
        previous = _newest_model(models_dir, besides=target)
        base = None if force else _finetune_base(models_dir, structure)
        started = time.monotonic()
        finetunes = 0
        if base is not None:
            print(f"Fine-tuning {base[0].name} into {target.name} (only phrasings changed) ...", flush=True)
            try:
                _rasa_train(root, models_dir, target, finetune=base[0])
                finetunes = base[1] + 1
            except subprocess.CalledProcessError:
                print("Fine-tuning failed; training from scratch.", flush=True)
                base = None
        if base is None:
            print(f"Training {target.name} (config.yml, domain.yml or data/ changed) ...", flush=True)
            _rasa_train(root, models_dir, target, finetune=None)
        seconds = time.monotonic() - started
        recorded: dict[str, Any] = {
            "structure": structure,
            "finetunes": finetunes,
            "seconds": round(seconds, 1),
        }
        if previous is not None:
            recorded["started_from"] = previous.name
        _lineage_path(target).write_text(json.dumps(recorded), encoding="utf-8")
        print(f"Trained in {seconds:.0f} s: {target.name}", flush=True)
        _prune(models_dir, keep=target)
        return target


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(prog="python -m bot.train", description=__doc__)
    parser.add_argument("--force", action="store_true", help="train from scratch even if the model exists")
    parser.add_argument("--print-path", action="store_true", help="only print the model path")
    parser.add_argument(
        "--root", type=Path, default=PROJECT_ROOT, help="the project whose content to train on"
    )
    args = parser.parse_args(argv)
    models_dir = Settings.from_env().models_dir
    if args.print_path:
        print(model_path(models_dir, args.root))
        return 0
    try:
        model = ensure_model(models_dir, args.root, force=args.force)
    except subprocess.CalledProcessError as error:
        print(f"训练失败（rasa train 退出码 {error.returncode}），请查看上面的输出。", file=sys.stderr)
        return 1
    from bot.live import reload_running_bot

    print(reload_running_bot(Settings.from_env(), model), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
