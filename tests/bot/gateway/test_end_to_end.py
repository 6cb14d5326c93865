"""Telegram (fake Bot API) → the real gateway process → the real Rasa server and action server, and back."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select

from bot.answers.catalog import Catalog
from bot.db.engine import shared_session_factory
from bot.db.escalation_models import Escalation, EscalationStatus
from bot.db.gateway_models import DeliveryStatus, OutboxMessage
from bot.db.unanswered import Reason, UnansweredQuestion
from bot.gateway import texts
from bot.run import Stack
from tests.bot.gateway.conftest import GatewayProcess, new_user_id
from tests.bot.gateway.fake_telegram import FakeTelegram, user
from tests.reliability.replies import response_text

pytestmark = pytest.mark.servers

FEES_QUESTION = "认证需要费用吗"


def test_a_faq_question_is_answered_with_typing_shown(
    telegram: FakeTelegram, gateway: GatewayProcess
) -> None:
    applicant = new_user_id()
    telegram.send_text(applicant, FEES_QUESTION)
    [answer] = telegram.wait_for_texts(applicant, 1)
    assert "免费" in answer
    assert [c.params["action"] for c in telegram.calls_to("sendChatAction")] == ["typing"]


VAGUE = ["材料", "认证", "审核", "资料", "驳回", "时间", "多久", "流程"]
"""One-word questions; the bot offers the likeliest topics as buttons for at least one of them."""


def faq_answer(question: str) -> str:
    """The answer of the FAQ topic whose standard question is `question`."""
    [topic] = [topic for topic in Catalog().topics().values() if topic.question == question]
    return topic.answer


def offer_with_buttons(telegram: FakeTelegram, applicant: int) -> dict[str, Any]:
    """Ask vague questions until the bot answers one with topic buttons; return that message (answers
    carry 👍/👎 buttons too)."""
    for question in VAGUE:
        count = len(telegram.texts(applicant))
        telegram.send_text(applicant, question)
        telegram.wait_for_texts(applicant, count + 1)
        time.sleep(0.3)  # a reply may come in more than one message
        offers = [
            m for m in telegram.sent(applicant)[count:] if m["text"] == response_text("utter_faq_uncertain")
        ]
        if offers:
            return offers[0]
    raise AssertionError(f"none of {VAGUE} was answered with buttons")


def test_a_pressed_button_sends_its_payload(telegram: FakeTelegram, gateway: GatewayProcess) -> None:
    applicant = new_user_id()
    offer = offer_with_buttons(telegram, applicant)
    keyboard = offer["reply_markup"]["inline_keyboard"]
    titles = [row[0]["text"] for row in keyboard]
    assert titles[-1] == "都不是，转人工"
    chosen = keyboard[0][0]["callback_data"]
    assert all(len(row[0]["callback_data"].encode()) <= 64 for row in keyboard)

    count = len(telegram.texts(applicant))
    telegram.press_button(applicant, offer["message_id"], chosen)
    answer = telegram.wait_for_texts(applicant, count + 1)[count]
    assert answer == faq_answer(titles[0])
    assert len(telegram.calls_to("answerCallbackQuery")) == 1
    assert telegram.calls_to("editMessageReplyMarkup")[0].params["message_id"] == offer["message_id"]

    telegram.press_button(applicant, offer["message_id"], "b999999999")  # not ours / expired
    telegram.wait_for(lambda: len(telegram.calls_to("answerCallbackQuery")) == 2, what="the second ack")
    assert telegram.calls_to("answerCallbackQuery")[1].params["text"] == texts.BUTTON_EXPIRED


def test_a_faq_answer_takes_one_vote_and_a_thumbs_down_reaches_the_editors(
    telegram: FakeTelegram, agents_group: int, gateway: GatewayProcess, stack: Stack
) -> None:
    applicant = new_user_id()
    telegram.send_text(applicant, FEES_QUESTION)
    telegram.wait_for_texts(applicant, 1)
    [answer] = telegram.sent(applicant)
    [row] = answer["reply_markup"]["inline_keyboard"]  # 👍 and 👎 side by side
    assert [button["text"] for button in row] == ["👍", "👎"]
    up, down = (button["callback_data"] for button in row)

    telegram.press_button(applicant, answer["message_id"], down)
    sorry = telegram.wait_for_texts(applicant, 2)[1]
    assert sorry == response_text("utter_feedback_sorry")
    assert telegram.sent(applicant)[1]["reply_markup"]["inline_keyboard"][0][0]["text"] == "转人工客服"
    assert telegram.calls_to("editMessageReplyMarkup")[-1].params["message_id"] == answer["message_id"]
    telegram.press_button(applicant, answer["message_id"], up)  # a second press: the first vote stands
    assert telegram.wait_for_texts(applicant, 3)[2] == response_text("utter_feedback_already")

    telegram.send_text(
        applicant, "转人工"
    )  # during a handoff a 👍 is answered, and no bare 👍 reaches the agents
    telegram.wait_for_texts(applicant, 5)
    telegram.press_button(applicant, answer["message_id"], up)
    assert telegram.wait_for_texts(applicant, 6)[5] == texts.FEEDBACK_DURING_HANDOFF
    assert not any(message["text"].endswith("👍") for message in telegram.sent(agents_group))

    with shared_session_factory(stack.settings.database_url)() as session:
        [wrong] = session.scalars(
            select(UnansweredQuestion).where(UnansweredQuestion.text == FEES_QUESTION)
        ).all()
    assert (wrong.reason_list(), wrong.answer_topic) == ([Reason.WRONG_ANSWER], "fees")


def test_escalation_agent_reply_and_resolve(
    telegram: FakeTelegram, agents_group: int, gateway: GatewayProcess, stack: Stack
) -> None:
    applicant, agent, colleague = new_user_id(), new_user_id(), new_user_id()
    as_applicant, as_agent, as_colleague = (
        user(applicant, "张三"),
        user(agent, "小王"),
        user(colleague, "小李"),
    )
    telegram.chats[agents_group].members.update({agent: "member", colleague: "member"})
    telegram.send_text(applicant, "查进度，申请编号 rz2026-1120-0001，我手机13812345678", sender=as_applicant)
    assert "后 6 位" in telegram.wait_for_texts(applicant, 2)[1]  # a privacy notice, then the lookup asks

    telegram.send_text(applicant, "/human", sender=as_applicant)
    handed_over, how = telegram.wait_for_texts(applicant, 4)[2:4]
    assert "人工客服" in handed_over and "在这个对话里直接回复您" in how
    post = telegram.wait_for(  # other tests' cases share the group: find this applicant's card
        lambda: next((m for m in telegram.sent(agents_group) if f"id {applicant}\n" in m["text"]), None),
        what="the escalation post",
    )
    assert f"张三 id {applicant}" in post["text"] and "RZ202611200001" in post["text"]
    assert "138****5678" in post["text"] and "13812345678" not in post["text"]

    telegram.send_text(applicant, "营业执照照片一直上传失败", sender=as_applicant)
    relay = telegram.wait_for(
        lambda: next(
            (m for m in telegram.sent(agents_group) if m["text"].endswith("营业执照照片一直上传失败")), None
        ),
        what="the relayed message",
    )
    assert relay["text"].endswith("营业执照照片一直上传失败")
    assert relay["reply_parameters"]["message_id"] == post["message_id"]  # one reply chain per escalation

    telegram.send_text(agents_group, "/claim", sender=as_agent, reply_to=post["message_id"])
    assert telegram.wait_for_texts(applicant, 5)[4] == texts.AGENT_CLAIMED
    # A colleague's /claim does not take it over: she is told who holds it; the applicant hears nothing.
    telegram.send_text(agents_group, "/claim", sender=as_colleague, reply_to=post["message_id"])
    escalation_id = int(post["text"].split("#", 1)[1].split()[0])
    refusal = texts.ALREADY_CLAIMED.format(id=escalation_id, agent="小王")
    telegram.wait_for(lambda: refusal in telegram.texts(agents_group), what="the refusal naming the owner")
    answer = telegram.send_text(
        agents_group, "请把照片压缩到 5MB 以内再试", sender=as_agent, reply_to=relay["message_id"]
    )
    assert telegram.wait_for_texts(applicant, 6)[5] == texts.AGENT_REPLY.format(
        text="请把照片压缩到 5MB 以内再试"
    )
    # The colleague adds to 小王's message (not the bot's): it reaches the applicant too.
    telegram.send_text(
        agents_group,
        "格式用 JPG 或 PNG",
        sender=as_colleague,
        reply_to=telegram.message_ids[answer],
        reply_to_sender=as_agent,
    )
    assert telegram.wait_for_texts(applicant, 7)[6] == texts.AGENT_REPLY.format(text="格式用 JPG 或 PNG")
    telegram.send_text(agents_group, "/resolve", sender=as_agent, reply_to=post["message_id"])
    assert telegram.wait_for_texts(applicant, 9)[7:9] == [
        texts.HANDOFF_RESOLVED,
        texts.RATING_QUESTION.format(
            id=int(post["text"].split("#")[1].split()[0])
        ),  # then the satisfaction question
    ]

    telegram.send_text(applicant, FEES_QUESTION)  # the bot answers again
    assert "免费" in telegram.wait_for_texts(applicant, 10)[9]
    with shared_session_factory(stack.settings.database_url)() as session:
        escalation = session.scalars(
            select(Escalation).where(Escalation.sender_id == f"tg:{applicant}")
        ).one()
        assert (escalation.status, escalation.claimed_by) == (EscalationStatus.RESOLVED, agent)
        assert escalation.resumed_at is not None
    assert "13812345678" not in gateway.log()


def test_telegram_429_and_network_errors(
    telegram: FakeTelegram, make_gateway: Callable[..., GatewayProcess]
) -> None:
    applicant = new_user_id()
    telegram.fail("getUpdates", "drop", times=2)
    telegram.fail("sendMessage", "drop", chat_id=applicant, times=1)
    telegram.fail("sendMessage", "retry_after", chat_id=applicant, retry_after=2, times=1)
    make_gateway().start()
    telegram.send_text(applicant, FEES_QUESTION)
    [answer] = telegram.wait_for_texts(applicant, 1)
    assert "免费" in answer
    attempts = [c for c in telegram.calls_to("sendMessage") if c.params["chat_id"] == applicant]
    assert [c.outcome for c in attempts] == ["drop", "retry_after", "ok"]
    assert attempts[2].at - attempts[1].at >= 1.9  # retry_after honoured
    time.sleep(1)
    assert len(telegram.sent(applicant)) == 1


def all_recorded_as_sent(gateway: GatewayProcess, chat_id: int) -> bool:
    """Whether the gateway recorded every message it queued for `chat_id` as sent."""
    with shared_session_factory(gateway.env["DATABASE_URL"])() as session:
        statuses = session.scalars(select(OutboxMessage.status).where(OutboxMessage.chat_id == chat_id)).all()
    return bool(statuses) and all(status == DeliveryStatus.SENT for status in statuses)


def test_killed_mid_conversation_nothing_lost_nothing_doubled(
    telegram: FakeTelegram, make_gateway: Callable[..., GatewayProcess]
) -> None:
    """SIGKILL after the updates were fetched: every one is answered once by the next gateway.

    A message Telegram accepted a moment before the kill, whose acceptance the gateway had no time
    to record, is sent again (at-least-once; no API can tell). So the greeting is recorded as sent
    first, and Telegram drops the connection of every send while the kill is prepared: the kill
    never lands in that window, and the test always proves what it claims: stored updates are
    replayed, queued answers delivered, each once.
    """
    first = make_gateway().start()
    applicants = [new_user_id() for _ in range(4)]
    telegram.send_text(applicants[0], "你好")
    telegram.wait_for_texts(applicants[0], 1)
    telegram.wait_for(lambda: all_recorded_as_sent(first, applicants[0]), what="the greeting to be recorded")

    telegram.fail("sendMessage", "drop", times=None)  # nothing reaches the applicants before the kill
    update_ids = [telegram.send_text(a, q) for a in applicants for q in (FEES_QUESTION, "谢谢")]
    telegram.wait_for(
        lambda: all(telegram.delivered.get(u) for u in update_ids), what="the updates to be fetched"
    )
    first.kill()  # fetched (and stored), some answered into the outbox, none delivered
    telegram.clear_failures()
    assert sum(len(telegram.texts(a)) for a in applicants) == 1

    second = make_gateway().start()
    for applicant in applicants:
        telegram.wait_for_texts(applicant, 3 if applicant == applicants[0] else 2, timeout=90)
    time.sleep(1.5)  # anything doubled would arrive now
    for applicant in applicants:
        replies = telegram.texts(applicant)[-2:]
        assert len(telegram.texts(applicant)) == (3 if applicant == applicants[0] else 2)
        assert "免费" in replies[0] and "不客气" in replies[1], replies
    print(
        f"\n[sigkill] {len(update_ids)} messages fetched before the kill; replayed from the inbox: {'replaying' in second.log()}"
    )
