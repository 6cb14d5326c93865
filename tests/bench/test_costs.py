"""The benchmark's two editor changes: an answer edit keeps the model, a phrasing edit needs a new one."""

from __future__ import annotations

from pathlib import Path

from bench.costs import ADDED_PHRASING, add_a_phrasing, change_an_answer, copy_training_inputs
from bot.content.topic_files import read_topic
from bot.train import fingerprint


def test_an_answer_change_keeps_the_fingerprint_and_a_phrasing_change_does_not(tmp_path: Path) -> None:
    copy_training_inputs(tmp_path)
    original = fingerprint(tmp_path)
    topic_file = min((tmp_path / "data" / "nlu" / "faq").glob("*.yml"))
    before = read_topic(topic_file)

    change_an_answer(tmp_path)
    after_answer = read_topic(topic_file)
    answer_fingerprint = fingerprint(tmp_path)
    add_a_phrasing(tmp_path)

    assert after_answer.answer != before.answer and after_answer.examples == before.examples
    assert answer_fingerprint == original
    assert read_topic(topic_file).examples == (*before.examples, ADDED_PHRASING)
    assert fingerprint(tmp_path) != original
