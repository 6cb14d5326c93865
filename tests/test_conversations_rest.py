"""Whole conversations over Rasa's REST channel with the real servers, as an applicant sees them."""

from __future__ import annotations

import json

import pytest
import yaml

from bot.answers.catalog import Catalog
from bot.run import Stack
from bot.settings import PROJECT_ROOT
from tests.support.rest import RestClient

TOPICS = Catalog().topics()
DOMAIN = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))


def response_text(name: str) -> str:
    """The first text variant of a domain response."""
    return DOMAIN["responses"][name][0]["text"].strip()


pytestmark = pytest.mark.servers


@pytest.mark.parametrize("key", sorted(TOPICS))
def test_every_topic_answers_its_standard_question(rest: RestClient, sender: str, key: str) -> None:
    assert rest.texts(sender, TOPICS[key].question) == TOPICS[key].answer


@pytest.mark.parametrize(
    ("message", "key"),
    [
        ("認證需要費用嗎？", "fees"),
        ("ＰＤＦ文件最大能传多大", "file_format_size"),
        ("打款验证金额怎么查", "payment_verification"),
    ],
)
def test_traditional_and_full_width_input_is_understood(
    rest: RestClient, sender: str, message: str, key: str
) -> None:
    assert rest.texts(sender, message) == TOPICS[key].answer


@pytest.mark.parametrize(
    ("message", "response"),
    [
        ("你好", "utter_greet"),
        ("谢谢你", "utter_thank"),
        ("再见", "utter_goodbye"),
        ("你是机器人吗", "utter_bot_challenge"),
    ],
)
def test_chitchat(rest: RestClient, sender: str, message: str, response: str) -> None:
    assert rest.texts(sender, message) == response_text(response)


@pytest.mark.parametrize("message", ["今天北京天气怎么样", "给我讲个笑话", "企业微信认证怎么做"])
def test_out_of_scope_is_declined_with_what_the_bot_can_do(
    rest: RestClient, sender: str, message: str
) -> None:
    reply = rest.texts(sender, message)
    assert reply == response_text("utter_out_of_scope")
    assert all(topic.answer != reply for topic in TOPICS.values())


def test_uncertain_question_offers_topics_and_a_pressed_button_answers(rest: RestClient, sender: str) -> None:
    (message,) = rest.send(sender, "问一下材料和时间")  # two topics at once
    assert message["text"] == response_text("utter_faq_uncertain")
    payloads = [button["payload"] for button in message["buttons"]]
    assert payloads[-1] == "/request_human"
    offered = [json.loads(p.removeprefix("/faq"))["faq_key"] for p in payloads[:-1]]
    assert 1 <= len(offered) <= 3 and set(offered) <= set(TOPICS)
    assert rest.texts(sender, payloads[0]) == TOPICS[offered[0]].answer


def test_button_payload_for_unknown_topic_gets_help_not_silence(rest: RestClient, sender: str) -> None:
    reply = rest.texts(sender, '/faq{"faq_key": "no_such_topic"}')
    assert reply == response_text("utter_default")


def test_buttons_with_json_payloads_reach_the_applicant_without_error_lines(
    rest: RestClient, stack: Stack, sender: str
) -> None:
    """A domain response whose buttons carry `/faq{"faq_key": …}` is not an error for Rasa's interpolator:
    operators are alerted on ERROR lines, so a false one per button every turn would page them for nothing."""
    log = stack.settings.var_dir / "logs" / "rasa.log"
    before = log.stat().st_size
    (message,) = rest.send(sender, "下一步怎么弄")
    assert message["text"] == response_text("utter_next_step_which")
    assert [button["payload"] for button in message["buttons"]] == [
        '/faq{"faq_key": "steps_overview"}',
        '/faq{"faq_key": "resubmit"}',
        "/check_status",
    ]
    with log.open("rb") as lines:
        lines.seek(before)
        errors = [line for line in lines.read().decode("utf-8", "replace").splitlines() if "ERROR" in line]
    assert errors == []
    assert rest.texts(sender, message["buttons"][0]["payload"]) == TOPICS["steps_overview"].answer
