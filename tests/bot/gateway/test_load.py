"""Benchmark: N applicants chatting at once through fake Telegram → gateway → real Rasa; prints reply latency.

Run alone with `-s` to see the figures:
    .venv/bin/python -m pytest tests/bot/gateway/test_load.py -q -s
Latency is from the moment the update is available at the fake Bot API to the first reply
Telegram accepted. Applicants wait for each answer and "think" THINK_S before the next message,
as people do (a chat gets at most ~1 message/s anyway). For comparison the same load is first
sent straight to Rasa's REST channel: the difference is what the gateway adds.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from bot.run import Stack
from tests.bot.gateway.conftest import GatewayProcess, new_user_id
from tests.bot.gateway.fake_telegram import FakeTelegram

pytestmark = pytest.mark.servers

APPLICANTS = 20
QUESTIONS = ["你好", "认证需要费用吗", "营业执照要上传什么", "谢谢"]
THINK_S = 1.0
REPLY_TIMEOUT_S = 60.0


def _conversation(telegram: FakeTelegram, applicant: int) -> list[float]:
    latencies = []
    for question in QUESTIONS:
        before = len(telegram.texts(applicant))
        started = time.monotonic()
        telegram.send_text(applicant, question)
        telegram.wait_for_texts(applicant, before + 1, timeout=REPLY_TIMEOUT_S)
        latencies.append(time.monotonic() - started)
        time.sleep(THINK_S)
    return latencies


def _rest_conversation(rasa_url: str, sender: str) -> list[float]:
    latencies = []
    with httpx.Client(base_url=rasa_url, timeout=REPLY_TIMEOUT_S) as client:
        for question in QUESTIONS:
            started = time.monotonic()
            client.post(
                "/webhooks/rest/webhook", json={"sender": sender, "message": question}
            ).raise_for_status()
            latencies.append(time.monotonic() - started)
            time.sleep(THINK_S)
    return latencies


def _run(conversation: Callable[[int], list[float]], label: str) -> list[float]:
    started = time.monotonic()
    with ThreadPoolExecutor(APPLICANTS) as pool:
        results = list(pool.map(conversation, [new_user_id() for _ in range(APPLICANTS)]))
    elapsed = time.monotonic() - started
    latencies = sorted(value for result in results for value in result)
    p95 = latencies[max(0, round(0.95 * len(latencies)) - 1)]
    print(
        f"\n[{label}] {APPLICANTS} concurrent applicants x {len(QUESTIONS)} messages = {len(latencies)} turns "
        f"in {elapsed:.1f} s; reply latency p50 {statistics.median(latencies) * 1000:.0f} ms, "
        f"p95 {p95 * 1000:.0f} ms, max {latencies[-1] * 1000:.0f} ms"
    )
    return latencies


def test_concurrent_applicants_reply_latency(
    telegram: FakeTelegram, gateway: GatewayProcess, stack: Stack
) -> None:
    _run(lambda applicant: _rest_conversation(stack.settings.rasa_url, f"rest-{applicant}"), "rasa REST only")
    latencies = _run(lambda applicant: _conversation(telegram, applicant), "telegram → gateway → rasa")
    assert len(latencies) == APPLICANTS * len(QUESTIONS)  # everyone was answered (no timing assertion)
