"""Conversations that keep context, over Rasa's REST channel with the real model and servers.

The test stack's "now" is Sunday 29 November 2026, 10:00 Beijing time (tests/conftest.py, BOT_TEST_NOW).
"""

from __future__ import annotations

import pytest
import yaml

from bot.settings import PROJECT_ROOT
from tests.support.rest import RestClient

DOMAIN = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))

pytestmark = pytest.mark.servers


def response_text(name: str, **values: object) -> str:
    """The first text variant of a domain response, filled in."""
    return DOMAIN["responses"][name][0]["text"].strip().format(**values)


def report(rest: RestClient, sender: str, application_id: str, code: str) -> str:
    """Look the application up (ID and code in one message) and return the report."""
    return rest.texts(sender, f"查一下 {application_id} 的进度，信用代码后六位 {code}")


def test_after_a_rejection_report_follow_ups_are_about_that_application(
    rest: RestClient, sender: str
) -> None:
    assert "当前状态：已驳回" in report(rest, sender, "RZ202611120005", "3e1q2q")

    next_step = rest.texts(sender, "被驳回了下一步怎么弄")
    assert "RZ202611120005" in next_step
    assert next_step.index("营业执照照片模糊") < next_step.index("经营者身份证已过期")
    assert "个体工商户：需要提供营业执照和经营者的身份证" in next_step

    fixes = rest.texts(sender, "要改哪些地方")
    assert "营业执照照片模糊" in fixes and response_text("utter_faq_uncertain") not in fixes

    appeal = rest.send(sender, "我不服这个结果")
    assert [message["text"] for message in appeal] == [
        response_text("utter_appeal_application", application_id="RZ202611120005"),
        response_text("utter_handoff_started"),
        response_text("utter_handoff_how_rest"),  # how an agent's reply reaches a REST caller
    ]


def test_a_review_past_its_range_is_owned_up_to(rest: RestClient, sender: str) -> None:
    text = report(rest, sender, "RZ202611150003", "8N2P1D")
    assert "当前状态：复审中" in text and "已超出一般时长 3 个工作日" in text

    wait = rest.texts(sender, "还要等几天")
    assert "RZ202611150003" in wait and "已超出一般时长 3 个工作日" in wait and "11月24日（周二）" in wait

    slow = rest.texts(sender, "怎么这么慢")
    assert "已超出一般时长 3 个工作日" in slow and "转人工" in slow


def test_without_a_report_a_complaint_gets_the_general_answer(rest: RestClient, sender: str) -> None:
    assert rest.texts(sender, "怎么这么慢").strip() == response_text("utter_complain_slow")


def test_short_follow_ups_after_a_faq_answer_are_read_against_it(rest: RestClient, sender: str) -> None:
    assert "免费" in rest.texts(sender, "认证需要费用吗？")
    assert rest.texts(sender, "个体工商户也一样吗？").startswith("个体工商户也一样：钉钉企业认证本身是免费的")

    assert "营业执照" in rest.texts(sender, "认证需要准备哪些材料？")
    assert rest.texts(sender, "要多久？").startswith(
        "材料齐全、清晰并提交后，整个认证流程一般需要 3-5 个工作日"
    )


def test_paying_for_a_faster_review_gets_the_paid_agent_warning(rest: RestClient, sender: str) -> None:
    assert "付费代办认证，请警惕" in rest.texts(sender, "交点钱能不能加急处理我们的认证")


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("K4L6", response_text("utter_status_code_length", length=4)),
        ("最后六位是 7k4l6q", "当前状态：待打款验证"),
        ("9133 0106 MA2H 7K4L 6Q", "当前状态：待打款验证"),
        ("MA2H7K4L6Q", "当前状态：待打款验证"),
    ],
)
def test_codes_as_people_type_them(rest: RestClient, sender: str, answer: str, expected: str) -> None:
    assert rest.texts(sender, "帮我查下 RZ202611180002 的进度") == response_text(
        "utter_ask_credit_code_suffix"
    )
    assert expected in rest.texts(sender, answer)


def test_a_letters_only_code_counts_as_a_try(rest: RestClient, sender: str) -> None:
    rest.texts(sender, "帮我查下 RZ202611180002 的进度")
    assert rest.texts(sender, "ABCDEF").startswith(response_text("utter_status_mismatch", remaining=2))


def test_a_conversation_that_stays_on_the_application_keeps_its_context(
    rest: RestClient, sender: str
) -> None:
    report(rest, sender, "RZ202611120005", "3e1q2q")
    for question in ("被驳回了下一步怎么弄", "要改哪些地方", "还要等几天"):
        assert "RZ202611120005" in rest.texts(sender, question)

    materials = rest.texts(sender, "那要准备哪些材料")
    assert "个体工商户：需要提供营业执照和经营者的身份证" in materials
