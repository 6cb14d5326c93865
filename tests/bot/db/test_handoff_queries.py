"""Gateway and handoff queries on SQLite and PostgreSQL: inbox once, outbox in order, one active escalation."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session, sessionmaker

from bot.db import handoff_queries as queries


def test_an_update_is_stored_once_and_its_payload_erased_when_processed(sessions: sessionmaker[Session]) -> None:
    with sessions() as session, session.begin():
        assert queries.store_update(session, 10, '{"update_id": 10}')
        assert not queries.store_update(session, 10, '{"update_id": 10}')
        assert queries.store_update(session, 11, '{"update_id": 11}')
    with sessions() as session, session.begin():
        assert [update_id for update_id, _ in queries.unprocessed_updates(session)] == [10, 11]
        assert queries.finish_update(session, 10)
        assert not queries.finish_update(session, 10)
    with sessions() as session, session.begin():
        assert [update_id for update_id, _ in queries.unprocessed_updates(session)] == [11]
        assert queries.is_update_processed(session, 10)
        assert not queries.store_update(session, 10, "{}")  # a re-delivery after processing is still a duplicate


def test_each_chat_sends_its_oldest_pending_message_first(sessions: sessionmaker[Session]) -> None:
    with sessions() as session, session.begin():
        first = queries.enqueue_message(session, 1, "a1", purpose="reply")
        queries.enqueue_message(session, 2, "b1", purpose="reply")
        queries.enqueue_message(session, 1, "a2", purpose="reply")
    with sessions() as session, session.begin():
        assert [m.text for m in queries.pending_heads(session)] == ["a1", "b1"]
        queries.mark_sent(session, first.id, 99)
    with sessions() as session, session.begin():
        assert [m.text for m in queries.pending_heads(session)] == ["b1", "a2"]
        assert queries.give_up_chat(session, 2, queries.BLOCKED, "blocked") == 1
        assert queries.retarget_chat(session, 1, -5) == 1
        assert [(m.chat_id, m.text) for m in queries.pending_heads(session)] == [(-5, "a2")]


def test_one_active_escalation_per_conversation(sessions: sessionmaker[Session]) -> None:
    lines = [{"role": "user", "text": "转人工"}]
    with sessions() as session, session.begin():
        first = queries.open_escalation(session, sender_id="42", reason="asked", application_id=None, transcript=lines)
        again = queries.open_escalation(session, sender_id="42", reason="fallbacks", application_id=None, transcript=[])
        assert again.id == first.id
        assert queries.resolve_escalation(session, first.id) is not None
        assert queries.resolve_escalation(session, first.id) is None
    with sessions() as session, session.begin():
        later = queries.open_escalation(session, sender_id="42", reason="asked", application_id=None, transcript=[])
        assert later.id != first.id
        assert [e.id for e in queries.active_escalations(session)] == [later.id]
        assert [e.id for e in queries.unresumed_escalations(session)] == [first.id]
        just_now = first.resolved_at
        assert queries.unresumed_escalations(session, resolved_before=just_now) == []  # left to /resolve
        assert queries.escalations_since(session, "42", since=just_now - dt.timedelta(hours=1)) == 2


def test_waiting_escalations_and_alerts(sessions: sessionmaker[Session]) -> None:
    at = dt.datetime(2026, 11, 26, 9, 0, tzinfo=dt.timezone.utc)
    with sessions() as session, session.begin():
        assert queries.waiting_escalations(session) == (0, None, None)
        opened = [
            queries.open_escalation(session, sender_id=sender, reason="asked", application_id=None, transcript=[])
            for sender in ("s1", "s2", "s3")
        ]
        ids = [escalation.id for escalation in opened]
        queries.mark_announced(session, ids[:1])
        count, oldest, newest = queries.waiting_escalations(session)
        assert count == 2 and oldest is not None and newest is not None and oldest <= newest
        assert oldest.tzinfo is not None  # aware UTC, on both databases
        queries.add_alert(session, "application_capped", "RZ209912310001", {"wrong_codes": 10}, at)
    with sessions() as session, session.begin():
        assert queries.alerted_since(session, "application_capped", "RZ209912310001", at)
        later = at + dt.timedelta(seconds=1)
        assert not queries.alerted_since(session, "application_capped", "RZ209912310001", later)
        [alert] = queries.unannounced_alerts(session)
        queries.mark_alerts_announced(session, [alert.id])
    with sessions() as session:
        assert queries.unannounced_alerts(session) == []
