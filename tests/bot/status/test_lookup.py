"""The lookup service on a real database: ownership, throttling, the cap per ID, reports, queries, outages."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.db.escalation_models import AgentAlert
from bot.db.models import VerificationAttempt
from bot.errors import (
    ApplicationCapped,
    LookupLocked,
    MalformedApplicationId,
    MalformedCreditCode,
    OwnershipNotProven,
    StorageUnavailable,
)
from bot.status.lookup import Start, StatusLookup

DEMO_CODES = {
    "RZ202611200001": ("B2C344", "初审中"),
    "RZ202611180002": ("7K4L6Q", "待打款验证"),
    "RZ202611150003": ("8N2P1D", "复审中"),
    "RZ202611100004": ("6R9T4Q", "已通过"),
    "RZ202611120005": ("3E1Q2Q", "已驳回"),
    "RZ202611210006": ("F5W298", "已驳回"),
}
UNKNOWN = "RZ209912319999"


class Clock:
    """A clock tests move by hand."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 26, 9, 0, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def lookup(seeded_url: str, sessions: sessionmaker[Session], clock: Clock) -> StatusLookup:
    return StatusLookup(sessions, clock=clock)


@contextmanager
def statements(sessions: sessionmaker[Session]) -> Iterator[list[str]]:
    """Collect the SQL statements sent while the block runs."""
    engine = sessions.kw["bind"]
    seen: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


@pytest.mark.parametrize("application_id", sorted(DEMO_CODES))
def test_each_demo_owner_gets_their_report(lookup: StatusLookup, application_id: str) -> None:
    code, status = DEMO_CODES[application_id]

    assert lookup.start("alice", application_id.lower()) == (application_id, Start.CODE_NEEDED)
    lookup.check_code("alice", application_id, code.lower())
    report = lookup.report("alice", application_id)

    assert application_id in report and f"当前状态：{status}" in report


def test_unknown_id_and_wrong_code_look_the_same(lookup: StatusLookup) -> None:
    with pytest.raises(OwnershipNotProven) as unknown:
        lookup.check_code("alice", UNKNOWN, "B2C344")
    with pytest.raises(OwnershipNotProven) as wrong:
        lookup.check_code("bob", "RZ202611200001", "B2C345")

    assert (
        (type(unknown.value), unknown.value.remaining)
        == (type(wrong.value), wrong.value.remaining)
        == (
            OwnershipNotProven,
            2,
        )
    )


def test_three_wrong_codes_lock_the_id_for_thirty_minutes(lookup: StatusLookup, clock: Clock) -> None:
    for remaining in (2, 1):
        with pytest.raises(OwnershipNotProven) as wrong:
            lookup.check_code("alice", "RZ202611200001", "000000")
        assert wrong.value.remaining == remaining
        clock.advance(minutes=1)
    with pytest.raises(LookupLocked) as locked:
        lookup.check_code("alice", "RZ202611200001", "000000")
    assert locked.value.minutes == 30

    clock.advance(minutes=29)
    with pytest.raises(LookupLocked):
        lookup.start("alice", "RZ202611200001")
    with pytest.raises(LookupLocked):  # even the right code is not compared while locked
        lookup.check_code("alice", "RZ202611200001", "B2C344")

    clock.advance(minutes=1)
    lookup.check_code("alice", "RZ202611200001", "B2C344")
    assert "初审中" in lookup.report("alice", "RZ202611200001")


def test_unknown_ids_lock_the_same_way(lookup: StatusLookup) -> None:
    for _ in range(2):
        with pytest.raises(OwnershipNotProven):
            lookup.check_code("mallory", UNKNOWN, "123456")
    with pytest.raises(LookupLocked):
        lookup.check_code("mallory", UNKNOWN, "123456")
    with pytest.raises(LookupLocked):
        lookup.start("mallory", UNKNOWN)


def test_the_lock_is_per_sender(lookup: StatusLookup) -> None:
    for _ in range(3):
        with pytest.raises((OwnershipNotProven, LookupLocked)):
            lookup.check_code("mallory", "RZ202611200001", "123456")

    lookup.check_code("alice", "RZ202611200001", "B2C344")


def test_ten_wrong_codes_across_ids_lock_the_sender(lookup: StatusLookup, clock: Clock) -> None:
    for n in range(10):
        with pytest.raises((OwnershipNotProven, LookupLocked)):
            lookup.check_code("mallory", f"RZ2099123100{n:02d}", "123456")
        clock.advance(seconds=30)

    with pytest.raises(LookupLocked):
        lookup.start("mallory", "RZ202611200001")
    with pytest.raises(LookupLocked):
        lookup.check_code("mallory", "RZ202611200001", "B2C344")

    clock.advance(minutes=30)
    lookup.check_code("mallory", "RZ202611200001", "B2C344")


def test_refused_attempts_are_not_recorded(lookup: StatusLookup, sessions: sessionmaker[Session]) -> None:
    for _ in range(3):
        with pytest.raises((OwnershipNotProven, LookupLocked)):
            lookup.check_code("mallory", "RZ202611200001", "123456")
    for _ in range(5):
        with pytest.raises(LookupLocked):
            lookup.check_code("mallory", "RZ202611200001", "123456")
    with pytest.raises(MalformedCreditCode):
        lookup.check_code("alice", "RZ202611200001", "12345")

    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(VerificationAttempt)) == 3


def test_a_verified_sender_asks_again_without_a_code(lookup: StatusLookup, clock: Clock) -> None:
    started = clock.now
    lookup.check_code("alice", "RZ202611150003", "8N2P1D")
    clock.advance(minutes=50)

    assert lookup.start("alice", "RZ 2026 1115 0003", conversation_started=started) == (
        "RZ202611150003",
        Start.VERIFIED,
    )
    assert "复审中" in lookup.report("alice", "RZ202611150003", conversation_started=started)


def test_verification_does_not_outlive_the_conversation(lookup: StatusLookup, clock: Clock) -> None:
    lookup.check_code("alice", "RZ202611150003", "8N2P1D")
    clock.advance(minutes=90)

    assert lookup.start("alice", "RZ202611150003", conversation_started=clock.now)[1] is Start.CODE_NEEDED
    with pytest.raises(OwnershipNotProven) as not_proven:
        lookup.report("alice", "RZ202611150003", conversation_started=clock.now)
    assert not_proven.value.remaining is None


def test_another_senders_verification_proves_nothing(lookup: StatusLookup) -> None:
    lookup.check_code("alice", "RZ202611150003", "8N2P1D")

    with pytest.raises(OwnershipNotProven):
        lookup.report("mallory", "RZ202611150003")


def test_malformed_id_is_refused_before_the_database(lookup: StatusLookup) -> None:
    with pytest.raises(MalformedApplicationId):
        lookup.start("alice", "RZ2026112000")


def test_queries_per_step_stay_few(lookup: StatusLookup, sessions: sessionmaker[Session]) -> None:
    with statements(sessions) as start:
        lookup.start("alice", "RZ202611200001")
    with statements(sessions) as check:
        lookup.check_code("alice", "RZ202611200001", "B2C344")
    with statements(sessions) as report:
        lookup.report("alice", "RZ202611200001")
    with statements(sessions) as again:
        lookup.start("alice", "RZ202611200001")
        lookup.report("alice", "RZ202611200001")

    # start: ownership, the sender's attempts, the ID's failures from everyone. check: the ID's lock,
    # the same two reads, the credit code, the attempt and the ownership written.
    assert (len(start), len(check), len(report), len(again)) == (3, 6, 1, 2)


@pytest.mark.parametrize(
    "url",
    [
        "postgresql+psycopg2://postgres@127.0.0.1:9/test",  # nothing listens on port 9
        "sqlite:////proc/no-such-dir/bot.db",  # the folder cannot be created
    ],
)
def test_an_unreachable_database_is_storage_unavailable(url: str) -> None:
    with pytest.raises(StorageUnavailable):
        StatusLookup.for_url(url).start("alice", "RZ202611200001")


def test_a_database_without_tables_is_storage_unavailable(unmigrated_database_url: str) -> None:
    lookup = StatusLookup.for_url(unmigrated_database_url)
    with pytest.raises(StorageUnavailable):
        lookup.start("alice", "RZ202611200001")
    with pytest.raises(StorageUnavailable):
        lookup.check_code("alice", "RZ202611200001", "B2C344")


# --- the cap per application ID across senders ------------------------------------------------------


def compared_codes(sessions: sessionmaker[Session], application_id: str) -> int:
    """Codes actually compared for the ID: every comparison is recorded, refused checks are not."""
    with sessions() as session:
        return session.scalar(
            select(func.count())
            .select_from(VerificationAttempt)
            .where(VerificationAttempt.application_id == application_id)
        )


def alerts(sessions: sessionmaker[Session]) -> list[AgentAlert]:
    with sessions() as session:
        return list(session.scalars(select(AgentAlert).order_by(AgentAlert.id)))


def guess(lookup: StatusLookup, sender: str, application_id: str, code: str = "000000") -> type[Exception]:
    """One guess from a fresh sender; the exception it ended with."""
    try:
        lookup.check_code(sender, application_id, code)
    except (OwnershipNotProven, ApplicationCapped, LookupLocked) as error:
        return type(error)
    return type(None)  # type: ignore[return-value]


@pytest.mark.parametrize("application_id", ["RZ202611200001", UNKNOWN])
def test_ten_wrong_codes_from_fresh_senders_cap_the_id_for_everyone(
    lookup: StatusLookup, sessions: sessionmaker[Session], clock: Clock, application_id: str
) -> None:
    outcomes = []
    for n in range(10):
        outcomes.append(guess(lookup, f"fresh-{n}", application_id))
        clock.advance(minutes=2)
    assert outcomes == [OwnershipNotProven] * 9 + [ApplicationCapped]

    with pytest.raises(ApplicationCapped) as capped:  # even the right code: it is not compared
        lookup.check_code("owner", application_id, DEMO_CODES.get(application_id, ("B2C344",))[0])
    assert capped.value.minutes == 40  # now minute 20; the first failure (minute 0) leaves the hour at 60
    with pytest.raises(ApplicationCapped):
        lookup.start("another", application_id)
    assert compared_codes(sessions, application_id) == 10
    lookup.start("another", "RZ202611180002")  # other IDs are not affected


def test_the_cap_lifts_as_failures_leave_the_hour(lookup: StatusLookup, clock: Clock) -> None:
    for n in range(10):
        guess(lookup, f"fresh-{n}", "RZ202611200001")
        clock.advance(minutes=1)
    clock.advance(minutes=50)  # minute 60: the first failure is an hour old
    lookup.check_code("owner", "RZ202611200001", "B2C344")
    assert "初审中" in lookup.report("owner", "RZ202611200001")


def test_the_tries_left_never_reveal_that_someone_else_is_guessing(lookup: StatusLookup) -> None:
    """Found by an outside attack: counting the cap in told anyone that the ID was being guessed."""
    for n in range(8):
        guess(lookup, f"fresh-{n}", "RZ202611200001")
    with pytest.raises(OwnershipNotProven) as wrong:
        lookup.check_code("alice", "RZ202611200001", "000000")
    assert wrong.value.remaining == 2  # her own tries only
    with pytest.raises(ApplicationCapped):  # the tenth wrong code in the hour caps the ID, for everyone
        lookup.check_code("alice", "RZ202611200001", "000001")


def test_a_sender_verified_before_the_cap_still_gets_the_report(lookup: StatusLookup, clock: Clock) -> None:
    started = clock.now
    lookup.check_code("owner", "RZ202611150003", "8N2P1D")
    for n in range(10):
        guess(lookup, f"fresh-{n}", "RZ202611150003")

    assert lookup.start("owner", "RZ202611150003", conversation_started=started)[1] is Start.VERIFIED
    assert "复审中" in lookup.report("owner", "RZ202611150003", conversation_started=started)


def test_concurrent_fresh_senders_get_no_more_than_the_cap_compared(
    lookup: StatusLookup, sessions: sessionmaker[Session]
) -> None:
    """40 senders at once: reading the count and writing the attempt cannot interleave."""
    start = threading.Barrier(40)
    outcomes: list[type[Exception]] = []

    def attacker(n: int) -> None:
        start.wait()
        outcomes.append(guess(lookup, f"racer-{n}", "RZ202611200001", f"{n:06d}"))

    threads = [threading.Thread(target=attacker, args=(n,)) for n in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert compared_codes(sessions, "RZ202611200001") == 10
    names = sorted(outcome.__name__ for outcome in outcomes)
    assert names == ["ApplicationCapped"] * 31 + ["OwnershipNotProven"] * 9
    assert len(alerts(sessions)) == 1


def test_the_agents_hear_once_per_burst(
    lookup: StatusLookup, sessions: sessionmaker[Session], clock: Clock
) -> None:
    for n in range(30):  # ten compared, twenty refused
        guess(lookup, f"fresh-{n % 4}-{n}", UNKNOWN)
        clock.advance(seconds=10)
    [alert] = alerts(sessions)
    assert (alert.kind, alert.subject) == ("application_capped", UNKNOWN)
    detail = json.loads(alert.detail)
    assert (detail["wrong_codes"], detail["senders"], detail["known"]) == (10, 10, False)

    clock.advance(minutes=61)  # a new burst, an hour later: the agents hear again
    for n in range(10):
        guess(lookup, f"later-{n}", UNKNOWN)
    assert len(alerts(sessions)) == 2
