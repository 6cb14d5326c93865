"""Stock Rasa 3.6 trained on this project's data: the yardstick `make evaluate` reports beside our model.

The pipeline is `rasa init`'s with JiebaTokenizer (bot/quality/stock_config.yml). Only its NLU is
trained (`rasa train nlu`): the held-out figures depend on nothing else. The model is kept under
var/stock/, named after a fingerprint of that config, domain.yml and data/, with its training time
beside it, so a second `make evaluate` on the same content does not train again.

A stock bot acts on the parse as Rasa does by itself: the FallbackClassifier's `nlu_fallback` is a
detour (the default fallback), the `faq` intent is answered with the ResponseSelector's top
response, any other intent is acted on.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.content.topic_files import RETRIEVAL_INTENT
from bot.quality.evaluation import UNCERTAIN
from bot.settings import RASA_PROCESS_ENV
from bot.train import training_files

STOCK_CONFIG = Path(__file__).with_name("stock_config.yml")
SKIP_ENV = "EVALUATE_SKIP_STOCK"
"""Set to 1 to leave the stock pipeline out of `make evaluate` (quick edits only)."""
NLU_FALLBACK = "nlu_fallback"


@dataclass(frozen=True)
class StockModel:
    """A trained stock model and how long its training took (seconds; None when not recorded)."""

    path: Path
    seconds: float | None


def skipped(env: os._Environ[str] | dict[str, str]) -> bool:
    """The editor asked explicitly to leave the stock pipeline out."""
    return env.get(SKIP_ENV, "").strip().lower() in {"1", "true", "yes"}


def stock_fingerprint(root: Path) -> str:
    """A short hash of the stock config and of everything in domain.yml and data/ that training reads."""
    digest = hashlib.sha256(STOCK_CONFIG.read_bytes())
    for path in training_files(root):
        relative = path.relative_to(root)
        if relative == Path("config.yml"):
            continue  # our pipeline's config: the stock one replaces it
        digest.update(str(relative).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def _times_path(model: Path) -> Path:
    return model.with_name(model.name.removesuffix(".tar.gz") + ".json")


def ensure_stock_model(root: Path, folder: Path) -> StockModel:
    """The stock model for the current content, trained first (NLU only) when there is none."""
    folder.mkdir(parents=True, exist_ok=True)
    name = stock_fingerprint(root)
    model = folder / f"{name}.tar.gz"
    with open(folder / ".train.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one trainer at a time; a second run then finds the model
        if not model.exists():
            _train(root, folder, model)
    try:
        seconds = float(json.loads(_times_path(model).read_text(encoding="utf-8"))["seconds"])
    except (OSError, ValueError, KeyError, TypeError):
        return StockModel(model, None)
    return StockModel(model, seconds)


def _train(root: Path, folder: Path, model: Path) -> None:
    """Train the stock NLU into `model`, record how long it took, and drop older stock models."""
    name = model.name.removesuffix(".tar.gz")
    command = [sys.executable, "-m", "bot.rasa_server", "train", "nlu", "--config", str(STOCK_CONFIG)]
    command += ["--domain", "domain.yml", "--nlu", "data", "--out", str(folder), "--fixed-model-name", name]
    started = time.monotonic()
    subprocess.run(command, cwd=root, check=True, env={**os.environ, **RASA_PROCESS_ENV})
    seconds = round(time.monotonic() - started, 1)
    _times_path(model).write_text(json.dumps({"seconds": seconds}), encoding="utf-8")
    for stale in folder.glob("*.tar.gz"):
        if stale != model:
            stale.unlink(missing_ok=True)
            _times_path(stale).unlink(missing_ok=True)


def interpret_stock(parse_data: dict[str, Any]) -> tuple[str, str, tuple[str, ...]]:
    """(top1, acted, offered) as a stock bot acts: fallback on `nlu_fallback`, else the top response."""
    intent = (parse_data.get("intent") or {}).get("name") or NLU_FALLBACK
    selectors = parse_data.get("response_selector") or {}
    selector = selectors.get(RETRIEVAL_INTENT) or selectors.get("default") or {}
    key = (selector.get("response") or {}).get("intent_response_key")
    if intent == NLU_FALLBACK:
        return intent, UNCERTAIN, ()
    if intent == RETRIEVAL_INTENT and key:
        return str(key), str(key), ()
    return intent, intent, ()
