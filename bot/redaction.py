"""Log redaction for every process we start: no secret and no raw personal data reaches a log line.

`install()` replaces the logging record factory, so every record any library creates is scrubbed
when it is made — whatever handlers Rasa, rasa-sdk or Sanic add later. It redacts:

- the values of our secrets (RASA_AUTH_TOKEN, ACTION_SERVER_SECRET, TELEGRAM_BOT_TOKEN,
  TELEGRAM_WEBHOOK_SECRET, passwords inside DATABASE_URL / TRACKER_STORE_URL),
- anything shaped like a Telegram bot token, and `token=` / `secret=` query parameters,
- 身份证号, phone, bank card and account numbers (bot.privacy).

The entry modules `bot.rasa_server` and `bot.action_server` call it before anything else; the
gateway calls it from `bot.gateway.logs.configure_logging`, which also puts the same `Redactor` on
its handlers as a filter.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy.engine import make_url

from bot.privacy import mask_personal_data

REDACTED = "[REDACTED]"
SECRET_VARIABLES = (
    "RASA_AUTH_TOKEN",
    "ACTION_SERVER_SECRET",
    "TELEGRAM_BOT_TOKEN",
    "TELEGRAM_WEBHOOK_SECRET",
    "WEB_SESSION_SECRET",
)
URL_VARIABLES = ("DATABASE_URL", "TRACKER_STORE_URL")
MIN_SECRET_CHARS = 8
"""Shorter values are not treated as secrets (replacing them would shred ordinary words)."""

TELEGRAM_TOKEN = re.compile(r"\d{5,}:[A-Za-z0-9_-]{30,}")
SECRET_PARAMETER = re.compile(r"((?:token|secret|password)=)[^&\s'\"]+", re.IGNORECASE)


class Redactor(logging.Filter):
    """Turns any text into one that is safe to log; as a logging filter, scrubs each record it sees."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self._secrets: list[str] = []
        self.add_secrets(secrets)

    def add_secrets(self, secrets: Iterable[str]) -> None:
        """Also redact these values (short or empty ones are ignored)."""
        known = set(self._secrets) | {s for s in secrets if s and len(s) >= MIN_SECRET_CHARS}
        self._secrets = sorted(known, key=len, reverse=True)

    def redact(self, text: str) -> str:
        """Return `text` without secrets or personal data."""
        for secret in self._secrets:
            if secret in text:
                text = text.replace(secret, REDACTED)
        text = TELEGRAM_TOKEN.sub(REDACTED, text)
        text = SECRET_PARAMETER.sub(r"\1" + REDACTED, text)
        masked = mask_personal_data(text, escapes=True)  # log lines hold JSON and reprs: `\u200b`, `\uff11`
        return masked.text if masked.kinds else text

    def scrub(self, record: logging.LogRecord) -> None:
        """Redact a record in place: its message, exception text and stack."""
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a malformed record is still logged, as its template
            message = str(record.msg)
        record.msg, record.args = self.redact(message), ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)

    def filter(self, record: logging.LogRecord) -> bool:
        """Scrub `record` (a handler's second line of defence behind `install()`); never drops it."""
        self.scrub(record)
        return True


def secrets_from_env(env: Mapping[str, str] | None = None) -> list[str]:
    """The secret values configured in `env` (default: the process environment)."""
    env = os.environ if env is None else env
    found = [env.get(name, "").strip() for name in SECRET_VARIABLES]
    for name in URL_VARIABLES:
        try:
            password = make_url(env[name]).password
        except Exception:  # noqa: BLE001 - unset or not a URL: nothing to hide
            password = None
        found.append(password or "")
    return [value for value in found if value]


_installed: Redactor | None = None
_previous_factory: Any = None


def install(secrets: Iterable[str] = (), env: Mapping[str, str] | None = None) -> Redactor:
    """Scrub every log record this process creates from now on (safe to call more than once)."""
    global _installed, _previous_factory
    if _installed is not None:
        _installed.add_secrets([*secrets, *secrets_from_env(env)])
        return _installed
    redactor = _installed = Redactor([*secrets, *secrets_from_env(env)])
    make_record = _previous_factory = logging.getLogRecordFactory()

    def scrubbed_record(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = make_record(*args, **kwargs)
        try:
            redactor.scrub(record)
        except Exception:  # noqa: BLE001 - logging must never fail because of redaction
            record.msg, record.args = "[log record dropped: redaction failed]", ()
            record.exc_info = record.exc_text = None
        return record

    logging.setLogRecordFactory(scrubbed_record)
    logging.captureWarnings(True)
    return redactor


def uninstall() -> None:
    """Restore the record factory `install()` replaced (tests use this)."""
    global _installed, _previous_factory
    if _installed is not None:
        logging.setLogRecordFactory(_previous_factory)
        _installed = _previous_factory = None
