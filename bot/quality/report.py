"""The evaluation report in docs/reports/: Markdown, a confusion-matrix PNG, and the figures as JSON.

`write_report` compares the new figures with a reference (bot.quality.reference: the model the
edit started from, scored on the same held-out set; failing that, the JSON the previous run left),
lists the topics that got better or worse — a change of at most one test question is marked
「可能是随机波动」 — and the topics with too few test questions, names topics by their standard
question, then replaces all three files. The picture needs a Chinese font (fonts-noto-cjk).
"""

from __future__ import annotations

import datetime as dt
import json
import warnings
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
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
NOISE_QUESTIONS = 1
"""A change that moves at most this many test questions may well be chance: it is marked as such."""
HEADLINES = tuple(texts.REPORT_HEADLINES)
CJK_FAMILY = "Noto Sans CJK"
"""The font family the project installs for Chinese (Debian's fonts-noto-cjk, `make browser`)."""
MATRIX_NAME_CHARS = 16

Confusion = Mapping[tuple[str, str], int]


class MissingFontError(RuntimeError):
    """No Chinese font is installed for the confusion-matrix picture; the message (Chinese) says what to do."""


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
                "true_positives": s.true_positives,
                "false_positives": s.false_positives,
            }
            for s in scores.per_label
        },
    }


def _counts(figures: Mapping[str, Any]) -> tuple[int, int]:
    """(right, taken for it) of one label's figures; derived from the ratios for runs that did not keep them."""
    if "true_positives" in figures:
        return int(figures["true_positives"]), int(figures["false_positives"])
    right = round(figures["recall"] * figures["support"])
    taken = round(right / figures["precision"]) - right if figures["precision"] else 0
    return right, taken


@dataclass(frozen=True)
class Change:
    """How one label's figures moved since the previous run."""

    label: str
    f1_before: float
    f1_after: float
    precision_delta: float
    recall_delta: float
    questions_moved: int = 0
    """Test questions whose outcome for this label changed (right ones and ones taken for it)."""

    @property
    def delta(self) -> float:
        """The change of F1."""
        return self.f1_after - self.f1_before

    @property
    def maybe_noise(self) -> bool:
        """At most NOISE_QUESTIONS test questions moved: the change may well be chance."""
        return self.questions_moved <= NOISE_QUESTIONS


@dataclass(frozen=True)
class Reference:
    """The figures a run is compared with, and what they are (texts.REFERENCE_KINDS: started_from, last_run)."""

    figures: dict[str, Any]
    kind: str
    known: frozenset[str] | None = None
    """The labels the compared model could predict (None: not known)."""


@dataclass
class Diff:
    """The difference between two runs (empty when there was no previous run)."""

    previous: dict[str, Any] | None
    kind: str = ""
    better: list[Change] = field(default_factory=list)
    worse: list[Change] = field(default_factory=list)
    new_labels: list[str] = field(default_factory=list)
    gone_labels: list[str] = field(default_factory=list)


def compare(
    previous: dict[str, Any] | None,
    current: dict[str, Any],
    kind: str = "last_run",
    known_before: Collection[str] | None = None,
) -> Diff:
    """Which labels got better or worse (by F1, at least CHANGE_THRESHOLD), which appeared or went.

    A label the earlier model did not know (`known_before`, the labels it could predict) is new —
    a new topic — even when the earlier model was scored on its test questions: it cannot have
    got better.
    """
    diff = Diff(previous, kind if previous is not None else "")
    if previous is None:
        return diff
    before, after = dict(previous.get("per_label", {})), current["per_label"]
    if known_before is not None:
        before = {label: value for label, value in before.items() if label in known_before}
    diff.new_labels = sorted(set(after) - set(before))
    diff.gone_labels = sorted(set(before) - set(after))
    for label in sorted(set(before) & set(after)):
        old, new = before[label], after[label]
        (right_before, taken_before), (right_after, taken_after) = _counts(old), _counts(new)
        moved = abs(right_after - right_before) + abs(taken_after - taken_before)
        change = Change(
            label,
            old["f1"],
            new["f1"],
            new["precision"] - old["precision"],
            new["recall"] - old["recall"],
            moved,
        )
        if change.delta >= CHANGE_THRESHOLD:
            diff.better.append(change)
        elif change.delta <= -CHANGE_THRESHOLD:
            diff.worse.append(change)
    diff.better.sort(key=lambda c: -c.delta)
    diff.worse.sort(key=lambda c: c.delta)
    return diff


def label_name(label: str, names: Mapping[str, str]) -> str:
    """What editors call a label: a topic's standard question, an intent's Chinese name, else the label."""
    return names.get(label) or texts.INTENT_NAMES.get(label) or label


def _change_line(change: Change, names: Mapping[str, str]) -> str:
    line = texts.REPORT_CHANGE_LINE.format(
        name=label_name(change.label, names),
        label=change.label,
        before=change.f1_before,
        after=change.f1_after,
        delta=signed(change.delta),
        dp=signed(change.precision_delta),
        dr=signed(change.recall_delta),
    )
    return line + (texts.REPORT_MAYBE_NOISE if change.maybe_noise else "")


def signed(value: float) -> str:
    """A change with two decimals and its sign; no change is "0.00" (never "-0.00")."""
    rounded = round(value, 2)
    return "0.00" if rounded == 0 else f"{rounded:+.2f}"


def _percent(value: float) -> str:
    return f"{value:.1%}"


def _signed(value: float) -> str:
    return f"{value * 100:+.1f} 个百分点" if abs(value) >= 0.0005 else "—"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _headline_is_noise(name: str, change: float, current: dict[str, Any], diff: Diff) -> bool:
    """A headline figure moved by at most NOISE_QUESTIONS test questions (macro F1: every label did)."""
    if name == "macro_f1":
        return not any(not c.maybe_noise for c in (*diff.better, *diff.worse))
    if name == "out_of_scope_recall":
        whole = current["per_label"].get("out_of_scope", {}).get("support", 0)
    else:
        whole = current.get("faq_total", 0)
    return round(abs(change) * whole) <= NOISE_QUESTIONS


def _headline(current: dict[str, Any], diff: Diff) -> list[str]:
    previous = diff.previous or {}
    lines = ["| " + " | ".join(texts.REPORT_HEADLINE_COLUMNS) + " |", "|---|---:|---:|---:|"]
    for name, title in texts.REPORT_HEADLINES.items():
        now = current["headline"][name]
        shown = f"{now:.3f}" if name == "macro_f1" else _percent(now)
        if name in previous.get("headline", {}):
            old = previous["headline"][name]
            before = f"{old:.3f}" if name == "macro_f1" else _percent(old)
            change = f"{now - old:+.3f}" if name == "macro_f1" else _signed(now - old)
            if abs(now - old) >= 0.0005 and _headline_is_noise(name, now - old, current, diff):
                change += texts.REPORT_MAYBE_NOISE
        else:
            before, change = "—", "—"
        lines.append(f"| {title} | {shown} | {before} | {change} |")
    return lines


def _comparison(diff: Diff, names: Mapping[str, str]) -> list[str]:
    previous = diff.previous or {}
    if diff.previous is None:
        return [texts.REPORT_NO_PREVIOUS]
    lines = [
        texts.REFERENCE_KINDS[diff.kind].format(
            when=previous.get("generated_at", "?"), model=previous.get("model", "?")
        ),
        "",
        texts.REPORT_NOISE_NOTE.format(questions=NOISE_QUESTIONS),
    ]
    for title, changes in ((texts.REPORT_BETTER, diff.better), (texts.REPORT_WORSE, diff.worse)):
        noise = sum(c.maybe_noise for c in changes)
        lines += ["", f"### {title}（{len(changes)}，其中 {noise} 个可能是随机波动）", ""]
        lines += [_change_line(c, names) for c in changes] or [texts.REPORT_NONE]
    appeared = ((texts.REPORT_NEW_LABELS, diff.new_labels), (texts.REPORT_GONE_LABELS, diff.gone_labels))
    for title, labels in appeared:
        if labels:
            shown = "、".join(f"{label_name(label, names)}（`{label}`）" for label in labels)
            lines += ["", f"### {title}", "", shown]
    if not (diff.better or diff.worse):
        lines += ["", texts.REPORT_NOTHING_CHANGED.format(threshold=CHANGE_THRESHOLD)]
    return lines


def _untested(test_counts: Mapping[str, int], names: Mapping[str, str], minimum: int) -> list[str]:
    few = sorted(key for key, count in test_counts.items() if count < minimum)
    if not few:
        return [texts.REPORT_ALL_TESTED.format(minimum=minimum)]
    return [texts.REPORT_UNTESTED_NOTE.format(minimum=minimum), ""] + [
        texts.REPORT_UNTESTED_LINE.format(
            name=label_name(f"faq/{key}", names), key=key, count=test_counts[key]
        )
        for key in few
    ]


def render_markdown(
    scores: Scores,
    current: dict[str, Any],
    diff: Diff,
    *,
    image_name: str = IMAGE_NAME,
    names: Mapping[str, str] | None = None,
    test_counts: Mapping[str, int] | None = None,
    min_tests: int = 4,
    feedback: Sequence[str] | None = None,
) -> str:
    """The report as Markdown (Chinese: editors read it); topics are named by their standard question."""
    names = names or {}
    lines = [
        f"# {texts.REPORT_TITLE}",
        "",
        texts.REPORT_GENERATED.format(
            when=current["generated_at"], model=current["model"], total=scores.total, faq=scores.faq_total
        ),
        "",
        f"## {texts.REPORT_HEADLINE}",
        "",
        *_headline(current, diff),
        "",
        f"## {texts.REPORT_DIFF}",
        "",
        *_comparison(diff, names),
    ]
    if test_counts is not None:
        lines += ["", f"## {texts.REPORT_UNTESTED}", "", *_untested(test_counts, names, min_tests)]
    if feedback is not None:
        lines += ["", f"## {texts.REPORT_FEEDBACK}", "", *feedback]
    lines += [
        "",
        f"## {texts.REPORT_PER_LABEL}",
        "",
        "| " + " | ".join(texts.REPORT_COLUMNS) + " |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    before_labels = (diff.previous or {}).get("per_label", {})
    changes = {c.label: c for c in (*diff.better, *diff.worse)}
    for s in scores.per_label:
        known = s.label in before_labels and s.label not in diff.new_labels
        change = signed(s.f1 - before_labels[s.label]["f1"]) if known else "—"
        if s.label in changes and changes[s.label].maybe_noise:
            change += texts.REPORT_MAYBE_NOISE
        figures_shown = f"{s.precision:.2f} | {s.recall:.2f} | {s.f1:.2f}"
        name = _cell(label_name(s.label, names))
        lines.append(f"| {name} | `{s.label}` | {s.support} | {figures_shown} | {change} |")
    lines += ["", f"## {texts.REPORT_CONFUSED}", ""]
    if scores.confused:
        lines += ["| " + " | ".join(texts.REPORT_CONFUSED_COLUMNS) + " |", "|---|---|---:|---|"]
        for expected, got, count, examples in scores.confused:
            shown = "；".join(f"「{_cell(text)}」" for text in examples)
            expected_name, got_name = _cell(label_name(expected, names)), _cell(label_name(got, names))
            lines.append(f"| {expected_name} | {got_name} | {count} | {shown} |")
    else:
        lines.append(texts.REPORT_NO_CONFUSION)
    lines += ["", f"## {texts.REPORT_MATRIX}", "", texts.REPORT_MATRIX_NOTE, ""]
    lines.append(f"![{texts.REPORT_MATRIX}]({image_name})")
    lines += ["", f"## {texts.REPORT_HOW_TO_READ}", "", *texts.REPORT_HOW_TO_READ_LINES, ""]
    return "\n".join(lines)


def cjk_font() -> str:
    """The family name of the installed Noto Sans CJK font; raises MissingFontError when there is none."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from matplotlib import font_manager

    installed = sorted(
        {font.name for font in font_manager.fontManager.ttflist if font.name.startswith(CJK_FAMILY)}
    )
    if not installed:
        raise MissingFontError(texts.FONT_MISSING.format(family=CJK_FAMILY))
    return next((name for name in installed if name.endswith(" SC")), installed[0])


def matrix_labels(confusion: Confusion) -> list[str]:
    """Expected labels (FAQ topics first), then labels that were only ever predicted."""
    expected = sorted({e for e, _ in confusion}, key=lambda label: (not label.startswith("faq/"), label))
    predicted_only = sorted({p for _, p in confusion} - set(expected))
    return expected + predicted_only


def _short(name: str) -> str:
    return name if len(name) <= MATRIX_NAME_CHARS else name[: MATRIX_NAME_CHARS - 1] + "…"


def draw_matrix(confusion: Confusion, target: Path, names: Mapping[str, str] | None = None) -> None:
    """Draw the confusion matrix (counts; colour = share of the row) to a PNG file, labels in Chinese."""
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
    title, xlabel, ylabel, scale = texts.MATRIX_LABELS
    shown = [_short(label_name(label, names or {})) for label in labels]
    side = max(6.0, 0.36 * size + 4.5)
    with plt.rc_context({"font.family": [font], "font.size": 9}):
        figure, axes = plt.subplots(figsize=(side + 1.0, side))
        image = axes.imshow(shares, cmap="Blues", vmin=0.0, vmax=1.0)
        axes.set_xticks(range(size))
        axes.set_yticks(range(size))
        axes.set_xticklabels(shown, rotation=60, ha="right", rotation_mode="anchor")
        axes.set_yticklabels(shown)
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

    names: Mapping[str, str] = field(default_factory=dict)
    untested: tuple[str, ...] = ()

    def summary(self, paths: ProjectPaths) -> str:
        """A few lines for the terminal."""
        markdown, image = paths.relative(self.markdown), paths.relative(self.image)
        lines = [texts.REPORT_SAVED.format(markdown=markdown, image=image)]
        if self.diff.previous is None:
            lines.append(texts.REPORT_NO_PREVIOUS)
        else:
            previous = self.diff.previous
            lines.append(
                texts.REFERENCE_KINDS[self.diff.kind].format(
                    when=previous.get("generated_at", "?"), model=previous.get("model", "?")
                )
            )
            for template, changes in (
                (texts.REPORT_SUMMARY_BETTER, self.diff.better),
                (texts.REPORT_SUMMARY_WORSE, self.diff.worse),
            ):
                shown = "、".join(
                    f"{label_name(c.label, self.names)} {signed(c.delta)}"
                    + (texts.REPORT_MAYBE_NOISE if c.maybe_noise else "")
                    for c in changes
                )
                lines.append(template.format(labels=shown or texts.REPORT_NONE))
            if self.diff.new_labels:
                shown = "、".join(label_name(label, self.names) for label in self.diff.new_labels)
                lines.append(texts.REPORT_SUMMARY_NEW.format(labels=shown))
        if self.untested:
            lines.append(texts.REPORT_SUMMARY_UNTESTED.format(keys="、".join(self.untested)))
        return "\n".join(lines)


def read_figures(path: Path) -> dict[str, Any] | None:
    """Figures a run wrote (None when there are none or they cannot be read)."""
    try:
        figures = json.loads(path.read_text(encoding="utf-8")) if path.exists() else None
    except (OSError, ValueError):
        return None
    return figures if isinstance(figures, dict) else None


def write_report(
    scores: Scores,
    confusion: Confusion,
    folder: Path,
    *,
    model: str,
    now: dt.datetime | None = None,
    reference: Reference | None = None,
    names: Mapping[str, str] | None = None,
    test_counts: Mapping[str, int] | None = None,
    min_tests: int = 4,
    feedback: Sequence[str] | None = None,
) -> Written:
    """Write evaluation.md, confusion_matrix.png and last_run.json to `folder`, compared with `reference`.

    Without a reference the run is compared with the previous run's last_run.json.
    """
    folder.mkdir(parents=True, exist_ok=True)
    when = (now or dt.datetime.now()).strftime("%Y-%m-%d %H:%M")
    current = figures(scores, model=model, when=when)
    figures_path = folder / FIGURES_NAME
    if reference is None:
        previous = read_figures(figures_path)
        reference = Reference(previous, "last_run") if previous is not None else None
    diff = compare(
        reference.figures if reference else None,
        current,
        reference.kind if reference else "",
        reference.known if reference else None,
    )
    names = dict(names or {})
    image = folder / IMAGE_NAME
    draw_matrix(confusion, image, names)
    markdown = folder / MARKDOWN_NAME
    rendered = render_markdown(
        scores, current, diff, names=names, test_counts=test_counts, min_tests=min_tests, feedback=feedback
    )
    write_atomically(markdown, rendered)
    write_atomically(figures_path, json.dumps(current, ensure_ascii=False, indent=2, sort_keys=True) + "\n")
    untested = tuple(sorted(k for k, n in (test_counts or {}).items() if n < min_tests))
    return Written(markdown, image, figures_path, diff, names, untested)
