"""Decide from Rasa's parse whether to answer a FAQ topic, offer the likeliest ones, or admit defeat."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.content.topic_files import RETRIEVAL_INTENT

ANSWER_MIN_CONFIDENCE = 0.2
"""The top topic is answered only at or above this confidence (the baseline classifier's own rule) ..."""
ANSWER_MIN_MARGIN = 0.08
"""... and only when it leads the runner-up by this much (a question on two topics gets both as buttons).

Chosen by sweeping 0.03-0.15 on the first held-out set (issue 12): down to 0.08 no wrong answer was added
and out-of-scope recall held; at 0.05 an out-of-scope question was answered. 0.15 everywhere sent 4.6% of
clear questions to buttons. A question on two topics keeps the wider margin (TWO_TOPICS_*)."""
TWO_TOPICS_RUNNER_UP = 0.2
"""A runner-up this confident is a second topic asked about (「问一下材料和时间」) ..."""
TWO_TOPICS_MARGIN = 0.15
"""... and then the top topic must lead by this much, else both are offered as buttons."""
OFFER_MIN_CONFIDENCE = 0.08
"""Topics below this are never offered as buttons."""
OFFER_MIN_INTENT_CONFIDENCE = 0.15
"""When NLU fell back, topics are offered only if the FAQ intent itself scored at least this."""
MAX_OFFERED = 3


@dataclass(frozen=True)
class Candidate:
    """A FAQ topic the NLU pipeline ranked, with its confidence."""

    key: str
    confidence: float


@dataclass(frozen=True)
class Decision:
    """Answer `answer` when set; otherwise offer `offered` (possibly none)."""

    answer: str | None
    offered: tuple[str, ...] = ()


def candidates(parse_data: dict[str, Any]) -> list[Candidate]:
    """Return the FAQ ranking in `parse_data` (Rasa's latest_message), best first."""
    selector = (parse_data.get("response_selector") or {}).get(RETRIEVAL_INTENT) or {}
    ranking = selector.get("ranking") or []
    found = [
        Candidate(str(item["intent_response_key"]).split("/", 1)[-1], float(item["confidence"]))
        for item in ranking
        if item.get("intent_response_key")
    ]
    return sorted(found, key=lambda candidate: candidate.confidence, reverse=True)


def _intent_confidence(parse_data: dict[str, Any], name: str) -> float:
    for item in parse_data.get("intent_ranking") or []:
        if item.get("name") == name:
            return float(item.get("confidence") or 0.0)
    return 0.0


def decide(parse_data: dict[str, Any]) -> Decision:
    """Choose what to do with a parsed message whose intent is `faq` or `nlu_fallback`."""
    ranked = candidates(parse_data)
    intent = (parse_data.get("intent") or {}).get("name")
    if intent == RETRIEVAL_INTENT and ranked:
        best = ranked[0]
        runner_up = ranked[1].confidence if len(ranked) > 1 else 0.0
        margin = TWO_TOPICS_MARGIN if runner_up >= TWO_TOPICS_RUNNER_UP else ANSWER_MIN_MARGIN
        if best.confidence >= ANSWER_MIN_CONFIDENCE and best.confidence - runner_up >= margin:
            return Decision(answer=best.key)
    elif _intent_confidence(parse_data, RETRIEVAL_INTENT) < OFFER_MIN_INTENT_CONFIDENCE:
        return Decision(answer=None)
    offered = tuple(c.key for c in ranked if c.confidence >= OFFER_MIN_CONFIDENCE)[:MAX_OFFERED]
    return Decision(answer=None, offered=offered)
