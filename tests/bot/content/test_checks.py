"""`python -m bot.content check`: passes on the real content, and finds each kind of problem at file:line.

The failing fixtures break a copy of the real content. They add text rather than edit existing
wording where they can, so the content may keep changing without breaking these tests.
"""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache
from pathlib import Path

import pytest

from bot.content.__main__ import main
from bot.content.checks import check_project, format_report
from bot.content.corpus import heldout_corpus, training_corpus
from bot.content.heldout_file import questions_by_topic, replace_test_questions
from bot.content.paths import ProjectPaths
from bot.content.topic_files import read_topic, render_topic


def test_the_real_content_passes_the_check() -> None:
    paths = ProjectPaths()
    report = check_project(paths)
    assert report.errors == [], format_report(report, paths)
    assert report.topics >= 20


@lru_cache(maxsize=1)
def errors_in_the_real_content() -> frozenset[str]:
    """Errors the real content has right now (none, when the test above passes)."""
    paths = ProjectPaths()
    return frozenset(problem.format(paths) for problem in check_project(paths).errors)


def errors_at(paths: ProjectPaths) -> list[str]:
    """The errors (`file:line: message`) a test introduced into its copy of the content.

    Errors the real content already has are left out, so each test sees only its own.
    """
    baseline = errors_in_the_real_content()
    return [line for line in (p.format(paths) for p in check_project(paths).errors) if line not in baseline]


def line_of(path: Path, text: str) -> int:
    """The 1-based line of the first line of `path` that is exactly `text` once stripped."""
    lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]
    return lines.index(text) + 1


def add_phrasing(paths: ProjectPaths, key: str, phrasing: str) -> int:
    """Add a phrasing to a topic (canonical layout); return its line."""
    topic = read_topic(paths.topic_file(key))
    topic.path.write_text(
        render_topic(replace(topic, examples=(*topic.examples, phrasing))), encoding="utf-8"
    )
    return line_of(topic.path, f"- {phrasing}")


def add_answer_line(paths: ProjectPaths, key: str, text: str) -> int:
    """Append a line to a topic's answer (the last block of the file); return its line."""
    path = paths.topic_file(key)
    with path.open("a", encoding="utf-8") as stream:
        stream.write(f"        {text}\n")
    return len(path.read_text(encoding="utf-8").splitlines())


def first_phrasing(paths: ProjectPaths, intent: str) -> tuple[str, int]:
    """The first training phrasing of `intent` and its line."""
    return next((p.text, p.line) for p in training_corpus(paths).phrasings() if p.intent == intent)


def test_same_phrasing_under_two_topics(project: ProjectPaths) -> None:
    text, line = first_phrasing(project, "faq/total_time")
    variant = f" {text[:2]} {text[2:]}？"  # other spacing and punctuation: still the same phrasing
    added = add_phrasing(project, "second_review", variant.strip())
    expected = (
        f"data/nlu/faq/total_time.yml:{line}: 说法「{text}」同时属于 faq/total_time 和 faq/second_review"
        f"（data/nlu/faq/second_review.yml:{added}）"
    )
    assert errors_at(project) == [expected]


def test_faq_phrasing_that_is_also_a_chitchat_phrasing(project: ProjectPaths) -> None:
    text, line = first_phrasing(project, "request_human")
    added = add_phrasing(project, "fees", text)
    expected = (
        f"data/nlu/faq/fees.yml:{added}: 说法「{text}」同时属于 faq/fees 和 request_human"
        f"（data/nlu/chitchat.yml:{line}）"
    )
    assert errors_at(project) == [expected]


def test_too_few_phrasings(project: ProjectPaths) -> None:
    topic = read_topic(project.topic_file("fees"))
    topic.path.write_text(render_topic(replace(topic, examples=topic.examples[:29])), encoding="utf-8")
    assert errors_at(project) == ["data/nlu/faq/fees.yml:4: 主题 fees 只有 29 条用户说法，至少需要 30 条"]


def test_too_few_test_questions(project: ProjectPaths) -> None:
    heldout = project.heldout.read_text(encoding="utf-8")
    kept = replace_test_questions(heldout, {"fees": questions_by_topic(heldout_corpus(project))["fees"][:3]})
    project.heldout.write_text(kept, encoding="utf-8")
    assert errors_at(project) == [
        "data/nlu/faq/fees.yml:4: 主题 fees 只有 3 条测试问法（tests/data/heldout_nlu.yml），至少需要 4 条"
    ]


def test_masked_personal_data_in_a_phrasing(project: ProjectPaths) -> None:
    line = add_phrasing(project, "fees", "我的手机号138****5678，认证收费吗")
    assert errors_at(project) == [
        (
            f"data/nlu/faq/fees.yml:{line}: 「我的手机号138****5678，认证收费吗」含有隐藏的个人信息（****），"
            "不能用作用户说法或测试问法：请改写成不含个人信息的问法，或者不要加入"
        )
    ]


def test_missing_answer(project: ProjectPaths) -> None:
    path = project.topic_file("fees")
    text = path.read_text(encoding="utf-8")
    path.write_text(text[: text.index("    - text: |")] + '    - text: ""\n', encoding="utf-8")
    assert errors_at(project) == ["data/nlu/faq/fees.yml:4: 主题 fees 没有答案（utter_faq/fees）"]


def test_answer_too_long_for_telegram_and_long_answer_warning(project: ProjectPaths) -> None:
    path = project.topic_file("fees")
    original = path.read_text(encoding="utf-8")
    add_answer_line(project, "fees", "😀" * 2049)
    answer = read_topic(path).answer
    length = len(answer.encode("utf-16-le")) // 2  # an emoji counts 2
    assert length > 4096 > len(answer)
    answer_line = line_of(path, "- text: |")
    assert errors_at(project) == [
        f"data/nlu/faq/fees.yml:{answer_line}: 答案有 {length} 个字符（按 Telegram 的 UTF-16 计算），超过上限 4096"
    ]
    path.write_text(original, encoding="utf-8")
    add_answer_line(project, "fees", "很长" * 420)
    assert errors_at(project) == []
    warnings = check_project(project).warnings
    assert any("建议不超过 800 字" in p.message and p.path.name == "fees.yml" for p in warnings)


@pytest.mark.parametrize(
    "topic, sentence, message",
    [
        (
            "contact_support",
            "也可以拨打400-123-4567。",
            "电话号码 400-123-4567 与事实不符：客服电话是 400-066-6666",
        ),
        ("business_license", "文件大小不超过10MB。", "文件大小 10MB 与事实不符：上限是 5MB"),
        ("file_format_size", "也支持BMP格式。", "文件格式 BMP 与事实不符：支持的格式是 JPG、PNG、PDF"),
        ("payment_verification", "打款金额通常在0.01元到5元之间。", "打款金额 5 元与事实不符"),
        ("total_time", "初审一般2-3个工作日。", "「初审」的时长写成了 2-3 个工作日，事实是 1-2"),
        ("second_review", "这个过程可能需要3-5个工作日。", "「复审」的时长写成了 3-5 个工作日，事实是 2-3"),
        ("total_time", "整个认证流程需要3-7个工作日。", "「整个流程」的时长写成了 3-7 个工作日，事实是 3-5"),
        ("submit_first_review", "初审需要10个工作日。", "「初审」的时长写成了「10个工作日」，事实是 1-2"),
        ("total_time", "一般两周就能全部办完。", "「整个流程」的时长写成了「两周」（约 10 个工作日）"),
    ],
)
def test_answer_contradicting_a_fact(project: ProjectPaths, topic: str, sentence: str, message: str) -> None:
    line = add_answer_line(project, topic, sentence)
    (error,) = errors_at(project)
    assert error.startswith(f"data/nlu/faq/{topic}.yml:{line}: {message}")


def test_a_changed_fact_flags_every_answer_still_saying_the_old_value(project: ProjectPaths) -> None:
    saying_5mb = {
        f"data/nlu/faq/{path.name}"
        for path in project.faq_dir.glob("*.yml")
        if "5MB" in read_topic(path).answer
    }
    assert saying_5mb
    facts = project.facts.read_text(encoding="utf-8")
    project.facts.write_text(facts.replace("max_file_size_mb: 5", "max_file_size_mb: 10"), encoding="utf-8")
    assert {error.split(":")[0] for error in errors_at(project)} == saying_5mb


def test_heldout_phrasing_leaking_into_training_data(project: ProjectPaths) -> None:
    held = next(p for p in heldout_corpus(project).phrasings() if p.intent == "faq/what_is_intermediate")
    added = add_phrasing(project, "what_is_intermediate", held.text)
    expected = (
        f"tests/data/heldout_nlu.yml:{held.line}: 保留测试集的说法「{held.text}」出现在训练数据里"
        f"（data/nlu/faq/what_is_intermediate.yml:{added}），评估结果会偏高"
    )
    assert errors_at(project) == [expected]


def test_references_to_topics_that_do_not_exist(project: ProjectPaths) -> None:
    rules = project.data_dir / "rules" / "stale.yml"
    rules.write_text(
        'version: "3.1"\nrules:\n  - rule: a stale button\n    steps:\n      - intent: faq\n'
        "        entities:\n          - faq_key: old_topic\n      - action: action_answer_faq\n",
        encoding="utf-8",
    )
    story = project.root / "tests" / "test_stale.yml"
    story.write_text(
        'version: "3.1"\nstories:\n  - story: stale\n    steps:\n      - user: |\n          费用\n'
        "        intent: faq/fee\n      - action: action_answer_faq\n",
        encoding="utf-8",
    )
    answer_line = add_answer_line(project, "fees", "详见 utter_faq/pricing。")
    assert errors_at(project) == [
        f"data/nlu/faq/fees.yml:{answer_line}: 引用了不存在的主题「pricing」（data/nlu/faq/pricing.yml 不存在）",
        "data/rules/stale.yml:7: 引用了不存在的主题「old_topic」（data/nlu/faq/old_topic.yml 不存在）",
        "tests/test_stale.yml:7: 引用了不存在的主题「fee」（data/nlu/faq/fee.yml 不存在）",
    ]


def test_topic_file_named_after_another_key_and_unreadable_file(project: ProjectPaths) -> None:
    project.topic_file("fees").rename(project.topic_file("fee_typo"))
    project.topic_file("broken").write_text("nlu: [\n", encoding="utf-8")
    errors = errors_at(project)
    assert "data/nlu/faq/fee_typo.yml:4: 文件名应与主题键一致：主题是 faq/fees，文件名应为 fees.yml" in errors
    assert any(error.startswith("data/nlu/faq/broken.yml:") for error in errors)


def test_command_exits_non_zero_with_file_and_line(
    project: ProjectPaths, capsys: pytest.CaptureFixture[str]
) -> None:
    line = add_answer_line(project, "contact_support", "或拨打400-066-6667。")
    assert main(["--root", str(project.root), "check"]) == 1
    output = capsys.readouterr().out
    assert f"data/nlu/faq/contact_support.yml:{line}: 电话号码 400-066-6667 与事实不符" in output
    assert "检查发现" in output
