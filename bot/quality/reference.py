"""What `make evaluate` compares a model with: the model the edit started from, on the same held-out set.

Training records, beside each model, the model that was newest when it started (bot.train's
`started_from`). That model is scored on today's held-out set — the same questions as the new
one, so a change in the report comes from the edit and not from new test questions — and its
figures are kept beside it (`<model>.figures-<held-out hash>.json`), so it is scored once. With
no such model (the first training, or it was pruned) the previous run's figures are used, and the
report says they may not be comparable. The labels the earlier model could predict come with its
figures, so a topic it did not know is reported as new, not as better.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bot.content.atomic import write_atomically
from bot.quality.evaluation import Example
from bot.quality.model_labels import known_labels
from bot.quality.report import Reference, read_figures
from bot.train import started_from

Scorer = Callable[[Path], dict[str, Any]]
"""Scores a model on the held-out set and returns its figures (bot.quality.report.figures)."""


def heldout_hash(examples: list[Example]) -> str:
    """A short hash of the held-out questions and their labels."""
    digest = hashlib.sha256()
    for example in examples:
        digest.update(f"{example.expected}\0{example.text}\0".encode())
    return digest.hexdigest()[:12]


def figures_path(model: Path, examples: list[Example]) -> Path:
    """Where the figures of `model` on these held-out questions are kept."""
    return model.with_name(f"{model.name.removesuffix('.tar.gz')}.figures-{heldout_hash(examples)}.json")


def keep_figures(model: Path, examples: list[Example], figures: dict[str, Any]) -> None:
    """Keep a model's figures beside it, for the evaluation of a model trained after it."""
    text = json.dumps(figures, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    write_atomically(figures_path(model, examples), text)


def reference_for(
    model: Path, examples: list[Example], last_run: Path, score: Scorer, *, announce: Callable[[str], None]
) -> Reference | None:
    """The figures to compare `model` with (see the module docstring), scoring the earlier model if needed."""
    earlier = started_from(model)
    if earlier is not None:
        kept = read_figures(figures_path(earlier, examples))
        if kept is None:
            announce(earlier.name)
            kept = score(earlier)
            keep_figures(earlier, examples, kept)
        return Reference(kept, "started_from", known_labels(earlier))
    previous = read_figures(last_run)
    return Reference(previous, "last_run") if previous is not None else None
