"""Escalation and alert queries on SQLite and PostgreSQL: one active escalation per conversation, alerts once."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from bot.db import escalation_queries as queries
from bot.db.escalation_models import AlertKind, EscalationStatus


def test_one_active_escalation_per_conversation(sessions: sessionmaker[Session]) -> None:
    lines = [{"role": "user", "text": "转人工"}]
    with sessions() as session, session.begin():
        first = queries.open_escalation(
            session, sender_id="42", reason="asked", application_id=None, transcript=lines
        )
        again = queries.open_escalation(
            session, sender_id="42", reason="fallbacks", application_id=None, transcript=[]
        )
        assert again.id == first.id
        assert queries.resolve_escalation(session, first.id) is not None
        assert queries.resolve_escalation(session, first.id) is None
    with sessions() as session, session.begin():
        first = queries.get_escalation(session, first.id)  # read back: the status is an enum again
        assert first is not None and first.status is EscalationStatus.RESOLVED
        later = queries.open_escalation(
            session, sender_id="42", reason="asked", application_id=None, transcript=[]
        )
        assert later.id != first.id
        assert [e.id for e in queries.active_escalations(session)] == [later.id]
        assert [e.id for e in queries.unresumed_escalations(session)] == [first.id]
        just_now = first.resolved_at
        assert queries.unresumed_escalations(session, resolved_before=just_now) == []  # left to /resolve
        assert queries.escalations_since(session, "42", since=just_now - dt.timedelta(hours=1)) == 2
        assert (first.status, later.status) == (EscalationStatus.RESOLVED, EscalationStatus.OPEN)
        stored = session.execute(text("SELECT id, status FROM escalations WHERE sender_id = '42'")).all()
        assert dict(stored) == {first.id: "resolved", later.id: "open"}  # the words the partial index reads


def test_waiting_escalations_and_alerts(sessions: sessionmaker[Session]) -> None:
    at = dt.datetime(2026, 11, 26, 9, 0, tzinfo=dt.timezone.utc)
    with sessions() as session, session.begin():
        assert queries.waiting_escalations(session) == (0, None, None)
        opened = [
            queries.open_escalation(
                session, sender_id=sender, reason="asked", application_id=None, transcript=[]
            )
            for sender in ("s1", "s2", "s3")
        ]
        ids = [escalation.id for escalation in opened]
        queries.mark_announced(session, ids[:1])
        count, oldest, newest = queries.waiting_escalations(session)
        assert count == 2 and oldest is not None and newest is not None and oldest <= newest
        assert oldest.tzinfo is not None  # aware UTC, on both databases
        queries.add_alert(session, AlertKind.APPLICATION_CAPPED, "RZ209912310001", {"wrong_codes": 10}, at)
    with sessions() as session, session.begin():
        assert queries.alerted_since(session, AlertKind.APPLICATION_CAPPED, "RZ209912310001", at)
        later = at + dt.timedelta(seconds=1)
        assert not queries.alerted_since(session, AlertKind.APPLICATION_CAPPED, "RZ209912310001", later)
        [alert] = queries.unannounced_alerts(session)
        queries.mark_alerts_announced(session, [alert.id])
    with sessions() as session:
        assert queries.unannounced_alerts(session) == []


def test_only_the_first_of_two_agents_claims_an_open_escalation(sessions: sessionmaker[Session]) -> None:
    with sessions() as session, session.begin():
        earlier = queries.open_escalation(
            session, sender_id="77", reason="asked", application_id=None, transcript=[]
        )
        queries.resolve_escalation(session, earlier.id)
        escalation = queries.open_escalation(
            session, sender_id="77", reason="asked", application_id=None, transcript=[]
        )
        assert queries.previous_escalation(session, escalation).id == earlier.id  # type: ignore[union-attr]
        assert queries.previous_escalation(session, earlier) is None
    with sessions() as first, first.begin():
        assert queries.claim_if_open(first, escalation.id, 1, "小王")
    with sessions() as second, second.begin():
        assert not queries.claim_if_open(second, escalation.id, 2, "小李")  # already claimed: nothing changes
        held = queries.get_escalation(second, escalation.id)
        assert held is not None and (held.claimed_by, held.claimed_by_name) == (1, "小王")
        assert [e.id for e in queries.claimed_escalations(second, 1)] == [escalation.id]
        assert queries.claimed_escalations(second, 2) == []
