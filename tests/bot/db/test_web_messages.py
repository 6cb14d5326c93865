"""Messages waiting for web pages: leased by one process at a time, delivered once, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session, sessionmaker

from bot.db import web_messages
from bot.db.engine import make_engine, shared_engine, shared_session_factory
from bot.db.migrate import downgrade, upgrade
from bot.db.types import utc_now
from bot.db.web_messages import WEB_TABLES, Author
from tests.bot.db.test_migrations import model_differences

PAGE = "web:AAAAAAAAAAAAAAAAAAAAAAAA"
OTHER_PAGE = "web:BBBBBBBBBBBBBBBBBBBBBBBB"


def queue(sessions: sessionmaker[Session], conversation: str, *texts: str) -> list[str]:
    with sessions() as session, session.begin():
        return [web_messages.enqueue(session, conversation, text, author=Author.AGENT).key for text in texts]


def claim(
    sessions: sessionmaker[Session], lease: str, *, after: timedelta = timedelta(0), **options
) -> list[str]:  # type: ignore[no-untyped-def]
    now = utc_now() + after
    with sessions() as session, session.begin():
        claimed = web_messages.claim(
            session, [PAGE, OTHER_PAGE], lease=lease, until=now + timedelta(seconds=15), now=now, **options
        )
        return [message.text for message in claimed]


def test_a_leased_message_is_offered_by_no_one_else_until_the_lease_ends(
    sessions: sessionmaker[Session],
) -> None:
    queue(sessions, PAGE, "第一条", "第二条")
    queue(sessions, OTHER_PAGE, "别人的")

    assert claim(sessions, "worker-1/a") == ["第一条", "第二条", "别人的"]
    assert claim(sessions, "worker-2/a") == []  # held by worker 1
    assert claim(sessions, "worker-2/b", reclaim_prefix="worker-2/") == []  # not worker 2's to take back
    assert claim(sessions, "worker-1/b", reclaim_prefix="worker-1/") == ["第一条", "第二条", "别人的"]
    assert claim(sessions, "worker-2/c", after=timedelta(seconds=16)) == ["第一条", "第二条", "别人的"]


def test_a_delivered_message_is_never_offered_again(sessions: sessionmaker[Session]) -> None:
    first, second = queue(sessions, PAGE, "第一条", "第二条")
    with sessions() as session, session.begin():
        assert web_messages.mark_delivered(session, first)
        assert not web_messages.mark_delivered(session, first)  # a second page's ack changes nothing
    assert claim(sessions, "worker-1/a", after=timedelta(minutes=5)) == ["第二条"]
    with sessions() as session:
        assert [message.key for message in web_messages.undelivered(session, PAGE)] == [second]


def test_concurrent_processes_never_lease_one_message_twice(sessions: sessionmaker[Session]) -> None:
    queue(sessions, PAGE, *(f"消息{number}" for number in range(40)))
    claimed: dict[str, list[str]] = {}
    start = threading.Barrier(4)

    def worker(name: str) -> None:
        start.wait()
        claimed[name] = []
        for round_ in range(5):
            claimed[name] += claim(sessions, f"{name}/{round_}")

    threads = [threading.Thread(target=worker, args=(f"worker-{number}",)) for number in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    everything = [text for texts in claimed.values() for text in texts]
    assert sorted(everything) == sorted(f"消息{number}" for number in range(40))  # each exactly once


def test_the_table_matches_its_migration_and_steps_back(database_url: str) -> None:
    names = {table.name for table in WEB_TABLES}

    def differences() -> list[object]:
        return model_differences(database_url, names)

    assert differences() == []
    downgrade(database_url, "0005_conversation_ids")
    engine = make_engine(database_url)
    try:
        assert "web_messages" not in inspect(engine).get_table_names()
    finally:
        engine.dispose()
    upgrade(database_url)
    assert differences() == []


def test_a_rest_caller_gets_waiting_replies_once_and_an_empty_queue_costs_one_read(database_url: str) -> None:
    from bot.rasa_ext.handoff_turns import HandoffTurns

    handoff = HandoffTurns(database_url)
    sessions = shared_session_factory(database_url)
    statements: list[str] = []
    event.listen(
        shared_engine(database_url), "before_cursor_execute", lambda *args: statements.append(args[2])
    )

    assert handoff._take_replies("rest:someone") == []
    assert len(statements) == 1 and statements[0].lstrip().upper().startswith("SELECT EXISTS")

    queue(sessions, "rest:someone", "客服：您好")
    assert [reply["text"] for reply in handoff._take_replies("rest:someone")] == ["客服：您好"]
    assert handoff._take_replies("rest:someone") == []  # delivered once
