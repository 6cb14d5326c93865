"""Lockout rules: 3 wrong codes per ID lock it for 30 minutes; 10 per sender lock everything."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from bot.status.throttle import DEFAULT_LIMITS, locked_until, remaining_tries

T0 = datetime(2026, 11, 26, 9, 0, tzinfo=timezone.utc)
ID = "RZ202611200001"
OTHER = "RZ202611180002"


@dataclass
class Attempt:
    application_id: str
    succeeded: bool
    attempted_at: datetime


def failures(application_id: str, *minutes: float) -> list[Attempt]:
    return [Attempt(application_id, False, T0 + timedelta(minutes=m)) for m in minutes]


def test_two_wrong_codes_leave_one_try() -> None:
    attempts = failures(ID, 0, 1)
    assert locked_until(attempts, ID, T0 + timedelta(minutes=2)) is None
    assert remaining_tries(attempts, ID, T0 + timedelta(minutes=2)) == 1


def test_third_wrong_code_locks_for_thirty_minutes_after_it() -> None:
    attempts = failures(ID, 0, 1, 10)

    assert locked_until(attempts, ID, T0 + timedelta(minutes=10)) == T0 + timedelta(minutes=40)
    assert locked_until(attempts, ID, T0 + timedelta(minutes=39, seconds=59)) is not None
    assert locked_until(attempts, ID, T0 + timedelta(minutes=40)) is None
    assert remaining_tries(attempts, ID, T0 + timedelta(minutes=40)) == 3


def test_the_lock_is_per_application() -> None:
    attempts = failures(ID, 0, 1, 2)
    assert locked_until(attempts, OTHER, T0 + timedelta(minutes=3)) is None


def test_wrong_codes_far_apart_do_not_lock() -> None:
    attempts = failures(ID, 0, 20, 45)
    assert locked_until(attempts, ID, T0 + timedelta(minutes=45)) is None


def test_a_correct_code_ends_the_run_of_wrong_ones() -> None:
    attempts = [*failures(ID, 0, 1), Attempt(ID, True, T0 + timedelta(minutes=2)), *failures(ID, 3)]
    assert locked_until(attempts, ID, T0 + timedelta(minutes=4)) is None
    assert remaining_tries(attempts, ID, T0 + timedelta(minutes=4)) == 2


def test_ten_wrong_codes_across_ids_lock_the_sender() -> None:
    ids = [f"RZ20261120{n:04d}" for n in range(5)]
    attempts = [attempt for n, i in enumerate(ids) for attempt in failures(i, 2 * n, 2 * n + 1)]

    now = T0 + timedelta(minutes=10)
    until = locked_until(attempts, "RZ209912319999", now)

    assert until == T0 + timedelta(minutes=30)  # when the oldest counted failure leaves the window
    assert remaining_tries(attempts, "RZ209912319999", now) == 0


@given(st.lists(st.tuples(st.booleans(), st.integers(0, 120), st.sampled_from([ID, OTHER])), max_size=30))
def test_a_lock_is_never_in_the_past_and_never_longer_than_the_lockout(rows) -> None:  # type: ignore[no-untyped-def]
    attempts = [Attempt(i, ok, T0 + timedelta(minutes=m)) for ok, m, i in rows]
    now = T0 + timedelta(minutes=121)
    until = locked_until(attempts, ID, now)
    if until is not None:
        assert now < until <= now + DEFAULT_LIMITS.lockout


@given(st.integers(0, 2), st.integers(1, 29))
def test_remaining_tries_count_down_to_the_lock(wrong: int, spacing: int) -> None:
    attempts = failures(ID, *[i * spacing / 3 for i in range(wrong)])
    now = T0 + timedelta(minutes=spacing)
    assert locked_until(attempts, ID, now) is None
    assert remaining_tries(attempts, ID, now) == 3 - wrong
