"""Long texts are split into Telegram messages of at most 4096 UTF-16 units, counted as Telegram counts."""

from __future__ import annotations

from bot.message_length import TELEGRAM_TEXT_LIMIT, split_after_prefix, split_text, utf16_length


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


def test_every_part_after_a_prefix_fits_and_carries_it() -> None:
    prefix = "👩‍💼 客服："
    text = "请按以下步骤操作😀" * 500 + "好" * 500  # 5,000 characters, 5,500 UTF-16 units
    parts = split_after_prefix(prefix, text)
    assert len(parts) == 2
    assert all(part.startswith(prefix) and utf16_length(part) <= TELEGRAM_TEXT_LIMIT for part in parts)
    assert "".join(part.removeprefix(prefix) for part in parts) == text
    assert split_after_prefix(prefix, "好") == [prefix + "好"]
