"""Measure the stock Rasa 3.6 bot as the profiles are measured: same load, same plan, same figures.

Only the FAQ scenario and the long conversation apply: stock Rasa has no custom actions, so it
cannot look an application up (the status-lookup scenario is this project's alone).
"""

from __future__ import annotations

import asyncio
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from bench.machine import load_average, tree_memory_mib
from bench.profiles import Plan, Questions, Running, free_port, measure_running, post
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


def measure_stock(
    bot: StockBot, plan: Plan, questions: Questions, log_dir: Path, log: Any = print
) -> dict[str, Any]:
    """Serve the stock bot, measure it (cold start, FAQ load levels, long conversation, memory), stop it."""
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
        "load_average_before": load_average(),
    }
    started = time.monotonic()
    with serving(bot, port, log_path) as process:
        wait_ready(url, process)
        post(url, "bench-first", "你好")
        figures["cold_start_s"] = round(time.monotonic() - started, 1)
        log(f"  stock: first answer {figures['cold_start_s']} s after start")
        running = Running(url, [url], {PROCESS: process.pid}, postgres=False)
        figures.update(asyncio.run(measure_running(running, plan, questions, log, STOCK_SCENARIOS)))
        figures["memory_mib"] = {PROCESS: tree_memory_mib(process.pid)}
    figures["load_average_after"] = load_average()
    figures["project_modules_loaded"] = project_modules(
        log_path.read_text(encoding="utf-8", errors="replace")
    )
    if figures["project_modules_loaded"]:
        raise RuntimeError(
            f"stock Rasa imported this project's code: {figures['project_modules_loaded'][:5]}"
        )
    return figures
