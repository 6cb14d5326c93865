"""The evaluation report in docs/reports/: Markdown, a confusion-matrix PNG, and the figures as JSON.

`write_report` compares the new figures with the JSON the previous run left (`last_run.json`),
lists the topics that got better or worse, then replaces all three files.
"""

from __future__ import annotations

import datetime as dt
import json
import warnings
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.content.atomic import replace_with, write_atomically
from bot.content.paths import ProjectPaths
from bot.quality import texts
from bot.quality.evaluation import Prediction, Scores

MARKDOWN_NAME = "evaluation.md"
IMAGE_NAME = "confusion_matrix.png"
FIGURES_NAME = "last_run.json"
CHANGE_THRESHOLD = 0.005
"""A topic's F1 must move at least this much to count as better or worse."""
HEADLINES = tuple(texts.REPORT_HEADLINES)
_CJK_FONTS = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "SimHei",
    "Microsoft YaHei",
    "PingFang SC",
    "Heiti SC",
    "AR PL UMing CN",
    "Droid Sans Fallback",
)

Confusion = Mapping[tuple[str, str], int]


def confusion_counts(predictions: Iterable[Prediction]) -> Counter[tuple[str, str]]:
    """How often each (expected, predicted top-1) pair occurred."""
    return Counter((p.example.expected, p.top1) for p in predictions)


def figures(scores: Scores, *, model: str, when: str) -> dict[str, Any]:
    """The JSON-ready figures of one run."""
    return {
        "generated_at": when,
        "model": model,
        "headline": {name: round(float(getattr(scores, name)), 6) for name in HEADLINES},
        "total": scores.total,
        "faq_total": scores.faq_total,
        "per_label": {
            s.label: {
                "support": s.support,
                "precision": round(s.precision, 6),
                "recall": round(s.recall, 6),
                "f1": round(s.f1, 6),
            }
            for s in scores.per_label
        },
    }


@dataclass(frozen=True)
class Change:
    """How one label's figures moved since the previous run."""

    label: str
    f1_before: float
    f1_after: float
    precision_delta: float
    recall_delta: float

    @property
    def delta(self) -> float:
        """The change of F1."""
        return self.f1_after - self.f1_before


@dataclass
class Diff:
    """The difference between two runs (empty when there was no previous run)."""

    previous: dict[str, Any] | None
    better: list[Change] = field(default_factory=list)
    worse: list[Change] = field(default_factory=list)
    new_labels: list[str] = field(default_factory=list)
    gone_labels: list[str] = field(default_factory=list)


def compare(previous: dict[str, Any] | None, current: dict[str, Any]) -> Diff:
    """Which labels got better or worse (by F1, at least CHANGE_THRESHOLD), which appeared or went."""
    diff = Diff(previous)
    if previous is None:
        return diff
    before, after = previous.get("per_label", {}), current["per_label"]
    diff.new_labels = sorted(set(after) - set(before))
    diff.gone_labels = sorted(set(before) - set(after))
    for label in sorted(set(before) & set(after)):
        old, new = before[label], after[label]
        change = Change(
            label, old["f1"], new["f1"], new["precision"] - old["precision"], new["recall"] - old["recall"]
        )
        if change.delta >= CHANGE_THRESHOLD:
            diff.better.append(change)
        elif change.delta <= -CHANGE_THRESHOLD:
            diff.worse.append(change)
    diff.better.sort(key=lambda c: -c.delta)
    diff.worse.sort(key=lambda c: c.delta)
    return diff


def _change_line(change: Change) -> str:
    return texts.REPORT_CHANGE_LINE.format(
        label=change.label,
        before=change.f1_before,
        after=change.f1_after,
        delta=change.delta,
        dp=change.precision_delta,
        dr=change.recall_delta,
    )


def _percent(value: float) -> str:
    return f"{value:.1%}"


def _signed(value: float) -> str:
    return f"{value * 100:+.1f} 个百分点" if abs(value) >= 0.0005 else "—"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(
    scores: Scores, current: dict[str, Any], diff: Diff, *, image_name: str = IMAGE_NAME
) -> str:
    """The report as Markdown (Chinese: editors read it)."""
    previous = diff.previous or {}
    lines = [
        f"# {texts.REPORT_TITLE}",
        "",
        texts.REPORT_GENERATED.format(
            when=current["generated_at"], model=current["model"], total=scores.total, faq=scores.faq_total
        ),
        "",
        f"## {texts.REPORT_HEADLINE}",
        "",
        "| " + " | ".join(texts.REPORT_HEADLINE_COLUMNS) + " |",
        "|---|---:|---:|---:|",
    ]
    for name, title in texts.REPORT_HEADLINES.items():
        now = current["headline"][name]
        if name == "macro_f1":
            shown = f"{now:.3f}"
        else:
            shown = _percent(now)
        if name in previous.get("headline", {}):
            old = previous["headline"][name]
            before = f"{old:.3f}" if name == "macro_f1" else _percent(old)
            change = f"{now - old:+.3f}" if name == "macro_f1" else _signed(now - old)
        else:
            before, change = "—", "—"
        lines.append(f"| {title} | {shown} | {before} | {change} |")
    lines += ["", f"## {texts.REPORT_DIFF}", ""]
    if diff.previous is None:
        lines.append(texts.REPORT_NO_PREVIOUS)
    else:
        lines.append(
            texts.REPORT_PREVIOUS_RUN.format(
                when=previous.get("generated_at", "?"), model=previous.get("model", "?")
            )
        )
        for title, changes in ((texts.REPORT_BETTER, diff.better), (texts.REPORT_WORSE, diff.worse)):
            lines += ["", f"### {title}（{len(changes)}）", ""]
            lines += [_change_line(c) for c in changes] or [texts.REPORT_NONE]
        appeared = ((texts.REPORT_NEW_LABELS, diff.new_labels), (texts.REPORT_GONE_LABELS, diff.gone_labels))
        for title, labels in appeared:
            if labels:
                lines += ["", f"### {title}", "", "、".join(f"`{label}`" for label in labels)]
        if not (diff.better or diff.worse):
            lines += ["", texts.REPORT_NOTHING_CHANGED.format(threshold=CHANGE_THRESHOLD)]
    lines += [
        "",
        f"## {texts.REPORT_PER_LABEL}",
        "",
        "| " + " | ".join(texts.REPORT_COLUMNS) + " |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    before_labels = previous.get("per_label", {})
    for s in scores.per_label:
        change = f"{s.f1 - before_labels[s.label]['f1']:+.2f}" if s.label in before_labels else "—"
        figures_shown = f"{s.precision:.2f} | {s.recall:.2f} | {s.f1:.2f}"
        lines.append(f"| `{s.label}` | {s.support} | {figures_shown} | {change} |")
    lines += ["", f"## {texts.REPORT_CONFUSED}", ""]
    if scores.confused:
        lines += ["| " + " | ".join(texts.REPORT_CONFUSED_COLUMNS) + " |", "|---|---|---:|---|"]
        for expected, got, count, examples in scores.confused:
            shown = "；".join(f"「{_cell(text)}」" for text in examples)
            lines.append(f"| `{expected}` | `{got}` | {count} | {shown} |")
    else:
        lines.append(texts.REPORT_NO_CONFUSION)
    lines += ["", f"## {texts.REPORT_MATRIX}", "", texts.REPORT_MATRIX_NOTE, ""]
    lines.append(f"![{texts.REPORT_MATRIX}]({image_name})")
    lines += ["", f"## {texts.REPORT_HOW_TO_READ}", "", *texts.REPORT_HOW_TO_READ_LINES, ""]
    return "\n".join(lines)


def cjk_font() -> str | None:
    """The name of an installed font that renders Chinese, if matplotlib knows one."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from matplotlib import font_manager

    installed = {font.name for font in font_manager.fontManager.ttflist}
    return next((name for name in _CJK_FONTS if name in installed), None)


def matrix_labels(confusion: Confusion) -> list[str]:
    """Expected labels (FAQ topics first), then labels that were only ever predicted."""
    expected = sorted({e for e, _ in confusion}, key=lambda label: (not label.startswith("faq/"), label))
    predicted_only = sorted({p for _, p in confusion} - set(expected))
    return expected + predicted_only


def draw_matrix(confusion: Confusion, target: Path) -> None:
    """Draw the confusion matrix (counts; colour = share of the row) to a PNG file."""
    with warnings.catch_warnings():  # matplotlib 3.5 trips over newer pyparsing's deprecations
        warnings.simplefilter("ignore")
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

    labels = matrix_labels(confusion)
    index = {label: position for position, label in enumerate(labels)}
    size = len(labels)
    counts = [[0] * size for _ in range(size)]
    for (expected, got), count in confusion.items():
        counts[index[expected]][index[got]] += count
    shares = [[value / (sum(row) or 1) for value in row] for row in counts]
    font = cjk_font()
    title, xlabel, ylabel, scale = texts.MATRIX_LABELS if font else texts.MATRIX_LABELS_ASCII
    side = max(6.0, 0.36 * size + 3.5)
    with plt.rc_context({"font.family": [font] if font else ["DejaVu Sans"], "font.size": 9}):
        figure, axes = plt.subplots(figsize=(side + 1.0, side))
        image = axes.imshow(shares, cmap="Blues", vmin=0.0, vmax=1.0)
        axes.set_xticks(range(size))
        axes.set_yticks(range(size))
        axes.set_xticklabels(labels, rotation=60, ha="right", rotation_mode="anchor")
        axes.set_yticklabels(labels)
        for row in range(size):
            for column in range(size):
                if counts[row][column]:
                    wrong = "#b00020" if row != column else "black"
                    colour = "white" if shares[row][column] > 0.55 else wrong
                    axes.text(
                        column, row, counts[row][column], ha="center", va="center", color=colour, fontsize=8
                    )
        axes.set_xlabel(xlabel)
        axes.set_ylabel(ylabel)
        axes.set_title(title)
        figure.colorbar(image, ax=axes, fraction=0.035, pad=0.02).set_label(scale)
        figure.tight_layout()
        replace_with(target, lambda temporary: figure.savefig(temporary, format="png", dpi=110))
        plt.close(figure)


@dataclass(frozen=True)
class Written:
    """The files of one report and how the run compared with the previous one."""

    markdown: Path
    image: Path
    figures: Path
    diff: Diff

    def summary(self, paths: ProjectPaths) -> str:
        """A few lines for the terminal."""
        markdown, image = paths.relative(self.markdown), paths.relative(self.image)
        lines = [texts.REPORT_SAVED.format(markdown=markdown, image=image)]
        if self.diff.previous is None:
            lines.append(texts.REPORT_NO_PREVIOUS)
            return "\n".join(lines)
        for template, changes in (
            (texts.REPORT_SUMMARY_BETTER, self.diff.better),
            (texts.REPORT_SUMMARY_WORSE, self.diff.worse),
        ):
            shown = "、".join(f"{c.label} {c.delta:+.2f}" for c in changes) or texts.REPORT_NONE
            lines.append(template.format(labels=shown))
        return "\n".join(lines)


def write_report(
    scores: Scores, confusion: Confusion, folder: Path, *, model: str, now: dt.datetime | None = None
) -> Written:
    """Write evaluation.md, confusion_matrix.png and last_run.json to `folder`, compared with the last run."""
    folder.mkdir(parents=True, exist_ok=True)
    when = (now or dt.datetime.now()).strftime("%Y-%m-%d %H:%M")
    current = figures(scores, model=model, when=when)
    figures_path = folder / FIGURES_NAME
    try:
        previous = json.loads(figures_path.read_text(encoding="utf-8")) if figures_path.exists() else None
    except (OSError, ValueError):
        previous = None
    diff = compare(previous, current)
    image = folder / IMAGE_NAME
    draw_matrix(confusion, image)
    markdown = folder / MARKDOWN_NAME
    write_atomically(markdown, render_markdown(scores, current, diff))
    write_atomically(figures_path, json.dumps(current, ensure_ascii=False, indent=2, sort_keys=True) + "\n")
    return Written(markdown, image, figures_path, diff)
