"""The applicant's side of a handoff, the same on every channel: how a reply reaches them, leaving, messages meanwhile."""

from __future__ import annotations

import json

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.db import escalation_queries
from bot.db.escalation_models import AlertKind, EscalationStatus
from bot.handoff import LEAVE_PHRASE, Reach, is_leave_request, leave, note_for_agents, reach_of
from bot.webchat import texts as page_texts
from tests.support import databases

database_url, sessions = databases.database_url, databases.sessions  # fixtures: SQLite and PostgreSQL


@pytest.mark.parametrize(
    "typed", ["返回机器人", " 返回机器人。", "返回機器人", "返回机器人！", "/bot", "／BOT", "回到机器人"]
)
def test_the_ways_an_applicant_asks_for_the_bot_back(typed: str) -> None:
    assert is_leave_request(typed)


@pytest.mark.parametrize("typed", ["", None, "机器人", "我不想返回机器人，我要人工", "/bottom", "返回"])
def test_other_messages_are_not_a_request_to_leave(typed: str | None) -> None:
    assert not is_leave_request(typed)


def test_the_page_button_sends_the_phrase_the_bot_knows() -> None:
    assert page_texts.PAGE["leave"] == LEAVE_PHRASE


def test_how_a_reply_reaches_each_channel() -> None:
    assert reach_of("tg:42") is Reach.CHAT
    assert reach_of("web:" + "A" * 24) is Reach.PAGE
    assert reach_of("rest:app-user") is Reach.NEXT_REQUEST
    assert reach_of("default") is Reach.NEXT_REQUEST  # no push for an id of no known channel


def open_one(session: Session, sender: str) -> int:
    return escalation_queries.open_escalation(
        session, sender_id=sender, reason="asked", application_id=None, transcript=[]
    ).id


def test_a_message_during_a_handoff_is_left_masked_for_its_agents(sessions: sessionmaker[Session]) -> None:
    with sessions() as session, session.begin():
        assert note_for_agents(session, "web:" + "B" * 24, "你好") is None  # no handoff: nothing left
        escalation_id = open_one(session, "web:" + "B" * 24)
        assert note_for_agents(session, "web:" + "B" * 24, "我的电话 13812345678") is not None
    with sessions() as session:
        [alert] = escalation_queries.unannounced_alerts(session, kinds=[AlertKind.APPLICANT_SAID])
        assert alert.subject == str(escalation_id)
        assert json.loads(alert.detail) == {"text": "我的电话 138****5678"}


def test_leaving_resolves_the_handoff_and_tells_its_agents_once(sessions: sessionmaker[Session]) -> None:
    with sessions() as session, session.begin():
        escalation_id = open_one(session, "rest:app-1")
        left = leave(session, "rest:app-1")
        assert left is not None and left.id == escalation_id
        assert leave(session, "rest:app-1") is None  # nothing to leave any more
    with sessions() as session:
        escalation = escalation_queries.get_escalation(session, escalation_id)
        assert escalation is not None and escalation.status == EscalationStatus.RESOLVED
        assert escalation.resumed_at is None  # the channel resumes Rasa, then marks it
        alerts = escalation_queries.unannounced_alerts(session, kinds=[AlertKind.APPLICANT_LEFT])
        assert [alert.subject for alert in alerts] == [str(escalation_id)]
        assert escalation_queries.unannounced_alerts(session, kinds=[AlertKind.APPLICATION_CAPPED]) == []
