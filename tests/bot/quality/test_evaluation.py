"""An evaluation's figures: what the bot would do with each question, per-label precision and recall."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.quality.evaluation import Example, Prediction, interpret, load_examples, score


def predicted(expected: str, top1: str, acted: str | None = None) -> Prediction:
    return Prediction(Example(f"{expected}->{top1}", expected), top1, acted or top1)


def test_per_label_figures_and_headline_rates() -> None:
    predictions = [
        predicted("faq/fees", "faq/fees"),
        predicted("faq/fees", "faq/fees", "uncertain"),
        predicted("faq/fees", "faq/resubmit"),
        predicted("faq/resubmit", "faq/resubmit"),
        predicted("out_of_scope", "faq/fees"),
        predicted("out_of_scope", "out_of_scope"),
    ]
    scores = score(predictions)
    figures = {s.label: (s.support, s.precision, s.recall, s.f1) for s in scores.per_label}
    assert figures["faq/fees"] == pytest.approx((3, 2 / 3, 2 / 3, 2 / 3))
    assert figures["faq/resubmit"] == pytest.approx((1, 1 / 2, 1.0, 2 / 3))
    assert figures["out_of_scope"] == pytest.approx((2, 1.0, 1 / 2, 2 / 3))
    assert scores.macro_f1 == pytest.approx(2 / 3)
    assert scores.faq_top1_accuracy == pytest.approx(3 / 4)
    assert (scores.faq_answered_correctly, scores.faq_answered_wrongly) == pytest.approx((1 / 2, 1 / 4))
    assert scores.faq_fell_back == pytest.approx(1 / 4) and scores.out_of_scope_recall == pytest.approx(1 / 2)
    assert scores.confused[0][:3] == ("faq/fees", "faq/resubmit", 1)


def test_a_label_never_predicted_scores_zero_not_an_error() -> None:
    scores = score([predicted("faq/fees", "nlu_fallback"), predicted("greet", "greet")])
    figures = {s.label: (s.precision, s.recall, s.f1) for s in scores.per_label}
    assert figures == {"faq/fees": (0.0, 0.0, 0.0), "greet": (1.0, 1.0, 1.0)}
    assert score([]).per_label == [] and score([]).macro_f1 == 0.0


def test_interpret_acts_as_the_faq_action_would() -> None:
    ranking = [
        {"intent_response_key": "faq/fees", "confidence": 0.5},
        {"intent_response_key": "faq/x", "confidence": 0.45},
    ]
    parse = {
        "intent": {"name": "faq"},
        "intent_ranking": [{"name": "faq", "confidence": 0.9}],
        "response_selector": {"faq": {"ranking": ranking}},
    }
    assert interpret(parse) == ("faq/fees", "uncertain", ("fees", "x"))
    assert interpret({"intent": {"name": "greet"}}) == ("greet", "greet", ())


def test_examples_are_read_from_a_rasa_nlu_file(tmp_path: Path) -> None:
    path = tmp_path / "heldout.yml"
    path.write_text(
        'version: "3.1"\nnlu:\n  - intent: faq/fees\n    examples: |\n      - 要钱吗\n      - 收费吗\n'
        "  - intent: greet\n    examples: |\n      - 你好\n",
        encoding="utf-8",
    )
    assert load_examples(path) == [
        Example("要钱吗", "faq/fees"),
        Example("收费吗", "faq/fees"),
        Example("你好", "greet"),
    ]
