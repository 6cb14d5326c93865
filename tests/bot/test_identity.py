"""Conversation ids carry their channel and cannot be made up by a client."""

from __future__ import annotations

import pytest

from bot import identity
from bot.errors import InvalidRequest
from bot.identity import CONVERSATION_ID_LENGTH, MAX_LOCAL_ID, Channel, WebSessions

SECRET = "s" * 32


def test_each_channel_has_its_prefix() -> None:
    assert identity.telegram(123456789) == "tg:123456789"
    assert identity.rest("alice") == "rest:alice"
    assert identity.channel_of("tg:1") is Channel.TELEGRAM
    assert identity.channel_of("web:abc") is Channel.WEB
    assert identity.channel_of("rest:x") is Channel.REST
    assert identity.channel_of("123") is None and identity.channel_of("tg:") is None


def test_telegram_user_id_is_read_only_from_telegram_conversations() -> None:
    assert identity.telegram_user_id("tg:42") == 42
    for other in ("rest:tg:42", "42", "tg:4x2", "tg:", "web:42", "tg:٤٢"):
        assert identity.telegram_user_id(other) is None, other


@pytest.mark.parametrize("bad", [0, -5, True, "12"])
def test_telegram_ids_must_be_positive_whole_numbers(bad: object) -> None:
    with pytest.raises(ValueError):
        identity.telegram(bad)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "sender",
    ["", "   ", " a", "iso_A ", "  padded  ", "a\u3000", "\ud800", "a\x00b", "a\u200bb", "a\nb", "a\u202eb"]
    + ["x" * 65, None, 1.5, [], {}, True],
)
def test_rest_senders_that_cannot_be_stored_are_refused(sender: object) -> None:
    with pytest.raises(InvalidRequest):
        identity.check_sender(sender)


@pytest.mark.parametrize("sender", ["alice", "用户 42", "crm:4711/客户", "x" * 64, 42, "inner  spaces"])
def test_ordinary_rest_senders_are_accepted(sender: object) -> None:
    assert identity.rest(sender).startswith("rest:")
    assert len(identity.rest(sender)) <= CONVERSATION_ID_LENGTH


def test_every_kind_fits_the_column_length() -> None:
    sessions = WebSessions(SECRET)
    _, web = sessions.issue()
    longest = [identity.telegram(2**63 - 1), web, identity.rest("x" * MAX_LOCAL_ID[Channel.REST])]
    assert max(len(conversation) for conversation in longest) <= CONVERSATION_ID_LENGTH


def test_a_web_session_is_honoured_only_with_our_signature() -> None:
    sessions = WebSessions(SECRET)
    token, conversation = sessions.issue()
    assert conversation.startswith("web:") and token.split(".")[0] == conversation[4:]
    assert sessions.conversation_of(sessions.renew(conversation)) == conversation
    assert sessions.conversation_of(token) == conversation
    local = token.split(".")[0]
    for forged in (
        local,
        conversation,
        f"{local}.",
        f"{local}.{'A' * 32}",
        token + "x",
        token.upper(),
        "\ud800",
        None,
        42,
        "é" * 60,
        "x" * 500,
    ):
        assert sessions.conversation_of(forged) is None, forged
    assert WebSessions("another secret, 32 characters!!").conversation_of(token) is None


def test_tokens_are_unique() -> None:
    sessions = WebSessions(SECRET)
    assert len({sessions.issue()[1] for _ in range(1000)}) == 1000


def test_a_web_session_token_stops_working_after_its_lifetime_unless_renewed() -> None:
    from datetime import timedelta

    now = [1_800_000_000.0]
    sessions = WebSessions(SECRET, max_age=timedelta(hours=1), clock=lambda: now[0])
    token, conversation = sessions.issue()
    now[0] += 3000
    renewed = sessions.renew(conversation)  # a reconnect
    now[0] += 1000
    assert sessions.conversation_of(token) is None  # 4,000 s old
    assert sessions.conversation_of(renewed) == conversation  # 1,000 s old
    local, _issued, signature = renewed.split(".")
    assert sessions.conversation_of(f"{local}.{format(int(now[0]), 'x')}.{signature}") is None  # re-dated
