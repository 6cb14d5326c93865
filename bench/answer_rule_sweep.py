"""Sweep the answer rule, the fallback thresholds and the ensemble weight on a trained model (no training).

    python -m bench.answer_rule_sweep [MODEL]    # default: the current model; prints one line per variant

Each held-out question is parsed once per n-gram weight (bot.nlu.ngram_ensemble.NGRAM_WEIGHT is read
at parse time). The FallbackClassifier's decision is then recomputed from the intent ranking it
leaves behind, and bot.answers.selection's thresholds are applied, for every combination — so
hundreds of variants cost a few parses. Figures are those of `make evaluate` (bot.quality.evaluation).
"""

from __future__ import annotations

import asyncio
import itertools
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bot.answers import selection
from bot.content.paths import ProjectPaths
from bot.nlu import ngram_ensemble
from bot.quality.evaluation import Example, Prediction, interpret, load_examples, score

WEIGHTS = (0.3, 0.5, 0.7)
FALLBACK_THRESHOLDS = (0.3, 0.35, 0.45)
AMBIGUITY_THRESHOLDS = (0.05, 0.08)
ANSWER_MIN_CONFIDENCES = (0.1, 0.2)
ANSWER_MIN_MARGINS = (0.03, 0.05, 0.08)
TWO_TOPICS_MARGINS = (0.08, 0.15)
FALLBACK = "nlu_fallback"


@contextmanager
def patched(module: Any, **values: float) -> Iterator[None]:
    """Set module-level constants for the duration of the block."""
    saved = {name: getattr(module, name) for name in values}
    for name, value in values.items():
        setattr(module, name, value)
    try:
        yield
    finally:
        for name, value in saved.items():
            setattr(module, name, value)


def refallback(parse_data: dict[str, Any], threshold: float, ambiguity: float) -> dict[str, Any]:
    """The parse as FallbackClassifier(threshold, ambiguity) would have left it (Rasa 3.6's rule)."""
    ranking = [item for item in parse_data.get("intent_ranking") or [] if item.get("name") != FALLBACK]
    if not ranking:
        return parse_data
    top = float(ranking[0]["confidence"])
    runner_up = float(ranking[1]["confidence"]) if len(ranking) > 1 else 0.0
    fallback = top < threshold or top - runner_up <= ambiguity
    intent = {"name": FALLBACK, "confidence": threshold} if fallback else ranking[0]
    return {**parse_data, "intent": intent, "intent_ranking": ([intent] if fallback else []) + ranking}


def figures(predictions: list[Prediction]) -> str:
    """Direct correct / wrong / deferred / out-of-scope recall, in percent."""
    s = score(predictions)
    return (
        f"{s.faq_answered_correctly:6.1%} {s.faq_answered_wrongly:5.1%} {s.faq_fell_back:5.1%}"
        f" {s.out_of_scope_recall:6.1%}"
    )


async def parses(model: Path, sets: Sequence[list[Example]]) -> dict[float, list[list[dict[str, Any]]]]:
    """Every example of every set parsed with each n-gram weight."""
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))
    parsed: dict[float, list[list[dict[str, Any]]]] = {}
    for weight in WEIGHTS:
        with patched(ngram_ensemble, NGRAM_WEIGHT=weight):
            parsed[weight] = []
            for examples in sets:
                parsed[weight].append([await agent.parse_message(e.text) for e in examples])
    return parsed


def main(argv: list[str]) -> int:
    """Print one line per variant: weight, thresholds, then each set's figures."""
    from bot.settings import Settings
    from bot.train import model_path

    paths = ProjectPaths()
    model = Path(argv[0]) if argv else model_path(Settings.from_env().models_dir)
    sets = [load_examples(paths.heldout_fresh), load_examples(paths.heldout)]
    parsed = asyncio.run(parses(model, sets))
    print("weight fb amb conf margin two | fresh: right wrong defer oos | first: right wrong defer oos")
    grid = itertools.product(
        WEIGHTS,
        FALLBACK_THRESHOLDS,
        AMBIGUITY_THRESHOLDS,
        ANSWER_MIN_CONFIDENCES,
        ANSWER_MIN_MARGINS,
        TWO_TOPICS_MARGINS,
    )
    for weight, threshold, ambiguity, confidence, margin, two in grid:
        rule = {"ANSWER_MIN_CONFIDENCE": confidence, "ANSWER_MIN_MARGIN": margin, "TWO_TOPICS_MARGIN": two}
        with patched(selection, **rule):
            shown = []
            for examples, results in zip(sets, parsed[weight]):
                predictions = [
                    Prediction(example, *interpret(refallback(result, threshold, ambiguity)))
                    for example, result in zip(examples, results)
                ]
                shown.append(figures(predictions))
        print(f"{weight} {threshold} {ambiguity} {confidence} {margin} {two} | {shown[0]} | {shown[1]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
