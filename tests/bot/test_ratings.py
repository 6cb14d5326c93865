"""Satisfaction answers are kept only for a case its applicant was asked about, once, from its own conversation."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from bot import ratings
from bot.db import escalation_queries as queries
from tests.support.databases import database_url, sessions  # noqa: F401 - pytest finds fixtures by name

APPLICANT = "web:applicant"


def _case(session: Session, *, claimed: bool) -> int:
    escalation = queries.open_escalation(
        session, sender_id=APPLICANT, reason="asked", application_id=None, transcript=[]
    )
    if claimed:
        queries.claim_escalation(session, escalation.id, 501, "小王")
    return escalation.id


def test_only_a_case_an_agent_held_and_ended_can_be_rated(sessions: sessionmaker[Session]) -> None:  # noqa: F811
    with sessions() as session, session.begin():
        left = _case(session, claimed=True)
        queries.resolve_escalation(session, left)  # the applicant pressed 返回机器人: never asked
        unclaimed = _case(session, claimed=False)
        ended = queries.resolve_escalation(session, unclaimed)
        assert ended is not None
        queries.credit_resolution(session, ended, 502, "小李")  # an agent ended it, nobody held it
        held = _case(session, claimed=True)
        ended = queries.resolve_escalation(session, held)
        assert ended is not None
        queries.credit_resolution(session, ended, 502, "小李")  # as bot/gateway/endings.py ends a case

    def rate(conversation: str, text: str) -> ratings.Outcome | None:
        rating = ratings.parse(text)
        if rating is None:
            return None
        with sessions() as session, session.begin():
            return ratings.record(session, conversation, rating)

    assert rate(APPLICANT, f"rate:{left}:1") is ratings.Outcome.REFUSED
    assert rate(APPLICANT, f"rate:{unclaimed}:1") is ratings.Outcome.REFUSED
    assert rate("web:someone-else", f"rate:{held}:1") is ratings.Outcome.REFUSED
    assert rate(APPLICANT, f"rate:{held}:4") is ratings.Outcome.KEPT
    assert rate(APPLICANT, f"rate:{held}:1") is ratings.Outcome.ALREADY
    for malformed in ("rate:2:9", "rate:2:0", "rate:2:５", "rate:2: 5", "RATE:2:", "rate:1e0", "rate:04:5"):
        assert ratings.parse(malformed) is None and ratings.looks_like(malformed)
