"""The evaluation report: Markdown, confusion-matrix PNG and the comparison with the previous run."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from pathlib import Path

import pytest

from bot.content.paths import ProjectPaths
from bot.quality import report
from bot.quality.__main__ import main as quality_main
from bot.quality.evaluation import LabelScore, Scores
from bot.quality.report import (
    IMAGE_NAME,
    MARKDOWN_NAME,
    MissingFontError,
    Reference,
    cjk_font,
    figures,
    write_report,
)

NAMES = {"faq/fees": "认证要收费吗？", "faq/resubmit": "被驳回后怎么重新提交？"}


def scores(fees_f1: float, resubmit_f1: float) -> Scores:
    """A small hand-made result: two topics and out-of-scope (F1 = recall = precision, 4 questions each)."""
    return Scores(
        total=10,
        faq_total=8,
        faq_top1_accuracy=0.75,
        faq_answered_correctly=0.625,
        faq_answered_wrongly=0.125,
        faq_fell_back=0.25,
        out_of_scope_recall=1.0,
        macro_f1=(fees_f1 + resubmit_f1 + 1.0) / 3,
        per_label=[
            LabelScore("faq/fees", 4, fees_f1, fees_f1, fees_f1, round(4 * fees_f1), 4 - round(4 * fees_f1)),
            LabelScore(
                "faq/resubmit",
                4,
                resubmit_f1,
                resubmit_f1,
                resubmit_f1,
                round(4 * resubmit_f1),
                4 - round(4 * resubmit_f1),
            ),
            LabelScore("out_of_scope", 2, 1.0, 1.0, 1.0, 2, 0),
        ],
        confused=[("faq/resubmit", "faq/fees", 2, ["驳回了能再交吗", "还能重新申请不"])],
    )


CONFUSION = Counter(
    {
        ("faq/fees", "faq/fees"): 4,
        ("faq/resubmit", "faq/resubmit"): 2,
        ("faq/resubmit", "faq/fees"): 2,
        ("out_of_scope", "out_of_scope"): 2,
        ("out_of_scope", "nlu_fallback"): 0,
    }
)


def test_first_report_has_every_section_and_a_picture(tmp_path: Path) -> None:
    written = write_report(
        scores(0.75, 0.5),
        CONFUSION,
        tmp_path,
        model="abc.tar.gz",
        now=dt.datetime(2026, 11, 26, 9, 30),
        names=NAMES,
        test_counts={"fees": 4, "resubmit": 4, "invoice": 0, "badge": 2},
    )
    markdown = (tmp_path / MARKDOWN_NAME).read_text(encoding="utf-8")
    assert "生成时间：2026-11-26 09:30" in markdown and "`abc.tar.gz`" in markdown
    assert "| 认证要收费吗？ | `faq/fees` | 4 | 0.75 | 0.75 | 0.75 | — |" in markdown
    assert (
        "| 被驳回后怎么重新提交？ | 认证要收费吗？ | 2 | 「驳回了能再交吗」；「还能重新申请不」 |" in markdown
    )
    assert "| 范围外的问题 | `out_of_scope` |" in markdown
    untested = markdown[markdown.index("## 测试问法不够的主题") :]
    assert "- faq/badge（`badge`）：2 条测试问法" in untested and "（`invoice`）：0 条测试问法" in untested
    assert "测试问法不够的主题：badge、invoice" in written.summary(ProjectPaths(tmp_path))
    assert "这是第一次评估" in markdown
    assert f"![混淆矩阵]({IMAGE_NAME})" in markdown
    assert (tmp_path / IMAGE_NAME).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    kept = json.loads(written.figures.read_text(encoding="utf-8"))["per_label"]["faq/fees"]
    assert (kept["f1"], kept["true_positives"], kept["false_positives"]) == (0.75, 3, 1)


def test_second_report_lists_what_got_better_and_worse_and_marks_one_question_as_noise(
    tmp_path: Path,
) -> None:
    write_report(
        scores(0.75, 0.25), CONFUSION, tmp_path, model="old.tar.gz", now=dt.datetime(2026, 11, 26, 9, 30)
    )
    written = write_report(
        scores(0.5, 1.0),
        CONFUSION,
        tmp_path,
        model="new.tar.gz",
        now=dt.datetime(2026, 11, 27, 10, 0),
        names=NAMES,
    )
    assert [c.label for c in written.diff.better] == ["faq/resubmit"]
    assert [c.label for c in written.diff.worse] == ["faq/fees"]
    assert not written.diff.better[0].maybe_noise  # three questions more answered right
    assert not written.diff.worse[0].maybe_noise  # one fewer right and one more taken for it: two
    markdown = (tmp_path / MARKDOWN_NAME).read_text(encoding="utf-8")
    assert (
        "没有找到这次修改开始时的模型，对比的是上一次评估（2026-11-26 09:30，模型 `old.tar.gz`）" in markdown
    )
    better = markdown[markdown.index("### 变好的主题") : markdown.index("### 变差的主题")]
    assert (
        "- 被驳回后怎么重新提交？（`faq/resubmit`）：F1 0.25 → 1.00（+0.75；精确率 +0.75，召回率 +0.75）\n"
        in better
    )
    assert (
        "- 认证要收费吗？（`faq/fees`）：F1 0.75 → 0.50（-0.25"
        in markdown[markdown.index("### 变差的主题") :]
    )
    assert "| 认证要收费吗？ | `faq/fees` | 4 | 0.50 | 0.50 | 0.50 | -0.25 |" in markdown
    summary = written.summary(ProjectPaths(tmp_path))
    assert "报告已写入 evaluation.md" in summary
    assert "变好：被驳回后怎么重新提交？ +0.75" in summary and "变差：认证要收费吗？ -0.25" in summary


def test_a_change_of_one_test_question_is_marked_as_maybe_noise(tmp_path: Path) -> None:
    before = figures(scores(0.75, 1.0), model="started.tar.gz", when="2026-11-27 09:00")
    after = scores(0.75, 1.0)
    after.per_label[0] = LabelScore("faq/fees", 4, 0.75, 1.0, 6 / 7, 4, 1)  # one more answered right
    after.faq_top1_accuracy = 0.875
    written = write_report(
        after,
        CONFUSION,
        tmp_path,
        model="new.tar.gz",
        reference=Reference(before, "started_from"),
        names=NAMES,
    )
    (change,) = written.diff.better
    assert change.questions_moved == 1 and change.maybe_noise
    markdown = (tmp_path / MARKDOWN_NAME).read_text(encoding="utf-8")
    assert "对比的是这次修改开始时的模型 `started.tar.gz`，它和本次模型用同一套保留测试集评估" in markdown
    assert (
        "- 认证要收费吗？（`faq/fees`）：F1 0.75 → 0.86（+0.11；精确率 0.00，召回率 +0.25）（可能是随机波动）"
        in markdown
    )
    assert "### 变好的主题（1，其中 1 个可能是随机波动）" in markdown
    assert "| FAQ 首选主题正确率 | 87.5% | 75.0% | +12.5 个百分点（可能是随机波动） |" in markdown  # 1 of 8


def test_the_matrix_needs_the_project_s_chinese_font() -> None:
    assert cjk_font().startswith("Noto Sans CJK")  # installed by `make browser` (fonts-noto-cjk)


def test_unchanged_run_says_nothing_changed(tmp_path: Path) -> None:
    write_report(scores(0.8, 0.5), CONFUSION, tmp_path, model="m.tar.gz")
    written = write_report(scores(0.8, 0.5), CONFUSION, tmp_path, model="m.tar.gz")
    assert written.diff.better == written.diff.worse == []
    assert "各主题的 F1 都没有变化" in (tmp_path / MARKDOWN_NAME).read_text(encoding="utf-8")


def test_without_the_chinese_font_evaluate_stops_first_and_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(report, "CJK_FAMILY", "No Such Sans CJK")  # as on a machine without fonts-noto-cjk
    with pytest.raises(MissingFontError):
        cjk_font()
    assert quality_main(["evaluate"]) == 2  # before training or loading any model
    assert "fonts-noto-cjk（以 root 运行 make browser）" in capsys.readouterr().err


def test_a_topic_the_earlier_model_did_not_know_is_new_not_better(tmp_path: Path) -> None:
    before = figures(
        scores(0.75, 0.0), model="old.tar.gz", when="2026-11-26 09:30"
    )  # scored on its questions
    known = frozenset({"faq/fees", "out_of_scope"})
    written = write_report(
        scores(0.75, 0.75),
        CONFUSION,
        tmp_path,
        model="new.tar.gz",
        reference=Reference(before, "started_from", known),
        names=NAMES,
    )
    assert written.diff.better == [] and written.diff.new_labels == ["faq/resubmit"]
    markdown = (tmp_path / MARKDOWN_NAME).read_text(encoding="utf-8")
    assert "### 新主题" in markdown[markdown.index("### 新主题") :]
    assert "| 被驳回后怎么重新提交？ | `faq/resubmit` | 4 | 0.75 | 0.75 | 0.75 | — |" in markdown
    summary = written.summary(ProjectPaths(tmp_path))
    assert "新主题：被驳回后怎么重新提交？" in summary and "变好：无" in summary


def test_no_change_is_written_without_a_minus_sign(tmp_path: Path) -> None:
    before = figures(scores(0.75, 0.5), model="old.tar.gz", when="2026-11-26 09:30")
    before["per_label"]["faq/fees"]["f1"] = 0.7500004
    write_report(
        scores(0.75, 0.5),
        CONFUSION,
        tmp_path,
        model="new.tar.gz",
        reference=Reference(before, "started_from"),
    )
    markdown = (tmp_path / MARKDOWN_NAME).read_text(encoding="utf-8")
    assert "| `faq/fees` | 4 | 0.75 | 0.75 | 0.75 | 0.00 |" in markdown
    assert "-0.00" not in markdown
