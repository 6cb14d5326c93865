"""`python -m bot.faq check`: passes on the real content, and finds each kind of problem at file:line."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.faq.__main__ import main
from bot.faq.catalog import read_topic
from bot.faq.checks import check_project, format_report
from bot.faq.paths import ProjectPaths
from bot.faq.topic_files import render_topic


def test_the_real_content_passes_the_check() -> None:
    paths = ProjectPaths()
    report = check_project(paths)
    assert report.errors == [], format_report(report, paths)
    assert report.topics >= 20


def errors_at(paths: ProjectPaths) -> list[str]:
    """The check's error lines (`file:line: message`) for the tree under `paths`."""
    return [problem.format(paths) for problem in check_project(paths).errors]


def replace_in(path: Path, old: str, new: str) -> int:
    """Replace `old` (once) in a file; return the 1-based line where it was."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} should occur once in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return text[: text.index(old)].count("\n") + 1


def test_the_fixture_copy_passes_before_anything_is_broken(project: ProjectPaths) -> None:
    assert errors_at(project) == []


def test_same_phrasing_under_two_topics(project: ProjectPaths) -> None:
    # total_time has 「认证要多久」; second_review gets it with other spacing, punctuation and characters.
    line = replace_in(project.topic_file("second_review"), "- 复审要多久\n", "- 認證 要多久？\n")
    assert errors_at(project) == [
        "data/nlu/faq/total_time.yml:9: 说法「认证要多久」同时属于 faq/total_time 和 faq/second_review"
        f"（data/nlu/faq/second_review.yml:{line}）"
    ]


def test_faq_phrasing_that_is_also_a_chitchat_phrasing(project: ProjectPaths) -> None:
    line = replace_in(project.topic_file("fees"), "- 认证费\n", "- 转人工\n")
    (error,) = errors_at(project)
    assert error.startswith(f"data/nlu/faq/fees.yml:{line}: 说法「转人工」同时属于 faq/fees 和 request_human")


def test_too_few_phrasings(project: ProjectPaths) -> None:
    topic = read_topic(project.topic_file("fees"))
    shorter = type(topic)(**{**topic.__dict__, "examples": topic.examples[:11]})
    topic.path.write_text(render_topic(shorter), encoding="utf-8")
    assert errors_at(project) == ["data/nlu/faq/fees.yml:4: 主题 fees 只有 11 条用户说法，至少需要 12 条"]


def test_missing_answer(project: ProjectPaths) -> None:
    path = project.topic_file("fees")
    text = path.read_text(encoding="utf-8")
    path.write_text(text[: text.index("    - text: |")] + '    - text: ""\n', encoding="utf-8")
    assert errors_at(project) == ["data/nlu/faq/fees.yml:4: 主题 fees 没有答案（utter_faq/fees）"]


def test_answer_too_long_for_telegram_and_long_answer_warning(project: ProjectPaths) -> None:
    line = replace_in(project.topic_file("fees"), "    - text: |\n", "    - text: |\n        " + "😀" * 2049 + "\n")
    length = len(read_topic(project.topic_file("fees")).answer.encode("utf-16-le")) // 2  # an emoji counts 2
    assert length > 4096 > len(read_topic(project.topic_file("fees")).answer)
    report = check_project(project)
    assert [p.format(project) for p in report.errors] == [
        f"data/nlu/faq/fees.yml:{line}: 答案有 {length} 个字符（按 Telegram 的 UTF-16 计算），超过上限 4096"
    ]
    replace_in(project.topic_file("fees"), "😀" * 2049, "很长" * 420)
    report = check_project(project)
    assert report.errors == []
    assert any("建议不超过 800 字" in p.message and p.path.name == "fees.yml" for p in report.warnings)


@pytest.mark.parametrize(
    "topic, old, new, message",
    [
        ("contact_support", "400-066-6666", "400-123-4567", "电话号码 400-123-4567 与事实不符：客服电话是 400-066-6666"),
        ("business_license", "大小不超过5MB；", "大小不超过10MB；", "文件大小 10MB 与事实不符：上限是 5MB"),
        ("file_format_size", "支持JPG、PNG、PDF，", "支持JPG、PNG、PDF、BMP，", "文件格式 BMP 与事实不符"),
        ("payment_verification", "通常在0.01元到1元之间", "通常在0.01元到5元之间", "打款金额 5 元与事实不符"),
        ("total_time", "（初审一般1-2个工作日，", "（初审一般2-3个工作日，", "「初审」的时长写成了 2-3 个工作日，事实是 1-2"),
        ("second_review", "可能需要2-3个工作日", "可能需要3-5个工作日", "「复审」的时长写成了 3-5 个工作日，事实是 2-3"),
        ("total_time", "整个认证流程需要3-5个工作日", "整个认证流程需要3-7个工作日", "「整个流程」的时长写成了 3-7"),
    ],
)
def test_answer_contradicting_a_fact(project: ProjectPaths, topic: str, old: str, new: str, message: str) -> None:
    line = replace_in(project.topic_file(topic), old, new)
    (error,) = errors_at(project)
    assert error.startswith(f"data/nlu/faq/{topic}.yml:{line}: {message}")


def test_a_changed_fact_flags_every_answer_still_saying_the_old_value(project: ProjectPaths) -> None:
    replace_in(project.facts, "max_file_size_mb: 5", "max_file_size_mb: 10")
    flagged = {error.split(":")[0] for error in errors_at(project)}
    assert flagged == {"data/nlu/faq/business_license.yml", "data/nlu/faq/file_format_size.yml"}


def test_heldout_phrasing_leaking_into_training_data(project: ProjectPaths) -> None:
    heldout = project.heldout.read_text(encoding="utf-8")
    leaked = "钉钉的企业中级认证具体指的是什么认证"
    line = heldout[: heldout.index(leaked)].count("\n") + 1
    added = replace_in(project.topic_file("what_is_intermediate"), "- 中级认证是什么\n",
                       f"- 中级认证是什么\n      - {leaked}\n")  # fmt: skip
    assert errors_at(project) == [
        f"tests/data/heldout_nlu.yml:{line}: 保留测试集的说法「{leaked}」出现在训练数据里"
        f"（data/nlu/faq/what_is_intermediate.yml:{added + 1}），评估结果会偏高"
    ]


def test_references_to_topics_that_do_not_exist(project: ProjectPaths) -> None:
    rules = project.data_dir / "rules" / "faq.yml"
    rules.write_text(
        rules.read_text(encoding="utf-8")
        + '\n  - rule: a stale button\n    steps:\n      - intent: faq\n'
        + '        entities:\n          - faq_key: old_topic\n      - action: action_answer_faq\n',
        encoding="utf-8",
    )
    rule_line = rules.read_text(encoding="utf-8").splitlines().index("          - faq_key: old_topic") + 1
    story = project.root / "tests" / "test_stale.yml"
    story.write_text(
        'version: "3.1"\nstories:\n  - story: stale\n    steps:\n      - user: |\n          费用\n'
        "        intent: faq/fee\n      - action: action_answer_faq\n",
        encoding="utf-8",
    )
    story_line = 7
    answer_line = replace_in(project.topic_file("fees"), "认证过程不会收取任何官方费用。", "详见 utter_faq/pricing。")
    assert errors_at(project) == [
        f"data/nlu/faq/fees.yml:{answer_line}: 引用了不存在的主题「pricing」（data/nlu/faq/pricing.yml 不存在）",
        f"data/rules/faq.yml:{rule_line}: 引用了不存在的主题「old_topic」（data/nlu/faq/old_topic.yml 不存在）",
        f"tests/test_stale.yml:{story_line}: 引用了不存在的主题「fee」（data/nlu/faq/fee.yml 不存在）",
    ]


def test_topic_file_named_after_another_key_and_unreadable_file(project: ProjectPaths) -> None:
    project.topic_file("fees").rename(project.topic_file("fee_typo"))
    project.topic_file("broken").write_text("nlu: [\n", encoding="utf-8")
    errors = errors_at(project)
    assert "data/nlu/faq/fee_typo.yml:4: 文件名应与主题键一致：主题是 faq/fees，文件名应为 fees.yml" in errors
    assert any(error.startswith("data/nlu/faq/broken.yml:") for error in errors)


def test_command_exits_non_zero_with_file_and_line(project: ProjectPaths, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--root", str(project.root), "check"]) == 0
    line = replace_in(project.topic_file("contact_support"), "400-066-6666", "400-066-6667")
    assert main(["--root", str(project.root), "check"]) == 1
    output = capsys.readouterr().out
    assert f"data/nlu/faq/contact_support.yml:{line}: 电话号码 400-066-6667 与事实不符" in output
    assert "检查发现 1 个错误" in output
