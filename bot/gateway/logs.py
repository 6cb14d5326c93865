"""Logging for the gateway: one format, quiet HTTP libraries, and secrets redacted from every record."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

from bot.redaction import install as install_redaction

TOKEN_IN_TEXT = re.compile(r"bot\d+:[A-Za-z0-9_-]{30,}|\d{5,}:[A-Za-z0-9_-]{30,}")
REDACTED = "[REDACTED]"


class RedactSecrets(logging.Filter):
    """Replaces bot tokens (and any configured secret) in a record's message, exception and stack."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self._secrets = sorted({s for s in secrets if s and len(s) >= 8}, key=len, reverse=True)

    def redact(self, text: str) -> str:
        """Return `text` without secrets."""
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        return TOKEN_IN_TEXT.sub(REDACTED, text)

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a malformed record is still logged, as its template
            message = str(record.msg)
        record.msg, record.args = self.redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


def configure_logging(secrets: Iterable[str] = (), level: int = logging.INFO) -> RedactSecrets:
    """Log to stderr with secrets redacted; httpx (which logs request URLs, token included) at WARNING."""
    secrets = list(secrets)
    install_redaction(secrets)  # every record, whoever logs it: personal data and secrets scrubbed
    redactor = RedactSecrets(secrets)
    root = logging.getLogger()
    if not root.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)-7s %(name)s - %(message)s"))
        root.addHandler(handler)
    for handler in root.handlers:
        handler.addFilter(redactor)
    root.setLevel(level)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    logging.captureWarnings(True)
    return redactor
