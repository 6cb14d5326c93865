"""When to answer a FAQ topic and when to offer choices instead."""

from __future__ import annotations

from typing import Any

from bot.answers.selection import MAX_OFFERED, decide


def parse(
    intent: str, ranking: list[tuple[str, float]], intent_ranking: dict[str, float] | None = None
) -> dict[str, Any]:
    return {
        "intent": {"name": intent, "confidence": 0.9},
        "intent_ranking": [
            {"name": n, "confidence": c} for n, c in (intent_ranking or {intent: 0.9}).items()
        ],
        "response_selector": {
            "faq": {"ranking": [{"intent_response_key": f"faq/{k}", "confidence": c} for k, c in ranking]}
        },
    }


def test_clear_winner_is_answered() -> None:
    assert decide(parse("faq", [("fees", 0.92), ("resubmit", 0.03)])).answer == "fees"


def test_two_close_candidates_are_offered_not_guessed() -> None:
    decision = decide(parse("faq", [("total_time", 0.48), ("second_review", 0.44), ("fees", 0.02)]))
    assert decision.answer is None
    assert decision.offered == ("total_time", "second_review")


def test_offers_at_most_three() -> None:
    ranking = [(f"t{i}", 0.19) for i in range(5)]
    assert len(decide(parse("faq", ranking)).offered) == MAX_OFFERED


def test_fallback_with_faq_in_the_running_offers_topics() -> None:
    data = parse("nlu_fallback", [("fees", 0.6), ("resubmit", 0.3)], {"nlu_fallback": 0.45, "faq": 0.4})
    decision = decide(data)
    assert decision.answer is None and decision.offered == ("fees", "resubmit")


def test_fallback_far_from_faq_offers_nothing() -> None:
    data = parse("nlu_fallback", [("fees", 0.9)], {"nlu_fallback": 0.45, "greet": 0.4, "faq": 0.05})
    assert decide(data) == decide(data).__class__(answer=None, offered=())


def test_a_clear_lead_over_a_weak_runner_up_is_answered() -> None:
    parse = {
        "intent": {"name": "faq", "confidence": 0.9},
        "response_selector": {
            "faq": {
                "ranking": [
                    {"intent_response_key": "faq/total_time", "confidence": 0.30},
                    {"intent_response_key": "faq/fees", "confidence": 0.19},
                ]
            }
        },
    }
    assert decide(parse).answer == "total_time"


def test_a_question_on_two_topics_offers_both() -> None:
    parse = {
        "intent": {"name": "faq", "confidence": 0.9},
        "response_selector": {
            "faq": {
                "ranking": [
                    {"intent_response_key": "faq/materials_list", "confidence": 0.31},
                    {"intent_response_key": "faq/total_time", "confidence": 0.23},
                ]
            }
        },
    }
    decision = decide(parse)
    assert decision.answer is None and decision.offered[:2] == ("materials_list", "total_time")
