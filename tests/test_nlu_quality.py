"""Quality gate: the trained model on the held-out set (never used for training)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.answers.catalog import Catalog
from bot.quality.evaluation import Scores, evaluate_model, format_scores, load_examples
from bot.settings import PROJECT_ROOT

MIN_FAQ_TOP1_ACCURACY = 0.90
MAX_FAQ_ANSWERED_WRONGLY = 0.05
MIN_OUT_OF_SCOPE_RECALL = 0.80


@pytest.fixture(scope="module")
def scores(model_path: Path) -> Scores:
    result, _ = asyncio.run(evaluate_model(model_path))
    print("\n" + format_scores(result))
    return result


def test_heldout_covers_every_topic_with_three_phrasings() -> None:
    expected = load_examples()
    for key in Catalog().topics():
        assert sum(e.expected == f"faq/{key}" for e in expected) >= 3, key


def test_heldout_phrasings_never_appear_in_training_data() -> None:
    training = "\n".join(p.read_text(encoding="utf-8") for p in (PROJECT_ROOT / "data").rglob("*.yml"))
    leaked = [e.text for e in load_examples() if f"- {e.text}\n" in training]
    assert leaked == []


def test_faq_topic_accuracy_meets_the_gate(scores: Scores) -> None:
    assert scores.faq_top1_accuracy >= MIN_FAQ_TOP1_ACCURACY


def test_confidently_wrong_answers_are_rare(scores: Scores) -> None:
    assert scores.faq_answered_wrongly <= MAX_FAQ_ANSWERED_WRONGLY


def test_out_of_scope_questions_are_not_answered(scores: Scores) -> None:
    assert scores.out_of_scope_recall >= MIN_OUT_OF_SCOPE_RECALL
