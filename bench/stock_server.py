"""Train (once per content) and serve the stock Rasa 3.6 bot of bench/stock_bot.py, in its own folder.

The bot lives in var/stock/bot/; its model in var/stock/bot/models/<fingerprint>.tar.gz with the
training time beside it (<fingerprint>.json), so `make bench` trains it only when the data changed
(DIET, the ResponseSelector and the TED policies: 12 min on 2 cores at a load average of 3,
longer on a busier machine).
Rasa runs as `python -m rasa` with the bot's folder as its working directory, no PYTHONPATH and
none of this project's settings. The venv's editable install could still find `bot` if anything
asked for it, so Python's `-X importtime` lists every module the server imports and
`project_modules` reads that list to prove none of this project's was.

python -m bench.stock_server   # generate the bot and train it now (then `make bench` finds it)
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bench.machine import load_average
from bench.stock_bot import TRACKER_DB, fingerprint, stock_bot_files, write_stock_bot

SKIP_ENV = "BENCH_SKIP_STOCK"
"""Set to 1 to leave stock Rasa out of `make bench` (as `--skip-stock` does)."""
PROJECT_PACKAGES = ("bot", "actions", "bench")
STOCK_ENV = {
    "RASA_TELEMETRY_ENABLED": "false",  # no calls home: this machine has no internet
    "TF_CPP_MIN_LOG_LEVEL": "2",
    "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
}
IMPORT_LINE = re.compile(r"^import time:\s+\d+ \|\s+\d+ \|( *)(\S+)")


@dataclass(frozen=True)
class StockBot:
    """A trained stock bot: its folder, its model, how long training took and when (None: not recorded)."""

    folder: Path
    model: Path
    train_seconds: float | None
    trained_at: str | None = None
    trained_now: bool = False


def stock_env() -> dict[str, str]:
    """The environment of a stock Rasa process: ours without PYTHONPATH or any project setting."""
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "USER")
    env = {key: os.environ[key] for key in keep if key in os.environ}
    return {**env, **STOCK_ENV}


def skipped(env: os._Environ[str] | dict[str, str]) -> bool:
    """The user asked to leave stock Rasa out."""
    return env.get(SKIP_ENV, "").strip().lower() in {"1", "true", "yes"}


def _recorded(folder: Path, model: Path, *, trained_now: bool = False) -> StockBot:
    """The stock bot with the training time and date recorded beside its model (None when missing)."""
    try:
        recorded = json.loads(model.with_suffix("").with_suffix(".json").read_text(encoding="utf-8"))
        seconds, when = float(recorded["seconds"]), recorded.get("trained_at")
    except (OSError, ValueError, KeyError, TypeError):
        seconds, when = None, None
    when = when or time.strftime("%Y-%m-%d %H:%M", time.localtime(model.stat().st_mtime))  # training's end
    return StockBot(folder, model, seconds, when, trained_now)


def ensure_stock_bot(
    root: Path, folder: Path, log_path: Path, log: object = print, *, may_train: bool = True
) -> StockBot | None:
    """Write the stock bot for the data at `root` into `folder`; train it unless its model is cached.

    None when there is no model for this content and `may_train` is false (a smoke run).
    """
    files = stock_bot_files(root)
    name = fingerprint(files)
    folder.mkdir(parents=True, exist_ok=True)
    model = folder / "models" / f"{name}.tar.gz"
    with open(folder / ".train.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one trainer at a time; a second run then finds the model
        write_stock_bot(files, folder)
        if model.exists():
            return _recorded(folder, model)
        if not may_train:
            return None
        if callable(log):
            log(f"  training stock Rasa {name} (output in {log_path}; 10 min or more) ...")
        _train(folder, name, log_path)
    return _recorded(folder, model, trained_now=True)


def _train(folder: Path, name: str, log_path: Path) -> None:
    """`rasa train` in `folder`; record its seconds and date beside the model; drop older models."""
    command = [sys.executable, "-m", "rasa", "train", "--config", "config.yml", "--domain", "domain.yml"]
    command += ["--data", "data", "--out", "models", "--fixed-model-name", name]
    log_path.parent.mkdir(parents=True, exist_ok=True)
    started, when, busy = time.monotonic(), time.strftime("%Y-%m-%d %H:%M"), load_average()
    with open(log_path, "ab") as output:
        subprocess.run(command, cwd=folder, check=True, env=stock_env(), stdout=output, stderr=output)
    recorded = {
        "seconds": round(time.monotonic() - started, 1),
        "trained_at": when,
        "load_average_at_start": busy,
    }
    (folder / "models" / f"{name}.json").write_text(json.dumps(recorded), encoding="utf-8")
    for stale in (folder / "models").iterdir():
        if not stale.name.startswith(f"{name}."):
            stale.unlink(missing_ok=True)


@contextmanager
def serving(bot: StockBot, port: int, log_path: Path) -> Iterator[subprocess.Popen[bytes]]:
    """`rasa run --enable-api` on 127.0.0.1:`port` with a fresh tracker database; stopped on exit."""
    (bot.folder / TRACKER_DB).unlink(missing_ok=True)
    command = [sys.executable, "-X", "importtime", "-m", "rasa", "run", "--enable-api"]
    command += ["--model", str(bot.model.relative_to(bot.folder)), "-i", "127.0.0.1", "--port", str(port)]
    command += ["--credentials", "credentials.yml", "--endpoints", "endpoints.yml"]
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "wb") as output:
        process = subprocess.Popen(command, cwd=bot.folder, env=stock_env(), stdout=output, stderr=output)
        try:
            yield process
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def imported_modules(log_text: str) -> set[str]:
    """The module names in `-X importtime` output."""
    found = set()
    for line in log_text.splitlines():
        if match := IMPORT_LINE.match(line):
            found.add(match.group(2))
    return found


def project_modules(log_text: str) -> list[str]:
    """This project's modules among those a process imported (`-X importtime` output): none, for stock."""
    return sorted(
        module for module in imported_modules(log_text) if module.split(".", 1)[0] in PROJECT_PACKAGES
    )


def main() -> int:
    """Generate and train the stock bot now (so a later `make bench` finds it)."""
    from bot.settings import PROJECT_ROOT

    folder = PROJECT_ROOT / "var" / "stock" / "bot"
    bot = ensure_stock_bot(PROJECT_ROOT, folder, PROJECT_ROOT / "var" / "bench" / "stock-training.log")
    assert bot is not None  # may_train
    print(f"{bot.model} ({bot.train_seconds} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
