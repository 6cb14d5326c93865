"""Slots holding an application's details do not carry over into a new conversation session."""

from __future__ import annotations

import httpx
import pytest

from bot.run import Stack
from tests.reliability.replies import disclosed, response_text
from tests.support.rest import RestClient

pytestmark = pytest.mark.servers


def _slots(stack: Stack, sender: str) -> dict[str, object]:
    tracker = httpx.get(
        f"{stack.settings.rasa_url}/conversations/rest:{sender}/tracker",
        params={"token": stack.auth_token},
        timeout=30,
    ).json()
    return tracker["slots"]


def test_a_new_session_forgets_the_application_and_asks_for_the_code_again(
    stack: Stack, rest: RestClient, sender: str
) -> None:
    rest.send(sender, "查询 RZ202611200001")
    assert disclosed(rest.send(sender, "b2c344"))
    assert _slots(stack, sender)["application_id"] == "RZ202611200001"

    rest.send(sender, "/session_start")  # what Rasa does after 60 idle minutes (session_config)
    slots = _slots(stack, sender)
    assert slots["application_id"] is None and slots["credit_code_suffix"] is None
    assert rest.texts(sender, "RZ202611200001 现在什么状态") == response_text("utter_ask_credit_code_suffix")
