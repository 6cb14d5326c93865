"""Start one deployment profile on private ports, measure it through REST, stop it.

- embedded: today's `make run` — one Rasa server, one action server, SQLite files (temp dir);
- production: `RASA_WORKERS` Rasa processes behind HAProxy (locks in Redis), PostgreSQL (a throwaway
  schema) for the application database and Rasa's tracker store.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import statistics
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bench import load
from bench.machine import load_average, postgres_cpu_seconds, tree_cpu_seconds, tree_memory_mib
from bot.db.__main__ import init as init_database
from bot.run import running_stack
from bot.settings import Settings

POSTGRES_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/test")
SCENARIOS = ("faq", "status_lookup")


@dataclass(frozen=True)
class Profile:
    """How to deploy the bot for one set of measurements."""

    name: str
    title: str
    workers: int = 1
    postgres: bool = False


@dataclass(frozen=True)
class Plan:
    """How much to measure (the quick plan is for building and smoke-testing the benchmark)."""

    levels: tuple[int, ...] = (1, 8, 32)
    scenarios: tuple[str, ...] = SCENARIOS
    seconds: float = 20.0
    min_messages: int = 100
    warmup_messages: int = 40
    long_messages: int = 200


QUICK_PLAN = Plan(seconds=3.0, min_messages=10, warmup_messages=16, long_messages=200)


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def postgres_schema(base_url: str = POSTGRES_URL) -> Iterator[str]:
    """A fresh PostgreSQL schema for one run; yields its URL and drops it afterwards."""
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(
        base_url, future=True, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 5}
    )
    url = make_url(base_url).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def post(url: str, sender: str, message: str) -> bytes:
    request = urllib.request.Request(
        f"{url}/webhooks/rest/webhook",
        data=json.dumps({"sender": sender, "message": message}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=120) as response:  # loopback only
        return response.read()


def _settings(profile: Profile, var_dir: Path, database_url: str | None) -> Settings:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "TRACKER_STORE_URL", "RASA_URL", "RASA_WORKER_PORTS")
    }
    env.update(
        BOT_VAR_DIR=str(var_dir),
        RASA_PORT=str(free_port()),
        ACTION_PORT=str(free_port()),
        RASA_WORKERS=str(profile.workers),
        ACTION_SERVERS="1",
        MESSAGES_PER_MINUTE="0",  # one long conversation sends 200 messages in a minute; the limit is tested apart
    )
    if profile.workers > 1:
        env["RASA_WORKER_PORTS"] = ",".join(str(free_port()) for _ in range(profile.workers))
        env["HAPROXY_MONITOR_PORT"] = str(free_port())
    if database_url:
        env.update(DATABASE_URL=database_url, TRACKER_STORE_URL=database_url)
    return Settings.from_env(env)


@dataclass(frozen=True)
class Running:
    """A started profile: where to send messages, and the processes to watch."""

    rasa_url: str
    worker_urls: list[str]
    pids: dict[str, int]
    postgres: bool

    def cpu_seconds(self) -> dict[str, float]:
        """CPU time so far of each process (with children), of this process, and of PostgreSQL."""
        sample = {name: tree_cpu_seconds(pid) for name, pid in self.pids.items()}
        sample["load generator"] = sum(os.times()[:2])
        if self.postgres:
            sample["postgresql"] = postgres_cpu_seconds()
        return sample


@dataclass(frozen=True)
class Questions:
    """What applicants ask: held-out phrasings under load, answerable questions in the long conversation."""

    faq: Sequence[str]
    long_conversation: Sequence[str]


def measure_profile(
    profile: Profile,
    model: Path,
    plan: Plan,
    questions: Questions,
    log: Any = print,
    paired: Paired | None = None,
) -> dict[str, Any]:
    """Start `profile`, measure it (cold start, load levels, long conversation, memory), stop it.

    A `paired` bot (already running) is measured right after each level (see `measure_running`).
    """
    database = postgres_schema() if profile.postgres else _no_database()
    with tempfile.TemporaryDirectory(prefix=f"bench-{profile.name}-") as tmp, database as database_url:
        settings = _settings(profile, Path(tmp), database_url)
        init_database(settings.database_url)
        figures: dict[str, Any] = {"title": profile.title, "rasa_workers": profile.workers}
        figures["load_average_before"] = load_average()
        started = time.monotonic()
        with running_stack(settings, model, log_dir=Path(tmp) / "logs") as stack:
            post(settings.rasa_url, "bench-first", "你好")
            figures["cold_start_s"] = round(time.monotonic() - started, 1)
            log(f"  {profile.name}: first answer {figures['cold_start_s']} s after start")
            pids = {name: process.pid for name, process in stack.processes.items()}
            running = Running(settings.rasa_url, _worker_urls(settings), pids, profile.postgres)
            figures.update(asyncio.run(measure_running(running, plan, questions, log, paired=paired)))
            figures["memory_mib"] = {name: tree_memory_mib(pid) for name, pid in pids.items()}
        figures["load_average_after"] = load_average()
        return figures


def _worker_urls(settings: Settings) -> list[str]:
    if settings.rasa_workers == 1:
        return [settings.rasa_url]
    return [f"http://127.0.0.1:{port}" for port in settings.worker_ports()]


@contextmanager
def _no_database() -> Iterator[None]:
    yield None


def cpu_per_message(before: dict[str, float], after: dict[str, float], messages: int) -> dict[str, float]:
    """CPU milliseconds each process spent per message between two samples (and their total)."""
    if not messages:
        return {}
    spent = {name: round((after[name] - before[name]) * 1000 / messages, 2) for name in before}
    return {**spent, "total": round(sum(spent.values()), 2)}


def _describe(level: dict[str, Any]) -> str:
    return (
        f"  {level['scenario']:<14} x{level['concurrency']:<3} {level['messages_per_second']:>6} msg/s  "
        f"p50 {level['p50_ms']:>7} ms  p95 {level['p95_ms']:>7} ms  p99 {level['p99_ms']:>7} ms  "
        f"errors {level['errors']}  empty {level['empty_replies']}  "
        f"unexpected {level['unexpected_replies']}  CPU {level['cpu_ms_per_message'].get('total')} ms/msg"
    )


@dataclass(frozen=True)
class Paired:
    """Another bot (stock Rasa) measured right after each of our levels, so both meet the same neighbours."""

    running: Running
    scenarios: Sequence[str]
    label: str


def _conversations(questions: Questions) -> dict[str, Iterator[list[load.Step]]]:
    return {"faq": load.faq_conversations(questions.faq), "status_lookup": load.status_conversations()}


async def _warm_up(running: Running, plan: Plan, questions: Questions, scenarios: Sequence[str]) -> None:
    """Every worker, every path: TensorFlow traces its graphs on first use."""
    conversations = _conversations(questions)
    for url in running.worker_urls:
        for scenario in scenarios:
            await load.run_level(
                url,
                scenario,
                conversations[scenario],
                concurrency=4,
                seconds=0,
                min_messages=plan.warmup_messages // 2,
            )


async def _level(
    running: Running, scenario: str, conversations: Iterator[list[load.Step]], concurrency: int, plan: Plan
) -> dict[str, Any]:
    before = running.cpu_seconds()
    result = await load.run_level(
        running.rasa_url,
        scenario,
        conversations,
        concurrency=concurrency,
        seconds=plan.seconds,
        min_messages=plan.min_messages,
    )
    summary = result.summary()
    summary["cpu_ms_per_message"] = cpu_per_message(before, running.cpu_seconds(), result.messages)
    return summary


async def _long_conversation(
    running: Running, plan: Plan, questions: Questions, log: Any, label: str = ""
) -> dict[str, Any]:
    measured = await load.early_and_late(
        running.rasa_url, questions.long_conversation, late=plan.long_messages
    )
    tenth, last = statistics.median(measured["early_ms"]), statistics.median(measured["late_ms"])
    long_figures = {
        "messages": plan.long_messages,
        "message_10_ms": round(tenth, 1),
        "last_message_ms": round(last, 1),
        "ratio": round(last / tenth, 2) if tenth else None,
        "message_10_samples_ms": [round(value, 1) for value in measured["early_ms"]],
        "last_message_samples_ms": [round(value, 1) for value in measured["late_ms"]],
        "latencies_ms": [round(value, 1) for value in measured["long_conversation_ms"]],
    }
    log(
        f"  {label}long conversation: message 10 {tenth:.1f} ms, message {plan.long_messages} {last:.1f} ms "
        f"(x{long_figures['ratio']})"
    )
    return long_figures


async def measure_running(
    running: Running,
    plan: Plan,
    questions: Questions,
    log: Any,
    paired: Paired | None = None,
) -> dict[str, Any]:
    """Warm up, then measure each scenario's load levels and the long conversation.

    With `paired`, that bot is measured the same way right after each of ours (its figures under
    "paired"), so a neighbour's load on a shared machine hits both alike.
    """
    scenarios = plan.scenarios
    await _warm_up(running, plan, questions, scenarios)
    if paired is not None:
        await _warm_up(paired.running, plan, questions, paired.scenarios)
    ours, theirs = _conversations(questions), _conversations(questions)
    levels, paired_levels = [], []
    for scenario in scenarios:
        for concurrency in plan.levels:
            levels.append(await _level(running, scenario, ours[scenario], concurrency, plan))
            log(_describe(levels[-1]))
            if paired is not None and scenario in paired.scenarios:
                paired_levels.append(
                    await _level(paired.running, scenario, theirs[scenario], concurrency, plan)
                )
                log(_describe(paired_levels[-1]) + f"  ({paired.label})")
    figures: dict[str, Any] = {
        "load": levels,
        "long_conversation": await _long_conversation(running, plan, questions, log),
    }
    if paired is not None:
        paired_long = await _long_conversation(paired.running, plan, questions, log, f"{paired.label}: ")
        figures["paired"] = {"load": paired_levels, "long_conversation": paired_long}
    return figures
