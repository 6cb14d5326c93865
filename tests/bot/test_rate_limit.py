"""At most N messages per identity in any minute; others are not affected."""

from __future__ import annotations

import asyncio
import logging
import subprocess
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import pytest
from redis import asyncio as aioredis
from redis.exceptions import RedisError

from bot.errors import TooManyMessages
from bot.rate_limit import MessageLimiter, SharedMessageLimiter
from tests.conftest import free_port


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_limit_applies_per_identity_and_lifts_after_a_minute() -> None:
    clock = Clock()
    limiter = MessageLimiter(3, clock=clock)
    for _ in range(3):
        limiter.check("rest:a")
        clock.now += 1
    with pytest.raises(TooManyMessages) as refused:
        limiter.check("rest:a")
    assert refused.value.seconds == 57  # the first message leaves the window at 1060
    limiter.check("rest:b")  # someone else is not affected
    clock.now = 1060.5
    limiter.check("rest:a")


def test_refused_messages_do_not_count() -> None:
    clock = Clock()
    limiter = MessageLimiter(1, clock=clock)
    limiter.check("x")
    for _ in range(10):
        with pytest.raises(TooManyMessages):
            limiter.check("x")
    clock.now += 60.01
    limiter.check("x")


def test_zero_means_no_limit_and_idle_identities_are_forgotten() -> None:
    clock = Clock()
    MessageLimiter(0, clock=clock).check("x")
    limiter = MessageLimiter(5, clock=clock)
    for index in range(2000):
        limiter.check(f"rest:{index}")
        clock.now += 0.1
    assert len(limiter._seen) < 1000


# --- counted in Redis (the production profile): the real Redis on 127.0.0.1:6379 ---

REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture
async def prefix() -> AsyncIterator[str]:
    """A key prefix of this test's own (other runs share the Redis); its keys are deleted after."""
    prefix = f"test:rate_limit:{uuid.uuid4().hex}:"
    yield prefix
    redis = aioredis.Redis.from_url(REDIS_URL)
    keys = await redis.keys(prefix + "*")
    if keys:
        await redis.delete(*keys)
    await redis.close()


@pytest.fixture
async def workers(prefix: str) -> AsyncIterator[Callable[..., SharedMessageLimiter]]:
    """Build limiters as two Rasa workers would (each its own instance and Redis client); closed after."""
    built: list[SharedMessageLimiter] = []

    def build(per_minute: int, **options: Any) -> SharedMessageLimiter:
        limiter = SharedMessageLimiter(
            per_minute, options.pop("url", REDIS_URL), key_prefix=prefix, **options
        )
        built.append(limiter)
        return limiter

    yield build
    for limiter in built:
        await limiter.close()


async def test_two_workers_share_one_senders_limit(workers: Callable[..., SharedMessageLimiter]) -> None:
    clock = Clock()
    first, second = workers(3, clock=clock), workers(3, clock=clock)
    for worker in (first, second, first):  # round robin
        await worker.check("rest:a")
        clock.now += 1
    for worker in (second, first):  # the 4th message is refused on either worker
        with pytest.raises(TooManyMessages) as refused:
            await worker.check("rest:a")
        assert refused.value.seconds == 57  # the first message leaves the window at 1060
    await second.check("rest:b")  # someone else is not affected
    clock.now = 1060.5
    await second.check("rest:a")  # the refused ones were not counted: one slot freed, one taken
    with pytest.raises(TooManyMessages) as refused:
        await first.check("rest:a")
    assert refused.value.seconds == 1  # the second message leaves at 1061


async def test_the_window_slides_on_redis_time_and_the_key_expires(
    workers: Callable[..., SharedMessageLimiter], prefix: str
) -> None:
    first, second = workers(2, window_s=0.4), workers(2, window_s=0.4)  # no clock: Redis's own
    await first.check("web:x")
    await second.check("web:x")
    with pytest.raises(TooManyMessages) as refused:
        await first.check("web:x")
    assert 0 < refused.value.retry_after <= 0.4
    redis = aioredis.Redis.from_url(REDIS_URL)
    try:
        assert 0 < await redis.pttl(prefix + "web:x") <= 400  # nothing stays behind an idle sender
        await asyncio.sleep(0.45)
        await second.check("web:x")
        await asyncio.sleep(0.45)
        assert await redis.exists(prefix + "web:x") == 0
    finally:
        await redis.close()


async def test_without_redis_url_the_count_stays_in_this_process() -> None:
    clock = Clock()
    limiter = SharedMessageLimiter(1, None, clock=clock)
    await limiter.check("x")
    with pytest.raises(TooManyMessages):
        await limiter.check("x")
    await SharedMessageLimiter(0, None).check("x")


async def until_it_answers(url: str) -> None:
    """Wait until a Redis just started answers PING."""
    client = aioredis.Redis.from_url(url)
    try:
        for _ in range(100):
            try:
                await client.ping()
                return
            except RedisError:
                await asyncio.sleep(0.05)
        raise AssertionError("the private Redis did not start")
    finally:
        await client.close()


@pytest.fixture
def private_redis() -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """A Redis server of this test's own (it is stopped mid-test), and its URL."""
    port = free_port()
    server = subprocess.Popen(
        ["redis-server", "--port", str(port), "--save", "", "--appendonly", "no", "--bind", "127.0.0.1"],
        stdout=subprocess.DEVNULL,
    )
    yield f"redis://127.0.0.1:{port}/0", server
    stop(server)


def stop(server: subprocess.Popen[bytes]) -> None:
    """SIGKILL a server and wait until it is gone."""
    server.kill()
    server.wait()


async def test_redis_lost_mid_run_still_serves_with_a_local_count_and_one_warning(
    workers: Callable[..., SharedMessageLimiter],
    private_redis: tuple[str, subprocess.Popen[bytes]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    url, server = private_redis
    await until_it_answers(url)
    limiter = workers(2, url=url, retry_redis_s=0)
    await limiter.check("rest:a")  # counted in the private Redis
    assert limiter.local._seen == {}
    stop(server)  # Redis goes away mid-run
    caplog.set_level(logging.WARNING, logger="bot.rate_limit")
    await limiter.check("rest:a")  # served, counted in this process
    await limiter.check("rest:a")
    for _ in range(3):
        with pytest.raises(TooManyMessages):  # the local count still limits
            await limiter.check("rest:a")
    await limiter.check("rest:b")
    warnings = [record for record in caplog.records if "Redis unreachable" in record.getMessage()]
    assert len(warnings) == 1  # once per interval, not per message
