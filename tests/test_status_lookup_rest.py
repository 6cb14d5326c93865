"""The status lookup over Rasa's REST channel with the real servers (SQLite seeded by `bot.db init`)."""

from __future__ import annotations

import random

import httpx
import pytest
import yaml
from sqlalchemy import select

from bot.db import escalation_queries
from bot.db.engine import shared_session_factory
from bot.db.escalation_models import Escalation
from bot.run import Stack
from bot.settings import PROJECT_ROOT
from tests.support.rest import RestClient

DOMAIN = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))

pytestmark = pytest.mark.servers


def response_text(name: str, **values: object) -> str:
    """The first text variant of a domain response, filled in."""
    return DOMAIN["responses"][name][0]["text"].strip().format(**values)


@pytest.mark.parametrize(
    ("first", "code", "expected"),
    [
        ("帮我查下 RZ202611200001 的进度", "b2c344", "当前状态：初审中"),
        ("ＲＺ２０２６１１１８０００２ 到哪一步了", "91330106MA2H7K4L6Q", "当前状态：待打款验证"),
        ("rz 2026 1112 0005 现在什么状态", "后六位 3e1q2q", "营业执照照片模糊"),
    ],
)
def test_id_then_code_gives_the_report(
    rest: RestClient, sender: str, first: str, code: str, expected: str
) -> None:
    assert rest.texts(sender, first) == response_text("utter_ask_credit_code_suffix")
    assert expected in rest.texts(sender, code)


def test_the_bot_asks_for_the_id_explains_a_malformed_one_and_answers_faqs_meanwhile(
    rest: RestClient, sender: str
) -> None:
    ask_id = response_text("utter_ask_application_id")
    assert rest.texts(sender, "查询进度") == ask_id
    assert rest.texts(sender, "RZ2026111800") == response_text("utter_status_id_malformed") + "\n" + ask_id
    faq_then_ask = rest.texts(sender, "认证需要费用吗？")
    assert "免费" in faq_then_ask and faq_then_ask.endswith(ask_id)
    assert rest.texts(sender, "RZ202611100004") == response_text("utter_ask_credit_code_suffix")
    assert "认证徽章" in rest.texts(sender, "6R9T4Q")


HANDED_OVER_ON_REST = response_text("utter_handoff_started") + "\n" + response_text("utter_handoff_how_rest")
"""What a REST caller hears when handed to a person: it happened, and the reply comes with the next request."""


def test_wrong_codes_lock_the_lookup_and_hand_over_to_a_person(rest: RestClient, sender: str) -> None:
    rest.texts(sender, "查询 RZ202611210006 的进度")
    assert rest.texts(sender, "111111").startswith(response_text("utter_status_mismatch", remaining=2))
    assert rest.texts(sender, "222222").startswith(response_text("utter_status_mismatch", remaining=1))
    locked, handed_over, how = rest.send(sender, "333333")
    assert locked["text"] == response_text("utter_status_locked", minutes=30)
    assert handed_over["text"] == response_text("utter_handoff_locked_lookup")
    assert how["text"] == response_text("utter_handoff_how_rest")  # REST cannot be pushed to: it says so
    # The bot is paused for the agent now: later messages are passed on, not answered by the bot.
    assert rest.texts(sender, "RZ202611210006") == response_text("utter_handed_over_rest")


def test_unknown_id_gets_the_wrong_code_reply(rest: RestClient, sender: str) -> None:
    rest.texts(sender, "RZ209912319999 现在什么状态")
    assert rest.texts(sender, "F5W298").startswith(response_text("utter_status_mismatch", remaining=2))


def test_cancel_ends_the_lookup(rest: RestClient, sender: str) -> None:
    rest.texts(sender, "帮我查下 RZ202611200001 的进度")
    assert rest.texts(sender, "算了") == response_text("utter_status_cancelled")
    assert rest.texts(sender, "你好") == response_text("utter_greet")


def test_a_verified_applicant_asks_again_without_a_code(rest: RestClient, sender: str) -> None:
    rest.texts(sender, "帮我查下 RZ202611150003 的进度")
    assert "当前状态：复审中" in rest.texts(sender, "8N2P1D")
    assert "当前状态：复审中" in rest.texts(sender, "再帮我查一下进度")


def test_an_id_guessed_from_many_conversations_is_capped_and_a_person_offered(
    rest: RestClient, sender: str
) -> None:
    application_id = (
        f"RZ2031{random.randrange(10**8):08d}"  # known or not, the cap and its reply are the same
    )
    for n in range(9):
        rest.texts(f"{sender}-{n}", f"查询 {application_id} 的进度")
        # each conversation hears of its own tries only, never of other guessers'
        mismatch = response_text("utter_status_mismatch", remaining=2)
        assert rest.texts(f"{sender}-{n}", f"{n}12345").startswith(mismatch)
    rest.texts(f"{sender}-9", f"查询 {application_id} 的进度")
    assert rest.texts(f"{sender}-9", "912345") == response_text("utter_status_capped", minutes=60)

    [capped] = rest.send(sender, f"查询 {application_id} 的进度")  # a new conversation: refused at the ID
    assert capped["text"] == response_text("utter_status_capped", minutes=60)
    assert capped["buttons"] == [{"title": "转人工", "payload": "/request_human"}]
    assert rest.texts(sender, capped["buttons"][0]["payload"]) == HANDED_OVER_ON_REST
    assert rest.texts(sender, "请帮我查一下") == response_text("utter_handed_over_rest")


def test_asking_for_a_person_past_the_hourly_limit_is_still_handed_over(
    rest: RestClient, sender: str, stack: Stack
) -> None:
    for _ in range(3):
        assert rest.texts(sender, "转人工") == HANDED_OVER_ON_REST
        resolve_and_resume(stack, sender)  # what an agent's /resolve does

    over_limit = response_text("utter_handoff_over_limit") + "\n" + response_text("utter_handoff_how_rest")
    assert rest.texts(sender, "转人工") == over_limit
    assert rest.texts(sender, "还在吗") == response_text("utter_handed_over_rest")  # recorded and handed over
    with shared_session_factory(stack.settings.database_url)() as session:
        quiet = (
            select(Escalation.quiet).where(Escalation.sender_id == f"rest:{sender}").order_by(Escalation.id)
        )
        assert list(session.scalars(quiet)) == [False, False, False, True]


def resolve_and_resume(stack: Stack, sender: str) -> None:
    """End the conversation's escalation and give it back to the bot, as the gateway does on /resolve."""
    with shared_session_factory(stack.settings.database_url)() as session, session.begin():
        escalation = escalation_queries.active_escalation(session, f"rest:{sender}")
        assert escalation is not None
        escalation_queries.resolve_escalation(session, escalation.id)
    httpx.post(
        f"{stack.settings.rasa_url}/webhooks/gateway/resume",
        json={"sender": f"rest:{sender}"},
        headers={"Authorization": f"Bearer {stack.auth_token}"},
        timeout=30,
    ).raise_for_status()


def test_an_empty_message_during_a_handoff_says_no_reply_has_come_yet(rest: RestClient, sender: str) -> None:
    """Found by the attack on issue 11: it was told it had sent an empty message, as if nobody were there."""
    assert rest.send(sender, "转人工")[0]["text"] == response_text("utter_handoff_started")

    assert rest.texts(sender, "") == response_text("utter_handoff_no_reply_yet")
    assert rest.texts(f"{sender}-alone", "") == response_text("utter_empty_message")  # no handoff: as before


def test_a_thumbs_up_during_a_handoff_is_answered_and_not_left_for_the_agents(
    rest: RestClient, sender: str
) -> None:
    """Found by the re-attack of issue 16: the payload reached the agents as a message."""
    answer = rest.send(sender, "认证需要多少钱")[0]
    up = answer["buttons"][0]["payload"]
    assert up.startswith("/answer_feedback")
    rest.send(sender, "转人工")
    assert rest.texts(sender, up) == response_text("utter_feedback_unknown")
    assert rest.texts(sender, "还在吗") == response_text("utter_handed_over_rest")  # a word is still left
