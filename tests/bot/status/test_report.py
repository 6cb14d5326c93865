"""Each status report says what the guide says: next step, how long, and nothing invented."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.db import queries
from bot.db.seed import DEMO_APPLICATIONS
from bot.status.report import render_report

WORKING_DAYS = re.compile(r"(\d+-\d+) 个工作日")
AMOUNT = re.compile(r"\d+(?:\.\d+)?\s*元")
TODAY = date(2026, 11, 20)
"""The day the reports are read on (a Friday): 初审 of RZ202611200001 began that morning."""


@pytest.fixture
def reports(seeded_url: str, sessions: sessionmaker[Session]) -> dict[str, str]:
    with sessions() as session:
        applications = queries.applications_by_id(session, (demo.id for demo in DEMO_APPLICATIONS))
        return {application_id: render_report(app, TODAY) for application_id, app in applications.items()}


def test_every_report_names_the_application_status_and_when_it_was_reached(reports: dict[str, str]) -> None:
    assert "当前状态：初审中（自 2026年11月20日 10:12 起，北京时间）" in reports["RZ202611200001"]
    assert "当前状态：待打款验证（自 2026年11月19日 16:05 起，北京时间）" in reports["RZ202611180002"]
    assert "当前状态：复审中（自 2026年11月19日 14:45 起，北京时间）" in reports["RZ202611150003"]
    assert "当前状态：已通过（自 2026年11月16日 16:20 起，北京时间）" in reports["RZ202611100004"]
    assert "当前状态：已驳回（自 2026年11月13日 17:30 起，北京时间）" in reports["RZ202611120005"]
    assert "企业名称：天津（滨海）智造有限公司" in reports["RZ202611210006"]


def test_only_the_guides_timelines_are_quoted(reports: dict[str, str]) -> None:
    quoted = {span for text in reports.values() for span in WORKING_DAYS.findall(text)}
    assert quoted == {"1-2", "2-3", "3-5"}
    assert {"1-2", "2-3", "3-5"} <= set(WORKING_DAYS.findall(reports["RZ202611200001"]))
    assert set(WORKING_DAYS.findall(reports["RZ202611150003"])) == {"2-3"}


def test_a_stage_waiting_for_a_reviewer_gets_a_dated_eta(reports: dict[str, str]) -> None:
    # 初审 since Friday 20 November: 1-2 working days → by Tuesday 24 November.
    assert "预计 11月24日（周二）前完成初审" in reports["RZ202611200001"]
    # 复审 since Thursday 19 November: 2-3 working days → by Tuesday 24 November.
    assert "预计 11月24日（周二）前完成复审" in reports["RZ202611150003"]
    # 待打款验证 waits for the applicant: no date is promised.
    assert "预计" not in reports["RZ202611180002"]


def test_a_stage_past_its_range_apologises_in_the_report(
    seeded_url: str, sessions: sessionmaker[Session]
) -> None:
    with sessions() as session:
        application = queries.applications_by_id(session, ["RZ202611150003"])["RZ202611150003"]
        text = render_report(application, date(2026, 11, 29))
    assert "很抱歉，您的申请复审已超出一般时长 3 个工作日" in text
    assert "转人工" in text


def test_payment_verification_explains_how_to_find_and_enter_the_exact_amount(
    reports: dict[str, str],
) -> None:
    text = reports["RZ202611180002"]
    for phrase in (
        "对公账户",
        "0.01 元到 1 元之间",
        "网银",
        "银行柜台",
        "准确金额",
        "钉钉后台",
        "精确金额",
        "不能四舍五入",
    ):
        assert phrase in text
    assert AMOUNT.findall(text) == ["0.01 元", "1 元"]  # the guide's range; never an amount of its own
    assert "2-3 个工作日" in text


def test_second_review_mentions_the_uploaded_industry_licence(reports: dict[str, str]) -> None:
    assert "《办学许可证》" in reports["RZ202611150003"]
    assert "真实性、合规性" in reports["RZ202611150003"]


def test_approval_names_the_badge_and_what_it_unlocks(reports: dict[str, str]) -> None:
    text = reports["RZ202611100004"]
    for phrase in (
        "认证等级：中级",
        "「已认证」标识",
        "认证徽章",
        "自动解锁",
        "更大的存储空间",
        "第三方应用",
    ):
        assert phrase in text
    assert "工作日" not in text


def test_rejection_lists_every_reason_with_its_fix_and_says_resubmit_at_once(reports: dict[str, str]) -> None:
    text = reports["RZ202611120005"]
    assert "1. 【资料不清晰】营业执照照片模糊" in text and "2. 【资料过期】经营者身份证已过期" in text
    assert "清晰可辨" in text and "JPG、PNG、PDF" in text and "5MB" in text
    assert "身份证必须在有效期内" in text
    assert "立即重新提交" in text

    text = reports["RZ202611210006"]
    assert "填写的企业名称与营业执照不一致（括号为半角）" in text
    assert "包括括号、空格等所有字符" in text
    assert "立即重新提交" in text
