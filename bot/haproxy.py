"""HAProxy's configuration for N Rasa workers, rendered from deploy/haproxy.cfg.in (one source for one or many machines).

python -m bot.haproxy --bind 0.0.0.0:5005 --public-host bot.example.com \
    --worker 10.0.0.11:5006 --worker 10.0.0.12:5006 > haproxy.cfg

Every answer HAProxy gives itself is the bot's Chinese JSON (ERROR_TEXTS), except what HAProxy 2.6's
HTTP/1 parser refuses (malformed requests, headers sent too slowly): it cannot be given another text,
so such a connection is closed without an answer (deploy/haproxy.cfg.in says why).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
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
"""On the monitor listener only: 200 once HAProxy sees every worker up (503 before)."""
DEFAULT_MONITOR = "127.0.0.1:5004"
LOCAL_HOST_NAMES = ("localhost",)
"""Accepted in Host besides the public names (and any IP address: DNS rebinding needs a name)."""
MISDIRECTED = 421
"""The status of a request for a host name the bot is not reached by."""

ERROR_TEXTS: dict[int, str] = {
    400: "抱歉，这个请求的格式不正确，系统无法处理。",
    401: "抱歉，这个请求需要先通过身份验证。",
    403: "抱歉，这个请求被拒绝了。",
    404: "抱歉，没有找到这个地址。",
    405: "抱歉，不支持这种请求方式。",
    407: "抱歉，这个请求需要先通过代理的身份验证。",
    408: "请求发送得太慢，已断开，请重新发送。",
    410: "抱歉，这个地址已经不再提供服务。",
    413: "抱歉，发送的内容太大了，请精简后再发送。",
    425: "抱歉，请求发送得太早，请稍后再发一次。",
    429: "抱歉，发送得太频繁了，请稍后再试。",
    500: "抱歉，系统出了点问题，请稍后再试。",
    501: "抱歉，系统暂不支持这种请求。",
    502: "抱歉，系统刚才没有处理完这条消息，请稍后再发一次。",
    503: "抱歉，系统暂时繁忙，请稍后再试。",
    504: "抱歉，系统处理超时，请稍后再发一次。",
    MISDIRECTED: "抱歉，这个网址不是本机器人的地址，请通过官方公布的网址访问。",
}
"""What the client reads when HAProxy answers itself: every status HAProxy 2.6 can generate, and 421."""
GENERATED = (400, 401, 403, 404, 405, 407, 408, 410, 413, 425, 429, 500, 501, 502, 503, 504)
"""The statuses HAProxy 2.6 generates itself (its configuration manual, `http-error`)."""


class HaproxyMissing(RuntimeError):
    """The `haproxy` command is not installed; the message says how to get it."""


def _quoted(text: str) -> str:
    """`text` as one double-quoted HAProxy argument."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("$", "\\$") + '"'


def error_body(status: int) -> str:
    """The JSON body of HAProxy's own answer with `status`."""
    return json.dumps({"error": ERROR_TEXTS[status]}, ensure_ascii=False)


def _reply(status: int) -> str:
    return f'content-type "application/json; charset=utf-8" string {_quoted(error_body(status))}'


def _http_errors() -> str:
    return "\n".join(f"    http-error status {status} {_reply(status)}" for status in GENERATED)


def _host_check(host_names: Sequence[str]) -> str:
    """Refuse (421) a Host that is neither one of `host_names`, localhost, nor an IP address; none: no check."""
    if not host_names:
        return "    # no Host check: no public host name given (BOT_PUBLIC_HOSTS, --public-host)"
    names = " ".join(dict.fromkeys([*(name.lower() for name in host_names), *LOCAL_HOST_NAMES]))
    return "\n".join(
        [
            "    # a browser sends the name it was pointed at as Host, and the web chat's origin check trusts it:",
            "    # only the bot's public names (BOT_PUBLIC_HOSTS), localhost and IP addresses are served, so a",
            "    # page on another name that resolves to this address (DNS rebinding) gets nothing",
            "    # (a fully qualified name's trailing dot, `bot.example.com.`, names the same host)",
            "    http-request set-var(txn.host) 'req.hdr(host),lower,regsub(:[0-9]+$,),regsub(\\.$,)'",
            f"    acl public_host var(txn.host) -m str {names}",
            "    acl address_host var(txn.host) -m reg '^[0-9.]+$' '^\\[[0-9a-f:.]+\\]$'",
            f"    http-request return status {MISDIRECTED} {_reply(MISDIRECTED)} unless public_host || address_host",
        ]
    )


def render(
    bind: str,
    workers: Sequence[str],
    stats_socket: Path = DEFAULT_STATS_SOCKET,
    *,
    monitor: str = DEFAULT_MONITOR,
    host_names: Sequence[str] = (),
    request_timeout_s: int = 10,
) -> str:
    """The configuration: HAProxy on `bind` (host:port) in front of `workers` (host:port each), its
    readiness on `monitor`, refusing a Host not in `host_names` (when given)."""
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
        monitor=monitor,
        ready_path=READY_PATH,
        request_timeout=request_timeout_s,
        http_errors=_http_errors(),
        host_check=_host_check(host_names),
    )


def write_config(
    path: Path,
    bind: str,
    workers: Sequence[str],
    *,
    monitor: str = DEFAULT_MONITOR,
    host_names: Sequence[str] = (),
    request_timeout_s: int = 10,
) -> Path:
    """Render the configuration to `path` (its directory is created; the stats socket beside it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = render(
        bind,
        workers,
        path.with_suffix(".sock"),
        monitor=monitor,
        host_names=host_names,
        request_timeout_s=request_timeout_s,
    )
    path.write_text(text, encoding="utf-8")
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
    parser.add_argument(
        "--monitor", default=DEFAULT_MONITOR, help=f"readiness listener ({READY_PATH}), host:port"
    )
    parser.add_argument(
        "--public-host",
        action="append",
        default=[],
        help="a host name the public reaches the bot by (repeat; any other name is refused with 421)",
    )
    parser.add_argument("--request-timeout", type=int, default=10, help="seconds to send a whole request")
    args = parser.parse_args(argv)
    text = render(
        args.bind,
        args.worker,
        monitor=args.monitor,
        host_names=args.public_host,
        request_timeout_s=args.request_timeout,
    )
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
