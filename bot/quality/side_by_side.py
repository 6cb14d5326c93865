"""The side-by-side table of this project's model and stock Rasa on each held-out set (docs/reports/)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.content.atomic import write_atomically
from bot.quality import texts
from bot.quality.evaluation import Scores

COMPARISON_NAME = "stock_comparison.md"
PIPELINES = ("ours", "stock")


@dataclass(frozen=True)
class Row:
    """One pipeline's figures on one held-out set."""

    heldout: str
    pipeline: str
    """A key of texts.PIPELINE_NAMES."""
    scores: Scores
    train_seconds: float | None


def _share(ratio: float, whole: int) -> str:
    return f"{ratio:.1%}（{round(ratio * whole)}）"


def render_comparison(rows: Sequence[Row], *, when: str) -> str:
    """The comparison as Markdown: one row per held-out set and pipeline, then how to read it."""
    lines = [
        f"# {texts.COMPARISON_TITLE}",
        "",
        texts.COMPARISON_GENERATED.format(when=when),
        "",
        "| " + " | ".join(texts.COMPARISON_COLUMNS) + " |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    order = {name: position for position, name in enumerate(PIPELINES)}
    for row in sorted(rows, key=lambda r: (r.heldout, order.get(r.pipeline, len(order)))):
        s = row.scores
        seconds = "—" if row.train_seconds is None else f"{row.train_seconds:.0f}"
        cells = (
            f"`{row.heldout}`",
            texts.PIPELINE_NAMES.get(row.pipeline, row.pipeline),
            str(s.faq_total),
            _share(s.faq_answered_correctly, s.faq_total),
            _share(s.faq_answered_wrongly, s.faq_total),
            _share(s.faq_fell_back, s.faq_total),
            f"{s.out_of_scope_recall:.1%}",
            seconds,
        )
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join([*lines, "", *texts.COMPARISON_NOTES, ""])


def write_comparison(rows: Sequence[Row], folder: Path, *, when: str) -> Path:
    """Write the comparison to `folder`/stock_comparison.md and return its path."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / COMPARISON_NAME
    write_atomically(target, render_comparison(rows, when=when))
    return target
