"""Benchmark (`make reliability` only): N applicants × 10 turns over REST at once; the largest N with p95 < 1 s.

Each simulated applicant sends its ten messages one after another, waiting for each answer and
"thinking" THINK_S before the next. Every round checks that no turn was lost, doubled or silent
(the user messages in each tracker equal those sent); timings are reported, never asserted.
Run alone: `RELIABILITY_LOAD=1 .venv/bin/python -m pytest tests/reliability/test_load.py -s`.
"""

from __future__ import annotations

import statistics
import time
import unicodedata
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import httpx
import pytest

from bot.run import Stack
from tests.reliability.figures import record
from tests.reliability.replies import is_silent

pytestmark = [
    pytest.mark.servers,
    pytest.mark.benchmark,  # collected only with RELIABILITY_LOAD=1 (`make reliability`), see tests/conftest.py
]

TURNS = [
    "你好",
    "认证需要准备哪些材料？",
    "营业执照要上传什么格式",
    "审核一般要多久",
    "认证需要费用吗",
    "查询 RZ202611200001 的进度",
    "b2c344",
    "被驳回了怎么办",
    "谢谢",
    "再见",
]
THINK_S = 1.0
P95_LIMIT_S = 1.0
MAX_N = 128


@dataclass
class Round:
    """What one round of N applicants measured."""

    applicants: int
    latencies: list[float]
    lost: int
    doubled: int
    silent: int
    seconds: float

    @property
    def p95(self) -> float:
        return (
            statistics.quantiles(self.latencies, n=20)[18] if len(self.latencies) > 1 else self.latencies[0]
        )

    @property
    def clean(self) -> bool:
        return self.lost == self.doubled == self.silent == 0


def _applicant(url: str, sender: str) -> tuple[list[float], int]:
    latencies, silent = [], 0
    with httpx.Client(timeout=120) as client:
        for text in TURNS:
            started = time.monotonic()
            replies = client.post(url, json={"sender": sender, "message": text}).json()
            latencies.append(time.monotonic() - started)
            silent += is_silent(replies)
            time.sleep(THINK_S)
    return latencies, silent


def _stored_turns(stack: Stack, sender: str) -> list[str]:
    tracker = httpx.get(
        f"{stack.settings.rasa_url}/conversations/{sender}/tracker",
        params={"token": stack.auth_token, "include_events": "ALL"},
        timeout=60,
    ).json()
    return [event["text"] for event in tracker["events"] if event["event"] == "user"]


def run_round(stack: Stack, applicants: int) -> Round:
    url = f"{stack.settings.rasa_url}/webhooks/rest/webhook"
    senders = [f"load-{applicants}-{uuid.uuid4().hex[:8]}" for _ in range(applicants)]
    started = time.monotonic()
    with ThreadPoolExecutor(applicants) as pool:
        results = list(pool.map(lambda sender: _applicant(url, sender), senders))
    seconds = time.monotonic() - started
    lost = doubled = 0
    sent = [unicodedata.normalize("NFKC", text) for text in TURNS]  # compared in one form
    for sender in senders:
        stored = [unicodedata.normalize("NFKC", text) for text in _stored_turns(stack, sender)]
        lost += sum(1 for text in sent if text not in stored)
        doubled += max(0, len(stored) - len(TURNS))
    latencies = [latency for result in results for latency in result[0]]
    return Round(applicants, latencies, lost, doubled, sum(result[1] for result in results), seconds)


def test_largest_n_with_p95_under_a_second(stack: Stack) -> None:
    rounds: dict[int, Round] = {}

    def measure(n: int) -> bool:
        rounds[n] = result = run_round(stack, n)
        print(
            f"\n[load] N={n:3d}: {len(result.latencies)} turns in {result.seconds:.1f} s, "
            f"p50 {statistics.median(result.latencies):.3f} s, p95 {result.p95:.3f} s, "
            f"max {max(result.latencies):.3f} s; lost {result.lost}, doubled {result.doubled}, "
            f"silent {result.silent}"
        )
        return result.p95 < P95_LIMIT_S

    good, n = 0, 1
    while n <= MAX_N and measure(n):
        good, n = n, n * 2
    bad = n
    while bad - good > max(1, good // 8) and good:  # narrow down to within ~12 %
        middle = (good + bad) // 2
        good, bad = (middle, bad) if measure(middle) else (good, middle)

    best = rounds.get(good)
    record(
        "load",
        max_n=good,
        p95_s=round(best.p95, 3) if best else "-",
        turns_per_applicant=len(TURNS),
        think_s=THINK_S,
        rounds=len(rounds),
        turns=sum(len(r.latencies) for r in rounds.values()),
        lost=sum(r.lost for r in rounds.values()),
        doubled=sum(r.doubled for r in rounds.values()),
        silent=sum(r.silent for r in rounds.values()),
    )
    assert all(result.clean for result in rounds.values()), {n: r for n, r in rounds.items() if not r.clean}
