"""Rasa component: averages DIET's intents with a char-n-gram classifier, and ranks FAQ topics with it.

DIET learns from the pipeline's sparse features; a logistic regression on TF-IDF character
n-grams (the benchmark's baseline; with `word_ngrams: true` also n-grams inside jieba's words)
makes different mistakes. Intents are the weighted average of the two
(NGRAM_WEIGHT). FAQ topics (`faq/<key>`) are ranked by the n-gram classifier, averaged with a
ResponseSelector's ranking when the pipeline has one; without one, training is several times
faster (the ResponseSelector embeds every answer text) and the held-out figures are better.
The result is written where Rasa's ResponseSelector writes it (`response_selector`), so actions
and the FallbackClassifier, which comes after this component, work unchanged.
"""

from __future__ import annotations

import pickle
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.nlu.constants import RESPONSE_SELECTOR_PROPERTY_NAME
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.char_ngrams import char_ngram_classifier

MODEL_FILE = "char_ngram_classifier.pkl"
RANKING_LENGTH = 10
NGRAM_WEIGHT = 0.7
"""Share of the n-gram classifier in the average (the rest is DIET's or the ResponseSelector's).

0.5 until issue 12: with the word n-grams the classifier is the better judge of what is out of scope
(fresh held-out set: out-of-scope recall 90% -> 95%, direct answers unchanged; 0.3 changed nothing)."""


def _average(neural: Mapping[str, float], ngram: Mapping[str, float]) -> list[dict[str, Any]]:
    weight = NGRAM_WEIGHT if neural else 1.0
    names = set(neural) | set(ngram)
    averaged = {n: (1 - weight) * neural.get(n, 0.0) + weight * ngram.get(n, 0.0) for n in names}
    return [{"name": n, "confidence": c} for n, c in sorted(averaged.items(), key=lambda item: -item[1])]


def blend_intents(
    ranking: Sequence[Mapping[str, Any]], probabilities: Mapping[str, float]
) -> list[dict[str, Any]]:
    """Average an intent ranking with n-gram label probabilities (`faq/<key>` labels count for `faq`)."""
    per_intent: dict[str, float] = defaultdict(float)
    for label, probability in probabilities.items():
        per_intent[label.split("/", 1)[0]] += probability
    neural = {str(item["name"]): float(item["confidence"]) for item in ranking}
    return _average(neural, per_intent)[:RANKING_LENGTH]


def blend_topics(
    ranking: Sequence[Mapping[str, Any]], probabilities: Mapping[str, float], retrieval_intent: str
) -> list[dict[str, Any]]:
    """Rank `<retrieval_intent>/<key>` labels by n-gram probability, averaged with a ResponseSelector ranking if any."""
    prefix = f"{retrieval_intent}/"
    topics = {label: p for label, p in probabilities.items() if label.startswith(prefix)}
    total = sum(topics.values())
    ngram = {label: p / total for label, p in topics.items()} if total else {}
    neural = {str(item["intent_response_key"]): float(item["confidence"]) for item in ranking}
    return [
        {"intent_response_key": item["name"], "confidence": item["confidence"]}
        for item in _average(neural, ngram)[:RANKING_LENGTH]
    ]


def with_fast_layout(classifier: Any) -> Any:
    """`classifier` with its logistic regression's weights stored column-major (same values, same results).

    scikit-learn scores a sparse row as `X @ coef_.T`; scipy flattens that right-hand side, which for
    row-major weights copies all of them (classes × n-grams, about 7 MB) on every parse. Stored
    column-major, `coef_.T` is already contiguous and the same arithmetic runs without the copy.
    """
    import numpy as np

    model = classifier[-1] if hasattr(classifier, "steps") else classifier
    coef = getattr(model, "coef_", None)
    if isinstance(coef, np.ndarray) and coef.ndim == 2:
        model.coef_ = np.asfortranarray(coef)
    return classifier


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class CharNgramEnsemble(GraphComponent, IntentClassifier):
    """Re-ranks intents with a TF-IDF char-n-gram logistic regression and ranks the FAQ topics."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """`word_ngrams`: also character n-grams inside jieba's words (bot.nlu.char_ngrams.WORD_NGRAMS)."""
        return {"word_ngrams": False}

    def __init__(
        self,
        model_storage: ModelStorage,
        resource: Resource,
        classifier: Any = None,
        config: dict[str, Any] | None = None,
    ) -> None:
        self._config = config or {}
        self._model_storage = model_storage
        self._resource = resource
        self._classifier = classifier

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> CharNgramEnsemble:
        return cls(model_storage, resource, config=config)

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> CharNgramEnsemble:
        with model_storage.read_from(resource) as directory:
            classifier = pickle.loads((directory / MODEL_FILE).read_bytes())
        return cls(model_storage, resource, with_fast_layout(classifier), config)

    def train(self, training_data: TrainingData) -> Resource:
        """Fit on every intent example, FAQ examples labelled `faq/<key>`; persist."""
        examples = [m for m in training_data.intent_examples if m.get(TEXT)]
        classifier = char_ngram_classifier(word_ngrams=bool(self._config.get("word_ngrams")))
        classifier.fit([m.get(TEXT) for m in examples], [m.get_full_intent() for m in examples])
        self._classifier = classifier
        with self._model_storage.write_to(self._resource) as directory:
            (directory / MODEL_FILE).write_bytes(pickle.dumps(classifier))
        with_fast_layout(classifier)
        return self._resource

    def probabilities(self, text: str) -> dict[str, float]:
        """The n-gram classifier's probability for each label."""
        row = self._classifier.predict_proba([text])[0]
        return {str(label): float(p) for label, p in zip(self._classifier.classes_, row)}

    def process(self, messages: list[Message]) -> list[Message]:
        """Replace the intent and its ranking by the averages; rank each retrieval intent's topics."""
        if self._classifier is None:
            return messages
        for message in messages:
            text = message.get(TEXT)
            if isinstance(text, str) and text:
                self._rerank(message, self.probabilities(text))
        return messages

    def _rerank(self, message: Message, probabilities: dict[str, float]) -> None:
        intents = blend_intents(message.get(INTENT_RANKING_KEY) or [], probabilities)
        message.set(INTENT, intents[0], add_to_output=True)
        message.set(INTENT_RANKING_KEY, intents, add_to_output=True)
        selectors = message.get(RESPONSE_SELECTOR_PROPERTY_NAME) or {}
        retrieval_intents = sorted({label.split("/", 1)[0] for label in probabilities if "/" in label})
        for retrieval_intent in retrieval_intents:
            selector = selectors.get(retrieval_intent) or {}
            topics = blend_topics(selector.get("ranking") or [], probabilities, retrieval_intent)
            best = topics[0]
            # Answers are looked up by key (actions/faq.py), never taken from here.
            response = {
                "responses": [],
                "confidence": best["confidence"],
                "intent_response_key": best["intent_response_key"],
                "utter_action": f"utter_{best['intent_response_key']}",
            }
            selectors[retrieval_intent] = {"response": response, "ranking": topics}
        selectors["all_retrieval_intents"] = retrieval_intents
        message.set(RESPONSE_SELECTOR_PROPERTY_NAME, selectors, add_to_output=True)
