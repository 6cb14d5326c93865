"""Telegram's sending limits: about 1 message/s per chat, 20/min per group, 30/s overall.

Overall, a message holds one of the 30 slots from the moment it is taken until one second after
its HTTP call ended (`release`). A call reaches Telegram somewhere between its start and its end,
so however unevenly calls travel (a busy machine, a slow network), no more than 30 can arrive
within any one second. Slots are also planned evenly (OVERALL_SPACING_S) so a large batch goes
out smoothly rather than in bursts of 30.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable

PRIVATE_CHAT = (1, 1.0)
GROUP_CHAT = (20, 60.0)
OVERALL = (30, 1.0)
OVERALL_SPACING_S = 1 / 28
"""Messages are planned this far apart overall (≈28/s: room for the calls' uneven travel time)."""
CATCH_UP_SLOTS = 2
IN_FLIGHT_POLL_S = 0.05
"""Slots a late sender may use at once to catch up with the plan."""


class SlidingWindow:
    """At most `limit` events in any `period` seconds."""

    def __init__(self, limit: int, period: float) -> None:
        self.limit = limit
        self.period = period
        self._times: deque[float] = deque()
        self.blocked_until = 0.0

    def wait_time(self, now: float) -> float:
        """Seconds until one more event is allowed."""
        while self._times and now - self._times[0] >= self.period:
            self._times.popleft()
        wait = max(0.0, self.blocked_until - now)
        if len(self._times) >= self.limit:
            wait = max(wait, self._times[0] + self.period - now)
        return wait

    def record(self, now: float) -> None:
        """Count one event."""
        self._times.append(now)

    def idle(self, now: float) -> bool:
        """True when the window holds nothing worth remembering."""
        return self.wait_time(now) == 0.0 and not self._times


class SendLimits:
    """Waits until a message to a chat may go out; `pause` honours Telegram's retry_after."""

    def __init__(self, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._in_flight = 0
        self._finished: deque[float] = deque()
        self._next_overall = 0.0
        self._overall_turn = asyncio.Lock()
        self._chats: dict[int, SlidingWindow] = {}

    def _window(self, chat_id: int) -> SlidingWindow:
        window = self._chats.get(chat_id)
        if window is None:
            if len(self._chats) > 10_000:
                now = self._clock()
                self._chats = {key: w for key, w in self._chats.items() if not w.idle(now)}
            window = self._chats[chat_id] = SlidingWindow(*(GROUP_CHAT if chat_id < 0 else PRIVATE_CHAT))
        return window

    def _overall_wait(self, now: float) -> float:
        limit, period = OVERALL
        while self._finished and now - self._finished[0] >= period:
            self._finished.popleft()
        if self._in_flight + len(self._finished) < limit:
            return 0.0
        if not self._finished:  # all 30 in flight: wait for one to end (polled)
            return IN_FLIGHT_POLL_S
        return self._finished[0] + period - now

    def wait_time(self, chat_id: int) -> float:
        """Seconds until a message to `chat_id` may be sent."""
        now = self._clock()
        spacing = max(0.0, self._next_overall - now)
        return max(spacing, self._overall_wait(now), self._window(chat_id).wait_time(now))

    async def acquire(self, chat_id: int) -> None:
        """Wait for a free slot for `chat_id` and take it.

        First the chat's own window, then the overall slot in turn (first come, first served): with
        thousands of chats waiting, only one of them sleeps on the overall limit at a time instead of
        all waking together for every slot.
        """
        while (wait := self._window(chat_id).wait_time(self._clock())) > 0:
            await asyncio.sleep(wait)
        async with self._overall_turn:
            while (wait := self.wait_time(chat_id)) > 0:
                await asyncio.sleep(wait)
            now = self._clock()
            self._in_flight += 1
            # From the slot's planned time, not from now: a busy event loop that wakes late does not
            # lower the rate; after a pause at most CATCH_UP_SLOTS go at once.
            planned = max(self._next_overall, now - CATCH_UP_SLOTS * OVERALL_SPACING_S)
            self._next_overall = planned + OVERALL_SPACING_S
            self._window(chat_id).record(now)

    def release(self) -> None:
        """The HTTP call of an acquired slot ended (sent or not): its slot frees one second from now."""
        self._in_flight = max(0, self._in_flight - 1)
        self._finished.append(self._clock())

    def pause(self, chat_id: int, seconds: float) -> None:
        """Send nothing to `chat_id` for `seconds` (Telegram said RetryAfter)."""
        window = self._window(chat_id)
        window.blocked_until = max(window.blocked_until, self._clock() + seconds)

    def move(self, old_chat_id: int, new_chat_id: int) -> None:
        """A group got a new id: keep its window."""
        if old_chat_id in self._chats:
            self._chats[new_chat_id] = self._chats.pop(old_chat_id)
