"""The report shows every target as met or missed, and the JSON keeps the raw figures."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from bench.report import cpu_ceiling, render_markdown, write_report
from bench.targets import check_targets


def level(
    scenario: str, concurrency: int, rate: float, p50: float, p95: float, **failures: int
) -> dict[str, Any]:
    return {
        "scenario": scenario,
        "concurrency": concurrency,
        "messages": 400,
        "seconds": 10.0,
        "messages_per_second": rate,
        "p50_ms": p50,
        "p95_ms": p95,
        "p99_ms": p95 * 1.2,
        "mean_ms": p50,
        "max_ms": p95 * 2,
        "errors": failures.get("errors", 0),
        "empty_replies": failures.get("empty", 0),
        "unexpected_replies": 0,
        "error_samples": [],
        "cpu_ms_per_message": {"rasa worker 1": 10.0, "haproxy": 1.0, "total": 11.0},
    }


def quality(top1: float) -> dict[str, Any]:
    return {
        "faq_top1_accuracy": top1,
        "faq_answered_correctly": 0.9,
        "faq_answered_wrongly": 0.02,
        "faq_fell_back": 0.02,
        "out_of_scope_recall": 0.95,
        "macro_f1": 0.9,
        "examples": 188,
        "faq_examples": 130,
    }


FIGURES: dict[str, Any] = {
    "generated_at": "2026-11-27 10:00",
    "command": "python -m bench",
    "quick": False,
    "note": "",
    "model": "abc.tar.gz",
    "machine": {
        "cores": 2,
        "cpu": "AMD EPYC",
        "memory_gib": 23.5,
        "os": "Linux",
        "python": "3.10.13",
        "packages": {"rasa": "3.6.21"},
        "load_average_at_start": [0.1, 0.1, 0.1],
    },
    "quality": {"rasa": quality(0.96), "baseline": quality(0.94), "ratio": {"faq_top1_accuracy": 1.021}},
    "profiles": {
        "production": {
            "title": "Production profile",
            "cold_start_s": 18.0,
            "memory_mib": {
                "rasa worker 1": {"rss_mib": 1100.0, "peak_rss_mib": 1150.0},
                "action server 1": {"rss_mib": 60.0, "peak_rss_mib": 61.0},
            },
            "load": [
                level("faq", 1, 40.0, 25.0, 60.0),
                level("faq", 8, 70.0, 110.0, 250.0),
                level("faq", 32, 61.0, 500.0, 900.0, empty=2),
            ],
            "long_conversation": {
                "messages": 200,
                "message_10_ms": 25.0,
                "last_message_ms": 26.0,
                "ratio": 1.04,
                "latencies_ms": [25.0] * 200,
            },
        }
    },
    "costs": {
        "full_training_s": 150.0,
        "model_size_mib": 110.0,
        "answer_change_retrain_s": 0.05,
        "answer_change_retrained": False,
        "phrasing_change_retrain_s": 95.0,
        "phrasing_change_retrained": True,
    },
}


def targets_by_name(figures: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(t["target"], t["where"]): t for t in check_targets(figures)}


def test_each_target_is_judged_on_its_figure() -> None:
    targets = targets_by_name(FIGURES)

    assert targets[("p50 ≤ 30 ms, 1 applicant", "production, faq")]["met"] is True
    assert targets[("p95 ≤ 300 ms, 8 applicants", "production, faq")]["met"] is True
    at_32 = targets[("≥ 50 msg/s, p95 ≤ 1 s, no errors, 32 applicants", "production, faq")]
    assert at_32["met"] is False and "2 failed" in at_32["measured"]  # fast enough, but two empty replies
    assert targets[("zero errors and zero empty replies at every level", "production, faq")]["met"] is False
    assert targets[("p50 ≤ 30 ms, 1 applicant", "production, status_lookup")]["met"] is None  # not measured
    assert targets[("message 200 ≤ 1.5 × message 10", "production")]["met"] is True
    assert targets[("FAQ top-1 accuracy ≥ 95% and ≥ the baseline's", "held-out set")]["met"] is True
    assert targets[("an answer-text change needs no retraining", "training")]["met"] is True
    assert targets[("a phrasing change retrains in well under a minute (< 60 s)", "training")]["met"] is False


def test_the_model_must_beat_the_baseline_too() -> None:
    figures = copy.deepcopy(FIGURES)
    figures["quality"]["baseline"] = quality(0.97)

    target = targets_by_name(figures)[("FAQ top-1 accuracy ≥ 95% and ≥ the baseline's", "held-out set")]

    assert target["met"] is False and "baseline 97.0%" in target["measured"]


def test_the_markdown_shows_targets_quality_load_and_costs() -> None:
    figures = {**FIGURES, "targets": check_targets(FIGURES)}

    markdown = render_markdown(figures)

    assert "| FAQ top-1 topic accuracy | 96.0% | 94.0% | 1.02 |" in markdown
    assert "| FAQ questions | 32 | 400 | 61.0 | 500.0 | 900.0 | 1080.0 | 0 | 2 | 0 | 11.0 |" in markdown
    assert "**missed**" in markdown and "| met |" in markdown
    cpu = "faq at 32 applicants (ms): rasa worker 1 10.0, haproxy 1.0; total 11.0; the CPU allows at most"
    assert f"{cpu} about 100 msg/s on 2 idle cores" in markdown
    assert "| retraining after an answer-only change | 0.05 s (no training: fingerprint unchanged) |" in (
        markdown
    )
    assert "| resident memory, production, rasa worker 1 | 1100 MiB (peak 1150) |" in markdown
    assert "Smoke run" not in markdown


def test_a_quick_run_says_so() -> None:
    assert "Smoke run" in render_markdown({**FIGURES, "quick": True, "targets": []})


def test_write_report_writes_markdown_and_raw_json(tmp_path: Path) -> None:
    figures = {**FIGURES, "targets": check_targets(FIGURES)}

    markdown, raw = write_report(figures, tmp_path / "docs")

    assert markdown.read_text(encoding="utf-8").startswith("# Benchmarks")
    assert json.loads(raw.read_text(encoding="utf-8")) == figures


def test_a_new_report_keeps_the_hand_written_sections_and_replaces_the_rest(tmp_path: Path) -> None:
    figures = {**FIGURES, "targets": check_targets(FIGURES)}
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "benchmarks.md").write_text(
        "# Benchmarks\n\nold figures 999 ms\n\n## Targets\n\nold table\n\n"
        "## Why it is fast (written by hand, 2026-11-29)\n\nThe profile said so.\n\n"
        "## Costs\n\nold costs\n\n## Another note (written by hand)\n\nSecond note.\n",
        encoding="utf-8",
    )

    markdown = write_report(figures, docs)[0].read_text(encoding="utf-8")

    assert "old figures 999 ms" not in markdown and "old costs" not in markdown
    assert markdown.startswith(render_markdown(figures).rstrip())
    assert markdown.endswith(
        "## Why it is fast (written by hand, 2026-11-29)\n\nThe profile said so.\n\n"
        "## Another note (written by hand)\n\nSecond note.\n"
    )


def test_the_cpu_ceiling_is_the_tighter_of_all_cores_and_the_busiest_process() -> None:
    one_process = {"rasa": 20.0, "action server": 2.0, "total": 22.0}
    two_workers = {"w1": 10.0, "w2": 10.0, "postgresql": 5.0, "total": 25.0}

    assert cpu_ceiling(one_process, 2) == 50.0  # Rasa's one core is the limit
    assert cpu_ceiling(two_workers, 2) == 80.0  # both cores busy is the limit
