"""Long texts are split into Telegram messages of at most 4096 UTF-16 units, counted as Telegram counts."""

from __future__ import annotations

from bot.message_length import split_text, utf16_length


def test_long_answers_are_split_under_the_limit_at_line_breaks() -> None:
    paragraph = "认证材料要求说明。" * 40  # 360 characters
    text = "\n".join([paragraph] * 30)
    parts = split_text(text)
    assert len(parts) > 1
    assert all(utf16_length(part) <= 4096 for part in parts)
    assert "".join(parts).replace("\n", "") == text.replace("\n", "")
    assert all(part.endswith("。") for part in parts)


def test_emoji_count_twice() -> None:
    text = "😀" * 3000  # 6000 UTF-16 units
    parts = split_text(text)
    assert [utf16_length(part) for part in parts] == [4096, 1904]
