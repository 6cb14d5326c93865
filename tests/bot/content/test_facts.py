"""data/facts.yml and the search for statements that contradict it."""

from __future__ import annotations

import pytest

from bot.content.facts import Facts
from bot.content.paths import ProjectPaths
from bot.content.topic_files import read_topics, topic_paths


@pytest.fixture(scope="module")
def facts() -> Facts:
    return Facts.load(ProjectPaths().facts)


def test_facts_match_the_guide(facts: Facts) -> None:
    assert facts.support_phone == "400-066-6666"
    assert facts.max_file_size_mb == 5 and facts.file_formats == ("JPG", "PNG", "PDF")
    assert (facts.payment_min, facts.payment_max) == (0.01, 1)
    assert {stage.name: stage.days for stage in facts.stages} == {
        "初审": (1, 2),
        "复审": (2, 3),
        "整个流程": (3, 5),
    }


def test_no_current_answer_contradicts_a_fact(facts: Facts) -> None:
    for topic in read_topics(topic_paths(ProjectPaths().faq_dir)).all_readable().values():
        assert facts.contradictions(topic.answer, question=topic.question) == [], topic.key


@pytest.mark.parametrize(
    "text",
    [
        "客服电话 4000666666，或 400 066 6666",  # the right number, written differently
        "申请编号 RZ202611200001，日期 2026-11-20，18位代码",  # numbers that are no phone numbers
        "不支持Word文档，请转成PDF",  # a format named in a negation
        "费用是100元",  # yuan, but not the small payment
        "整个流程3到5个工作日，初审1-2个工作日，复审2-3个工作日",
        "已经提交5个工作日了",  # no range
        "初审一般一到两个工作日，最快1个工作日",
        "整个流程大约一周",  # a week: 5 working days
        "如果已经超过5个工作日还没有结果，请联系客服",  # no stage named: within some stage's range
        "链接30天内有效",  # calendar days for no stage: not judged
        "初审通过后3天内会收到通知",  # after a stage, not the stage's duration
        "复审通过后，30天内可以领取证书",
        "请提供近3个月的银行流水，一周内补交",  # months and weeks for no stage: not judged
        "初审需要 2 个 工作\u200b日",  # spaces and invisible characters
        "初审需要1.5个工作日",  # a decimal read whole (never "5个工作日")
        "初審一般1-2個工作日，複審2-3個工作日",  # traditional characters
        "第一轮审核两个工作日，人工复核两三个工作日",  # stage synonyms, an approximation that agrees
        "客服电话：四零零零六六六六六六六",  # the right number in spoken digits
        "每周一到周五都有人审核",  # weekdays, not a duration
    ],
)
def test_statements_that_agree(facts: Facts, text: str) -> None:
    assert facts.contradictions(text) == []


@pytest.mark.parametrize(
    "text, question, expected",
    [
        ("手机 13812345678", "", "电话号码 13812345678"),
        ("上传的图片不能超过 2M", "", "文件大小 2M"),
        ("钉钉会向对公账户打款 2元", "", "打款金额 2 元"),
        ("初审1-2个工作日，复审要5-6个工作日", "", "「复审」的时长写成了 5-6"),
        ("这个过程可能需要1-2个工作日", "复审是什么？", "「复审」的时长写成了 1-2"),
        ("这个过程要7-9个工作日", "", "7-9 个工作日：看不出"),
        ("初审需要10个工作日。", "", "「初审」的时长写成了「10个工作日」，事实是 1-2"),
        ("复审要十个工作日", "", "「复审」的时长写成了「十个工作日」，事实是 2-3"),
        ("初审三到五个工作日", "", "「初审」的时长写成了 3-5 个工作日，事实是 1-2"),
        ("初审大概要一周", "", "「初审」的时长写成了「一周」（约 5 个工作日），事实是 1-2"),
        ("整个认证要两个星期", "", "「整个流程」的时长写成了「两个星期」（约 10 个工作日），事实是 3-5"),
        (
            "一般半个月内完成",
            "认证全部完成要多久？",
            "「整个流程」的时长写成了「半个月」（约 10-11 个工作日）",
        ),
        ("需要4个工作日", "复审要多久？", "「复审」的时长写成了「4个工作日」，事实是 2-3"),
        ("如果已经超过10个工作日还没有结果，请联系客服", "", "「10个工作日」：看不出说的是哪个审核阶段"),
        ("初审需要3天", "", "「初审」的时长写成了「3天」：审核时长只按工作日计算"),
        ("初审3日", "", "「初审」的时长写成了「3日」"),
        ("复审需要3到4天", "", "「复审」的时长写成了「3到4天」"),
        ("初审48小时内完成", "", "「初审」的时长写成了「48小时」"),
        ("初审两三个工作日", "", "「初审」的时长写成了「两三个工作日」，事实是 1-2"),
        ("复审七八天", "", "「复审」的时长写成了「七八天」"),
        ("初审十来个工作日", "", "「初审」的时长写成了「十来个工作日」"),
        ("复审一两周", "", "「复审」的时长写成了「一两周」（约 5-10 个工作日）"),
        ("初审叁个工作日", "", "「初审」的时长写成了「三个工作日」"),
        ("整个流程一百个工作日", "", "「整个流程」的时长写成了「一百个工作日」"),
        ("the first review takes 初审 5 working days", "", "「初审」的时长写成了「5 working days」"),
        ("第一轮审核要5个工作日", "", "「初审」的时长写成了「5个工作日」"),
        ("初步审核要5个工作日", "", "「初审」的时长写成了「5个工作日」"),
        ("人工复核要6个工作日", "", "「复审」的时长写成了「6个工作日」"),
        ("初審要5個工作日", "", "「初审」的时长写成了「5个工作日」"),
        ("初审\u200b要 1 0 个工作日", "", "「初审」的时长写成了「10个工作日」"),
        ("需要6个工作日", "", "「6个工作日」：看不出说的是哪个审核阶段"),
        ("打款金额两元", "", "打款金额 2 元"),
        ("打款金额￥2", "", "打款金额 2 元"),
        ("打款金额是 2 块钱", "", "打款金额 2 元"),
        ("图片不能超过十兆", "", "文件大小 十兆"),
        ("Upload a BMP file", "", "文件格式 BMP"),
        ("请拨打幺三八一二三四五六七八", "", "电话号码 13812345678"),
        ("请拨打 138****5678 联系我们", "", "答案里有被隐藏的号码「138****5678」"),
    ],
)
def test_statements_that_contradict(facts: Facts, text: str, question: str, expected: str) -> None:
    (found,) = facts.contradictions(text, question=question)
    assert found.message.startswith(expected)


def test_contradiction_reports_its_line(facts: Facts) -> None:
    (found,) = facts.contradictions("第一行\n第二行\n请拨打 010-12345678", question="")
    assert found.line == 2
