"""Queries of the status lookup and the back office: plain functions taking a session.

The caller owns the transaction (`with factory() as session, session.begin():`). Each function
issues one statement unless its docstring says otherwise, so a caller can count its queries.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import delete, exists, select, text
from sqlalchemy.orm import Session, joinedload

from bot.db.models import (
    Application,
    RejectionReason,
    Status,
    StatusChange,
    VerificationAttempt,
    VerifiedOwnership,
)

RECENT_ATTEMPTS_LIMIT = 100
"""At most this many of a sender's recent attempts are read (the throttle needs far fewer)."""


# --- the lookup -----------------------------------------------------------------------------------


def recent_attempts(session: Session, sender_id: str, since: datetime) -> list[VerificationAttempt]:
    """The sender's credit-code checks since `since`, newest first (all applications)."""
    statement = (
        select(VerificationAttempt)
        .where(VerificationAttempt.sender_id == sender_id, VerificationAttempt.attempted_at >= since)
        .order_by(VerificationAttempt.attempted_at.desc(), VerificationAttempt.id.desc())
        .limit(RECENT_ATTEMPTS_LIMIT)
    )
    return list(session.scalars(statement))


def lock_application(session: Session, application_id: str) -> None:
    """Hold the application ID's attempt counter until the transaction ends (one checker at a time).

    Without it two senders could both read "9 wrong codes" and both have a code compared. On
    PostgreSQL: a transaction-level advisory lock keyed on the ID (other IDs are not blocked).
    On SQLite: a statement that writes nothing but takes the database's write lock, which SQLite
    holds to the end of the transaction (writers queue behind it for the busy timeout).
    """
    if session.get_bind().dialect.name == "postgresql":
        digest = hashlib.blake2b(f"verification:{application_id}".encode(), digest_size=8).digest()
        key = int.from_bytes(digest, "big", signed=True)
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})
    else:
        session.execute(text("UPDATE verification_attempts SET id = id WHERE 0 = 1"))


def recent_failures_of_application(
    session: Session, application_id: str, since: datetime, limit: int
) -> list[tuple[datetime, str]]:
    """The ID's latest wrong codes since `since` from every sender: (time, sender), newest first."""
    statement = (
        select(VerificationAttempt.attempted_at, VerificationAttempt.sender_id)
        .where(
            VerificationAttempt.application_id == application_id,
            VerificationAttempt.attempted_at >= since,
            VerificationAttempt.succeeded.is_(False),
        )
        .order_by(VerificationAttempt.attempted_at.desc(), VerificationAttempt.id.desc())
        .limit(limit)
    )
    return [(row.attempted_at, row.sender_id) for row in session.execute(statement)]


def add_attempt(
    session: Session, *, sender_id: str, application_id: str, succeeded: bool, at: datetime
) -> VerificationAttempt:
    """Record one credit-code check (written at the next flush or commit)."""
    attempt = VerificationAttempt(
        sender_id=sender_id, application_id=application_id, succeeded=succeeded, attempted_at=at
    )
    session.add(attempt)
    return attempt


def credit_code_of(session: Session, application_id: str) -> str | None:
    """The application's unified social credit code, or None when there is no such application."""
    return session.scalars(select(Application.credit_code).where(Application.id == application_id)).first()


def add_verified_ownership(session: Session, *, sender_id: str, application_id: str, at: datetime) -> None:
    """Remember that the sender proved they own the application."""
    session.add(VerifiedOwnership(sender_id=sender_id, application_id=application_id, verified_at=at))


def forget_ownerships(session: Session, application_ids: list[str]) -> int:
    """Forget every conversation's proof of owning these applications (their credit code changed); return how many."""
    if not application_ids:
        return 0
    result = session.execute(
        delete(VerifiedOwnership).where(VerifiedOwnership.application_id.in_(application_ids))
    )
    return int(result.rowcount or 0)


def _verified_since(sender_id: str, application_id: str, since: datetime):  # type: ignore[no-untyped-def]
    return exists().where(
        VerifiedOwnership.sender_id == sender_id,
        VerifiedOwnership.application_id == application_id,
        VerifiedOwnership.verified_at >= since,
    )


def has_verified_ownership(session: Session, sender_id: str, application_id: str, since: datetime) -> bool:
    """Tell whether the sender proved ownership of the application at or after `since`."""
    return bool(session.scalar(select(_verified_since(sender_id, application_id, since))))


def verified_application(
    session: Session, sender_id: str, application_id: str, since: datetime
) -> Application | None:
    """The application with its rejection reasons, only if the sender proved ownership since `since`.

    One statement: the ownership check is an EXISTS and the reasons are joined in.
    """
    statement = (
        select(Application)
        .where(Application.id == application_id, _verified_since(sender_id, application_id, since))
        .options(joinedload(Application.rejection_reasons))
    )
    return session.scalars(statement).unique().first()


# --- the back office ------------------------------------------------------------------------------


def applications_by_id(session: Session, ids: Iterable[str]) -> dict[str, Application]:
    """The applications with these IDs (and their reasons), by ID; unknown IDs are left out."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    statement = (
        select(Application)
        .where(Application.id.in_(wanted))
        .options(joinedload(Application.rejection_reasons))
    )
    return {application.id: application for application in session.scalars(statement).unique()}


def get_application(session: Session, application_id: str) -> Application | None:
    """The application with its rejection reasons, or None."""
    return applications_by_id(session, [application_id]).get(application_id)


def add_application(session: Session, application: Application) -> None:
    """Add a new application (written at the next flush or commit)."""
    session.add(application)


def record_status(
    session: Session,
    application: Application,
    status: Status,
    *,
    at: datetime,
    source: str,
    reasons: Sequence[RejectionReason] = (),
    note: str | None = None,
) -> StatusChange:
    """Move the application to `status` (reasons replaced) and append the change to its history."""
    change = StatusChange(
        application_id=application.id,
        from_status=application.status,
        to_status=status,
        changed_at=at,
        source=source,
        note=note,
    )
    application.status = status
    application.status_since = at
    application.rejection_reasons = list(reasons)
    session.add(change)
    return change


def history_of(session: Session, application_id: str) -> list[StatusChange]:
    """The application's status changes, oldest first."""
    statement = (
        select(StatusChange)
        .where(StatusChange.application_id == application_id)
        .order_by(StatusChange.changed_at, StatusChange.id)
    )
    return list(session.scalars(statement))
