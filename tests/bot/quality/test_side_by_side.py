"""The side-by-side report: both pipelines' rows for both held-out sets, with what a reader compares."""

from __future__ import annotations

from pathlib import Path

from bot.quality.evaluation import Example, Prediction, score
from bot.quality.side_by_side import COMPARISON_NAME, Row, write_comparison


def predictions(right: int, wrong: int, deferred: int, oos_refused: int, oos_total: int) -> list[Prediction]:
    """Hand-made outcomes: FAQ questions answered right, wrongly, deferred; out-of-scope ones refused or not."""
    fees = Example("认证要钱吗", "faq/fees")
    outcomes = [Prediction(fees, "faq/fees", "faq/fees")] * right
    outcomes += [Prediction(fees, "faq/resubmit", "faq/resubmit")] * wrong
    outcomes += [Prediction(fees, "faq/fees", "uncertain", ("fees",))] * deferred
    weather = Example("今天天气怎么样", "out_of_scope")
    outcomes += [Prediction(weather, "out_of_scope", "out_of_scope")] * oos_refused
    outcomes += [Prediction(weather, "faq/fees", "faq/fees")] * (oos_total - oos_refused)
    return outcomes


def test_report_has_both_pipelines_for_both_sets(tmp_path: Path) -> None:
    rows = [
        Row("heldout_nlu.yml", "ours", score(predictions(18, 1, 1, 9, 10)), 76.0),
        Row("heldout_nlu.yml", "stock", score(predictions(19, 1, 0, 8, 10)), 612.4),
        Row("heldout_fresh_nlu.yml", "stock", score(predictions(39, 1, 0, 10, 10)), 612.4),
        Row("heldout_fresh_nlu.yml", "ours", score(predictions(36, 1, 3, 10, 10)), None),
    ]

    written = write_comparison(rows, tmp_path, when="2026-11-29 13:00")

    assert written == tmp_path / COMPARISON_NAME
    table = [line for line in written.read_text(encoding="utf-8").splitlines() if line.startswith("| `")]
    assert table == [
        "| `heldout_fresh_nlu.yml` | 本项目 | 40 | 90.0%（36） | 2.5%（1） | 7.5%（3） | 100.0% | — |",
        "| `heldout_fresh_nlu.yml` | 原装 Rasa 3.6 | 40 | 97.5%（39） | 2.5%（1） | 0.0%（0） | 100.0% | 612 |",
        "| `heldout_nlu.yml` | 本项目 | 20 | 90.0%（18） | 5.0%（1） | 5.0%（1） | 90.0% | 76 |",
        "| `heldout_nlu.yml` | 原装 Rasa 3.6 | 20 | 95.0%（19） | 5.0%（1） | 0.0%（0） | 80.0% | 612 |",
    ]
