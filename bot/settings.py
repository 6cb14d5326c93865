"""Runtime settings: one frozen dataclass read from the environment, with embedded defaults."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypedDict
from urllib.parse import urlsplit

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class SettingsError(ValueError):
    """A setting in the environment is missing or malformed; the message names it."""


def _var_dir() -> Path:
    return Path(os.environ.get("BOT_VAR_DIR", PROJECT_ROOT / "var"))


def _int(env: dict[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, got {raw!r}") from None


def _positive(env: dict[str, str], name: str, default: int) -> int:
    value = _int(env, name, default)
    if value < 1:
        raise SettingsError(f"{name} must be at least 1, got {value}")
    return value


class _Limits(TypedDict):
    status_codes_per_application: int
    status_codes_per_conversation: int
    status_window_minutes: int
    status_lock_minutes: int
    status_application_cap: int
    status_application_cap_minutes: int
    escalations_per_hour: int


class _Scale(TypedDict):
    rasa_workers: int
    rasa_worker_ports: tuple[int, ...]
    action_servers: int


def _limits(env: dict[str, str]) -> _Limits:
    """The status lookup's throttle and the escalation limit (see bot/status/throttle.py)."""
    return {
        "status_codes_per_application": _positive(env, "STATUS_CODES_PER_APPLICATION", 3),
        "status_codes_per_conversation": _positive(env, "STATUS_CODES_PER_CONVERSATION", 10),
        "status_window_minutes": _positive(env, "STATUS_WINDOW_MINUTES", 30),
        "status_lock_minutes": _positive(env, "STATUS_LOCK_MINUTES", 30),
        "status_application_cap": _positive(env, "STATUS_APPLICATION_CAP", 10),
        "status_application_cap_minutes": _positive(env, "STATUS_APPLICATION_CAP_MINUTES", 60),
        "escalations_per_hour": _positive(env, "ESCALATIONS_PER_HOUR", 3),
    }


def _scale(env: dict[str, str]) -> _Scale:
    raw_ports = [part.strip() for part in env.get("RASA_WORKER_PORTS", "").split(",") if part.strip()]
    try:
        ports = tuple(int(part) for part in raw_ports)
    except ValueError:
        raise SettingsError(f"RASA_WORKER_PORTS must be comma-separated ports, got {raw_ports!r}") from None
    workers = _int(env, "RASA_WORKERS", len(ports) or 1)  # the ports listed say how many, unless given
    action_servers = _int(env, "ACTION_SERVERS", 1)
    if workers < 1 or action_servers < 1:
        raise SettingsError("RASA_WORKERS and ACTION_SERVERS must be at least 1")
    if ports and len(ports) != workers:
        raise SettingsError(f"RASA_WORKER_PORTS lists {len(ports)} ports for RASA_WORKERS={workers}")
    return {"rasa_workers": workers, "rasa_worker_ports": ports, "action_servers": action_servers}


def web_origin(raw: str) -> str:
    """One allowed web-chat origin (`https://www.example.com[:port]`) in the form browsers send it.

    Lower case, no path, no default port; raises SettingsError for anything that is not an origin.
    """
    parts = urlsplit(raw.strip().rstrip("/"))
    try:
        port = parts.port
    except ValueError:
        port = -1
    malformed = parts.path or parts.query or parts.fragment or parts.username or parts.password or port == -1
    if parts.scheme not in ("http", "https") or not parts.hostname or malformed:
        raise SettingsError(f"WEB_CHAT_ORIGINS: {raw.strip()!r} is not an origin (https://www.example.com)")
    default_port = {"http": 80, "https": 443}[parts.scheme]
    host = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
    return f"{parts.scheme}://{host}" + (f":{port}" if port and port != default_port else "")


def _origins(env: dict[str, str]) -> tuple[str, ...]:
    """WEB_CHAT_ORIGINS: the other sites allowed to embed the chat and talk to socket.io."""
    raw = [part for part in env.get("WEB_CHAT_ORIGINS", "").split(",") if part.strip()]
    return tuple(dict.fromkeys(web_origin(part) for part in raw))


_HOST_NAME = re.compile(
    r"^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$"
)


def _public_hosts(env: dict[str, str]) -> tuple[str, ...]:
    """BOT_PUBLIC_HOSTS: the host names the bot is reached by (HAProxy refuses requests for others)."""
    hosts = [part.strip().lower().rstrip(".") for part in env.get("BOT_PUBLIC_HOSTS", "").split(",")]
    for host in filter(None, hosts):
        if not _HOST_NAME.match(host):
            raise SettingsError(f"BOT_PUBLIC_HOSTS: {host!r} is not a host name (bot.example.com, no port)")
    return tuple(dict.fromkeys(filter(None, hosts)))


def _agent_chat_id(env: dict[str, str]) -> int | None:
    """TELEGRAM_AGENT_CHAT_ID: the agents group's id (a group's id is negative), or None when unset."""
    raw = (env.get("TELEGRAM_AGENT_CHAT_ID") or "").strip()
    if not raw:
        return None
    try:
        chat_id = int(raw)
    except ValueError:
        raise SettingsError(f"TELEGRAM_AGENT_CHAT_ID must be a number, got {raw!r}") from None
    if chat_id >= 0:
        raise SettingsError("TELEGRAM_AGENT_CHAT_ID must be a group's id, which is negative")
    return chat_id


@dataclass(frozen=True)
class Settings:
    """Everything the processes need to know; build with `Settings.from_env()`."""

    var_dir: Path
    database_url: str
    tracker_store_url: str
    rasa_url: str = "http://127.0.0.1:5005"
    rasa_port: int = 5005
    action_port: int = 5055
    rasa_auth_token: str | None = None
    action_secret: str | None = None
    models_dir: Path = field(default=PROJECT_ROOT / "models")
    retention_days: int = 30
    """Conversations idle longer than this are deleted by `python -m bot.retention`."""
    rasa_workers: int = 1
    """Rasa server processes; above 1, `bot.router` listens on `rasa_port` and keeps conversations sticky."""
    rasa_worker_ports: tuple[int, ...] = ()
    """The workers' private ports (default: the `rasa_workers` ports after `rasa_port`)."""
    action_servers: int = 1
    """Action server processes on `action_port` and the ports after it (with several Rasa workers)."""
    messages_per_minute: int = 30
    """Messages one REST sender or web session may send per minute, across all workers (0: no limit)."""
    redis_url: str | None = None
    """REDIS_URL: conversation locks, message limits and socket.io's messages between workers; the production
    profile (RASA_WORKERS > 1) defaults to the local Redis, one process keeps both in memory."""
    web_session_secret: str | None = None
    """Signs web-chat session tokens (WEB_SESSION_SECRET); `bot.run` keeps one under var/ when unset."""
    web_chat_origins: tuple[str, ...] = ()
    """Sites (origins) besides the bot's own that may embed the chat page and connect to socket.io."""
    status_codes_per_application: int = 3
    """Wrong credit codes in a row one conversation may enter for one application ID before it locks."""
    status_codes_per_conversation: int = 10
    """Wrong credit codes one conversation may enter across all IDs within `status_window_minutes`."""
    status_window_minutes: int = 30
    status_lock_minutes: int = 30
    """How long one conversation's lock on an application ID lasts."""
    status_application_cap: int = 10
    """Wrong credit codes one application ID takes from all conversations together within
    `status_application_cap_minutes`; then no code for it is compared until the oldest leaves."""
    status_application_cap_minutes: int = 60
    escalations_per_hour: int = 3
    """Requests for a person one conversation makes per hour that reach the agents as their own card;
    later ones are still recorded and handed over, and listed in the agents' summary instead."""
    agent_chat_id: int | None = None
    """The support agents' Telegram group (TELEGRAM_AGENT_CHAT_ID); without one the bot hands nobody
    over to a person: it says so, records the question and says how else to reach support."""
    public_hosts: tuple[str, ...] = ()
    """BOT_PUBLIC_HOSTS: the names the public reaches the bot by; in the production profile HAProxy
    refuses any other Host (421) except IP addresses and localhost. Default: RASA_URL's host."""
    haproxy_monitor_port: int = 5004
    """HAPROXY_MONITOR_PORT: HAProxy's readiness listener on 127.0.0.1 (default RASA_PORT - 1)."""
    haproxy_request_timeout: int = 10
    """HAPROXY_REQUEST_TIMEOUT: seconds a client has to send a whole request, body included."""

    def worker_ports(self) -> tuple[int, ...]:
        """The ports of the Rasa workers behind the router."""
        return self.rasa_worker_ports or tuple(self.rasa_port + 1 + i for i in range(self.rasa_workers))

    def host_names(self) -> tuple[str, ...]:
        """The names HAProxy accepts in Host (besides addresses and localhost): BOT_PUBLIC_HOSTS, else RASA_URL's."""
        return self.public_hosts or tuple(filter(None, [urlsplit(self.rasa_url).hostname]))

    def action_ports(self) -> tuple[int, ...]:
        """The ports of the action servers."""
        return tuple(self.action_port + i for i in range(max(1, self.action_servers)))

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        """Read settings from `env` (default: the process environment)."""
        env = dict(os.environ if env is None else env)
        var_dir = Path(env.get("BOT_VAR_DIR") or _var_dir())
        rasa_port = _int(env, "RASA_PORT", 5005)
        return cls(
            var_dir=var_dir,
            database_url=database_url_from_env(env),
            tracker_store_url=env.get("TRACKER_STORE_URL") or f"sqlite:///{var_dir / 'tracker.db'}",
            rasa_url=(env.get("RASA_URL") or f"http://127.0.0.1:{rasa_port}").rstrip("/"),
            rasa_port=rasa_port,
            action_port=_int(env, "ACTION_PORT", 5055),
            rasa_auth_token=env.get("RASA_AUTH_TOKEN") or None,
            action_secret=env.get("ACTION_SERVER_SECRET") or None,
            models_dir=Path(env.get("BOT_MODELS_DIR") or PROJECT_ROOT / "models"),
            retention_days=_int(env, "RETENTION_DAYS", 30),
            messages_per_minute=_int(env, "MESSAGES_PER_MINUTE", 30),
            web_session_secret=env.get("WEB_SESSION_SECRET") or None,
            redis_url=env.get("REDIS_URL") or (LOCAL_REDIS_URL if _int(env, "RASA_WORKERS", 1) > 1 else None),
            web_chat_origins=_origins(env),
            agent_chat_id=_agent_chat_id(env),
            public_hosts=_public_hosts(env),
            haproxy_monitor_port=_positive(env, "HAPROXY_MONITOR_PORT", rasa_port - 1),
            haproxy_request_timeout=_positive(env, "HAPROXY_REQUEST_TIMEOUT", 10),
            **_limits(env),
            **_scale(env),
        )


def database_url_from_env(env: Mapping[str, str] | None = None) -> str:
    """`Settings.from_env(env).database_url` alone (actions ask for it on every call)."""
    env = os.environ if env is None else env
    return env.get("DATABASE_URL") or f"sqlite:///{Path(env.get('BOT_VAR_DIR') or _var_dir()) / 'bot.db'}"


LOCAL_REDIS_URL = "redis://127.0.0.1:6379/0"
"""The production profile's Redis when REDIS_URL is unset."""

RASA_PROCESS_ENV = {
    "RASA_TELEMETRY_ENABLED": "false",  # no calls home: this machine has no internet
    "TF_CPP_MIN_LOG_LEVEL": "2",
    "TF_ENABLE_ONEDNN_OPTS": "0",
    "PYTHONWARNINGS": "ignore::DeprecationWarning",
    "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
}
"""Environment every Rasa process (server, action server, training) runs with."""
