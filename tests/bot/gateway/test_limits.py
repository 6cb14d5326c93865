"""Sending limits: 1 message/s per private chat, 20/min per group, and Telegram's retry_after."""

from __future__ import annotations

import pytest

from bot.gateway.agent_commands import parse_command
from bot.gateway.limits import OVERALL_SPACING_S, SendLimits


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_private_chat_one_per_second_group_twenty_per_minute() -> None:
    clock = Clock()
    limits = SendLimits(clock=clock)
    await limits.acquire(42)
    assert 0.99 < limits.wait_time(42) <= 1.0
    assert limits.wait_time(43) == 0
    for _ in range(20):
        await limits.acquire(-100)
        clock.now += 0.1
    assert limits.wait_time(-100) > 55
    clock.now += 60
    assert limits.wait_time(-100) == 0


async def test_many_chats_are_spaced_evenly_under_thirty_a_second() -> None:
    clock = Clock()
    limits = SendLimits(clock=clock)
    taken: list[float] = []
    for chat_id in range(1, 61):
        clock.now += limits.wait_time(chat_id)
        await limits.acquire(chat_id)
        limits.release()  # the call ended at once
        taken.append(clock.now)
    assert max(sum(1 for at in taken if start <= at < start + 1.0) for start in taken) <= 30
    assert taken[-1] - taken[0] >= 57 * OVERALL_SPACING_S  # evenly planned: ≈28 a second


async def test_a_slot_frees_one_second_after_its_call_ended_however_slow_the_calls() -> None:
    clock = Clock()
    limits = SendLimits(clock=clock)
    for chat_id in range(1, 31):
        clock.now += limits.wait_time(chat_id)
        await limits.acquire(chat_id)
    assert limits.wait_time(31) > 0  # 30 calls still travelling: they could all arrive together
    clock.now += 5.0
    limits.release()  # the first call ended (arrived at most now)
    assert limits.wait_time(31) == pytest.approx(1.0)
    clock.now += 1.0
    assert limits.wait_time(31) == 0


async def test_a_late_sender_catches_up_with_the_plan() -> None:
    clock = Clock()
    limits = SendLimits(clock=clock)
    for chat_id in range(1, 11):
        await limits.acquire(chat_id)
        clock.now += 0.05  # the event loop woke late each time (a slot is 1/28 s)
    assert limits.wait_time(11) == 0


def test_retry_after_pauses_only_that_chat() -> None:
    clock = Clock()
    limits = SendLimits(clock=clock)
    limits.pause(42, 7)
    assert limits.wait_time(42) == 7
    assert limits.wait_time(43) == 0


def test_agent_commands_for_this_bot_only() -> None:
    assert parse_command("/resolve 12", "cert_bot") is not None
    assert parse_command("/resolve@cert_bot", "cert_bot").name == "resolve"  # type: ignore[union-attr]
    assert parse_command("/resolve@other_bot", "cert_bot") is None
    assert parse_command("resolve", "cert_bot") is None
