"""The gateway's settings: one frozen dataclass read from the environment."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from bot.settings import Settings, SettingsError

TOKEN_PATTERN = re.compile(r"\d+:[A-Za-z0-9_-]{30,}")
_SECRET_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,256}")
DEFAULT_API_BASE_URL = "https://api.telegram.org/bot"


def _float(env: dict[str, str], name: str, default: float, unit: str = "seconds") -> float:
    raw = env.get(name)
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a number of {unit}, got {raw!r}") from None
    if not (0 < value < float("inf")):  # also refuses nan and inf
        raise SettingsError(f"{name} must be positive, got {raw!r}")
    return value


def _minutes(env: dict[str, str], name: str, default: float) -> float:
    raw = (env.get(name) or "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a number of minutes (0: off), got {raw!r}") from None
    if not 0 <= value < 100_000:
        raise SettingsError(f"{name} must be between 0 and 100000 minutes, got {raw!r}")
    return value


def _count(env: dict[str, str], name: str, default: int) -> int:
    raw = (env.get(name) or "").strip()
    if not raw:
        return default
    if not raw.isdigit():
        raise SettingsError(f"{name} must be a whole number, got {raw!r}")
    return int(raw)


def _user_ids(env: dict[str, str], name: str) -> frozenset[int] | None:
    raw = (env.get(name) or "").strip()
    if not raw:
        return None
    parts = [part for part in re.split(r"[\s,]+", raw) if part]
    if not all(part.isascii() and part.isdigit() and int(part) > 0 for part in parts):
        raise SettingsError(
            f"{name} must list Telegram user ids (positive numbers, comma-separated), got {raw!r}"
        )
    return frozenset(int(part) for part in parts)


def _http_url(env: dict[str, str], name: str, default: str) -> str:
    value = (env.get(name) or default).strip()
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise SettingsError(f"{name} must be an http(s) URL, got {value!r}")
    return value


@dataclass(frozen=True)
class GatewaySettings:
    """What `python -m bot.gateway` needs; build with `GatewaySettings.from_env()`."""

    bot_token: str
    agent_chat_id: int
    database_url: str
    api_base_url: str = DEFAULT_API_BASE_URL
    rasa_url: str = "http://127.0.0.1:5005"
    rasa_auth_token: str | None = None
    webhook_url: str | None = None
    webhook_secret: str | None = None
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = 8443
    poll_timeout: float = 10.0
    rasa_timeout: float = 70.0
    slow_notice_after: float = 12.0
    store_give_up: float = 60.0
    """An update that cannot be stored this many seconds ends the gateway (GATEWAY_STORE_GIVE_UP_SECONDS)."""
    cards_per_minute: int = 5
    """Escalation cards the agents group gets per minute; beyond, a burst becomes one summary."""
    summary_interval: float = 30.0
    messages_per_minute: int = 30
    """Messages one applicant's chat may send in any 60 s (MESSAGES_PER_MINUTE, as on REST and the web)."""
    """At most one summary (and one alerts message) this often, in seconds."""
    reminder_minutes: float = 10.0
    """An escalation nobody claimed this long is named again in the agents group (0: never)."""
    auto_resolve_minutes: float = 30.0
    """A case where nobody wrote for this long ends by itself (AUTO_RESOLVE_MINUTES; 0: never)."""
    handoff_wait_minutes: float = 10.0
    """An escalation no agent took in this many minutes tells its applicant so, once (HANDOFF_WAIT_MINUTES)."""
    agent_ids: frozenset[int] | None = None
    """TELEGRAM_AGENT_IDS: when set, only these members of the agents group act as agents (None: every member)."""

    @property
    def uses_webhook(self) -> bool:
        """Webhook mode when TELEGRAM_WEBHOOK_URL is set, long polling otherwise."""
        return self.webhook_url is not None

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> GatewaySettings:
        """Read and check the settings; raise SettingsError naming the first bad one."""
        env = dict(os.environ if env is None else env)
        base = Settings.from_env(env)
        token = (env.get("TELEGRAM_BOT_TOKEN") or "").strip()
        if not token:
            raise SettingsError("TELEGRAM_BOT_TOKEN is not set (the token @BotFather gave you)")
        if not TOKEN_PATTERN.fullmatch(token):
            raise SettingsError("TELEGRAM_BOT_TOKEN does not look like a bot token (<digits>:<35 chars>)")
        raw_chat = (env.get("TELEGRAM_AGENT_CHAT_ID") or "").strip()
        if not raw_chat:
            raise SettingsError(
                "TELEGRAM_AGENT_CHAT_ID is not set (the agents group's chat id, e.g. -1001234567890)"
            )
        try:
            agent_chat_id = int(raw_chat)
        except ValueError:
            raise SettingsError(f"TELEGRAM_AGENT_CHAT_ID must be a number, got {raw_chat!r}") from None
        if agent_chat_id >= 0:
            raise SettingsError("TELEGRAM_AGENT_CHAT_ID must be a group's id, which is negative")
        webhook_url = (env.get("TELEGRAM_WEBHOOK_URL") or "").strip() or None
        webhook_secret = (env.get("TELEGRAM_WEBHOOK_SECRET") or "").strip() or None
        if webhook_url is not None:
            if urlsplit(webhook_url).scheme != "https":
                raise SettingsError("TELEGRAM_WEBHOOK_URL must be an https URL Telegram can reach")
            if webhook_secret is None or not _SECRET_PATTERN.fullmatch(webhook_secret):
                raise SettingsError(
                    "TELEGRAM_WEBHOOK_SECRET must be set in webhook mode (1-256 characters A-Z a-z 0-9 _ -)"
                )
        port_raw = env.get("TELEGRAM_WEBHOOK_PORT") or "8443"
        if not port_raw.isdigit() or not 0 < int(port_raw) < 65536:
            raise SettingsError(f"TELEGRAM_WEBHOOK_PORT must be a port number, got {port_raw!r}")
        return cls(
            bot_token=token,
            agent_chat_id=agent_chat_id,
            database_url=base.database_url,
            api_base_url=_http_url(env, "TELEGRAM_API_BASE_URL", DEFAULT_API_BASE_URL),
            rasa_url=_http_url(env, "RASA_URL", base.rasa_url).rstrip("/"),
            rasa_auth_token=base.rasa_auth_token,
            webhook_url=webhook_url,
            webhook_secret=webhook_secret,
            webhook_listen=env.get("TELEGRAM_WEBHOOK_LISTEN") or "127.0.0.1",
            webhook_port=int(port_raw),
            poll_timeout=_float(env, "TELEGRAM_POLL_TIMEOUT", 10.0),
            rasa_timeout=_float(env, "GATEWAY_RASA_TIMEOUT", 70.0),
            slow_notice_after=_float(env, "GATEWAY_SLOW_NOTICE_AFTER", 12.0),
            store_give_up=_float(env, "GATEWAY_STORE_GIVE_UP_SECONDS", 60.0),
            cards_per_minute=_count(env, "AGENT_CARDS_PER_MINUTE", 5),
            summary_interval=_float(env, "AGENT_SUMMARY_SECONDS", 30.0),
            messages_per_minute=base.messages_per_minute,
            reminder_minutes=_minutes(env, "AGENT_REMINDER_MINUTES", 10.0),
            auto_resolve_minutes=_minutes(env, "AUTO_RESOLVE_MINUTES", 30.0),
            handoff_wait_minutes=_float(env, "HANDOFF_WAIT_MINUTES", 10.0, "minutes"),
            agent_ids=_user_ids(env, "TELEGRAM_AGENT_IDS"),
        )
