"""Per-identity message limits at the channels' edge: a sliding one-minute window per conversation id.

- `SharedMessageLimiter` (the REST and socket.io channels): with REDIS_URL set (the production
  profile) every Rasa worker counts in one sorted set per identity in Redis, so a REST sender or a web
  session gets MESSAGES_PER_MINUTE across all workers, however the load balancer spreads its messages.
  One Lua script drops the entries older than the window, counts, and adds the message only when it
  is under the limit (a refused message is not counted); Retry-After is when the oldest entry leaves.
  The key (`dingtalk_bot:rate:<identity>`) expires one window after its newest message. Time is
  Redis's own clock (one clock for every worker) unless a test injects one.
- Redis unreachable mid-run: the message is still served, counted in this process for that check
  (as without Redis: up to N × the limit across N workers meanwhile); a warning is logged at most
  once a minute and Redis is tried again a few seconds later.
- Without REDIS_URL (one process) and in the Telegram gateway (one poller per bot token) the count
  is kept in this process's memory: `MessageLimiter`.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections import deque
from collections.abc import Callable

from redis.exceptions import RedisError

from bot.errors import TooManyMessages
from bot.redis_scripts import LoopRedis

logger = logging.getLogger(__name__)

WINDOW_S = 60.0
PRUNE_EVERY = 1000
"""Forget identities idle for a whole window after this many checks (memory stays bounded)."""
DEFAULT_KEY_PREFIX = "dingtalk_bot:rate:"
REDIS_TIMEOUT_S = 1.0
"""Connect and read timeout of one check: a dead Redis host delays a message by this much at most."""
RETRY_REDIS_S = 5.0
"""After a failure, checks stay in this process this long before Redis is tried again."""
WARN_EVERY_S = 60.0

ADMIT = """
local now = tonumber(ARGV[1])
if now < 0 then
    local clock = redis.call('time')
    now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
end
local window = tonumber(ARGV[2])
redis.call('zremrangebyscore', KEYS[1], '-inf', now - window)
if redis.call('zcard', KEYS[1]) >= tonumber(ARGV[3]) then
    local oldest = redis.call('zrange', KEYS[1], 0, 0, 'WITHSCORES')
    return tonumber(oldest[2]) + window - now
end
redis.call('zadd', KEYS[1], now, ARGV[4])
redis.call('pexpire', KEYS[1], window)
return 0
"""
"""ARGV: now in ms (-1: Redis's clock), window in ms, limit, a unique id. 0: admitted and counted;
else refused (not counted) and the ms until the oldest message leaves the window."""


class MessageLimiter:
    """Allows `per_minute` messages per identity in any 60 seconds, counted in this process; 0 turns it off."""

    def __init__(
        self,
        per_minute: int,
        *,
        clock: Callable[[], float] = time.monotonic,
        window_s: float = WINDOW_S,
    ) -> None:
        self._per_minute = per_minute
        self._clock = clock
        self._window_s = window_s
        self._seen: dict[str, deque[float]] = {}
        self._checks = 0

    def check(self, identity: str) -> None:
        """Count one message of `identity`; raise TooManyMessages (not counted) when over the limit."""
        if self._per_minute <= 0:
            return
        now = self._clock()
        self._checks += 1
        if self._checks % PRUNE_EVERY == 0:
            self._prune(now)
        times = self._seen.setdefault(identity, deque())
        while times and times[0] <= now - self._window_s:
            times.popleft()
        if len(times) >= self._per_minute:
            raise TooManyMessages(retry_after=times[0] + self._window_s - now)
        times.append(now)

    def _prune(self, now: float) -> None:
        idle = [
            identity
            for identity, times in self._seen.items()
            if not times or times[-1] <= now - self._window_s
        ]
        for identity in idle:
            del self._seen[identity]


class SharedMessageLimiter:
    """`per_minute` messages per identity counted in Redis at `url` for every worker (see the module docstring);
    in this process when `url` is None or Redis is unreachable."""

    def __init__(
        self,
        per_minute: int,
        url: str | None,
        *,
        key_prefix: str = DEFAULT_KEY_PREFIX,
        window_s: float = WINDOW_S,
        clock: Callable[[], float] | None = None,
        retry_redis_s: float = RETRY_REDIS_S,
    ) -> None:
        self._per_minute = per_minute
        self._key_prefix = key_prefix
        self._window_ms = max(1, round(window_s * 1000))
        self._clock = clock
        self._retry_redis_s = retry_redis_s
        self.local = MessageLimiter(per_minute, clock=clock or time.monotonic, window_s=window_s)
        self._redis = (
            LoopRedis(
                url, {"admit": ADMIT}, socket_timeout=REDIS_TIMEOUT_S, socket_connect_timeout=REDIS_TIMEOUT_S
            )
            if url
            else None
        )
        self._redis_down_until = 0.0
        self._warned_at: float | None = None

    def key(self, identity: str) -> str:
        """The Redis key of one identity's window."""
        return self._key_prefix + identity

    async def check(self, identity: str) -> None:
        """Count one message of `identity`; raise TooManyMessages (not counted) when over the limit."""
        if self._per_minute <= 0:
            return
        if self._redis is None or time.monotonic() < self._redis_down_until:
            self.local.check(identity)
            return
        try:
            wait_ms = await self._admit_in_redis(identity)
        except (RedisError, OSError, asyncio.TimeoutError) as error:
            self._redis_failed(error)
            self.local.check(identity)
            return
        if self._warned_at is not None:
            logger.warning("message limits are counted in Redis again, for all workers")
            self._warned_at = None
        if wait_ms > 0:
            raise TooManyMessages(retry_after=wait_ms / 1000)

    async def _admit_in_redis(self, identity: str) -> int:
        """Run the ADMIT script for one message; 0 when counted, else the ms to wait."""
        assert self._redis is not None
        now_ms = -1 if self._clock is None else round(self._clock() * 1000)
        unique = os.urandom(8).hex()
        args = [now_ms, self._window_ms, self._per_minute, unique]
        return int(await self._redis.script("admit")(keys=[self.key(identity)], args=args))

    def _redis_failed(self, error: BaseException) -> None:
        """Count in this process for a while; warn once per WARN_EVERY_S (never the URL: it may hold a password)."""
        now = time.monotonic()
        self._redis_down_until = now + self._retry_redis_s
        if self._warned_at is None or now - self._warned_at >= WARN_EVERY_S:
            self._warned_at = now
            logger.warning(
                "Redis unreachable (%s): message limits are counted per worker until it is back",
                type(error).__name__,
            )

    async def close(self) -> None:
        """Close the Redis connections (tests; servers end with their process)."""
        if self._redis is not None:
            await self._redis.close()
