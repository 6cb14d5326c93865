"""A person answers on every channel: web (socket.io and a real browser), REST and Telegram, end to end.

The real Rasa and action servers, the real gateway process, the fake Telegram Bot API: an applicant
asks for a person, an agent answers in the agents group, the answer reaches the applicant the way
their channel allows (live on the page, on the page's return, with a REST caller's next request),
「返回机器人」 gives the conversation back to the bot, and an escalation nobody takes is said so.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from typing import Any

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver

from bot.db import escalation_queries, web_messages
from bot.db.engine import shared_session_factory
from bot.db.escalation_models import CaseRating, Escalation, EscalationStatus
from bot.gateway import texts
from bot.run import Stack
from tests.bot.gateway.conftest import GatewayProcess, new_user_id
from tests.bot.gateway.fake_telegram import FakeTelegram, user
from tests.reliability.replies import response_text
from tests.support.browser import bubbles, chromium, open_chat, say, wait
from tests.support.rest import RestClient
from tests.support.socketio_client import WebChat

pytestmark = pytest.mark.servers

FEES_QUESTION = "认证需要费用吗"
LEAVE_BUTTON = [{"content_type": "text", "title": "返回机器人", "payload": "返回机器人"}]


def escalation_of(stack: Stack, conversation: str) -> Escalation:
    """The conversation's latest escalation."""
    with shared_session_factory(stack.settings.database_url)() as session:
        found = (
            session.query(Escalation).filter_by(sender_id=conversation).order_by(Escalation.id.desc()).first()
        )
        assert found is not None, conversation
        return found


def undelivered(stack: Stack, conversation: str) -> list[str]:
    with shared_session_factory(stack.settings.database_url)() as session:
        return [message.text for message in web_messages.undelivered(session, conversation)]


def an_agent(telegram: FakeTelegram, agents_group: int) -> dict[str, Any]:
    agent = new_user_id()
    telegram.chats[agents_group].members[agent] = "member"
    return user(agent, "小王")


def card(telegram: FakeTelegram, agents_group: int, escalation_id: int) -> dict[str, Any]:
    """The escalation's card in the agents group (waits for it)."""
    header = f"🆘 转人工 #{escalation_id}\n"
    return telegram.wait_for(
        lambda: next((m for m in telegram.sent(agents_group) if m["text"].startswith(header)), None),
        what=f"the card of #{escalation_id}",
    )


def group_message(telegram: FakeTelegram, agents_group: int, text: str) -> dict[str, Any]:
    """The agents-group message with exactly this text (waits for it)."""
    return telegram.wait_for(
        lambda: next((m for m in telegram.sent(agents_group) if m["text"] == text), None), what=text
    )


async def until(condition: Callable[[], Any], what: str, timeout: float = 30.0) -> Any:
    """Poll `condition` without blocking the socket.io client's event loop."""
    deadline = time.monotonic() + timeout
    while not (found := condition()):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.1)
    return found


def texts_of(messages: list[dict[str, Any]]) -> list[str]:
    return [message["text"] for message in messages]


def test_a_web_applicant_gets_the_agents_reply_live_and_on_return_and_goes_back_to_the_bot(
    telegram: FakeTelegram, agents_group: int, gateway: GatewayProcess, stack: Stack
) -> None:
    as_agent = an_agent(telegram, agents_group)

    async def scenario() -> str:
        page = WebChat(stack.settings.rasa_url)
        token = await page.connect(request={"session_id": None, "acks": True})  # as the chat page does
        assert isinstance(token, str)
        conversation = "web:" + token.split(".")[0]
        handed_over = await page.say("转人工")
        assert texts_of(handed_over) == [
            response_text("utter_handoff_started"),
            response_text("utter_handoff_how_web"),
        ]
        assert handed_over[-1]["quick_replies"] == LEAVE_BUTTON
        assert await page.client.call("handoff_state", {}) == {"active": True}

        escalation = escalation_of(stack, conversation)
        post = await asyncio.to_thread(card, telegram, agents_group, escalation.id)
        assert f"渠道：{texts.CHANNEL_WEB}" in post["text"] and "网页访客 web:" in post["text"]

        sent_at = time.monotonic()
        assert texts_of(await page.say("营业执照照片一直上传失败")) == [response_text("utter_handed_over")]
        said = texts.APPLICANT_SAYS.format(id=escalation.id, text="营业执照照片一直上传失败")
        relayed = await asyncio.to_thread(group_message, telegram, agents_group, said)
        to_agents_s = time.monotonic() - sent_at
        assert relayed["reply_parameters"]["message_id"] == post["message_id"]  # in the escalation's thread

        telegram.send_text(
            agents_group, "请把照片压缩到 5MB 以内再试", sender=as_agent, reply_to=post["message_id"]
        )
        replied_at = time.monotonic()
        live = await until(lambda: page.queued, "the agent's reply on the open page")
        print(
            f"\n[web handoff] applicant → agents group {to_agents_s:.2f} s (turn included); "
            f"agent → open page {time.monotonic() - replied_at:.2f} s"
        )
        assert [(m["author"], m["text"]) for m in live] == [("agent", "请把照片压缩到 5MB 以内再试")]
        await until(lambda: not undelivered(stack, conversation), "the page's acknowledgement")

        await page.close()  # the page is closed
        telegram.send_text(
            agents_group, "压缩好了再上传一次就行", sender=as_agent, reply_to=post["message_id"]
        )
        await until(
            lambda: undelivered(stack, conversation) == ["压缩好了再上传一次就行"], "the queued reply"
        )
        returned = WebChat(stack.settings.rasa_url)
        await returned.connect(request={"session_id": token, "acks": True})
        shown = await until(lambda: returned.queued, "the reply on the page's return")
        assert [(m["author"], m["text"]) for m in shown] == [("agent", "压缩好了再上传一次就行")]
        await until(lambda: not undelivered(stack, conversation), "the returned page's acknowledgement")

        assert texts_of(await returned.say("返回机器人")) == [response_text("utter_handoff_left")]
        await asyncio.to_thread(
            group_message, telegram, agents_group, texts.APPLICANT_LEFT.format(id=escalation.id)
        )
        assert await returned.client.call("handoff_state", {}) == {"active": False}
        assert "免费" in texts_of(await returned.say(FEES_QUESTION))[0]  # the bot answers again
        assert texts_of(await returned.say("返回机器人")) == [response_text("utter_not_in_handoff")]
        await returned.close()
        return conversation

    escalation = escalation_of(stack, asyncio.run(scenario()))
    assert escalation.status == EscalationStatus.RESOLVED and escalation.resumed_at is not None


def test_a_web_applicant_rates_the_case_on_the_page_when_the_agent_ends_it(
    telegram: FakeTelegram, agents_group: int, gateway: GatewayProcess, stack: Stack
) -> None:
    as_agent = an_agent(telegram, agents_group)

    async def scenario() -> int:
        page = WebChat(stack.settings.rasa_url)
        token = await page.connect(request={"session_id": None, "acks": True})
        assert isinstance(token, str)
        await page.say("转人工")
        escalation = escalation_of(stack, "web:" + token.split(".")[0])
        post = await asyncio.to_thread(card, telegram, agents_group, escalation.id)
        telegram.send_text(agents_group, "您好，已经帮您看过了", sender=as_agent, reply_to=post["message_id"])
        telegram.send_text(agents_group, "/resolve", sender=as_agent, reply_to=post["message_id"])
        question_text = texts.RATING_QUESTION.format(id=escalation.id)
        question = await until(
            lambda: next((m for m in page.queued if m["text"] == question_text), None), "the question"
        )
        assert [m["text"] for m in page.queued][-2:] == [texts.HANDOFF_RESOLVED, question_text]
        assert [(b["title"], b["payload"]) for b in question["buttons"]] == [
            (texts.RATING_LABELS[score], f"rate:{escalation.id}:{score}") for score in range(1, 6)
        ]
        for malformed in (f"rate:{escalation.id}:9", f"rate:{escalation.id}:", "rate:x"):  # typed, not NLU's
            assert texts_of(await page.say(malformed)) == [response_text("utter_rating_refused")]
        pressed = await page.say(f"rate:{escalation.id}:4")  # what the page sends for the button 4
        assert texts_of(pressed) == [response_text("utter_rating_thanks")]
        again = await page.say(f"rate:{escalation.id}:1")
        assert texts_of(again) == [response_text("utter_rating_already")]
        await page.close()
        return escalation.id

    case = asyncio.run(scenario())
    with shared_session_factory(stack.settings.database_url)() as session:
        rating = session.get(CaseRating, case)
        assert rating is not None and (rating.score, rating.agent_name) == (4, "小王")


def page_conversation(driver: WebDriver) -> str:
    """The conversation id of the chat page's session (its token names it)."""
    stored = json.loads(driver.execute_script("return sessionStorage.getItem('dingtalk-cert-chat')"))
    return "web:" + stored["token"].split(".")[0]


def test_a_rest_caller_is_told_the_truth_and_gets_the_agents_reply_with_its_next_request(
    telegram: FakeTelegram, agents_group: int, gateway: GatewayProcess, stack: Stack
) -> None:
    as_agent = an_agent(telegram, agents_group)
    client, sender = RestClient(stack.settings.rasa_url), f"shop-user-{time.monotonic_ns()}"
    try:
        handed_over = client.send(sender, "转人工")
        assert texts_of(handed_over) == [
            response_text("utter_handoff_started"),
            response_text("utter_handoff_how_rest"),
        ]
        escalation = escalation_of(stack, f"rest:{sender}")
        post = card(telegram, agents_group, escalation.id)
        assert f"渠道：{texts.CHANNEL_REST}" in post["text"]

        telegram.send_text(
            agents_group, "您好，请问申请编号是多少？", sender=as_agent, reply_to=post["message_id"]
        )
        telegram.wait_for(
            lambda: undelivered(stack, f"rest:{sender}"), what="the reply waiting for the caller"
        )
        assert texts_of(client.send(sender, "")) == [
            texts.AGENT_REPLY.format(text="您好，请问申请编号是多少？")
        ]
        assert texts_of(client.send(sender, "")) == [  # returned once; now nothing new is waiting
            response_text("utter_handoff_no_reply_yet")
        ]

        assert texts_of(client.send(sender, "RZ202611200001")) == [response_text("utter_handed_over_rest")]
        group_message(
            telegram, agents_group, texts.APPLICANT_SAYS.format(id=escalation.id, text="RZ202611200001")
        )
        telegram.send_text(agents_group, "好的，我查一下", sender=as_agent, reply_to=post["message_id"])
        telegram.wait_for(lambda: undelivered(stack, f"rest:{sender}"), what="the second reply")
        left = client.send(sender, "返回机器人")
        assert texts_of(left) == [
            texts.AGENT_REPLY.format(text="好的，我查一下"),
            response_text("utter_handoff_left"),
        ]
        group_message(telegram, agents_group, texts.APPLICANT_LEFT.format(id=escalation.id))
        assert "免费" in client.texts(sender, FEES_QUESTION)
    finally:
        client.close()


def test_an_escalation_nobody_takes_is_said_so_and_telegram_leaves_with_its_button(
    telegram: FakeTelegram, agents_group: int, make_gateway: Callable[..., GatewayProcess], stack: Stack
) -> None:
    make_gateway(HANDOFF_WAIT_MINUTES="0.05").start()  # 3 seconds
    applicant = new_user_id()
    telegram.send_text(applicant, "/human", sender=user(applicant, "张三"))
    _, how = telegram.wait_for_texts(applicant, 2)
    assert how == response_text("utter_handoff_how_telegram")

    async def web_applicant_waits() -> list[dict[str, Any]]:
        page = WebChat(stack.settings.rasa_url)
        await page.connect(request={"session_id": None, "acks": True})
        await page.say("转人工")
        told = await until(lambda: page.queued, "the waiting notice on the page", timeout=40)
        await page.close()
        return told

    [told] = asyncio.run(web_applicant_waits())
    assert told["text"] == texts.WAITING_WEB.format(minutes="0.05")
    assert told["buttons"] == [{"title": "返回机器人", "payload": "返回机器人"}]

    notice = telegram.wait_for(lambda: telegram.sent(applicant)[2:], what="the waiting notice", timeout=40)[0]
    assert (
        notice["text"] == texts.WAITING_TELEGRAM.format(minutes="0.05") and "400-066-6666" in notice["text"]
    )
    [[button]] = notice["reply_markup"]["inline_keyboard"]
    assert button["text"] == "返回机器人"
    time.sleep(6)
    assert len(telegram.sent(applicant)) == 3  # said once

    escalation = escalation_of(stack, f"tg:{applicant}")
    assert escalation.status == EscalationStatus.OPEN  # still waiting for an agent: a message may be left
    telegram.press_button(applicant, notice["message_id"], button["callback_data"])
    assert telegram.wait_for_texts(applicant, 4)[3] == response_text("utter_handoff_left")
    group_message(telegram, agents_group, texts.APPLICANT_LEFT.format(id=escalation.id))
    telegram.send_text(applicant, FEES_QUESTION)
    assert "免费" in telegram.wait_for_texts(applicant, 5)[4]
    with shared_session_factory(stack.settings.database_url)() as session:
        assert escalation_queries.active_escalation(session, f"tg:{applicant}") is None


def test_in_a_browser_the_agents_reply_appears_and_the_bar_returns_to_the_bot(
    telegram: FakeTelegram, agents_group: int, gateway: GatewayProcess, stack: Stack
) -> None:
    as_agent = an_agent(telegram, agents_group)
    with chromium(phone=True) as driver:
        open_chat(driver, stack.settings.rasa_url)
        bar = driver.find_element(By.ID, "chat-handoff")
        assert not bar.is_displayed()
        assert say(driver, "转人工")[-1] == response_text("utter_handoff_how_web")
        wait(driver, bar.is_displayed, timeout=10)

        escalation = escalation_of(stack, page_conversation(driver))
        post = card(telegram, agents_group, escalation.id)
        telegram.send_text(
            agents_group, "您好，我是客服小王，请问哪里卡住了？", sender=as_agent, reply_to=post["message_id"]
        )
        wait(driver, lambda: bubbles(driver, "agent"), timeout=20)
        assert bubbles(driver, "agent") == ["您好，我是客服小王，请问哪里卡住了？"]

        before = len(bubbles(driver))
        driver.find_element(By.ID, "chat-leave").click()
        wait(driver, lambda: len(bubbles(driver)) > before)
        assert bubbles(driver)[-1] == response_text("utter_handoff_left")
        assert bubbles(driver, "user")[-1] == "返回机器人"
        wait(driver, lambda: not bar.is_displayed(), timeout=10)
        group_message(telegram, agents_group, texts.APPLICANT_LEFT.format(id=escalation.id))
        assert any("免费" in text for text in say(driver, FEES_QUESTION))


def test_an_agent_resolving_a_web_handoff_gives_the_page_back_to_the_bot(
    telegram: FakeTelegram, agents_group: int, gateway: GatewayProcess, stack: Stack
) -> None:
    as_agent = an_agent(telegram, agents_group)

    async def scenario() -> None:
        page = WebChat(stack.settings.rasa_url)
        await page.connect(request={"session_id": None, "acks": True})
        await page.say("转人工")
        assert page.token is not None
        escalation = escalation_of(stack, "web:" + page.token.split(".")[0])
        post = await asyncio.to_thread(card, telegram, agents_group, escalation.id)
        telegram.send_text(agents_group, "/claim", sender=as_agent, reply_to=post["message_id"])
        telegram.send_text(agents_group, "/resolve", sender=as_agent, reply_to=post["message_id"])
        told = await until(lambda: len(page.queued) >= 3 and page.queued, "the claim and the end on the page")
        assert [(m["author"], m["text"]) for m in told] == [
            ("bot", texts.AGENT_CLAIMED),
            ("bot", texts.HANDOFF_RESOLVED),
            ("bot", texts.RATING_QUESTION.format(id=escalation.id)),  # an agent held it: how was it?
        ]
        await until(lambda: escalation_of(stack, escalation.sender_id).resumed_at, "the bot resumed")
        assert await page.client.call("handoff_state", {}) == {"active": False}
        assert "免费" in texts_of(await page.say(FEES_QUESTION))[0]
        await page.close()

    asyncio.run(scenario())


def test_a_widget_that_confirms_nothing_still_gets_the_agents_reply_while_open(
    telegram: FakeTelegram, agents_group: int, gateway: GatewayProcess, stack: Stack
) -> None:
    """rasa-webchat and other socket.io widgets send no acks: an agent's reply comes as a bot message."""
    as_agent = an_agent(telegram, agents_group)

    async def scenario() -> None:
        widget = WebChat(stack.settings.rasa_url)
        token = await widget.connect()  # rasa-webchat's session_request: no "acks"
        assert token is not None
        await widget.say("转人工")
        escalation = escalation_of(stack, "web:" + token.split(".")[0])
        post = await asyncio.to_thread(card, telegram, agents_group, escalation.id)
        before = len(widget.received)
        telegram.send_text(
            agents_group, "您好，请问有什么可以帮您？", sender=as_agent, reply_to=post["message_id"]
        )
        reply = await until(lambda: widget.received[before:], "the agent's reply as a bot message")
        assert texts_of(reply) == ["您好，请问有什么可以帮您？"] and widget.queued == []
        await until(lambda: not undelivered(stack, escalation.sender_id), "the reply counted as delivered")
        await widget.close()

    asyncio.run(scenario())
