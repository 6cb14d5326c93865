"""Concurrent applicants over the REST channel: latency percentiles, messages per second, failures.

Each of `concurrency` applicants runs conversations back to back (a fresh sender id for each),
sending the next message as soon as the reply arrives (a closed loop: the figures at 32 show
what the bot sustains with 32 people waiting). A message counts as

- an error: no HTTP 200 with a JSON list (timeout, refused connection, 4xx/5xx);
- an empty reply: a list without any text (Rasa's REST channel turns exceptions into `[]`);
- an unexpected reply: text, but not what that step must say (e.g. the status report).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import math
import statistics
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import aiohttp

REQUEST_TIMEOUT_S = 60.0


@dataclass(frozen=True)
class Step:
    """One applicant message and a text its reply must contain (None: any non-empty reply)."""

    text: str
    expect: str | None = None


DEMO_LOOKUPS = (
    ("RZ202611200001", "B2C344", "初审中"),
    ("RZ202611180002", "7K4L6Q", "待打款验证"),
    ("RZ202611150003", "8N2P1D", "复审中"),
    ("RZ202611100004", "6R9T4Q", "已通过"),
    ("RZ202611120005", "3E1Q2Q", "已驳回"),
    ("RZ202611210006", "F5W298", "已驳回"),
)
"""The demo applications (DESIGN.md): ID, last six of the credit code, status."""


def faq_conversations(questions: Sequence[str], per_conversation: int = 4) -> Iterator[list[Step]]:
    """Endless conversations of `per_conversation` FAQ questions, cycling through `questions`."""
    cycle = itertools.cycle(questions)
    while True:
        yield [Step(next(cycle)) for _ in range(per_conversation)]


def status_conversations() -> Iterator[list[Step]]:
    """Endless status lookups: "查询进度 <ID>", then the code, whose reply must carry the status."""
    for application_id, code, status in itertools.cycle(DEMO_LOOKUPS):
        yield [Step(f"查询进度 {application_id}"), Step(code, expect=f"当前状态：{status}")]


def percentile(values: Sequence[float], share: float) -> float:
    """The nearest-rank percentile (`share` in 0..1) of `values`; 0 when there are none."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = min(len(ordered), max(1, math.ceil(share * len(ordered))))
    return ordered[rank - 1]


@dataclass
class LoadResult:
    """What one load level measured (latencies in milliseconds)."""

    scenario: str
    concurrency: int
    seconds: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    errors: int = 0
    empty_replies: int = 0
    unexpected_replies: int = 0
    error_samples: list[str] = field(default_factory=list)

    @property
    def messages(self) -> int:
        """Messages sent (answered or not)."""
        return len(self.latencies_ms) + self.errors

    def summary(self) -> dict[str, Any]:
        """The figures of this level, for the report and the JSON file."""
        values = self.latencies_ms
        return {
            "scenario": self.scenario,
            "concurrency": self.concurrency,
            "messages": self.messages,
            "seconds": round(self.seconds, 2),
            "messages_per_second": round(self.messages / self.seconds, 1) if self.seconds else 0.0,
            "p50_ms": round(percentile(values, 0.50), 1),
            "p95_ms": round(percentile(values, 0.95), 1),
            "p99_ms": round(percentile(values, 0.99), 1),
            "mean_ms": round(statistics.fmean(values), 1) if values else 0.0,
            "max_ms": round(max(values), 1) if values else 0.0,
            "errors": self.errors,
            "empty_replies": self.empty_replies,
            "unexpected_replies": self.unexpected_replies,
            "error_samples": self.error_samples[:5],
        }


def reply_text(body: Any) -> str:
    """All texts of a REST reply joined (empty when there are none)."""
    if not isinstance(body, list):
        return ""
    return "\n".join(str(m.get("text") or "") for m in body if isinstance(m, dict)).strip()


async def send(
    session: aiohttp.ClientSession, url: str, sender: str, text: str
) -> tuple[float, str | None, str]:
    """Post one message; return (milliseconds, error or None, reply text)."""
    started = time.perf_counter()
    try:
        async with session.post(url, json={"sender": sender, "message": text}) as response:
            raw = await response.read()
            elapsed = (time.perf_counter() - started) * 1000
            if response.status != 200:
                return elapsed, f"HTTP {response.status}: {raw[:120].decode(errors='replace')}", ""
            return elapsed, None, reply_text(json.loads(raw))
    except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as error:
        return (time.perf_counter() - started) * 1000, f"{type(error).__name__}: {error}"[:160], ""


async def run_level(
    rasa_url: str,
    scenario: str,
    conversations: Iterator[list[Step]],
    *,
    concurrency: int,
    seconds: float,
    min_messages: int = 0,
) -> LoadResult:
    """Run `concurrency` applicants for `seconds` (and at least `min_messages` messages in all)."""
    url = f"{rasa_url}/webhooks/rest/webhook"
    result = LoadResult(scenario, concurrency)
    deadline = time.monotonic() + seconds
    connector = aiohttp.TCPConnector(limit=concurrency, force_close=False)
    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_S)

    def more() -> bool:
        return time.monotonic() < deadline or result.messages < min_messages

    async def applicant(session: aiohttp.ClientSession) -> None:
        while more():
            sender = f"bench-{uuid.uuid4().hex[:16]}"
            for step in next(conversations):
                elapsed, error, text = await send(session, url, sender, step.text)
                if error is not None:
                    result.errors += 1
                    result.error_samples.append(error)
                    break  # the rest of this conversation would not make sense
                result.latencies_ms.append(elapsed)
                if not text:
                    result.empty_replies += 1
                elif step.expect is not None and step.expect not in text:
                    result.unexpected_replies += 1
                    result.error_samples.append(f"unexpected reply to {step.text!r}: {text[:80]!r}")
                if not more():
                    break

    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        started = time.perf_counter()
        await asyncio.gather(*(applicant(session) for _ in range(concurrency)))
        result.seconds = time.perf_counter() - started
    return result


@dataclass
class Conversation:
    """One applicant's conversation: its sender id and the latency of each message so far (ms)."""

    sender: str = field(default_factory=lambda: f"bench-long-{uuid.uuid4().hex[:12]}")
    latencies_ms: list[float] = field(default_factory=list)

    async def say(self, session: aiohttp.ClientSession, url: str, text: str) -> float:
        """Send the next message; its latency (an error or an empty reply raises RuntimeError)."""
        elapsed, error, reply = await send(session, url, self.sender, text)
        if error is not None or not reply:
            number = len(self.latencies_ms) + 1
            raise RuntimeError(f"message {number} of a long conversation failed: {error or 'empty reply'}")
        self.latencies_ms.append(elapsed)
        return elapsed


async def early_and_late(
    rasa_url: str, questions: Sequence[str], *, early: int = 10, late: int = 200, samples: int = 5
) -> dict[str, Any]:
    """The latency of message `early` and of message `late` of a conversation, measured side by side.

    One conversation is taken to message `late - samples`, `samples` others to message
    `early - 1`; then their next messages alternate (the long one's `late-samples+1 … late`,
    each short one's `early`), so a neighbour's load on a shared machine hits both alike.
    """
    url = f"{rasa_url}/webhooks/rest/webhook"
    texts = itertools.cycle(questions)
    long, short = Conversation(), [Conversation() for _ in range(samples)]
    early_ms, late_ms = [], []
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_S)) as session:
        for _ in range(late - samples):
            await long.say(session, url, next(texts))
        for conversation in short:
            for _ in range(early - 1):
                await conversation.say(session, url, next(texts))
        for conversation in short:
            late_ms.append(await long.say(session, url, next(texts)))
            early_ms.append(await conversation.say(session, url, next(texts)))
    return {"early_ms": early_ms, "late_ms": late_ms, "long_conversation_ms": long.latencies_ms}
