"""This project beside stock Rasa 3.6 from one run's figures: each figure for both, and their ratio.

Every ratio is taken so that above 1 means this project does better: stock ÷ ours for what should
be low (latency, memory, training time, wrong answers), ours ÷ stock for what should be high
(throughput, correct answers). Each row says which.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

LOWER_IS_BETTER = "stock ÷ ours"
HIGHER_IS_BETTER = "ours ÷ stock"
MEASURED_NOW = "measured in this run (a temp copy, cold cache)"
RECORDED = "as recorded when the served model was trained (this run measured no training)"
QUALITY_ROWS = (
    ("faq_answered_correctly", "FAQ answered correctly", HIGHER_IS_BETTER),
    ("faq_answered_wrongly", "FAQ answered wrongly", LOWER_IS_BETTER),
    ("faq_fell_back", "FAQ fell back", LOWER_IS_BETTER),
    ("faq_top1_accuracy", "FAQ top-1 topic accuracy", HIGHER_IS_BETTER),
    ("out_of_scope_recall", "out-of-scope recall", HIGHER_IS_BETTER),
)


@dataclass(frozen=True)
class Row:
    """One figure for stock Rasa and for this project, and their ratio (None: not measured or zero)."""

    figure: str
    unit: str
    ratio_is: str
    stock: float | None
    ours: float | None
    ratio: float | None


def ratio(stock: float | None, ours: float | None, ratio_is: str) -> float | None:
    """stock ÷ ours or ours ÷ stock (as `ratio_is` says), rounded; None when either is missing or the divisor 0."""
    if stock is None or ours is None:
        return None
    above, below = (stock, ours) if ratio_is == LOWER_IS_BETTER else (ours, stock)
    return round(above / below, 2) if below else None


def _row(figure: str, unit: str, ratio_is: str, stock: float | None, ours: float | None) -> Row:
    return Row(figure, unit, ratio_is, stock, ours, ratio(stock, ours, ratio_is))


def _level(profile: dict[str, Any], concurrency: int, key: str) -> float | None:
    for level in profile.get("load", []):
        if level["scenario"] == "faq" and level["concurrency"] == concurrency:
            return float(level[key])
    return None


def _long(profile: dict[str, Any], key: str) -> float | None:
    value = (profile.get("long_conversation") or {}).get(key)
    return None if value is None else float(value)


def _memory(profile: dict[str, Any], rasa_only: bool) -> float | None:
    memory = profile.get("memory_mib") or {}
    chosen = [figures["rss_mib"] for name, figures in memory.items() if "rasa" in name or not rasa_only]
    return round(sum(chosen), 1) if chosen else None


def serving_rows(stock: dict[str, Any], ours: dict[str, Any]) -> list[Row]:
    """Latency, throughput, the long conversation, memory and cold start of one of our profiles vs stock."""
    messages = (ours.get("long_conversation") or {}).get("messages", 200)
    rows = [
        _row(
            "p50, 1 applicant", "ms", LOWER_IS_BETTER, _level(stock, 1, "p50_ms"), _level(ours, 1, "p50_ms")
        ),
        _row(
            "p95, 1 applicant", "ms", LOWER_IS_BETTER, _level(stock, 1, "p95_ms"), _level(ours, 1, "p95_ms")
        ),
        _row(
            "throughput, 32 applicants",
            "msg/s",
            HIGHER_IS_BETTER,
            _level(stock, 32, "messages_per_second"),
            _level(ours, 32, "messages_per_second"),
        ),
        _row(
            "p95, 32 applicants",
            "ms",
            LOWER_IS_BETTER,
            _level(stock, 32, "p95_ms"),
            _level(ours, 32, "p95_ms"),
        ),
        _row(
            "message 10 of a conversation",
            "ms",
            LOWER_IS_BETTER,
            _long(stock, "message_10_ms"),
            _long(ours, "message_10_ms"),
        ),
        _row(
            f"message {messages} of a conversation",
            "ms",
            LOWER_IS_BETTER,
            _long(stock, "last_message_ms"),
            _long(ours, "last_message_ms"),
        ),
        _row(
            f"message {messages} ÷ message 10",
            "×",
            LOWER_IS_BETTER,
            _long(stock, "ratio"),
            _long(ours, "ratio"),
        ),
        _row(
            "memory (VmRSS), Rasa server(s)",
            "MiB",
            LOWER_IS_BETTER,
            _memory(stock, True),
            _memory(ours, True),
        ),
        _row(
            "memory (VmRSS), every process",
            "MiB",
            LOWER_IS_BETTER,
            _memory(stock, False),
            _memory(ours, False),
        ),
        _row(
            "cold start to first answer",
            "s",
            LOWER_IS_BETTER,
            stock.get("cold_start_s"),
            ours.get("cold_start_s"),
        ),
    ]
    return rows


def our_training_seconds(figures: dict[str, Any]) -> tuple[float | None, str]:
    """Our full training time: measured in this run, else as recorded when the served model was trained."""
    costs = figures.get("costs") or {}
    if costs.get("full_training_s") is not None:
        return float(costs["full_training_s"]), MEASURED_NOW
    recorded = figures.get("model_train_seconds")
    return (None, "not measured") if recorded is None else (float(recorded), RECORDED)


def shared_rows(figures: dict[str, Any]) -> list[Row]:
    """Training time and answer quality (the same for every profile)."""
    stock = figures.get("stock") or {}
    ours_seconds, _ = our_training_seconds(figures)
    rows = [_row("training from scratch", "s", LOWER_IS_BETTER, stock.get("train_seconds"), ours_seconds)]
    ours_quality = (figures.get("quality") or {}).get("rasa") or {}
    stock_quality = stock.get("quality") or {}
    for key, title, ratio_is in QUALITY_ROWS:
        rows.append(
            _row(title, "%", ratio_is, _percent(stock_quality.get(key)), _percent(ours_quality.get(key)))
        )
    return rows


def _percent(share: float | None) -> float | None:
    return None if share is None else round(share * 100, 1)


def stock_beside(stock: dict[str, Any], profile: str) -> dict[str, Any]:
    """Stock Rasa's figures with its load and long conversation measured beside `profile`."""
    return {**stock, **(stock.get("paired") or {}).get(profile, {})}


def compare(figures: dict[str, Any]) -> dict[str, Any]:
    """The side-by-side rows of a run (for benchmarks.json): per measured profile, and shared."""
    stock = figures.get("stock") or {}
    return {
        "profiles": {
            name: [asdict(row) for row in serving_rows(stock_beside(stock, name), profile)]
            for name, profile in figures.get("profiles", {}).items()
        },
        "shared": [asdict(row) for row in shared_rows(figures)],
        "our_training_source": our_training_seconds(figures)[1],
    }
