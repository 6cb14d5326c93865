"""Serve the stock Rasa 3.6 bot beside this project's profiles: measured right after each of their levels.

Only the FAQ scenario and the long conversation apply: stock Rasa has no custom actions, so it
cannot look an application up (the status-lookup scenario is this project's alone).
"""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench.machine import tree_memory_mib
from bench.profiles import Paired, Running, free_port, post
from bench.stock_server import StockBot, project_modules, serving

STOCK_SCENARIOS = ("faq",)
PROCESS = "rasa (stock)"
READY_TIMEOUT_S = 600.0


def wait_ready(url: str, process: Any, timeout: float = READY_TIMEOUT_S) -> None:
    """Wait until Rasa answers `GET /` (RuntimeError when it exits or takes longer than `timeout`)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"stock Rasa exited with status {process.returncode} before it was ready")
        try:
            with urllib.request.urlopen(f"{url}/", timeout=5) as response:  # loopback only
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2)
    raise RuntimeError(f"stock Rasa was not ready after {timeout:.0f} s")


@contextmanager
def stock_running(bot: StockBot, log_dir: Path, log: Any = print) -> Iterator[tuple[Paired, dict[str, Any]]]:
    """Serve the stock bot while this project's profiles are measured; yield it and its figures.

    The figures hold the cold start at once, and the memory and the import check after it stops;
    each profile adds its paired measurements (`measure_profile(..., paired=...)`).
    """
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log_path = log_dir / "stock-rasa.log"
    figures: dict[str, Any] = {
        "title": "Stock Rasa 3.6: `rasa run --enable-api`, REST channel, SQL tracker store on SQLite",
        "model": bot.model.name,
        "train_seconds": bot.train_seconds,
        "trained_at": bot.trained_at,
        "trained_in_this_run": bot.trained_now,
        "scenarios": list(STOCK_SCENARIOS),
        "paired": {},
    }
    started = time.monotonic()
    with serving(bot, port, log_path) as process:
        wait_ready(url, process)
        post(url, "bench-first", "你好")
        figures["cold_start_s"] = round(time.monotonic() - started, 1)
        log(f"  stock: first answer {figures['cold_start_s']} s after start")
        running = Running(url, [url], {PROCESS: process.pid}, postgres=False)
        yield Paired(running, STOCK_SCENARIOS, "stock"), figures
        figures["memory_mib"] = {PROCESS: tree_memory_mib(process.pid)}
    figures["project_modules_loaded"] = project_modules(
        log_path.read_text(encoding="utf-8", errors="replace")
    )
    if figures["project_modules_loaded"]:
        raise RuntimeError(
            f"stock Rasa imported this project's code: {figures['project_modules_loaded'][:5]}"
        )
