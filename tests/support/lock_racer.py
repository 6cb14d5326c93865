"""A separate process that takes one conversation's lock (bot.rasa_ext.lock_store) for the lock store's tests.

python -m tests.support.lock_racer URL PREFIX CONVERSATION race TURNS
    waits for its start signal, then takes the lock TURNS times; inside, it writes `enter`/`exit`
    marks to a Redis list and increments a counter by read-then-write (lost updates show overlap)
python -m tests.support.lock_racer URL PREFIX CONVERSATION hold LIFETIME_S
    takes the lock with LIFETIME_S, says so, and holds it until it is killed
"""

from __future__ import annotations

import asyncio
import os
import sys

from redis import asyncio as aioredis

from bot.rasa_ext.lock_store import AtomicRedisLockStore


async def race(store: AtomicRedisLockStore, redis: aioredis.Redis, conversation: str, turns: int) -> None:
    """Take the lock `turns` times and do a non-atomic read-modify-write under it."""
    me = str(os.getpid())
    await redis.rpush(f"{store.key_prefix}ready", me)
    await redis.blpop([f"{store.key_prefix}go:{me}"], timeout=30)
    for _ in range(turns):
        async with store.lock(conversation, lock_lifetime=30):
            await redis.rpush(f"{store.key_prefix}marks", f"enter:{me}")
            value = int(await redis.get(f"{store.key_prefix}counter") or 0)
            await asyncio.sleep(0)  # let the other process in, if the lock would let it
            await redis.set(f"{store.key_prefix}counter", value + 1)
            await redis.rpush(f"{store.key_prefix}marks", f"exit:{me}")


async def hold(
    store: AtomicRedisLockStore, redis: aioredis.Redis, conversation: str, lifetime: float
) -> None:
    """Take the lock and keep it until this process is killed."""
    await store.acquire(conversation, lifetime)  # never renewed: as if dead
    await redis.rpush(f"{store.key_prefix}held", str(os.getpid()))
    await asyncio.Event().wait()


async def main(url: str, prefix: str, conversation: str, mode: str, amount: str) -> None:
    """Run one mode (see the module docstring)."""
    store = AtomicRedisLockStore(url=url, key_prefix=prefix)
    redis = aioredis.Redis.from_url(url)
    if mode == "race":
        await race(store, redis, conversation, int(amount))
    else:
        await hold(store, redis, conversation, float(amount))
    await redis.close()
    await store.close()


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:6]))
