"""The REST channel answers every message and rejects malformed bodies clearly."""

from __future__ import annotations

import httpx
import pytest
import yaml

from bot.errors import InvalidRequest
from bot.inbound import MAX_INPUT_CHARS
from bot.rasa_ext.rest_channel import parse_body
from bot.run import Stack
from bot.settings import PROJECT_ROOT
from tests.support.rest import RestClient

DOMAIN = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))


def text_of(name: str) -> str:
    return DOMAIN["responses"][name][0]["text"].strip()


@pytest.mark.parametrize(
    "body",
    [
        None,
        [],
        "hi",
        3,
        {"message": "你好"},
        {"sender": "", "message": "你好"},
        {"sender": True, "message": "你好"},
        {"sender": "x" * 200, "message": "你好"},
        {"sender": "u1", "message": ["你好"]},
        {"sender": "\ud800", "message": "你好"},
        {"sender": "a\x00b", "message": "你好"},
        {"sender": "a\u200bb", "message": "你好"},
        {"sender": "x" * 65, "message": "你好"},
        {"sender": "line\nbreak", "message": "你好"},
    ],
)
def test_malformed_bodies_are_refused(body: object) -> None:
    with pytest.raises(InvalidRequest):
        parse_body(body)


def test_numeric_sender_is_accepted_as_text() -> None:
    assert parse_body({"sender": 42, "message": "你好"}) == ("rest:42", "你好")


def test_a_rest_sender_cannot_name_another_channels_conversation() -> None:
    assert parse_body({"sender": "tg:12345", "message": "你好"})[0] == "rest:tg:12345"
    assert parse_body({"sender": "web:abc", "message": "你好"})[0] == "rest:web:abc"


@pytest.mark.servers
@pytest.mark.parametrize(
    "raw",
    [b"", b"{not json", b"null", b"[]", b'{"message": "\\u4f60\\u597d"}', b'{"sender": 1.5, "message": "x"}'],
)
def test_server_answers_malformed_bodies_with_400_and_chinese_reason(stack: Stack, raw: bytes) -> None:
    reply = httpx.post(
        f"{stack.settings.rasa_url}/webhooks/rest/webhook",
        content=raw,
        headers={"Content-Type": "application/json"},
        timeout=30,
    )
    assert reply.status_code == 400
    assert any("\u4e00" <= char <= "\u9fff" for char in reply.json()["error"])


@pytest.mark.servers
def test_a_sender_with_a_space_at_either_end_is_refused_not_trimmed(stack: Stack, sender: str) -> None:
    """`" a"` is not `"a"`: it gets the 400 for a bad sender instead of someone else's conversation."""
    url = f"{stack.settings.rasa_url}/webhooks/rest/webhook"
    for padded in (f" {sender}", f"{sender} ", f"  {sender}  "):
        refused = httpx.post(url, json={"sender": padded, "message": "你好"}, timeout=30)
        assert refused.status_code == 400, padded
        assert refused.json() == {"error": text_of("utter_request_bad_sender")}, padded
    inner = f"{sender} 2"
    answered = httpx.post(url, json={"sender": inner, "message": "你好"}, timeout=30)
    assert answered.status_code == 200 and answered.json()
    assert {reply["recipient_id"] for reply in answered.json()} == {inner}


@pytest.mark.servers
@pytest.mark.parametrize("blank", ["", "   ", "\u200b\u200b", "\n\t"])
def test_empty_message_gets_a_hint(rest: RestClient, sender: str, blank: str) -> None:
    assert rest.texts(sender, blank) in (text_of("utter_empty_message"), text_of("utter_default"))


@pytest.mark.servers
def test_very_long_message_is_cut_and_still_answered(rest: RestClient, sender: str) -> None:
    replies = rest.send(sender, "认证需要费用吗" + "啊" * 10_000)
    assert replies[0]["text"] == text_of("utter_message_too_long")
    assert len(replies) >= 2 and all(r.get("text") for r in replies)
    assert str(MAX_INPUT_CHARS) in text_of("utter_message_too_long")


@pytest.mark.servers
def test_personal_data_is_flagged_to_the_applicant(rest: RestClient, sender: str) -> None:
    replies = rest.send(sender, "我的手机号13812345678，认证需要费用吗")
    assert replies[0]["text"] == text_of("utter_personal_data_hidden")
    assert len(replies) >= 2


@pytest.mark.servers
@pytest.mark.parametrize("command", ["/restart", "/session_start", "/back"])
def test_rasa_commands_that_say_nothing_get_the_greeting(rest: RestClient, sender: str, command: str) -> None:
    rest.send(sender, "认证需要费用吗")
    assert rest.texts(sender, command) == text_of("utter_greet")
