"""The project's exception hierarchy; every error maps to the one Chinese reply the user sees.

    BotError                 base class; `response` names the reply in domain.yml
    ├── StorageUnavailable   the database cannot be reached or failed mid-transaction
    ├── UpstreamUnavailable  another service of ours (Rasa, the action server) did not answer
    ├── InvalidRequest       what a client sent cannot be accepted (REST 400, socket.io error event)
    ├── TooManyMessages      an identity sent more messages than its per-minute limit; `retry_after`
    ├── PollingStopped       the Telegram gateway no longer polls Telegram; it exits to be restarted
    └── StatusLookupError    an application status lookup cannot go on (bot.status)
        ├── MalformedApplicationId  the text is not `RZ` + 12 digits
        ├── MalformedCreditCode     the text is not 6 characters of a unified social credit code
        ├── OwnershipNotProven      unknown ID or wrong code (one reply for both); `remaining` tries
        ├── LookupLocked            too many wrong codes from this sender; `retry_after` until it lifts
        └── ApplicationCapped       too many wrong codes for this application ID from everyone;
                                    no code is compared until `retry_after` has passed

Where they come from: a database failure is translated in one place, `bot.db.errors.storage_errors()`
(any SQLAlchemy error inside it is raised as StorageUnavailable, the original as its cause; an
SQLite folder that cannot be created is StorageUnavailable from `bot.db.engine.make_engine`):

    with storage_errors(), sessions() as session, session.begin():
        ...

Where they end: actions let them propagate to `actions.safe_action.SafeAction`, which turns them
(and any unexpected exception) into a reply; command-line tools turn them into a message and
exit code (`bot.cli.storage_failed`); the gateway logs them and retries or apologises.
"""

from __future__ import annotations

from datetime import timedelta


class BotError(Exception):
    """Base class; `response` is the domain response sent to the user."""

    response = "utter_action_failed"


class StorageUnavailable(BotError):
    """The database cannot be reached or a transaction failed."""

    response = "utter_storage_unavailable"


class UpstreamUnavailable(BotError):
    """Another service of ours did not answer in time."""

    response = "utter_action_failed"


class InvalidRequest(BotError):
    """What a client sent cannot be accepted; `response` names the Chinese explanation."""

    def __init__(self, response: str) -> None:
        super().__init__(response)
        self.response = response


class TooManyMessages(BotError):
    """An identity sent more messages than its limit allows; try again after `retry_after` seconds."""

    response = "utter_too_many_messages"

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"rate limited for {retry_after:.0f} s")
        self.retry_after = retry_after

    @property
    def seconds(self) -> int:
        """Whole seconds until a message is accepted again (at least 1)."""
        return max(1, -(-int(self.retry_after * 1000) // 1000))


class PollingStopped(BotError):
    """The Telegram gateway stopped polling while it was meant to run (bot/gateway/watchdog.py)."""


class StatusLookupError(BotError):
    """An application status lookup cannot go on; subclasses say why."""

    response = "utter_action_failed"


class MalformedApplicationId(StatusLookupError):
    """The text is not an application ID (`RZ` followed by 12 digits)."""

    response = "utter_status_id_malformed"


class MalformedCreditCode(StatusLookupError):
    """The text is not the last 6 characters of a unified social credit code."""

    response = "utter_status_code_malformed"


class OwnershipNotProven(StatusLookupError):
    """Unknown application ID or wrong credit-code suffix: the same reply for both.

    `remaining` is how many more codes may be tried before the lookup locks, or None when
    no code was checked (the sender never verified this application in this conversation).
    """

    response = "utter_status_mismatch"

    def __init__(self, remaining: int | None = None) -> None:
        super().__init__(f"ownership not proven (remaining={remaining})")
        self.remaining = remaining


class _TryLater(StatusLookupError):
    """A lookup refused until `retry_after` has passed."""

    def __init__(self, retry_after: timedelta) -> None:
        super().__init__(f"{type(self).__name__} for {retry_after}")
        self.retry_after = retry_after

    @property
    def minutes(self) -> int:
        """Whole minutes until lookups are possible again, rounded up (at least 1)."""
        return max(1, -(-int(self.retry_after.total_seconds()) // 60))


class LookupLocked(_TryLater):
    """Too many wrong codes from this sender: lookups are refused until `retry_after` has passed."""

    response = "utter_status_locked"


class ApplicationCapped(_TryLater):
    """Too many wrong codes for one application ID from all senders together: no code is compared.

    Known and unknown IDs are capped alike, so the reply reveals nothing about the ID.
    """

    response = "utter_status_capped"
