"""Per-identity message limits at the channels' edge: a sliding one-minute window per conversation id.

Kept in the memory of the process that serves the channel. Behind a load balancer that spreads one
conversation's messages over N processes, an identity may send up to N times the limit; the
limit is there to keep one client from flooding, not to count exactly.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable

from bot.errors import TooManyMessages

WINDOW_S = 60.0
PRUNE_EVERY = 1000
"""Forget identities idle for a whole window after this many checks (memory stays bounded)."""


class MessageLimiter:
    """Allows `per_minute` messages per identity in any 60 seconds; 0 turns the limit off."""

    def __init__(self, per_minute: int, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._per_minute = per_minute
        self._clock = clock
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
        while times and times[0] <= now - WINDOW_S:
            times.popleft()
        if len(times) >= self._per_minute:
            raise TooManyMessages(retry_after=times[0] + WINDOW_S - now)
        times.append(now)

    def _prune(self, now: float) -> None:
        idle = [
            identity for identity, times in self._seen.items() if not times or times[-1] <= now - WINDOW_S
        ]
        for identity in idle:
            del self._seen[identity]
