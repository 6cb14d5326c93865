"""When a credit code may be tried: pure rules over the attempts stored in the database.

Three limits, all counted from attempts stored in the database (never from slots); the numbers
are the defaults (`bot.settings`, README "Configuration"):

- per application and sender: 3 wrong codes in a row for one application ID (known or not)
  within 30 minutes lock that ID for that sender for 30 minutes after the third; a correct code
  ends the run.
- per sender: 10 wrong codes within 30 minutes, across all IDs, lock every lookup of the sender
  until fewer than 10 remain in the window (stops walking through many IDs 3 codes at a time).
- per application, all senders together: 10 wrong codes for one application ID (known or not)
  within 60 minutes cap that ID: nobody's code is compared until fewer than 10 remain in the
  window. A sender id costs an attacker nothing, so this is the limit that holds: at most 10
  codes are compared per ID in any hour, i.e. one guess in 31⁶ ≈ 8.9 × 10⁸ has at most
  10 × 24 × 365 / 31⁶ ≈ 1 × 10⁻⁴ chance of being found in a year of guessing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from bot.settings import Settings


class Attempt(Protocol):
    """What the rules need of a stored attempt (`bot.db.models.VerificationAttempt` fits)."""

    application_id: str
    succeeded: bool
    attempted_at: datetime


@dataclass(frozen=True)
class Limits:
    """How many wrong codes are allowed, in what window, and how long a lock lasts."""

    per_application: int = 3
    per_sender: int = 10
    window: timedelta = timedelta(minutes=30)
    lockout: timedelta = timedelta(minutes=30)
    per_application_all_senders: int = 10
    application_window: timedelta = timedelta(minutes=60)

    @classmethod
    def from_settings(cls, settings: Settings) -> Limits:
        """The limits configured in the environment (`bot.settings.Settings`)."""
        return cls(
            per_application=settings.status_codes_per_application,
            per_sender=settings.status_codes_per_conversation,
            window=timedelta(minutes=settings.status_window_minutes),
            lockout=timedelta(minutes=settings.status_lock_minutes),
            per_application_all_senders=settings.status_application_cap,
            application_window=timedelta(minutes=settings.status_application_cap_minutes),
        )

    @property
    def lookback(self) -> timedelta:
        """How far back attempts must be read to apply both rules."""
        return self.window + self.lockout


DEFAULT_LIMITS = Limits()


def _newest_first(attempts: Sequence[Attempt]) -> list[Attempt]:
    return sorted(attempts, key=lambda attempt: attempt.attempted_at, reverse=True)


def _failure_run(attempts: Sequence[Attempt], application_id: str, limits: Limits) -> list[Attempt]:
    """The latest wrong codes for the ID in a row (newest first, stopping at a correct one)."""
    run: list[Attempt] = []
    for attempt in _newest_first(attempts):
        if attempt.application_id != application_id:
            continue
        if attempt.succeeded or len(run) == limits.per_application:
            break
        run.append(attempt)
    return run


def _recent_failures(attempts: Sequence[Attempt], now: datetime, limits: Limits) -> list[Attempt]:
    return [
        attempt
        for attempt in _newest_first(attempts)
        if not attempt.succeeded and attempt.attempted_at > now - limits.window
    ]


def locked_until(
    attempts: Sequence[Attempt],
    application_id: str,
    now: datetime,
    limits: Limits = DEFAULT_LIMITS,
) -> datetime | None:
    """When the sender may next try a code for `application_id`, or None if they may now."""
    candidates: list[datetime] = []
    run = _failure_run(attempts, application_id, limits)
    if len(run) == limits.per_application and run[0].attempted_at - run[-1].attempted_at <= limits.window:
        candidates.append(run[0].attempted_at + limits.lockout)
    failures = _recent_failures(attempts, now, limits)
    if len(failures) >= limits.per_sender:
        # The lock lifts when the failure that completed the count leaves the window.
        candidates.append(failures[limits.per_sender - 1].attempted_at + limits.window)
    until = max(candidates, default=None)
    return until if until is not None and until > now else None


def remaining_tries(
    attempts: Sequence[Attempt],
    application_id: str,
    now: datetime,
    limits: Limits = DEFAULT_LIMITS,
) -> int:
    """How many more wrong codes the sender may enter for the ID before a lock."""
    run = [
        attempt
        for attempt in _failure_run(attempts, application_id, limits)
        if attempt.attempted_at > now - limits.window
    ]
    per_application = limits.per_application - len(run)
    per_sender = limits.per_sender - len(_recent_failures(attempts, now, limits))
    return max(0, min(per_application, per_sender))


def capped_until(
    failures_newest_first: Sequence[datetime], now: datetime, limits: Limits = DEFAULT_LIMITS
) -> datetime | None:
    """Until when an application ID is capped (all senders), or None if codes may be compared.

    `failures_newest_first` are the times of the ID's latest wrong codes from every sender (at
    least `per_application_all_senders` of them when there are that many in the window).
    The cap lifts when the failure that completed the count leaves the window.
    """
    recent = [at for at in failures_newest_first if at > now - limits.application_window]
    if len(recent) < limits.per_application_all_senders:
        return None
    return recent[limits.per_application_all_senders - 1] + limits.application_window
