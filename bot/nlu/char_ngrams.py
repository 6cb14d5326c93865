"""A TF-IDF character n-gram + logistic-regression text classifier (the baseline, and a member of the NLU ensemble)."""

from __future__ import annotations

from typing import Any

from bot.normalization import normalize

NGRAMS = (1, 3)
"""Character n-grams, as the pipeline's `analyzer: char` CountVectorsFeaturizer."""
REGULARISATION_C = 20.0
RANDOM_SEED = 7


def char_ngram_classifier() -> Any:
    """An unfitted scikit-learn pipeline: normalised text → TF-IDF char n-grams → logistic regression."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    return make_pipeline(
        TfidfVectorizer(analyzer="char", ngram_range=NGRAMS, sublinear_tf=True, preprocessor=normalize),
        LogisticRegression(C=REGULARISATION_C, max_iter=5000, random_state=RANDOM_SEED),
    )
