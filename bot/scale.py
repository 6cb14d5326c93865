"""The production profile's processes: several Rasa workers, their action servers, and the sticky router.

With RASA_WORKERS=N (N > 1) `bot.run` starts, instead of one Rasa server on RASA_PORT:

    router (bot.router)            127.0.0.1:RASA_PORT        conversation -> worker by hash of its id
    Rasa worker i (i = 1 … N)      127.0.0.1:RASA_PORT+i      or RASA_WORKER_PORTS
    action server j (j = 1 … M)    127.0.0.1:ACTION_PORT+j-1  M = ACTION_SERVERS; worker i uses j = i mod M

Each worker gets its share of the cores for TensorFlow (TF_INTRA_OP_PARALLELISM_THREADS, one
inter-op thread) and a small SQL pool (SQL_POOL_SIZE; Rasa's default of 50 per process is made
for one process), unless the environment sets them. Use PostgreSQL for DATABASE_URL and
TRACKER_STORE_URL: SQLite works but every process then writes one file.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

from bot.commands import action_server_command, rasa_server_command
from bot.settings import Settings

WORKER_SQL_POOL_SIZE = "4"
WORKER_SQL_MAX_OVERFLOW = "8"


@dataclass(frozen=True)
class Child:
    """One process to start, and the URL that answers once it is ready."""

    name: str
    command: list[str]
    env: dict[str, str]
    ready_url: str


def worker_environment(env: dict[str, str], settings: Settings, index: int) -> dict[str, str]:
    """The environment of Rasa worker `index` (0-based): its action server, TF threads, SQL pool."""
    action_ports = settings.action_ports()
    worker_env = {**env, "ACTION_PORT": str(action_ports[index % len(action_ports)])}
    cores = os.cpu_count() or 1
    worker_env.setdefault("TF_INTRA_OP_PARALLELISM_THREADS", str(max(1, cores // settings.rasa_workers)))
    worker_env.setdefault("TF_INTER_OP_PARALLELISM_THREADS", "1")
    worker_env.setdefault("SQL_POOL_SIZE", WORKER_SQL_POOL_SIZE)
    worker_env.setdefault("SQL_MAX_OVERFLOW", WORKER_SQL_MAX_OVERFLOW)
    return worker_env


def scaled_children(settings: Settings, model: Path, auth_token: str, env: dict[str, str]) -> list[Child]:
    """Action servers, Rasa workers and the router, in the order to start them."""
    children = [
        Child(
            f"action server {j + 1}",
            action_server_command(settings, port=port),
            env,
            f"http://127.0.0.1:{port}/health",
        )
        for j, port in enumerate(settings.action_ports())
    ]
    workers = [f"http://127.0.0.1:{port}" for port in settings.worker_ports()]
    children += [
        Child(
            f"rasa worker {i + 1}",
            rasa_server_command(settings, model, port=port),
            worker_environment(env, settings, i),
            f"{workers[i]}/",
        )
        for i, port in enumerate(settings.worker_ports())
    ]
    router = [sys.executable, "-m", "bot.router", "--port", str(settings.rasa_port)]
    for worker in workers:
        router += ["--worker", worker]
    children.append(Child("router", router, env, f"http://127.0.0.1:{settings.rasa_port}/webhooks/rest/"))
    return children
