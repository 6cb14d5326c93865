"""The status lookup service: ownership checks against the database, throttling, the report.

Three steps, each one short transaction (the conversation may pause for minutes between them):

    start(sender, typed_id)          ID well-formed? already verified in this conversation? locked? capped?
    check_code(sender, id, code)     records the attempt; proves ownership or counts a failure
    report(sender, id)               the status report, only for a sender with proven ownership

Ownership is read from the database only (`verified_ownerships`), never from slots. An unknown ID
and a wrong code give the same outcome (OwnershipNotProven with the same `remaining`), so IDs
cannot be enumerated. Errors are `bot.errors` exceptions; a database failure is StorageUnavailable.

The throttle (bot/status/throttle.py) locks a sender (LookupLocked) and caps an application ID for
everyone (ApplicationCapped); refused checks are not recorded and their code is never compared.
`check_code` holds the ID's attempt counter (`queries.lock_application`) from reading the count to
writing the attempt, so concurrent senders cannot all slip under the cap. The wrong code that caps
an ID writes one `application_capped` alert for the agents group, unless one was written within the
cap's window: the agents hear about a burst once, not once per guess. A sender who proved ownership
before the cap keeps seeing the report: nothing is compared for them.
"""

from __future__ import annotations

import enum
import hmac
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from bot.db import escalation_queries, queries
from bot.db.engine import shared_session_factory
from bot.db.errors import storage_errors
from bot.db.escalation_models import AlertKind
from bot.db.models import Application, VerificationAttempt
from bot.db.types import utc_now
from bot.errors import ApplicationCapped, LookupLocked, OwnershipNotProven
from bot.status import parse, throttle
from bot.status.report import render_report

Clock = Callable[[], datetime]

VERIFIED_WITHOUT_CONVERSATION_START = timedelta(minutes=60)
"""How long a verification counts when the conversation's start is unknown (= session expiry)."""
CAPPED_ALERT = AlertKind.APPLICATION_CAPPED
"""The agent alert written when an application ID is capped (`bot.db.escalation_models.AgentAlert`)."""

Failures = list[tuple[datetime, str]]
"""An application ID's latest wrong codes from every sender: (time, sender id), newest first."""


class Start(enum.Enum):
    """What the lookup needs after a well-formed ID."""

    CODE_NEEDED = "code_needed"
    VERIFIED = "verified"


class StatusLookup:
    """Looks up applications for senders who prove ownership; one instance per request is fine."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        *,
        clock: Clock = utc_now,
        limits: throttle.Limits = throttle.DEFAULT_LIMITS,
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._limits = limits

    @classmethod
    def for_url(
        cls, url: str, *, clock: Clock = utc_now, limits: throttle.Limits = throttle.DEFAULT_LIMITS
    ) -> StatusLookup:
        """A lookup on the process-wide engine for `url` (StorageUnavailable if it cannot be made)."""
        with storage_errors():
            return cls(shared_session_factory(url), clock=clock, limits=limits)

    def start(
        self, sender_id: str, typed_id: str, *, conversation_started: datetime | None = None
    ) -> tuple[str, Start]:
        """Normalise the typed ID and say whether a code is needed.

        Raises MalformedApplicationId (nothing is read), LookupLocked, ApplicationCapped.
        """
        application_id = parse.application_id(typed_id)
        now = self._clock()
        with self._transaction() as session:
            since = self._verified_since(now, conversation_started)
            if queries.has_verified_ownership(session, sender_id, application_id, since):
                return application_id, Start.VERIFIED
            attempts = self._recent_attempts(session, sender_id, now)
            failures = self._application_failures(session, application_id, now)
        self._raise_if_locked(attempts, application_id, now)
        self._raise_if_capped(failures, now)
        return application_id, Start.CODE_NEEDED

    def check_code(self, sender_id: str, application_id: str, typed_code: str) -> None:
        """Check the credit-code suffix; returns when ownership is proven (and remembered).

        Raises MalformedCreditCode (nothing recorded), LookupLocked or ApplicationCapped (nothing
        recorded: the code is not even compared), OwnershipNotProven with the tries left.
        """
        application_id = parse.application_id(application_id)
        suffix = parse.credit_code_suffix(typed_code)
        now = self._clock()
        with self._transaction() as session:
            queries.lock_application(session, application_id)
            attempts = self._recent_attempts(session, sender_id, now)
            self._raise_if_locked(attempts, application_id, now)
            failures = self._application_failures(session, application_id, now)
            self._raise_if_capped(failures, now)
            credit_code = queries.credit_code_of(session, application_id)
            # Compare even for unknown IDs, in constant time: the answer must not reveal which.
            expected = credit_code[-parse.SUFFIX_LENGTH :].upper() if credit_code else "\0" * 6
            proven = hmac.compare_digest(expected, suffix) and credit_code is not None
            attempt = queries.add_attempt(
                session,
                sender_id=sender_id,
                application_id=application_id,
                succeeded=proven,
                at=now,
            )
            if proven:
                queries.add_verified_ownership(
                    session, sender_id=sender_id, application_id=application_id, at=now
                )
                return
            failures = [(now, sender_id), *failures]
            if self._capped_until(failures, now) is not None:
                self._alert_capped(session, application_id, failures, now, known=credit_code is not None)
        attempts = [attempt, *attempts]
        self._raise_if_locked(attempts, application_id, now)
        self._raise_if_capped(failures, now)
        # Only this conversation's own tries: counting the cap in would tell anyone that someone
        # else is guessing this ID (the cap, when it comes, has its own reply).
        raise OwnershipNotProven(
            remaining=throttle.remaining_tries(attempts, application_id, now, self._limits)
        )

    def report(
        self, sender_id: str, application_id: str, *, conversation_started: datetime | None = None
    ) -> str:
        """The status report for a sender who proved ownership in this conversation.

        Raises OwnershipNotProven (remaining None) when they did not, LookupLocked when locked.
        """
        application_id = parse.application_id(application_id)
        now = self._clock()
        with self._transaction() as session:
            since = self._verified_since(now, conversation_started)
            application = queries.verified_application(session, sender_id, application_id, since)
            if application is not None:
                return render_report(application)
            attempts = self._recent_attempts(session, sender_id, now)
        self._raise_if_locked(attempts, application_id, now)
        raise OwnershipNotProven(remaining=None)

    def about(
        self,
        sender_id: str,
        application_id: str,
        render: Callable[[Application], str | None],
        *,
        conversation_started: datetime | None = None,
    ) -> str | None:
        """`render` applied to the application, for a sender who proved ownership in this conversation.

        For follow-up questions after a report. Raises OwnershipNotProven (remaining None) when not proven.
        """
        application_id = parse.application_id(application_id)
        now = self._clock()
        with self._transaction() as session:
            since = self._verified_since(now, conversation_started)
            application = queries.verified_application(session, sender_id, application_id, since)
            if application is None:
                raise OwnershipNotProven(remaining=None)
            return render(application)

    # --- helpers ----------------------------------------------------------------------------------

    @contextmanager
    def _transaction(self) -> Iterator[Session]:
        with storage_errors(), self._sessions() as session, session.begin():
            yield session

    def _recent_attempts(self, session: Session, sender_id: str, now: datetime) -> list[VerificationAttempt]:
        return queries.recent_attempts(session, sender_id, since=now - self._limits.lookback)

    def _application_failures(self, session: Session, application_id: str, now: datetime) -> Failures:
        return queries.recent_failures_of_application(
            session,
            application_id,
            since=now - self._limits.application_window,
            limit=self._limits.per_application_all_senders,
        )

    def _capped_until(self, failures: Failures, now: datetime) -> datetime | None:
        return throttle.capped_until([at for at, _ in failures], now, self._limits)

    def _raise_if_capped(self, failures: Failures, now: datetime) -> None:
        until = self._capped_until(failures, now)
        if until is not None:
            raise ApplicationCapped(retry_after=until - now)

    def _alert_capped(
        self, session: Session, application_id: str, failures: Failures, now: datetime, *, known: bool
    ) -> None:
        """Tell the agents once per burst: unless an alert about the ID is younger than the window."""
        window = self._limits.application_window
        if escalation_queries.alerted_since(session, CAPPED_ALERT, application_id, now - window):
            return
        detail = {
            "wrong_codes": len(failures),
            "senders": len({sender for _, sender in failures}),
            "window_minutes": int(window.total_seconds() // 60),
            "until": (self._capped_until(failures, now) or now).isoformat(),
            "known": known,
        }
        escalation_queries.add_alert(session, CAPPED_ALERT, application_id, detail, now)

    def _raise_if_locked(
        self, attempts: list[VerificationAttempt], application_id: str, now: datetime
    ) -> None:
        until = throttle.locked_until(attempts, application_id, now, self._limits)
        if until is not None:
            raise LookupLocked(retry_after=until - now)

    @staticmethod
    def _verified_since(now: datetime, conversation_started: datetime | None) -> datetime:
        if conversation_started is not None:
            return conversation_started
        return now - VERIFIED_WITHOUT_CONVERSATION_START
