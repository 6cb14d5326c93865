"""Conversation locks in Redis that one Rasa worker at a time holds: taken atomically, released only by their holder.

Rasa's `RedisLockStore` reads a lock, changes it and writes it back, so two processes can both
believe they serve one conversation. This store takes a conversation's lock with one
`SET key token NX PX lifetime` (atomic in Redis) and gives it back with a Lua script that deletes
the key only while it still holds this turn's token (the fencing check): a holder whose lock has
expired (a turn that outlived the lifetime) cannot release or overwrite the next holder's lock.

- The key lives for a short lease (LOCK_LEASE_SECONDS, default 5 s) that the holder renews every
  third of it while its turn runs (again only while the key holds its token), so a long turn (an
  action may take 300 s) keeps its lock, and a holder that dies (SIGKILL, a lost machine) leaves a
  key Redis drops within one lease: the conversation's next turn waits that long at most.
- Waiting turns poll (a few ms at first, at most `MAX_POLL_S` apart) and give up with Rasa's
  `LockError` after Rasa's lock lifetime (TICKET_LOCK_LIFETIME, default 60 s). Unlike Rasa's ticket lock, waiters are not served strictly in
  arrival order; one sender's turns are still never served two at a time.
- Without REDIS_URL (the embedded one-process profile) it keeps the locks in this process,
  as Rasa's `InMemoryLockStore` does.

endpoints.yml: `lock_store: {type: bot.rasa_ext.lock_store.AtomicRedisLockStore}`; the URL is
REDIS_URL (`redis://host:port/db`), an optional `key_prefix` keeps several bots on one Redis apart.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
import uuid
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager
from typing import Any

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, InMemoryLockStore, LockError, LockStore
from rasa.utils.endpoints import EndpointConfig

from bot.redis_scripts import LoopRedis

logger = logging.getLogger(__name__)

DEFAULT_KEY_PREFIX = "dingtalk_bot:lock:"
FIRST_POLL_S = 0.002
MAX_POLL_S = 0.05
SOCKET_TIMEOUT_S = 5.0

RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then
    return redis.call('del', KEYS[1])
end
return 0
"""
"""Delete the lock only while it still holds the caller's token (1: released, 0: not ours any more)."""

RENEW = """
if redis.call('get', KEYS[1]) == ARGV[1] then
    return redis.call('pexpire', KEYS[1], ARGV[2])
end
return 0
"""
"""Extend the lock's lease only while it still holds the caller's token."""
DEFAULT_LEASE_S = 5.0


def lease_seconds() -> float:
    """LOCK_LEASE_SECONDS, else DEFAULT_LEASE_S."""
    return float(os.environ.get("LOCK_LEASE_SECONDS") or DEFAULT_LEASE_S)


class AtomicRedisLockStore(LockStore):
    """Rasa's `LockStore` interface on one atomic Redis key per conversation (see the module docstring)."""

    def __init__(
        self,
        endpoint_config: EndpointConfig | None = None,
        *,
        url: str | None = None,
        key_prefix: str | None = None,
    ) -> None:
        kwargs: dict[str, Any] = dict(endpoint_config.kwargs) if endpoint_config else {}
        self.url = url or (endpoint_config.url if endpoint_config else None) or os.environ.get("REDIS_URL")
        self.key_prefix = key_prefix or kwargs.get("key_prefix") or DEFAULT_KEY_PREFIX
        self._memory = None if self.url else InMemoryLockStore()
        self._redis = (
            LoopRedis(self.url, {"release": RELEASE, "renew": RENEW}, socket_timeout=SOCKET_TIMEOUT_S)
            if self.url
            else None
        )
        self.lease_s = lease_seconds()

    def key(self, conversation_id: str) -> str:
        """The Redis key of one conversation's lock."""
        return self.key_prefix + conversation_id

    @asynccontextmanager
    async def lock(
        self,
        conversation_id: str,
        lock_lifetime: float = LOCK_LIFETIME,
        wait_time_in_seconds: float = 1,
    ) -> AsyncGenerator[TicketLock, None]:
        """Hold `conversation_id`'s lock for the body (renewed meanwhile); LockError when taken for `lock_lifetime`."""
        if self._memory is not None:
            async with self._memory.lock(conversation_id, lock_lifetime, wait_time_in_seconds) as held:
                yield held
            return
        token = await self.acquire(conversation_id, self.lease_s, wait_s=lock_lifetime)
        renewing = asyncio.create_task(self._keep(conversation_id, token))
        try:
            yield TicketLock(conversation_id)
        finally:
            renewing.cancel()
            await self.release(conversation_id, token)

    async def _keep(self, conversation_id: str, token: str) -> None:
        """Renew the lease every third of it until cancelled (or until the lock is no longer ours)."""
        lease_ms = max(1, int(self.lease_s * 1000))
        while True:
            await asyncio.sleep(self.lease_s / 3)
            try:
                if not await self._shared().script("renew")(
                    keys=[self.key(conversation_id)], args=[token, lease_ms]
                ):
                    return  # expired meanwhile: release() says so
            except Exception:  # Redis unreachable for a moment: the next renewal tries again
                logger.warning("could not renew a conversation lock", exc_info=True)

    async def acquire(self, conversation_id: str, lease_s: float, *, wait_s: float = LOCK_LIFETIME) -> str:
        """Wait up to `wait_s` for the lock and take it for `lease_s`; return the token that releases it."""
        client = self._shared().client()
        token = f"{os.getpid()}:{uuid.uuid4().hex}"
        lifetime_ms = max(1, int(lease_s * 1000))
        deadline = time.monotonic() + wait_s
        pause = FIRST_POLL_S
        try:
            while not await client.set(self.key(conversation_id), token, nx=True, px=lifetime_ms):
                if time.monotonic() >= deadline:
                    raise LockError(f"Could not acquire lock for conversation_id '{conversation_id}'.")
                await asyncio.sleep(pause)
                pause = min(MAX_POLL_S, pause * 2)
        except LockError:
            raise
        except Exception as error:  # Redis unreachable: Rasa answers the turn with its lock error
            raise LockError(f"Error while acquiring lock. Error:\n{error}") from error
        return token

    async def release(self, conversation_id: str, token: str) -> bool:
        """Give the lock back if `token` still holds it; False (logged) when it had expired meanwhile."""
        try:
            released = bool(
                await self._shared().script("release")(keys=[self.key(conversation_id)], args=[token])
            )
        except Exception:  # the turn is done: its lock expires within one lease anyway
            logger.warning("could not release a conversation lock; it expires by itself", exc_info=True)
            return False
        if not released:
            logger.warning(
                "the lock of a conversation expired before its turn ended (its lease was not renewed "
                "in time); another turn of it may have run at the same time"
            )
        return released

    def _shared(self) -> LoopRedis:
        """The Redis of the locks (only called where REDIS_URL is set: without it locks stay in memory)."""
        assert self._redis is not None
        return self._redis

    async def close(self) -> None:
        """Close the Redis connections (tests; servers end with their process)."""
        if self._redis is not None:
            await self._redis.close()
