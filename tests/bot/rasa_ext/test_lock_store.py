"""The atomic Redis lock store against the real Redis on 127.0.0.1:6379: racing processes, expiry, a dead holder."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Iterator

import pytest
from rasa.core.lock_store import LockError
from redis import asyncio as aioredis

from bot.rasa_ext.lock_store import AtomicRedisLockStore
from bot.settings import PROJECT_ROOT

REDIS_URL = "redis://127.0.0.1:6379/0"
TURNS = 60


@pytest.fixture
def prefix() -> Iterator[str]:
    """A key prefix of this test's own (other test runs share the Redis); its keys are deleted after."""
    prefix = f"test:lock_store:{uuid.uuid4().hex}:"
    yield prefix

    async def clean() -> None:
        redis = aioredis.Redis.from_url(REDIS_URL)
        keys = await redis.keys(prefix + "*")
        if keys:
            await redis.delete(*keys)
        await redis.close()

    asyncio.run(clean())


@pytest.fixture
async def redis() -> AsyncIterator[aioredis.Redis]:
    client = aioredis.Redis.from_url(REDIS_URL, decode_responses=True)
    yield client
    await client.close()


def racer(prefix: str, mode: str, amount: object) -> subprocess.Popen[bytes]:
    """Start tests.support.lock_racer in a process of its own."""
    command = [
        sys.executable,
        "-m",
        "tests.support.lock_racer",
        REDIS_URL,
        prefix,
        "race-me",
        mode,
        str(amount),
    ]
    return subprocess.Popen(command, cwd=PROJECT_ROOT, start_new_session=True)


async def test_two_processes_never_hold_one_conversation_at_once(prefix: str, redis: aioredis.Redis) -> None:
    racers = [racer(prefix, "race", TURNS) for _ in range(2)]
    try:
        ready = [(await redis.blpop([prefix + "ready"], timeout=30))[1] for _ in racers]
        for pid in ready:  # start both only once both are waiting
            await redis.rpush(f"{prefix}go:{pid}", "go")
        for process in racers:
            assert await asyncio.to_thread(process.wait, 60) == 0
    finally:
        for process in racers:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
    marks = await redis.lrange(prefix + "marks", 0, -1)
    assert len(marks) == 4 * TURNS
    for enter, leave in zip(marks[::2], marks[1::2], strict=True):  # every turn ends before the next begins
        assert enter.startswith("enter:") and leave == "exit:" + enter.removeprefix("enter:")
    assert int(await redis.get(prefix + "counter")) == 2 * TURNS  # no update lost to an overlap
    assert {mark.removeprefix("enter:") for mark in marks[::2]} == set(ready)  # both took part
    assert not await redis.exists(prefix + "race-me")  # the lock is given back


async def test_an_expired_holder_cannot_release_the_next_holders_lock(
    prefix: str, redis: aioredis.Redis
) -> None:
    store = AtomicRedisLockStore(url=REDIS_URL, key_prefix=prefix)
    first = await store.acquire("slow", 0.2)  # never renewed: a holder whose turn outlived its lease
    second = await store.acquire("slow", 30)  # waits until the first one's lock expires
    assert not await store.release("slow", first)  # too late: the lock is someone else's now
    assert await redis.get(prefix + "slow") == second
    async with store.lock("other", lock_lifetime=30):
        assert await redis.exists(prefix + "other")  # other conversations are not held up
    assert await store.release("slow", second)
    assert not await redis.exists(prefix + "slow")
    await store.close()


async def test_a_killed_holder_frees_the_conversation_after_its_lifetime(
    prefix: str, redis: aioredis.Redis
) -> None:
    holder = racer(prefix, "hold", 1.0)
    try:
        assert (await redis.blpop([prefix + "held"], timeout=30))[1] == str(holder.pid)
        os.killpg(holder.pid, signal.SIGKILL)
        holder.wait()
        assert 0 < await redis.pttl(prefix + "race-me") <= 1000  # left behind, with its expiry
        store = AtomicRedisLockStore(url=REDIS_URL, key_prefix=prefix)
        async with store.lock("race-me", lock_lifetime=30):
            assert (await redis.get(prefix + "race-me")).startswith(f"{os.getpid()}:")
        await store.close()
    finally:
        if holder.poll() is None:
            os.killpg(holder.pid, signal.SIGKILL)


async def test_without_redis_url_locks_stay_in_the_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REDIS_URL", raising=False)
    store = AtomicRedisLockStore()
    order: list[str] = []

    async def turn(name: str) -> None:
        async with store.lock("local", wait_time_in_seconds=0.01):
            order.append(f"enter {name}")
            await asyncio.sleep(0)
            order.append(f"exit {name}")

    await asyncio.gather(turn("a"), turn("b"))
    assert order in (["enter a", "exit a", "enter b", "exit b"], ["enter b", "exit b", "enter a", "exit a"])


async def test_a_long_turn_keeps_its_lock_past_the_lease(
    prefix: str, redis: aioredis.Redis, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LOCK_LEASE_SECONDS", "0.3")
    store = AtomicRedisLockStore(url=REDIS_URL, key_prefix=prefix)
    other = AtomicRedisLockStore(url=REDIS_URL, key_prefix=prefix)
    async with store.lock("long"):
        token = await redis.get(prefix + "long")
        for _ in range(4):  # four renewals' worth of time, waiting on Redis's own clock
            ttl = await redis.pttl(prefix + "long")
            await redis.blpop([prefix + "never"], timeout=0.3)
            assert await redis.get(prefix + "long") == token and ttl > 0
        with pytest.raises(LockError):
            await other.acquire("long", 0.3, wait_s=0.3)
    assert not await redis.exists(prefix + "long")
    await store.close()
    await other.close()
