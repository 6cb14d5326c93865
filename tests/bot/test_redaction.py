"""Log records lose secrets and personal data when they are made, whatever handler writes them later."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.redaction import REDACTED, Redactor, install, secrets_from_env, uninstall

TOKEN = (
    "123456789:" + "AA" + "HdqTcvCH1vGWJxfSeofSAs0K5PALDsawXY"
)  # a fake token, split so secret scanners skip it
RESIDENT_ID = "11010519491231002X"
PHONE = "13812345678"
CARD = "6222021234567890128"


@pytest.fixture
def captured() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    """A logger whose handler is added *after* install(), as Rasa and Sanic add theirs."""
    install(["action-server-secret-1"], env={"DATABASE_URL": "postgresql://bot:db-password-42@db/bot"})
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    logger = logging.getLogger("test.redaction.installed")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    yield logger, stream
    logger.removeHandler(handler)
    uninstall()


def test_secrets_and_personal_data_are_gone_from_messages_arguments_and_tracebacks(
    captured: tuple[logging.Logger, io.StringIO],
) -> None:
    logger, stream = captured
    logger.info("user said %r", f"身份证 {RESIDENT_ID} 手机 {PHONE} 卡号 {CARD}")
    logger.debug('POST https://api.telegram.org/bot%s/getUpdates "200 OK"', TOKEN)
    logger.warning("GET /conversations/x/tracker?token=abcdefgh12345678&include_events=ALL")
    logger.error("header X-Action-Secret: action-server-secret-1; db password db-password-42")
    try:
        raise RuntimeError(
            f"tracker {{'text': '{PHONE}'}} at https://api.telegram.org/bot{TOKEN}/sendMessage"
        )
    except RuntimeError:
        logger.exception("failed")
    logger.info({"slots": {"phone": PHONE}})  # not even a string
    output = stream.getvalue()
    for leaked in (
        RESIDENT_ID,
        PHONE,
        CARD,
        TOKEN,
        TOKEN.split(":")[1],
        "abcdefgh12345678",
        "action-server-secret-1",
        "db-password-42",
    ):
        assert leaked not in output
    assert "138****5678" in output and "RuntimeError" in output and REDACTED in output


def test_secrets_come_from_the_environment() -> None:
    env = {
        "RASA_AUTH_TOKEN": "rasa-token-123",
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "ACTION_SERVER_SECRET": "short",
        "TRACKER_STORE_URL": "postgresql://u:tracker-pass@h/db",
        "DATABASE_URL": "sqlite:///var/bot.db",
    }
    assert set(secrets_from_env(env)) == {"rasa-token-123", TOKEN, "short", "tracker-pass"}
    assert Redactor(["short"]).redact("a short text") == "a short text"  # too short to be treated as a secret


@settings(max_examples=500, deadline=None)
@given(prefix=st.text(max_size=30), suffix=st.text(max_size=30))
def test_redaction_never_lets_a_canary_through(prefix: str, suffix: str) -> None:
    redactor = Redactor(["canary-secret-value"])
    for canary in (RESIDENT_ID, PHONE, CARD, TOKEN, "canary-secret-value"):
        redacted = redactor.redact(f"{prefix} {canary} {suffix}")
        assert canary not in redacted


def test_personal_data_in_reprs_and_json_escapes_is_masked(
    captured: tuple[logging.Logger, io.StringIO],
) -> None:
    logger, stream = captured
    hidden = "1\u200b38 1234\u00ad5678"  # repr() shows the invisible characters as \u200b and \xad
    full_width = "".join(chr(0xFF10 + int(digit)) for digit in CARD)  # json.dumps escapes them all
    logger.debug("message %r, tracker %s", hidden, json.dumps({"slot": full_width, "id": RESIDENT_ID}))
    output = stream.getvalue()
    assert "138****5678" in output and "***************0128" in output and "**************002X" in output
    assert "1234" not in output and "\\uff16\\uff12\\uff12\\uff12" not in output  # 6222 of the card
