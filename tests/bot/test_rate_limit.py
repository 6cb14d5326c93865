"""At most N messages per identity in any minute; others are not affected."""

from __future__ import annotations

import pytest

from bot.errors import TooManyMessages
from bot.rate_limit import MessageLimiter


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
