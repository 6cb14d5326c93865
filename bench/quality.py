"""Answer quality on the held-out set: the Rasa model and the scikit-learn baseline, side by side.

python -m bench.quality MODEL           # prints the figures as JSON (run in its own process:
                                        # loading the model takes a Rasa server's memory)
python -m bench.quality --stock MODEL   # a stock Rasa model's figures, scored as `make evaluate` does
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bot.settings import PROJECT_ROOT, RASA_PROCESS_ENV

HEADLINE = (
    "faq_top1_accuracy",
    "faq_answered_correctly",
    "faq_answered_wrongly",
    "faq_fell_back",
    "out_of_scope_recall",
    "macro_f1",
)


def headline(scores: Any) -> dict[str, float]:
    """The figures of a `bot.quality.evaluation.Scores` that the report compares."""
    return {name: round(float(getattr(scores, name)), 4) for name in HEADLINE} | {
        "examples": scores.total,
        "faq_examples": scores.faq_total,
    }


def compare(rasa: dict[str, float], baseline: dict[str, float]) -> dict[str, float | None]:
    """Rasa's figure divided by the baseline's, for each headline figure."""
    return {name: round(rasa[name] / baseline[name], 3) if baseline[name] else None for name in HEADLINE}


def measure(model: Path) -> dict[str, Any]:
    """Score the model and the baseline (trained now, on the same data) on the held-out set."""
    return _run([str(model)])


def measure_stock(model: Path) -> dict[str, float]:
    """Score a stock Rasa model on the held-out set as `make evaluate` does (bot/quality/stock.py)."""
    return dict(_run(["--stock", str(model)]))


def _run(arguments: list[str]) -> dict[str, Any]:
    completed = subprocess.run(
        [sys.executable, "-m", "bench.quality", *arguments],
        cwd=PROJECT_ROOT,
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, **RASA_PROCESS_ENV},
    )
    return json.loads(completed.stdout.strip().splitlines()[-1])


def main(argv: list[str]) -> int:
    """Score MODEL and the baseline (or a stock MODEL alone); print one JSON line."""
    from bot.quality.baseline import evaluate_baseline
    from bot.quality.evaluation import evaluate_model
    from bot.quality.stock import interpret_stock

    if argv[:1] == ["--stock"]:
        stock_scores, _ = asyncio.run(evaluate_model(Path(argv[1]), None, interpret_stock))
        print(json.dumps(headline(stock_scores)))
        return 0
    started = time.monotonic()
    baseline_scores, _ = evaluate_baseline()
    baseline_seconds = time.monotonic() - started
    rasa_scores, _ = asyncio.run(evaluate_model(Path(argv[0])))
    rasa, baseline = headline(rasa_scores), headline(baseline_scores)
    figures = {
        "rasa": rasa,
        "baseline": baseline,
        "ratio": compare(rasa, baseline),
        "baseline_train_and_score_s": round(baseline_seconds, 1),
    }
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
