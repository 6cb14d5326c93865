"""Short follow-ups after a FAQ answer are read against that topic; their texts keep to the guide's facts."""

from __future__ import annotations

import pytest

from bot.answers.catalog import Catalog
from bot.answers.elliptical import followups
from bot.content.facts import Facts
from bot.content.paths import ProjectPaths


@pytest.mark.parametrize(
    ("text", "last_topic", "own_text", "topic"),
    [
        ("个体工商户也一样吗？", "fees", True, "sole_proprietor"),
        ("個體戶呢", "fees", True, "sole_proprietor"),
        ("要多久？", "materials_list", True, "total_time"),
        ("那要多久", "why_certify", False, "total_time"),
        ("这个收费吗", "materials_list", False, "fees"),
    ],
)
def test_elliptical_follow_ups_are_answered_for_the_last_topic(
    text: str, last_topic: str, own_text: bool, topic: str
) -> None:
    found = followups().answer(text, last_topic)
    assert found is not None
    assert (found[0] is not None, found[1]) == (own_text, topic)


@pytest.mark.parametrize(
    "text",
    [
        "个体工商户可以做中级认证吗",  # a whole question: the NLU answers it
        "认证需要准备哪些材料，个体工商户和公司的要求一样吗，分别要多久",  # too long to be elliptical
        "好的谢谢",
    ],
)
def test_whole_questions_are_not_follow_ups(text: str) -> None:
    assert followups().answer(text, "fees") is None


def test_asking_about_the_topic_just_answered_is_not_a_follow_up() -> None:
    assert followups().answer("个体户呢", "sole_proprietor") is None


def test_follow_up_texts_agree_with_the_facts_and_name_existing_topics() -> None:
    paths = ProjectPaths()
    facts = Facts.load(paths.facts)
    topics = Catalog().topics()
    data = followups()
    for (after, aspect), text in data.answers.items():
        assert after in topics and aspect in {a.name for a in data.aspects}
        assert facts.contradictions(text) == [], (after, aspect)
    assert {aspect.topic for aspect in data.aspects} <= set(topics)
