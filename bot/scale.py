"""The production profile's processes: several stateless Rasa workers, their action servers, and HAProxy.

With RASA_WORKERS=N (N > 1) `bot.run` starts, instead of one Rasa server on RASA_PORT:

    HAProxy (deploy/haproxy.cfg.in) 127.0.0.1:RASA_PORT       round robin; socket.io sticky per session
                                    127.0.0.1:HAPROXY_MONITOR_PORT   readiness (/haproxy/ready)
    Rasa worker i (i = 1 … N)      127.0.0.1:RASA_PORT+i      or RASA_WORKER_PORTS
    action server j (j = 1 … M)    127.0.0.1:ACTION_PORT+j-1  M = ACTION_SERVERS; worker i uses j = i mod M

Each worker gets its share of the cores for TensorFlow (TF_INTRA_OP_PARALLELISM_THREADS, one
inter-op thread) and a small SQL pool (SQL_POOL_SIZE; Rasa's default of 50 per process is made
for one process), unless the environment sets them. Any worker serves any turn: a conversation's
lock is in Redis (REDIS_URL, bot/rasa_ext/lock_store.py) and its state in the tracker store, so
use PostgreSQL for DATABASE_URL and TRACKER_STORE_URL (SQLite works but every process then writes
one file). The workers share no process state; on several machines they need the same
REDIS_URL, database URLs, WEB_SESSION_SECRET and model (README, deploy/).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from bot.commands import action_server_command, rasa_server_command
from bot.haproxy import READY_PATH, haproxy_command, write_config
from bot.settings import Settings

HAPROXY_CONFIG = "haproxy.cfg"
WORKER_SQL_POOL_SIZE = "4"
WORKER_SQL_MAX_OVERFLOW = "8"


@dataclass(frozen=True)
class Child:
    """One process to start, the URL that answers once it is ready, and the one that says it still works."""

    name: str
    command: list[str]
    env: dict[str, str]
    ready_url: str
    health_url: str = ""

    def supervised_url(self) -> str:
        """What the supervisor asks while it runs (the ready URL unless another is given)."""
        return self.health_url or self.ready_url


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
    """Action servers, Rasa workers and HAProxy (its config written under var/), in the order to start them."""
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
    config = write_config(
        settings.var_dir / HAPROXY_CONFIG,
        f"127.0.0.1:{settings.rasa_port}",
        [f"127.0.0.1:{port}" for port in settings.worker_ports()],
        monitor=f"127.0.0.1:{settings.haproxy_monitor_port}",
        host_names=settings.host_names(),
        request_timeout_s=settings.haproxy_request_timeout,
    )
    children.append(
        Child(
            "haproxy",
            haproxy_command(config),
            env,
            f"http://127.0.0.1:{settings.haproxy_monitor_port}{READY_PATH}",  # every worker up
            f"http://127.0.0.1:{settings.rasa_port}/webhooks/rest/",  # at least one (a worker may restart)
        )
    )
    return children
