"""When a question asked right after a FAQ answer means that answer was wrong (an immediate rephrasing).

An answer of topic A to question Q1 counts as wrong (a 👎 with source `rephrased`) when the
applicant's very next message Q2 — no other message between them, not even a 👍/👎 —

1. comes within `REPHRASE_WINDOW` of the answer,
2. is read by the FAQ action as a new question: not a topic button pressed, not a short follow-up
   read against A (「个体工商户也一样吗？」), not a question about the application just reported, and
3. ends without an answer (the FAQ fallback, topics offered as buttons, or a handoff after a second
   fallback), or with the topic B that the model had ranked right after A for Q1 (the first of
   `FaqAnswer.alternatives`).

Rule 3 keeps a new question from counting: 「认证要收费吗」 answered, then 「审核要多久」 answered
with the review times is a second question, not a complaint — unless the model itself ranked that
topic second for Q1. Getting A again is never counted (the applicant got the same answer). A vote
inferred this way gives way to the applicant's own 👍 or 👎 on that answer (bot/answers/feedback.py).
"""

from __future__ import annotations

from datetime import datetime, timedelta

REPHRASE_WINDOW = timedelta(seconds=120)
"""Q2 must come this soon after the answer to Q1."""
RUNNER_UPS = 3
"""How many of Q1's other ranked topics are kept with the answer."""
RUNNER_UP_REPHRASED = 1
"""Only the topic ranked right after the answered one makes Q2 a rephrasing (the top 3 caught plain
second questions: every answer has three runner-ups)."""


def is_rephrasing(
    *,
    answered_topic: str,
    alternatives: list[str],
    answered_at: datetime,
    outcome_topic: str | None,
    now: datetime,
) -> bool:
    """Whether the next question's outcome (`outcome_topic`, None: no answer) says the answer was wrong."""
    if now - answered_at > REPHRASE_WINDOW:
        return False
    if outcome_topic is None:
        return True
    return outcome_topic != answered_topic and outcome_topic in alternatives[:RUNNER_UP_REPHRASED]
