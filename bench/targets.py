"""The targets of issue 6, checked against a run's figures: each one met or missed, with the figure."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

P50_ONE_MS = 30.0
P95_ONE_MS = 80.0
P95_EIGHT_MS = 300.0
THROUGHPUT_32 = 50.0
P95_32_MS = 1000.0
LONG_RATIO = 1.5
COLD_START_S = 20.0
RASA_RSS_MIB = 1.2 * 1024
FULL_TRAINING_S = 180.0
PHRASING_RETRAIN_S = 60.0
FAQ_TOP1 = 0.95
OOS_RECALL = 0.90
FAQ_FALLBACK = 0.03


@dataclass(frozen=True)
class Check:
    """One target: what it asks, where it was measured, the figure, and whether it was met."""

    target: str
    where: str
    measured: str
    met: bool | None
    """None: not measured in this run."""


def _level(profile: dict[str, Any], scenario: str, concurrency: int) -> dict[str, Any] | None:
    for level in profile.get("load", []):
        if level["scenario"] == scenario and level["concurrency"] == concurrency:
            return level
    return None


def _failures(level: dict[str, Any]) -> int:
    return level["errors"] + level["empty_replies"] + level["unexpected_replies"]


def _judge_throughput(level: dict[str, Any]) -> tuple[str, bool]:
    rate, p95, failed = level["messages_per_second"], level["p95_ms"], _failures(level)
    met = rate >= THROUGHPUT_32 and p95 <= P95_32_MS and not failed
    return f"{rate} msg/s, p95 {p95} ms, {failed} failed", met


LEVEL_TARGETS: tuple[tuple[int, str, str | None, float], ...] = (
    (1, f"p50 ≤ {P50_ONE_MS:.0f} ms, 1 applicant", "p50_ms", P50_ONE_MS),
    (1, f"p95 ≤ {P95_ONE_MS:.0f} ms, 1 applicant", "p95_ms", P95_ONE_MS),
    (8, f"p95 ≤ {P95_EIGHT_MS:.0f} ms, 8 applicants", "p95_ms", P95_EIGHT_MS),
    (32, f"≥ {THROUGHPUT_32:.0f} msg/s, p95 ≤ {P95_32_MS / 1000:.0f} s, no errors, 32 applicants", None, 0),
)
"""(applicants, target, latency figure and its limit — None: the throughput target)."""


def _scenario_checks(name: str, profile: dict[str, Any], scenario: str) -> list[Check]:
    where = f"{name}, {scenario}"
    checks = []
    for concurrency, target, key, limit in LEVEL_TARGETS:
        level = _level(profile, scenario, concurrency)
        if level is None:
            checks.append(Check(target, where, "not measured", None))
        elif key is None:
            checks.append(Check(target, where, *_judge_throughput(level)))
        else:
            checks.append(Check(target, where, f"{level[key]} ms", level[key] <= limit))
    run = [level for level in profile.get("load", []) if level["scenario"] == scenario]
    counts = {
        key: sum(level[key] for level in run)
        for key in ("errors", "empty_replies", "unexpected_replies", "messages")
    }
    measured = (
        f"{counts['errors']} errors, {counts['empty_replies']} empty, "
        f"{counts['unexpected_replies']} unexpected of {counts['messages']}"
    )
    met = sum(_failures(level) for level in run) == 0 if run else None
    checks.append(Check("zero errors and zero empty replies at every level", where, measured, met))
    return checks


def _profile_checks(name: str, profile: dict[str, Any]) -> list[Check]:
    checks = _scenario_checks(name, profile, "faq") + _scenario_checks(name, profile, "status_lookup")
    long = profile.get("long_conversation")
    if long:
        measured = f"{long['last_message_ms']} ms vs {long['message_10_ms']} ms (×{long['ratio']})"
        met = long["ratio"] is not None and long["ratio"] <= LONG_RATIO
        checks.append(Check(f"message {long['messages']} ≤ {LONG_RATIO} × message 10", name, measured, met))
    if "cold_start_s" in profile:
        cold = profile["cold_start_s"]
        checks.append(
            Check(
                f"cold start to first answer ≤ {COLD_START_S:.0f} s", name, f"{cold} s", cold <= COLD_START_S
            )
        )
    memory = profile.get("memory_mib", {})
    rasa = [figures["rss_mib"] for process, figures in memory.items() if "rasa" in process]
    if rasa:
        checks.append(
            Check(
                f"Rasa server ≤ {RASA_RSS_MIB / 1024:.1f} GiB resident (each process)",
                name,
                f"{max(rasa):.0f} MiB",
                max(rasa) <= RASA_RSS_MIB,
            )
        )
    return checks


def _quality_checks(quality: dict[str, Any]) -> list[Check]:
    rasa, baseline = quality["rasa"], quality["baseline"]
    top1, baseline_top1 = rasa["faq_top1_accuracy"], baseline["faq_top1_accuracy"]
    where = "held-out set"
    return [
        Check(
            f"FAQ top-1 accuracy ≥ {FAQ_TOP1:.0%} and ≥ the baseline's",
            where,
            f"{top1:.1%} (baseline {baseline_top1:.1%})",
            top1 >= FAQ_TOP1 and top1 >= baseline_top1,
        ),
        Check(
            f"out-of-scope recall ≥ {OOS_RECALL:.0%}",
            where,
            f"{rasa['out_of_scope_recall']:.1%}",
            rasa["out_of_scope_recall"] >= OOS_RECALL,
        ),
        Check(
            f"≤ {FAQ_FALLBACK:.0%} of in-scope (FAQ) questions fall back",
            where,
            f"{rasa['faq_fell_back']:.1%}",
            rasa["faq_fell_back"] <= FAQ_FALLBACK,
        ),
    ]


def _cost_checks(costs: dict[str, Any]) -> list[Check]:
    retrained = costs["answer_change_retrained"]
    phrasing = costs["phrasing_change_retrain_s"]
    return [
        Check(
            f"full training ≤ {FULL_TRAINING_S / 60:.0f} min",
            "training",
            f"{costs['full_training_s']:.0f} s",
            costs["full_training_s"] <= FULL_TRAINING_S,
        ),
        Check(
            "an answer-text change needs no retraining",
            "training",
            f"{'retrained' if retrained else 'no training'} ({costs['answer_change_retrain_s']} s)",
            not retrained,
        ),
        Check(
            f"a phrasing change retrains in well under a minute (< {PHRASING_RETRAIN_S:.0f} s)",
            "training",
            f"{phrasing:.0f} s",
            phrasing < PHRASING_RETRAIN_S,
        ),
    ]


def check_targets(figures: dict[str, Any]) -> list[dict[str, Any]]:
    """Every target that the figures cover, as dicts (target, where, measured, met)."""
    checks: list[Check] = []
    if figures.get("quality"):
        checks += _quality_checks(figures["quality"])
    for name, profile in figures.get("profiles", {}).items():
        checks += _profile_checks(name, profile)
    if figures.get("costs"):
        checks += _cost_checks(figures["costs"])
    return [asdict(check) for check in checks]
