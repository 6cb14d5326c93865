"""Stock Rasa beside this project: ratios point the stated way, and the report shows them."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from bench.report import render_markdown
from bench.side_by_side import HIGHER_IS_BETTER, LOWER_IS_BETTER, MEASURED_NOW, RECORDED, compare, ratio
from tests.bench.test_report import FIGURES, level, quality


def stock_figures() -> dict[str, Any]:
    return {
        "title": "Stock Rasa 3.6",
        "model": "172c0bd73b8bd2e3.tar.gz",
        "train_seconds": 1500.0,
        "scenarios": ["faq"],
        "cold_start_s": 45.0,
        "memory_mib": {"rasa (stock)": {"rss_mib": 1800.0, "peak_rss_mib": 1900.0}},
        "paired": {
            "production": {
                "load": [
                    level("faq", 1, 10.0, 100.0, 180.0),
                    level("faq", 8, 11.0, 700.0, 900.0),
                    level("faq", 32, 12.2, 2600.0, 3000.0, empty=3),
                ],
                "long_conversation": {
                    "messages": 200,
                    "message_10_ms": 100.0,
                    "last_message_ms": 400.0,
                    "ratio": 4.0,
                },
            }
        },
        "quality": quality(0.80) | {"faq_answered_correctly": 0.75, "faq_answered_wrongly": 0.08},
        "project_modules_loaded": [],
    }


@pytest.fixture
def figures() -> dict[str, Any]:
    run = copy.deepcopy(FIGURES)
    run["stock"] = stock_figures()
    run["side_by_side"] = compare(run)
    return run


def rows(figures: dict[str, Any], group: str = "production") -> dict[str, dict[str, Any]]:
    found = (
        figures["side_by_side"]["profiles"][group] if group != "shared" else figures["side_by_side"]["shared"]
    )
    return {row["figure"]: row for row in found}


def test_ratio_directions() -> None:
    assert ratio(100.0, 25.0, LOWER_IS_BETTER) == 4.0  # stock 4 times slower
    assert ratio(12.0, 60.0, HIGHER_IS_BETTER) == 5.0  # ours 5 times the throughput
    assert ratio(None, 25.0, LOWER_IS_BETTER) is None
    assert ratio(100.0, 0.0, LOWER_IS_BETTER) is None
    assert ratio(0.0, 3.1, LOWER_IS_BETTER) == 0.0  # stock never fell back, ours did: ours worse
    assert ratio(0.0, 60.0, HIGHER_IS_BETTER) is None


def test_serving_ratios(figures: dict[str, Any]) -> None:
    served = rows(figures)
    assert served["p50, 1 applicant"]["ratio"] == 4.0  # 100 ms ÷ 25 ms
    assert served["p95, 1 applicant"]["ratio"] == 3.0  # 180 ÷ 60
    throughput = served["throughput, 32 applicants"]
    assert (throughput["ratio_is"], throughput["ratio"]) == (HIGHER_IS_BETTER, 5.0)  # 61 ÷ 12.2
    assert served["message 200 of a conversation"]["ratio"] == pytest.approx(400 / 26, abs=0.01)
    assert served["message 200 ÷ message 10"]["stock"] == 4.0
    assert served["memory (VmRSS), Rasa server(s)"]["ours"] == 1100.0
    assert served["memory (VmRSS), every process"]["ours"] == 1160.0


def test_training_and_quality_ratios(figures: dict[str, Any]) -> None:
    shared = rows(figures, "shared")
    assert shared["training from scratch"]["ratio"] == 10.0  # 1500 s ÷ 150 s (this run)
    assert figures["side_by_side"]["our_training_source"] == MEASURED_NOW
    assert shared["FAQ answered correctly"]["ratio"] == 1.2  # 90 % ÷ 75 %
    assert shared["FAQ answered wrongly"]["ratio"] == 4.0  # 8 % ÷ 2 %


def test_recorded_training_time_when_not_measured(figures: dict[str, Any]) -> None:
    del figures["costs"]
    figures["model_train_seconds"] = 75.0
    compared = compare(figures)
    training = compared["shared"][0]
    assert (training["ours"], training["ratio"]) == (75.0, 20.0)
    assert compared["our_training_source"] == RECORDED


def test_report_section(figures: dict[str, Any]) -> None:
    markdown = render_markdown(figures)
    section = markdown.split("## Side by side with stock Rasa 3.6", 1)[1].split("\n## ", 1)[0]
    assert "| p50, 1 applicant (ms) | stock ÷ ours | 100 | 25 | 4× |" in section
    assert "| throughput, 32 applicants (msg/s) | ours ÷ stock | 12.2 | 61 | 5× |" in section
    assert "| training from scratch (s) | stock ÷ ours | 1500 | 150 | 10× |" in section
    assert "status-lookup scenario is this project's only" in section
    assert "172c0bd73b8bd2e3.tar.gz" in section
    assert "Stock Rasa's failures: 32 applicants: 0 errors, 3 empty" in section


def test_unmeasured_figures_show_a_dash(figures: dict[str, Any]) -> None:
    del figures["quality"]
    figures["side_by_side"] = compare(figures)
    assert "| FAQ answered correctly (%) | ours ÷ stock | 75 | — | — |" in render_markdown(figures)


def test_figures_measured_for_neither_are_left_out(figures: dict[str, Any]) -> None:
    del figures["quality"], figures["stock"]["quality"]
    figures["side_by_side"] = compare(figures)
    markdown = render_markdown(figures)
    assert "FAQ answered correctly" not in markdown and "are left out" in markdown
    assert "| training from scratch (s) |" in markdown


def test_no_section_without_stock() -> None:
    assert "Side by side with stock Rasa" not in render_markdown(copy.deepcopy(FIGURES))


def test_each_profile_meets_the_stock_figures_measured_beside_it(figures: dict[str, Any]) -> None:
    figures["profiles"]["embedded"] = copy.deepcopy(figures["profiles"]["production"])
    figures["profiles"]["embedded"]["load"][0]["p50_ms"] = 50.0
    beside_embedded = copy.deepcopy(figures["stock"]["paired"]["production"])
    beside_embedded["load"][0]["p50_ms"] = 150.0  # the machine was busier while embedded ran
    figures["stock"]["paired"]["embedded"] = beside_embedded
    figures["side_by_side"] = compare(figures)
    assert rows(figures, "production")["p50, 1 applicant"]["ratio"] == 4.0  # 100 ÷ 25
    assert rows(figures, "embedded")["p50, 1 applicant"]["ratio"] == 3.0  # 150 ÷ 50
    markdown = render_markdown(figures)
    assert "| stock, beside production | ours, production | ratio | stock, beside embedded |" in markdown
    assert "| p50, 1 applicant (ms) | stock ÷ ours | 100 | 25 | 4× | 150 | 50 | 3× |" in markdown
    assert "each level right after the same level of embedded" in markdown
