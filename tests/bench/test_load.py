"""The load generator counts errors, empty and unexpected replies instead of hiding them."""

from __future__ import annotations

import itertools
import socket
from collections.abc import AsyncIterator

import pytest
from aiohttp import web

from bench.load import Step, early_and_late, faq_conversations, percentile, run_level, status_conversations


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def fake_rest_channel() -> web.Application:
    """Answers "ok", `[]` for "empty", HTTP 500 for "boom", and "当前状态：初审中" for "code"."""

    async def webhook(request: web.Request) -> web.Response:
        body = await request.json()
        text = body["message"]
        if text == "boom":
            return web.Response(status=500, text="internal error")
        if text == "empty":
            return web.json_response([])
        reply = "当前状态：初审中" if text == "code" else f"ok {text}"
        return web.json_response([{"recipient_id": body["sender"], "text": reply}])

    app = web.Application()
    app.router.add_post("/webhooks/rest/webhook", webhook)
    return app


@pytest.fixture
async def rest_url() -> AsyncIterator[str]:
    runner = web.AppRunner(fake_rest_channel())
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    yield f"http://127.0.0.1:{port}"
    await runner.cleanup()


async def test_failures_are_counted_by_kind(rest_url: str) -> None:
    conversations = itertools.cycle(
        [
            [Step("hello"), Step("empty")],
            [Step("code", expect="当前状态：初审中")],
            [Step("hello", expect="当前状态")],
            [Step("boom"), Step("never sent")],
        ]
    )

    result = await run_level(rest_url, "mixed", conversations, concurrency=1, seconds=0, min_messages=12)
    summary = result.summary()

    # 5 messages a round (nothing is sent after "boom"): two rounds, then "hello", "empty"
    assert summary["messages"] == 12 and len(result.latencies_ms) == 10
    assert (summary["errors"], summary["empty_replies"], summary["unexpected_replies"]) == (2, 3, 2)
    assert any("HTTP 500" in sample for sample in summary["error_samples"])
    assert summary["messages_per_second"] > 0 and summary["p50_ms"] > 0


async def test_concurrent_applicants_all_get_answers(rest_url: str) -> None:
    result = await run_level(rest_url, "faq", faq_conversations(["a", "b", "c"]), concurrency=8, seconds=0.3)

    assert result.messages >= 8 and result.errors == result.empty_replies == result.unexpected_replies == 0


def test_status_conversations_expect_the_status_of_each_demo_application() -> None:
    first, second = itertools.islice(status_conversations(), 2)

    assert first == [Step("查询进度 RZ202611200001"), Step("B2C344", expect="当前状态：初审中")]
    assert second[1].expect == "当前状态：待打款验证"


def test_percentiles_are_nearest_rank() -> None:
    values = [float(n) for n in range(1, 101)]

    assert (percentile(values, 0.5), percentile(values, 0.95), percentile(values, 0.99)) == (50.0, 95.0, 99.0)
    assert percentile([7.0], 0.99) == 7.0 and percentile([], 0.5) == 0.0


async def test_early_and_late_messages_are_measured_side_by_side(rest_url: str) -> None:
    measured = await early_and_late(rest_url, ["a", "b"], early=3, late=8, samples=2)

    assert len(measured["early_ms"]) == len(measured["late_ms"]) == 2
    assert len(measured["long_conversation_ms"]) == 8
    assert measured["late_ms"] == measured["long_conversation_ms"][-2:]


async def test_a_long_conversation_stops_at_an_empty_reply(rest_url: str) -> None:
    with pytest.raises(RuntimeError, match="message 2 of a long conversation failed: empty reply"):
        await early_and_late(rest_url, ["a", "empty"], early=3, late=8, samples=2)
