"""The socket.io channel answers (Rasa 3.6's own one sends replies to a room nobody joined) and masks input."""

from __future__ import annotations

import asyncio

import pytest

from bot.run import Stack
from tests.reliability.replies import response_text
from tests.support.socketio_client import one_session

pytestmark = pytest.mark.servers


def test_replies_arrive_and_personal_data_is_flagged(stack: Stack) -> None:
    fees, personal = asyncio.run(one_session(stack.settings.rasa_url, ["认证需要费用吗", "我的手机号13812345678"]))
    assert any("免费" in message.get("text", "") for message in fees)
    assert personal and personal[0]["text"] == response_text("utter_personal_data_hidden")
