"""Throttle rules: 3 wrong codes per ID lock it for 30 minutes; 10 per sender lock everything; 10 per ID
an hour from all senders together cap the ID."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from bot.settings import Settings
from bot.status.throttle import (
    DEFAULT_LIMITS,
    Limits,
    capped_until,
    locked_until,
    remaining_tries,
)

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


# --- the cap per application ID, all senders together -------------------------------------------


def times(*minutes: float) -> list[datetime]:
    """Failure times, newest first (as the query returns them)."""
    return sorted((T0 + timedelta(minutes=m) for m in minutes), reverse=True)


def test_nine_wrong_codes_from_anyone_do_not_cap_the_id() -> None:
    now = T0 + timedelta(minutes=30)
    assert capped_until(times(*range(9)), now) is None


def test_the_tenth_wrong_code_in_an_hour_caps_the_id_until_the_first_leaves_the_window() -> None:
    failures_ = times(*range(0, 50, 5))  # 10 wrong codes, minutes 0..45
    assert capped_until(failures_, T0 + timedelta(minutes=46)) == T0 + timedelta(minutes=60)
    assert capped_until(failures_, T0 + timedelta(minutes=60)) is None  # minute 0 left the window


def test_failures_older_than_the_window_do_not_count() -> None:
    assert capped_until(times(*range(-70, -60), 1), T0 + timedelta(minutes=2)) is None


def test_the_cap_comes_from_the_settings() -> None:
    limits = Limits.from_settings(
        Settings.from_env({"STATUS_APPLICATION_CAP": "3", "STATUS_APPLICATION_CAP_MINUTES": "10"})
    )
    assert (limits.per_application_all_senders, limits.application_window) == (3, timedelta(minutes=10))
    assert capped_until(times(0, 1, 2), T0 + timedelta(minutes=3), limits) == T0 + timedelta(minutes=10)


@given(st.lists(st.floats(min_value=0, max_value=600, allow_nan=False), min_size=1, max_size=300))
def test_no_hour_ever_holds_more_compared_codes_than_the_cap(arrivals: list[float]) -> None:
    """Guesses arriving at any times: the ones the rule lets through never exceed 10 in any hour."""
    compared: list[datetime] = []
    for minute in sorted(arrivals):
        now = T0 + timedelta(minutes=minute)
        if capped_until(sorted(compared, reverse=True), now) is None:
            compared.append(now)  # a wrong guess, compared and recorded
    for start in compared:
        in_hour = [at for at in compared if start <= at < start + timedelta(minutes=60)]
        assert len(in_hour) <= DEFAULT_LIMITS.per_application_all_senders
