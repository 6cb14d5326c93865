"""The gateway's side of a handoff on every channel: the card names the channel, replies go the only way
each channel can take them, web and REST applicants' words reach the thread, and a long wait is said once."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.db import escalation_queries, gateway_queries, web_messages
from bot.db.escalation_models import Escalation
from bot.db.gateway_models import OutboxMessage
from bot.db.web_messages import Author
from bot.gateway import texts
from bot.gateway.agents_group import AgentsGroup
from bot.gateway.cards import escalation_post
from bot.gateway.purposes import CARD_UPDATE
from bot.gateway.relay import Relay
from bot.gateway.waiting import WaitingApplicants, waiting_text
from bot.handoff import leave, note_for_agents
from tests.support import databases

database_url, sessions = databases.database_url, databases.sessions  # fixtures: SQLite and PostgreSQL

AGENTS = -1001234567890
WEB = "web:" + "W" * 24
REST = "rest:shop-app-user-7"


def relay() -> Relay:
    return Relay(AgentsGroup(bot=None, chat_id=AGENTS))  # type: ignore[arg-type] - the bot is not used here


class Store:
    """The gateway's Store on a test database: each call in its own transaction."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    async def run(self, fn: Callable[..., Any], *args: Any) -> Any:
        with self._sessions() as session, session.begin():
            return fn(session, *args)


def open_one(session: Session, sender: str) -> Escalation:
    return escalation_queries.open_escalation(
        session, sender_id=sender, reason="asked", application_id=None, transcript=[]
    )


def agents_rows(session: Session) -> list[OutboxMessage]:
    return list(session.scalars(select(OutboxMessage).where(OutboxMessage.chat_id == AGENTS)))


def test_the_card_says_the_channel_and_whether_a_reply_reaches_it(sessions: sessionmaker[Session]) -> None:
    with sessions() as session, session.begin():
        gateway_queries.remember_chat(session, 42, "张三 id 42")
        cards = {sender: escalation_post(session, open_one(session, sender), forum=False) for sender in (
            "tg:42", WEB, REST)}  # fmt: skip
    assert f"渠道：{texts.CHANNEL_TELEGRAM}" in cards["tg:42"] and "张三 id 42" in cards["tg:42"]
    assert f"渠道：{texts.CHANNEL_WEB}" in cards[WEB] and f"网页访客 {WEB}" in cards[WEB]
    assert f"渠道：{texts.CHANNEL_REST}" in cards[REST] and f"API 接入用户 {REST}" in cards[REST]
    assert all("无法在此直接回复" not in card for card in cards.values())


def test_an_agents_reply_goes_to_the_web_page_and_to_the_rest_callers_next_request(
    sessions: sessionmaker[Session],
) -> None:
    with sessions() as session, session.begin():
        web, rest = open_one(session, WEB), open_one(session, REST)
        relay().from_agent(session, web.id, 7, "小王", "请把照片压缩到 5MB 以内")
        relay().from_agent(session, rest.id, 7, "小王", "请把照片压缩到 5MB 以内")
    with sessions() as session, session.begin():
        [to_page] = web_messages.undelivered(session, WEB)
        assert (to_page.author, to_page.text) == (
            Author.AGENT,
            "请把照片压缩到 5MB 以内",
        )  # the page labels it
        [to_rest] = web_messages.take_undelivered(session, REST)
        assert to_rest.text == texts.AGENT_REPLY.format(
            text="请把照片压缩到 5MB 以内"
        )  # REST shows who writes
        assert web_messages.undelivered(session, REST) == []  # taken once
        assert agents_rows(session) == []  # no "cannot reach" notice
        assert {e.status.value for e in escalation_queries.active_escalations(session)} == {"claimed"}


def test_an_applicant_of_no_known_channel_cannot_be_written_to_and_the_agents_hear_so(
    sessions: sessionmaker[Session],
) -> None:
    with sessions() as session, session.begin():
        escalation = open_one(session, "default")
        relay().from_agent(session, escalation.id, 7, "小王", "您好")
        [notice] = agents_rows(session)
    assert "无法在此直接回复" in notice.text


def test_web_and_rest_applicants_words_and_leaving_reach_the_thread(sessions: sessionmaker[Session]) -> None:
    with sessions() as session, session.begin():
        web, rest = open_one(session, WEB), open_one(session, REST)
        gateway_queries.enqueue_message(session, AGENTS, "card", purpose="escalation", escalation_id=rest.id)
        note_for_agents(session, WEB, "营业执照照片一直上传失败，电话13812345678")
        leave(session, REST)
    with sessions() as session, session.begin():
        assert relay().relay_applicant_alerts(session) == 0  # not announced yet: their cards go first
        escalation_queries.mark_announced(session, [web.id, rest.id])
    with sessions() as session, session.begin():
        assert relay().relay_applicant_alerts(session) == 2
        assert relay().relay_applicant_alerts(session) == 0  # each once
        rows = [(row.text, row.escalation_id, row.purpose) for row in agents_rows(session)]
    assert [
        (text, escalation_id) for text, escalation_id, purpose in rows if purpose == "relay_to_agents"
    ] == [
        (texts.APPLICANT_SAYS.format(id=web.id, text="营业执照照片一直上传失败，电话138****5678"), web.id),
        (texts.APPLICANT_LEFT.format(id=rest.id), rest.id),
    ]
    [(card_update, _, _)] = [row for row in rows if row[2] == CARD_UPDATE]  # leaving ended it
    assert card_update.endswith(texts.CARD_STATUS_RESOLVED)


def test_an_escalation_nobody_took_tells_its_applicant_once_with_a_way_back(
    sessions: sessionmaker[Session],
) -> None:
    woken: list[int] = []
    with sessions() as session, session.begin():
        waiting_web, waiting_rest, taken = (
            open_one(session, WEB),
            open_one(session, REST),
            open_one(session, "tg:43"),
        )
        escalation_queries.claim_escalation(session, taken.id, 7, "小王")

    waiting = WaitingApplicants(Store(sessions), relay(), lambda: woken.append(1), after=timedelta(0))  # type: ignore[arg-type]
    assert asyncio.run(waiting.tell()) == 2
    waiting._next_check = 0.0
    assert asyncio.run(waiting.tell()) == 0  # told once, also after a restart (remembered in the database)
    with sessions() as session:
        [to_page] = web_messages.undelivered(session, WEB)
        [to_rest] = web_messages.undelivered(session, REST)
        assert to_page.text == waiting_text(waiting_web, 0) and "请不要关闭这个浏览器标签页" in to_page.text
        assert to_rest.text == waiting_text(waiting_rest, 0) and "下一次发送消息时" in to_rest.text
        assert json.loads(to_page.buttons) == [{"title": "返回机器人", "payload": "返回机器人"}]
        assert "400-066-6666" in to_page.text
    assert woken == [1]
