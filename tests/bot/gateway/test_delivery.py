"""The gateway against the fake Telegram and a misbehaving Rasa stand-in (no real servers needed).

Covers what the real Rasa cannot be made to do on demand: slow, empty and failed turns; and the
Telegram-side situations around the agents group (topics, a migrated group, non-members,
foreign groups) and blocked users, using escalations written straight into the database.
"""

from __future__ import annotations

import itertools
import socket
import time
from collections.abc import Callable

import httpx
from sqlalchemy.orm import Session

from bot.db import escalation_queries, gateway_queries
from bot.db.engine import shared_session_factory
from bot.gateway import texts
from tests.bot.gateway.conftest import GatewayProcess, new_group_id, new_user_id
from tests.bot.gateway.fake_rasa import EMPTY, FAIL, SLOW, FakeRasa
from tests.bot.gateway.fake_telegram import FakeTelegram, user


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def in_database(env: dict[str, str], work: Callable[[Session], object]) -> object:
    with shared_session_factory(env["DATABASE_URL"])() as session, session.begin():
        return work(session)


def escalate(env: dict[str, str], applicant: int, name: str = "张三 id") -> int:
    """What action_request_human writes, for a Telegram applicant who already talked to the bot."""

    def write(session: Session) -> int:
        gateway_queries.remember_chat(session, applicant, f"{name} {applicant}")
        transcript = [{"role": "user", "text": "我的手机号138****5678"}, {"role": "user", "text": "转人工"}]
        escalation = escalation_queries.open_escalation(
            session,
            sender_id=f"tg:{applicant}",
            reason="asked",
            application_id="RZ202611200001",
            transcript=transcript,
        )
        return escalation.id

    return int(in_database(env, write))  # type: ignore[arg-type]


def test_slow_empty_and_failed_turns_are_never_silent(
    telegram: FakeTelegram, offline_gateway: GatewayProcess, fake_rasa: FakeRasa
) -> None:
    applicant = new_user_id()
    telegram.send_text(applicant, SLOW)
    assert telegram.wait_for_texts(applicant, 2) == [texts.STILL_WORKING, f"收到：{SLOW}"]
    telegram.send_text(applicant, EMPTY)
    assert telegram.wait_for_texts(applicant, 3)[-1] == texts.EMPTY_REPLY
    telegram.send_text(applicant, FAIL)
    assert telegram.wait_for_texts(applicant, 4)[-1] == texts.RASA_FAILED
    assert any(c.params["chat_id"] == applicant for c in telegram.calls_to("sendChatAction"))


def test_commands_media_and_per_chat_order(telegram: FakeTelegram, offline_gateway: GatewayProcess) -> None:
    applicant = new_user_id()
    telegram.send_text(applicant, "/start")
    telegram.send_text(applicant, "/help")
    telegram.send_photo(applicant)
    for number in range(3):
        telegram.send_text(applicant, f"问题{number}")
    assert telegram.wait_for_texts(applicant, 6) == [
        texts.WELCOME,
        texts.HELP,
        texts.UNSUPPORTED_MESSAGE,
        "收到：问题0",
        "收到：问题1",
        "收到：问题2",
    ]
    sent_at = [call.at for call in telegram.calls_to("sendMessage") if call.params["chat_id"] == applicant]
    assert all(
        later - earlier >= 0.9 for earlier, later in itertools.pairwise(sent_at)
    )  # ~1 message/s per chat


def test_a_user_who_blocked_the_bot_is_not_retried(
    telegram: FakeTelegram, offline_gateway: GatewayProcess
) -> None:
    applicant = new_user_id()
    telegram.fail("sendMessage", "forbidden", chat_id=applicant, times=None)
    telegram.send_text(applicant, "你好")
    telegram.wait_for(lambda: "blocked the bot" in offline_gateway.log(), what="the block to be noticed")
    time.sleep(1.5)
    assert len([c for c in telegram.calls_to("sendMessage") if c.params["chat_id"] == applicant]) == 1
    telegram.clear_failures()  # unblocked: the next message is answered
    telegram.send_text(applicant, "又来了")
    assert telegram.wait_for_texts(applicant, 1) == ["收到：又来了"]


def test_an_answer_telegram_refuses_is_followed_by_one_plain_apology(
    telegram: FakeTelegram, offline_gateway: GatewayProcess
) -> None:
    applicant = new_user_id()
    telegram.fail("sendMessage", "bad_request", chat_id=applicant, description="message is too long")
    telegram.send_text(applicant, "你好")
    assert telegram.wait_for_texts(applicant, 1) == [texts.REPLY_NOT_SHOWN]
    [apology] = telegram.sent(applicant)
    assert "parse_mode" not in apology and "reply_markup" not in apology
    assert "400-066-6666" in apology["text"]
    assert "could not be shown" in offline_gateway.log()
    telegram.send_text(applicant, "又来了")  # the chat goes on as before
    assert telegram.wait_for_texts(applicant, 2)[-1] == "收到：又来了"


def test_a_refused_apology_is_not_apologised_for(
    telegram: FakeTelegram, offline_gateway: GatewayProcess
) -> None:
    applicant = new_user_id()
    telegram.fail(
        "sendMessage", "bad_request", chat_id=applicant, description="message is too long", times=None
    )
    telegram.send_text(applicant, "你好")
    telegram.wait_for(lambda: "could not be shown" in offline_gateway.log(), what="the apology to be queued")

    def tried() -> list[str]:
        return [
            c.params["text"] for c in telegram.calls_to("sendMessage") if c.params["chat_id"] == applicant
        ]

    telegram.wait_for(lambda: len(tried()) == 2, what="the apology to be tried")
    time.sleep(2.5)  # a loop would have tried again by now (about 1 message/s per chat)
    assert tried() == ["收到：你好", texts.REPLY_NOT_SHOWN]


def test_no_apology_to_a_chat_telegram_cannot_reach(
    telegram: FakeTelegram, offline_gateway: GatewayProcess
) -> None:
    applicant = new_user_id()
    telegram.fail("sendMessage", "bad_request", chat_id=applicant, description="chat not found", times=None)
    telegram.send_text(applicant, "你好")
    telegram.wait_for(lambda: "rejected message" in offline_gateway.log(), what="the rejection to be logged")
    time.sleep(1.5)
    assert [
        c.params["text"] for c in telegram.calls_to("sendMessage") if c.params["chat_id"] == applicant
    ] == ["收到：你好"]


def test_forum_group_one_topic_per_escalation_and_relays(
    telegram: FakeTelegram,
    agents_group: int,
    offline_env: dict[str, str],
    make_offline_gateway: Callable[..., GatewayProcess],
    fake_rasa: FakeRasa,
) -> None:
    agent = new_user_id()
    telegram.add_chat(agents_group, title="客服群", is_forum=True, members={agent: "member"})
    applicant = new_user_id()
    escalation_id = escalate(offline_env, applicant)
    make_offline_gateway().start()

    post = telegram.wait_for(lambda: telegram.sent(agents_group), what="the escalation post")[0]
    assert (
        f"#{escalation_id}" in post["text"]
        and "RZ202611200001" in post["text"]
        and "138****5678" in post["text"]
    )
    [topic] = telegram.calls_to("createForumTopic")
    topic_id = post["message_thread_id"]
    assert topic.params["name"].startswith(f"#{escalation_id}")

    telegram.send_text(applicant, "营业执照上传失败")
    relay = telegram.wait_for(lambda: telegram.sent(agents_group)[1:], what="the relay")[0]
    assert relay["text"] == texts.APPLICANT_SAYS.format(id=escalation_id, text="营业执照上传失败")
    assert relay["message_thread_id"] == topic_id
    assert fake_rasa.received[-1]["message"] == "营业执照上传失败"  # the paused tracker still logs it

    telegram.send_text(agents_group, "请上传清晰的彩色照片", sender=user(agent, "小王"), thread_id=topic_id)
    assert telegram.wait_for_texts(applicant, 1) == [texts.AGENT_REPLY.format(text="请上传清晰的彩色照片")]
    telegram.send_text(agents_group, "/resolve", sender=user(agent, "小王"), thread_id=topic_id)
    assert telegram.wait_for_texts(applicant, 2)[-1] == texts.HANDOFF_RESOLVED
    assert fake_rasa.resumed == [f"tg:{applicant}"]
    assert len(telegram.calls_to("createForumTopic")) == 1


def test_only_members_of_the_agents_group_and_no_other_group(
    telegram: FakeTelegram,
    agents_group: int,
    offline_env: dict[str, str],
    offline_gateway: GatewayProcess,
) -> None:
    agent, stranger = new_user_id(), new_user_id()
    telegram.chats[agents_group].members[agent] = "member"
    applicant = new_user_id()
    escalation_id = escalate(offline_env, applicant)
    post = telegram.wait_for(lambda: telegram.sent(agents_group), what="the escalation post")[0]

    foreign = new_group_id()
    telegram.add_chat(foreign, members={agent: "member"})
    ignored = telegram.send_text(foreign, "/open", sender=user(agent))
    telegram.send_text(agents_group, "/resolve", sender=user(stranger), reply_to=post["message_id"])
    refusal = telegram.wait_for(lambda: telegram.texts(agents_group)[1:], what="the refusal")
    assert refusal == [texts.AGENTS_ONLY]
    telegram.send_text(agents_group, "我来冒充客服", sender=user(stranger), reply_to=post["message_id"])
    telegram.send_text(agents_group, "/open", sender=user(agent))
    listing = telegram.wait_for(lambda: telegram.texts(agents_group)[2:], what="the list")[0]
    assert listing.startswith("未结束的转人工") and f"#{escalation_id}" in listing

    assert in_database(offline_env, lambda s: gateway_queries.is_update_processed(s, ignored))
    assert telegram.sent(foreign) == []
    assert telegram.texts(applicant) == []  # the stranger's text was not relayed
    assert (
        in_database(offline_env, lambda s: escalation_queries.get_escalation(s, escalation_id).status)
        == "open"
    )  # type: ignore[union-attr]


def test_with_an_allowlist_a_plain_member_of_the_group_cannot_act_as_an_agent(
    telegram: FakeTelegram,
    agents_group: int,
    offline_env: dict[str, str],
    make_offline_gateway: Callable[..., GatewayProcess],
) -> None:
    agent, member = new_user_id(), new_user_id()
    telegram.chats[agents_group].members.update({agent: "member", member: "member"})
    applicant = new_user_id()
    escalation_id = escalate(offline_env, applicant)
    make_offline_gateway(TELEGRAM_AGENT_IDS=str(agent)).start()
    post = telegram.wait_for(lambda: telegram.sent(agents_group), what="the escalation post")[0]

    telegram.send_text(agents_group, "/claim", sender=user(member), reply_to=post["message_id"])
    assert telegram.wait_for(lambda: telegram.texts(agents_group)[1:], what="the refusal") == [
        texts.AGENTS_ONLY
    ]
    telegram.send_text(agents_group, "我来冒充客服", sender=user(member), reply_to=post["message_id"])
    telegram.send_text(
        agents_group, "您好，我是客服", sender=user(agent, "小王"), reply_to=post["message_id"]
    )
    assert telegram.wait_for_texts(applicant, 1) == [texts.AGENT_REPLY.format(text="您好，我是客服")]
    assert "我来冒充客服" not in "\n".join(telegram.texts(applicant))  # the member's text was not relayed
    status = in_database(offline_env, lambda s: escalation_queries.get_escalation(s, escalation_id).status)  # type: ignore[union-attr]
    assert status != "open"  # the allowlisted agent's reply took the case; the member's /claim had not


def test_agents_group_became_a_supergroup(
    telegram: FakeTelegram,
    agents_group: int,
    offline_env: dict[str, str],
    make_offline_gateway: Callable[..., GatewayProcess],
) -> None:
    new_id, agent, applicant = new_group_id(), new_user_id(), new_user_id()
    telegram.add_chat(new_id, title="客服群", members={agent: "member"})
    telegram.fail("sendMessage", "migrate", chat_id=agents_group, migrate_to=new_id, times=None)
    escalation_id = escalate(offline_env, applicant)
    gateway = make_offline_gateway().start()

    post = telegram.wait_for(lambda: telegram.sent(new_id), what="the post in the new group")[0]
    assert f"#{escalation_id}" in post["text"]
    telegram.send_text(new_id, "/claim", sender=user(agent, "小李"), reply_to=post["message_id"])
    assert telegram.wait_for_texts(applicant, 1) == [texts.AGENT_CLAIMED]

    gateway.stop()  # the new id is remembered across restarts
    make_offline_gateway().start()
    telegram.send_text(new_id, "/open", sender=user(agent))
    telegram.wait_for(lambda: len(telegram.sent(new_id)) >= 3, what="the list in the new group")
    assert all(c.params["chat_id"] != agents_group for c in telegram.calls_to("getChatMember"))


def test_webhook_mode_checks_the_secret_token(
    telegram: FakeTelegram, make_offline_gateway: Callable[..., GatewayProcess]
) -> None:
    port, secret = free_port(), "s3cret-hook_42"
    make_offline_gateway(
        TELEGRAM_WEBHOOK_URL="https://bot.example.com/telegram-hook",
        TELEGRAM_WEBHOOK_SECRET=secret,
        TELEGRAM_WEBHOOK_PORT=str(port),
    ).start()
    telegram.wait_for(lambda: telegram.calls_to("setWebhook"), what="the webhook to be registered")
    [registered] = telegram.calls_to("setWebhook")
    assert registered.params["url"] == "https://bot.example.com/telegram-hook"
    assert registered.params["secret_token"] == secret

    applicant = new_user_id()
    update = telegram.text_update(applicant, "网页钩子")
    hook = f"http://127.0.0.1:{port}/telegram-hook"

    def post(token: str) -> int:
        try:
            return httpx.post(
                hook, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": token}
            ).status_code
        except httpx.TransportError:
            return 0

    telegram.wait_for(lambda: post("wrong-secret") == 403, what="the webhook to refuse a wrong secret")
    assert post(secret) == 200
    assert telegram.wait_for_texts(applicant, 1) == ["收到：网页钩子"]
    assert post(secret) == 200  # Telegram retrying the same update: acknowledged, not answered twice
    time.sleep(1.5)
    assert telegram.texts(applicant) == ["收到：网页钩子"]
