"""HAProxy's configuration for N Rasa workers, rendered from deploy/haproxy.cfg.in (one source for one or many machines).

python -m bot.haproxy --bind 0.0.0.0:5005 --worker 10.0.0.11:5006 --worker 10.0.0.12:5006 > haproxy.cfg
"""

from __future__ import annotations

import argparse
import csv
import io
import shutil
import socket
import sys
from collections.abc import Sequence
from pathlib import Path

from bot.settings import PROJECT_ROOT

TEMPLATE = PROJECT_ROOT / "deploy" / "haproxy.cfg.in"
DEFAULT_STATS_SOCKET = Path("/run/haproxy/bot.sock")
CONNECTIONS_PER_SOURCE = 1000
"""Connections one client address may hold at once (global maxconn is 4096)."""
READY_PATH = "/haproxy/ready"
"""Answers 200 once HAProxy sees every worker up (503 before)."""


class HaproxyMissing(RuntimeError):
    """The `haproxy` command is not installed; the message says how to get it."""


def render(bind: str, workers: Sequence[str], stats_socket: Path = DEFAULT_STATS_SOCKET) -> str:
    """The configuration: HAProxy on `bind` (host:port) in front of `workers` (host:port each)."""
    servers = "\n".join(f"    server worker{i + 1} {worker}" for i, worker in enumerate(workers))
    sticky = "\n".join(
        f"    server worker{i + 1} {worker} cookie worker{i + 1}" for i, worker in enumerate(workers)
    )
    return TEMPLATE.read_text(encoding="utf-8").format(
        bind=bind,
        servers=servers,
        sticky_servers=sticky,
        stats_socket=stats_socket,
        worker_count=len(workers),
        connections_per_source=CONNECTIONS_PER_SOURCE,
    )


def write_config(path: Path, bind: str, workers: Sequence[str]) -> Path:
    """Render the configuration to `path` (its directory is created; the stats socket beside it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(bind, workers, path.with_suffix(".sock")), encoding="utf-8")
    return path


def server_stats(stats_socket: Path) -> dict[tuple[str, str], dict[str, str]]:
    """`show stat` from HAProxy's stats socket: (backend, server) → its row (`status`, `stot`, …)."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
        connection.settimeout(5)
        connection.connect(str(stats_socket))
        connection.sendall(b"show stat\n")
        raw = b"".join(iter(lambda: connection.recv(65536), b""))
    rows = list(csv.DictReader(io.StringIO(raw.decode().removeprefix("# "))))
    return {(row["pxname"], row["svname"]): row for row in rows}


def haproxy_command(config: Path) -> list[str]:
    """HAProxy in the foreground (`-db`) on `config`; raises HaproxyMissing when it is not installed."""
    executable = shutil.which("haproxy") or next(
        (str(path) for path in (Path("/usr/sbin/haproxy"),) if path.exists()), None
    )
    if executable is None:
        raise HaproxyMissing(
            "haproxy is not installed: `apt-get install haproxy` (make run-production does it)"
        )
    return [executable, "-db", "-f", str(config)]


def main(argv: list[str] | None = None) -> int:
    """Print the configuration for the given address and workers."""
    parser = argparse.ArgumentParser(prog="python -m bot.haproxy", description=__doc__)
    parser.add_argument("--bind", default="127.0.0.1:5005", help="where HAProxy listens (host:port)")
    parser.add_argument("--worker", action="append", required=True, help="a Rasa worker (host:port)")
    args = parser.parse_args(argv)
    sys.stdout.write(render(args.bind, args.worker))
    return 0


if __name__ == "__main__":
    sys.exit(main())
