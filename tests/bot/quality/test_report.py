"""The evaluation report: Markdown, confusion-matrix PNG and the comparison with the previous run."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from pathlib import Path

from bot.content.paths import ProjectPaths
from bot.quality.evaluation import LabelScore, Scores
from bot.quality.report import IMAGE_NAME, MARKDOWN_NAME, write_report


def scores(fees_f1: float, resubmit_f1: float) -> Scores:
    """A small hand-made result: two topics and out-of-scope."""
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
            LabelScore("faq/fees", 4, fees_f1, fees_f1, fees_f1),
            LabelScore("faq/resubmit", 4, resubmit_f1, resubmit_f1, resubmit_f1),
            LabelScore("out_of_scope", 2, 1.0, 1.0, 1.0),
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
        scores(0.8, 0.5), CONFUSION, tmp_path, model="abc.tar.gz", now=dt.datetime(2026, 11, 26, 9, 30)
    )
    markdown = (tmp_path / MARKDOWN_NAME).read_text(encoding="utf-8")
    assert "生成时间：2026-11-26 09:30" in markdown and "`abc.tar.gz`" in markdown
    assert "| `faq/fees` | 4 | 0.80 | 0.80 | 0.80 | — |" in markdown
    assert "| `faq/resubmit` | `faq/fees` | 2 | 「驳回了能再交吗」；「还能重新申请不」 |" in markdown
    assert "这是第一次评估" in markdown
    assert f"![混淆矩阵]({IMAGE_NAME})" in markdown
    assert (tmp_path / IMAGE_NAME).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert json.loads(written.figures.read_text(encoding="utf-8"))["per_label"]["faq/fees"]["f1"] == 0.8


def test_second_report_lists_what_got_better_and_worse(tmp_path: Path) -> None:
    write_report(
        scores(0.8, 0.5), CONFUSION, tmp_path, model="old.tar.gz", now=dt.datetime(2026, 11, 26, 9, 30)
    )
    written = write_report(
        scores(0.6, 0.9), CONFUSION, tmp_path, model="new.tar.gz", now=dt.datetime(2026, 11, 27, 10, 0)
    )
    assert [c.label for c in written.diff.better] == ["faq/resubmit"]
    assert [c.label for c in written.diff.worse] == ["faq/fees"]
    markdown = (tmp_path / MARKDOWN_NAME).read_text(encoding="utf-8")
    assert "上次评估：2026-11-26 09:30，模型 `old.tar.gz`。" in markdown
    better = markdown[markdown.index("### 变好的主题") : markdown.index("### 变差的主题")]
    assert "- `faq/resubmit`：F1 0.50 → 0.90（+0.40；精确率 +0.40，召回率 +0.40）" in better
    assert "- `faq/fees`：F1 0.80 → 0.60（-0.20" in markdown[markdown.index("### 变差的主题") :]
    assert "| `faq/fees` | 4 | 0.60 | 0.60 | 0.60 | -0.20 |" in markdown
    summary = written.summary(ProjectPaths(tmp_path))
    assert "报告已写入 evaluation.md" in summary
    assert "变好：faq/resubmit +0.40" in summary and "变差：faq/fees -0.20" in summary


def test_unchanged_run_says_nothing_changed(tmp_path: Path) -> None:
    write_report(scores(0.8, 0.5), CONFUSION, tmp_path, model="m.tar.gz")
    written = write_report(scores(0.8, 0.5), CONFUSION, tmp_path, model="m.tar.gz")
    assert written.diff.better == written.diff.worse == []
    assert "各主题的 F1 都没有变化" in (tmp_path / MARKDOWN_NAME).read_text(encoding="utf-8")
