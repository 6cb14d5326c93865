"""What a model is compared with: the model its edit started from, scored once on the same questions."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bot.quality.evaluation import Example
from bot.quality.reference import figures_path, reference_for

EXAMPLES = [Example("认证收费吗", "faq/fees"), Example("明天下雨吗", "out_of_scope")]


def model(folder: Path, name: str, started_from: str | None = None) -> Path:
    path = folder / f"{name}.tar.gz"
    path.write_bytes(b"model")
    lineage: dict[str, Any] = {"structure": "s", "finetunes": 0}
    if started_from:
        lineage["started_from"] = started_from
    (folder / f"{name}.json").write_text(json.dumps(lineage))
    return path


def test_the_model_the_edit_started_from_is_scored_once_on_the_same_questions(tmp_path: Path) -> None:
    earlier = model(tmp_path, "before")
    new = model(tmp_path, "after", started_from=earlier.name)
    scored: list[str] = []

    def score(path: Path) -> dict[str, Any]:
        scored.append(path.name)
        return {"model": path.name, "headline": {}, "per_label": {}}

    for _ in range(2):
        reference = reference_for(new, EXAMPLES, tmp_path / "last_run.json", score, announce=lambda _: None)
        assert reference is not None and reference.kind == "started_from"
        assert reference.figures["model"] == "before.tar.gz"
    assert scored == ["before.tar.gz"]  # kept beside it the first time
    assert figures_path(earlier, EXAMPLES).exists()
    assert figures_path(earlier, EXAMPLES[:1]) != figures_path(
        earlier, EXAMPLES
    )  # other questions: scored again


def test_without_that_model_the_last_run_is_used_and_said_to_be_less_comparable(tmp_path: Path) -> None:
    new = model(tmp_path, "after", started_from="pruned.tar.gz")
    last_run = tmp_path / "last_run.json"

    def score(path: Path) -> dict[str, Any]:
        raise AssertionError("nothing to score")

    assert (
        reference_for(new, EXAMPLES, last_run, score, announce=lambda _: None) is None
    )  # the very first run
    last_run.write_text(json.dumps({"model": "older.tar.gz", "headline": {}, "per_label": {}}))
    reference = reference_for(new, EXAMPLES, last_run, score, announce=lambda _: None)
    assert reference is not None and (reference.kind, reference.figures["model"]) == (
        "last_run",
        "older.tar.gz",
    )
