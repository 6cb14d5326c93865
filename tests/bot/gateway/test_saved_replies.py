"""data/saved_replies.yml keeps to the guide's facts, and a name is found however an agent half-remembers it."""

from __future__ import annotations

import os
from pathlib import Path

from bot.content.facts import Facts
from bot.content.paths import ProjectPaths
from bot.gateway.saved_replies import DEFAULT_PATH, SavedReplies


def test_every_saved_reply_keeps_to_the_facts() -> None:
    facts = Facts.load(ProjectPaths().data_dir / "facts.yml")
    saved = SavedReplies(DEFAULT_PATH)
    assert "文件格式" in saved.names()
    for name in saved.names():
        text = saved.text(name)
        assert text and facts.contradictions(text) == [], name
    assert "JPG、PNG、PDF" in (saved.text("文件格式") or "") and "5MB" in (saved.text("文件格式") or "")


def test_close_names_and_an_edited_file_read_again(tmp_path: Path) -> None:
    path = tmp_path / "saved_replies.yml"
    path.write_text("replies:\n  文件格式: 甲\n  打款验证: 乙\n", encoding="utf-8")
    saved = SavedReplies(path)
    assert saved.close_to("格式") == ["文件格式"]
    assert saved.close_to("打款") == ["打款验证"]
    assert saved.text(" 文件格式 ") == "甲"
    path.write_text("replies:\n  文件格式: 丙\n", encoding="utf-8")
    os.utime(path, (1, 1))  # a new modification time, however fast the write
    assert saved.text("文件格式") == "丙" and saved.names() == ["文件格式"]
    path.write_text("replies: [broken", encoding="utf-8")
    os.utime(path, (2, 2))
    assert saved.names() == ["文件格式"]  # a broken edit keeps the last good contents
