"""A running bot takes a newly trained model without a restart: where it is, and telling it to load the model.

`python -m bot.run` writes `var/running_bot.json` (readable by its owner only: it holds the HTTP
API token) with its process id, the Rasa servers' addresses and the model they serve, and removes
it when it stops. After `make train` / `make evaluate` trained a model, `reload_running_bot` asks
each Rasa server to load it (Rasa's `PUT /model`, authorised by the token): the server loads the
model and swaps it in; conversations, their trackers and the lock store stay, and FAQ answers are
read from data/ as before. While a server loads (tens of seconds) it answers nothing else: turns
wait, none is lost. The outcome is said in Chinese by the commands.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from bot.settings import Settings

RUNNING_FILE = "running_bot.json"
LOAD_TIMEOUT_S = 300.0
"""Loading a model takes tens of seconds on a busy machine; Rasa answers once it is swapped in."""

NO_BOT = "没有正在运行的机器人；机器人下次启动时会使用模型 {model}。"
LOADED = "正在运行的机器人已换用新模型 {model}，无需重启。"
FAILED = "机器人正在运行，但没能换用新模型 {model}（{detail}）：请重启机器人（Ctrl-C 后再运行 make run）。"
ALREADY = "正在运行的机器人用的已经是模型 {model}。"


@dataclass(frozen=True)
class RunningBot:
    """A bot started by `python -m bot.run`: its process, the Rasa servers' URLs, their token and model."""

    pid: int
    urls: tuple[str, ...]
    token: str
    model: str


def running_file(settings: Settings) -> Path:
    """Where a running bot describes itself."""
    return settings.var_dir / RUNNING_FILE


def _write(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as stream:
        json.dump(data, stream)
    os.replace(temporary, path)


def record_running(settings: Settings, bot: RunningBot) -> None:
    """Say that this bot runs (owner-only file: it holds the API token)."""
    data = {"pid": bot.pid, "urls": list(bot.urls), "token": bot.token, "model": bot.model}
    _write(running_file(settings), data)


def forget_running(settings: Settings, pid: int) -> None:
    """Remove the file when it describes the bot of process `pid` (which is stopping)."""
    found = read_running(settings)
    if found is not None and found.pid == pid:
        running_file(settings).unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def read_running(settings: Settings) -> RunningBot | None:
    """The running bot, or None (no file, an unreadable one, or its process is gone)."""
    try:
        data = json.loads(running_file(settings).read_text(encoding="utf-8"))
        bot = RunningBot(int(data["pid"]), tuple(data["urls"]), str(data["token"]), str(data["model"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return bot if _alive(bot.pid) else None


def reload_running_bot(settings: Settings, model: Path) -> str:
    """Make a running bot serve `model`; return what happened, in Chinese, for the command to print."""
    bot = read_running(settings)
    if bot is None:
        return NO_BOT.format(model=model.name)
    if bot.model == model.name:
        return ALREADY.format(model=model.name)
    try:
        with httpx.Client(timeout=LOAD_TIMEOUT_S) as client:
            for url in bot.urls:
                answer = client.put(
                    f"{url}/model", params={"token": bot.token}, json={"model_file": str(model.resolve())}
                )
                if answer.status_code != 204:
                    return FAILED.format(model=model.name, detail=f"HTTP {answer.status_code}")
    except httpx.HTTPError as error:
        return FAILED.format(model=model.name, detail=type(error).__name__)
    record_running(settings, RunningBot(bot.pid, bot.urls, bot.token, model.name))
    return LOADED.format(model=model.name)
