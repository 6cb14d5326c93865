"""When a sender may try a credit code: pure rules over the sender's recent attempts.

Two limits, both counted from attempts stored in the database (never from slots):

- per application: 3 wrong codes in a row for one application ID (known or not) within 30 minutes
  lock that ID for that sender for 30 minutes after the third; a correct code ends the run.
- per sender: 10 wrong codes within 30 minutes, across all IDs, lock every lookup of the sender
  until fewer than 10 remain in the window (stops walking through many IDs 3 codes at a time).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol


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

    @property
    def lookback(self) -> timedelta:
        """How far back attempts must be read to apply both rules."""
        return self.window + self.lockout


DEFAULT_LIMITS = Limits()


def _newest_first(attempts: Sequence[Attempt]) -> list[Attempt]:
    return sorted(attempts, key=lambda attempt: attempt.attempted_at, reverse=True)


def _failure_run(
    attempts: Sequence[Attempt], application_id: str, limits: Limits
) -> list[Attempt]:
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
