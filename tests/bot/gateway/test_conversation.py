"""An applicant's turn is answered even when the typing indicator misbehaves."""

from __future__ import annotations

import asyncio
from typing import Any

from telegram.error import NetworkError

from bot.gateway.conversation import Conversations
from bot.gateway.rasa_client import RasaClient
from bot.rate_limit import MessageLimiter
from tests.bot.gateway.fake_rasa import FakeRasa


class CancellationToNetworkErrorBot:
    """A Bot whose "typing…" request turns a cancellation into a network error, as httpx can (encode/httpx#2381)."""

    def __init__(self) -> None:
        self.typing_requests = 0

    async def send_chat_action(self, chat_id: int, action: Any) -> bool:
        self.typing_requests += 1
        try:
            await asyncio.sleep(3600)  # a request still in flight when the answer arrives
        except asyncio.CancelledError:
            raise NetworkError("httpx.ConnectError: All connection attempts failed") from None
        return True


async def test_the_answer_does_not_wait_for_a_typing_request_that_swallows_its_cancellation(
    fake_rasa: FakeRasa,
) -> None:
    bot = CancellationToNetworkErrorBot()
    rasa = RasaClient(fake_rasa.url)
    conversations = Conversations(
        bot,  # type: ignore[arg-type]
        None,  # type: ignore[arg-type]
        rasa,
        None,  # type: ignore[arg-type]
        None,  # type: ignore[arg-type]
        None,  # type: ignore[arg-type]
        slow_notice_after=30.0,
        limiter=MessageLimiter(0),
    )
    try:
        replies = await asyncio.wait_for(conversations._ask_rasa(1, 42, "42", "你好"), timeout=10)
    finally:
        await rasa.aclose()

    assert [reply.text for reply in replies] == ["收到：你好"]
    await asyncio.sleep(0.1)
    assert bot.typing_requests == 1  # and the indicator stopped: no request after the answer
