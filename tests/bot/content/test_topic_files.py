"""Topic files are written in one canonical layout that reads back unchanged."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.content.paths import ProjectPaths
from bot.content.topic_files import Topic, clean_answer, read_topic, render_topic, topic_paths, write_topic


def test_every_topic_file_is_in_the_canonical_layout() -> None:
    for path in topic_paths(ProjectPaths().faq_dir):
        assert render_topic(read_topic(path)) == path.read_text(encoding="utf-8"), path.name


@pytest.mark.parametrize(
    "question, notes, answer",
    [
        ("yes", "123", "no"),
        ("问题: 带冒号", "# 不是注释", "  前导空格被去掉\n    缩进的第二行\n\n空行之后"),
        ("'引号' \"双引号\"", "备注第一行\n备注第二行", "- 像列表的一行\n[像数组] {像字典} & * ! | >"),
        ("表情 😀 和全角：？", "", "最后一行后面没有换行"),
    ],
)
def test_unusual_values_read_back_exactly(tmp_path: Path, question: str, notes: str, answer: str) -> None:
    topic = Topic(
        "odd_topic",
        question,
        clean_answer(answer),
        ("第一种说法", "#说法 二", "a: b"),
        notes,
        tmp_path / "odd_topic.yml",
    )
    assert write_topic(topic) is True
    assert read_topic(topic.path) == topic
    assert write_topic(topic) is False  # unchanged content: the file is not touched


def test_clean_answer_normalises_line_ends_and_trailing_spaces() -> None:
    assert clean_answer("\r\n第一行  \r\n第二行\t\r\n\r\n") == "第一行\n第二行"
