"""Stock Rasa as the yardstick: how a stock bot acts on a parse, when it retrains, how it is skipped."""

from __future__ import annotations

from pathlib import Path

from bot.quality.stock import interpret_stock, skipped, stock_fingerprint


def test_stock_bot_answers_the_top_response_and_defers_on_fallback() -> None:
    answered = {
        "intent": {"name": "faq", "confidence": 0.9},
        "response_selector": {
            "default": {"response": {"intent_response_key": "faq/fees", "confidence": 0.4}}
        },
    }
    fell_back = {"intent": {"name": "nlu_fallback", "confidence": 0.3}, "response_selector": {}}
    greeted = {"intent": {"name": "greet", "confidence": 0.8}}

    assert interpret_stock(answered) == ("faq/fees", "faq/fees", ())
    assert interpret_stock(fell_back) == ("nlu_fallback", "uncertain", ())
    assert interpret_stock(greeted) == ("greet", "greet", ())


def test_stock_model_is_retrained_for_new_data_not_for_our_config(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "domain.yml").write_text("version: '3.1'\n", encoding="utf-8")
    (tmp_path / "config.yml").write_text("pipeline: []\n", encoding="utf-8")
    (tmp_path / "data" / "nlu.yml").write_text("nlu: []\n", encoding="utf-8")
    before = stock_fingerprint(tmp_path)

    (tmp_path / "config.yml").write_text("pipeline: [{name: DIETClassifier}]\n", encoding="utf-8")
    assert stock_fingerprint(tmp_path) == before
    (tmp_path / "data" / "nlu.yml").write_text("nlu: [{intent: greet}]\n", encoding="utf-8")
    assert stock_fingerprint(tmp_path) != before


def test_stock_side_is_left_out_only_when_asked() -> None:
    assert not skipped({})
    assert not skipped({"EVALUATE_SKIP_STOCK": ""})
    assert skipped({"EVALUATE_SKIP_STOCK": "1"})
