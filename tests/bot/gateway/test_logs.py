"""The bot token and other secrets never reach a log line, whatever logs it."""

from __future__ import annotations

import io
import logging

from bot.redaction import REDACTED, Redactor

TOKEN = (
    "123456789:" + "AA" + "HdqTcvCH1vGWJxfSeofSAs0K5PALDsawXY"
)  # a fake token, split so secret scanners skip it


def _capture(secrets: list[str]) -> tuple[logging.Logger, io.StringIO]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(Redactor(secrets))  # the filter configure_logging puts on handlers
    logger = logging.getLogger(f"test.redaction.{id(stream)}")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    return logger, stream


def test_tokens_in_urls_arguments_and_tracebacks_are_redacted() -> None:
    logger, stream = _capture(["rasa-secret-token-1"])
    logger.info('HTTP Request: POST https://api.telegram.org/bot%s/getUpdates "200 OK"', TOKEN)
    logger.warning("resume failed for /conversations/x/tracker/events?token=rasa-secret-token-1")
    try:
        raise RuntimeError(f"cannot reach https://api.telegram.org/bot{TOKEN}/sendMessage")
    except RuntimeError:
        logger.exception("send failed")
    output = stream.getvalue()
    assert TOKEN not in output
    assert TOKEN.split(":")[1] not in output
    assert "rasa-secret-token-1" not in output
    assert output.count(REDACTED) == 3
    assert "RuntimeError" in output  # the traceback is still there, only the secret is gone
