"""The yardstick for the NLU model: TF-IDF character n-grams + logistic regression (scikit-learn).

Trained on exactly what Rasa trains on (every intent in `data/nlu/**`, FAQ topics as
`faq/<key>` labels, text normalised by `bot.normalization.normalize` as the pipeline's first component
does) and scored by `bot.quality.evaluation.score` on the same held-out set, so the figures are
comparable one to one. It answers its top label, or falls back when that label's probability
is below `FALLBACK_BELOW` — the same rule as Rasa's FallbackClassifier, with a threshold set
for 30-odd classes whose probabilities are flatter than DIET's.

    python -m bot.quality.baseline    # train, score on the held-out set, print the figures
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.content.paths import ProjectPaths
from bot.content.source import labelled_phrasings
from bot.nlu.char_ngrams import char_ngram_classifier
from bot.quality.evaluation import Example, Prediction, Scores, format_scores, load_examples, score

FALLBACK_BELOW = 0.2
FALLBACK_LABEL = "nlu_fallback"


def training_examples(folder: Path | None = None) -> list[Example]:
    """Every phrasing under `folder` (default: data/nlu/, recursively), labelled as Rasa labels it."""
    files = sorted((folder or ProjectPaths().nlu_dir).rglob("*.yml"))
    return [Example(text, intent) for text, intent in labelled_phrasings(files)]


@dataclass
class Baseline:
    """A fitted TF-IDF + logistic-regression classifier."""

    pipeline: Any

    @classmethod
    def fit(cls, examples: Sequence[Example]) -> Baseline:
        """Train on `examples` (deterministic)."""
        pipeline = char_ngram_classifier()
        pipeline.fit([e.text for e in examples], [e.expected for e in examples])
        return cls(pipeline)

    def predict(self, examples: Iterable[Example]) -> list[Prediction]:
        """What the baseline would do with each example."""
        examples = list(examples)
        if not examples:
            return []
        probabilities = self.pipeline.predict_proba([e.text for e in examples])
        labels = self.pipeline.classes_
        predictions = []
        for example, row in zip(examples, probabilities):
            best = int(row.argmax())
            top1 = str(labels[best])
            acted = top1 if row[best] >= FALLBACK_BELOW else FALLBACK_LABEL
            predictions.append(Prediction(example, top1, acted))
        return predictions


def evaluate_baseline(
    train: Sequence[Example] | None = None, test: Sequence[Example] | None = None
) -> tuple[Scores, list[Prediction]]:
    """Train on `train` (default: data/nlu) and score on `test` (default: the held-out set)."""
    model = Baseline.fit(training_examples() if train is None else train)
    predictions = model.predict(load_examples() if test is None else test)
    return score(predictions), predictions


def main() -> int:
    """Train, score on the held-out set and print the figures."""
    scores, _ = evaluate_baseline()
    print(format_scores(scores))
    return 0


if __name__ == "__main__":
    sys.exit(main())
