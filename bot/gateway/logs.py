"""Logging for the gateway: one format, quiet HTTP libraries, and secrets redacted from every record."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from bot.redaction import Redactor, install


def configure_logging(secrets: Iterable[str] = (), level: int = logging.INFO) -> Redactor:
    """Log to stderr with secrets redacted; httpx (which logs request URLs, token included) at WARNING.

    Every record is scrubbed when it is made (`bot.redaction.install`: secrets, tokens, personal
    data), and once more by the same redactor as a filter on the root handlers.
    """
    redactor = install(secrets)
    root = logging.getLogger()
    if not root.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)-7s %(name)s - %(message)s"))
        root.addHandler(handler)
    for each in root.handlers:
        each.addFilter(redactor)
    root.setLevel(level)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    logging.captureWarnings(True)
    return redactor
