"""The socket.io channel: replies arrive, input is masked, and sessions cannot be chosen by the client."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from bot.run import Stack
from tests.reliability.replies import disclosed, response_text
from tests.support.socketio_client import WebChat, one_session

pytestmark = pytest.mark.servers

VICTIM_ID, VICTIM_CODE = "RZ202611200001", "B2C344"


def test_replies_arrive_and_personal_data_is_flagged(stack: Stack) -> None:
    fees, personal = asyncio.run(
        one_session(stack.settings.rasa_url, ["认证需要费用吗", "我的手机号13812345678"])
    )
    assert any("免费" in message.get("text", "") for message in fees)
    assert personal and personal[0]["text"] == response_text("utter_personal_data_hidden")


async def _verified_victim(url: str) -> WebChat:
    victim = WebChat(url)
    await victim.connect()
    await victim.say(f"查询 {VICTIM_ID}")
    assert disclosed(await victim.say(VICTIM_CODE)), "the victim should see its own report"
    return victim


def test_the_server_issues_the_session_and_ignores_one_the_client_makes_up(stack: Stack) -> None:
    async def scenario() -> tuple[str | None, str | None]:
        chat = WebChat(stack.settings.rasa_url)
        token = await chat.connect("my-own-choice")
        await chat.close()
        return token, None

    token, _ = asyncio.run(scenario())
    assert token and token != "my-own-choice" and "." in token


def test_a_web_client_cannot_borrow_a_verified_conversation(stack: Stack) -> None:
    """Naming the victim's token, its conversation id or made-up ids never shows the victim's report."""

    async def scenario() -> list[tuple[str, list[str]]]:
        url = stack.settings.rasa_url
        victim = await _verified_victim(url)
        assert victim.token is not None
        local = victim.token.split(".")[0]
        forged = [
            f"{local}.{'A' * 32}",  # right id, wrong signature
            local,  # the id without a signature
            f"web:{local}",  # the conversation id itself
            victim.token + "x",
            victim.token.upper(),
        ]
        leaks = []
        for session_id in forged:
            attacker = WebChat(url)
            await attacker.connect(session_id)
            for message in ("再查一下", VICTIM_ID, f'/check_status{{"application_id": "{VICTIM_ID}"}}'):
                replies = await attacker.say(message)
                leaks.append((session_id, disclosed(replies)))
                # the message's own session_id never selects a conversation either
                replies = await attacker.say(message, session_id=victim.token)
                leaks.append((session_id, disclosed(replies)))
            await attacker.close()
        # the victim, reconnecting with its own token, still has its conversation
        await victim.close()
        again = WebChat(url)
        renewed = await again.connect(victim.token)
        assert (
            renewed and renewed.split(".")[0] == victim.token.split(".")[0]
        )  # the same conversation, renewed
        assert disclosed(await again.say(VICTIM_ID)), "the owner's own session goes on"
        await again.close()
        return leaks

    leaks = asyncio.run(scenario())
    assert [leak for leak in leaks if leak[1]] == []


def test_malformed_events_get_a_reason_and_the_server_keeps_serving(stack: Stack) -> None:
    async def scenario() -> tuple[list[object], list[dict[str, object]]]:
        chat = WebChat(stack.settings.rasa_url)
        await chat.connect(request="\ud800")  # a session request that is not even an object
        for raw in ([], "text", {"message": ["列表"]}, {"message": 42}, None):
            await chat.say(None, raw=raw)
        errors = list(chat.errors)
        answer = await chat.say("认证需要费用吗\ud800\x00")
        await chat.close()
        return errors, answer

    errors, answer = asyncio.run(scenario())
    assert len(errors) == 5
    assert all(any("\u4e00" <= char <= "\u9fff" for char in error["error"]) for error in errors)
    assert any("免费" in str(message.get("text", "")) for message in answer)


@pytest.mark.parametrize(
    ("query", "headers", "words"),
    [
        pytest.param("", {}, "Socket.IO 3 或 4", id="no protocol version"),
        pytest.param("?EIO=3&transport=polling", {}, "Socket.IO 3 或 4", id="socket.io v2 client"),
        pytest.param(
            "?EIO=4&transport=polling",
            {"Origin": "https://evil.com"},
            "不能连接在线客服",
            id="another origin",
        ),
        pytest.param("?EIO=4&transport=polling&sid=bogus", {}, "连接已失效", id="unknown session"),
        pytest.param("?EIO=4&transport=carrier-pigeon", {}, "不支持这种连接方式", id="unknown transport"),
    ],
)
def test_refused_socketio_requests_get_chinese_json_with_the_same_status(
    stack: Stack, query: str, headers: dict[str, str], words: str
) -> None:
    refused = httpx.get(f"{stack.settings.rasa_url}/socket.io/{query}", headers=headers, timeout=10)
    assert refused.status_code == 400
    assert refused.headers["Content-Type"].startswith("application/json")
    error = refused.json()["error"]
    assert words in error and "evil" not in error and "bogus" not in error


def test_a_polling_post_to_an_unknown_session_gets_chinese_json(stack: Stack) -> None:
    refused = httpx.post(
        f"{stack.settings.rasa_url}/socket.io/?EIO=4&transport=polling&sid=bogus", content=b"40", timeout=10
    )
    assert refused.status_code == 400 and "连接已失效" in refused.json()["error"]
