"""Rasa's answers become Telegram messages within 4096 UTF-16 units, with their buttons."""

from __future__ import annotations

from bot.gateway import texts
from bot.gateway.replies import Button, from_rasa, split_text, utf16_length


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


def test_buttons_ride_on_the_last_part_and_empty_messages_vanish() -> None:
    replies = from_rasa([
        {"recipient_id": "1", "text": "请选择：", "buttons": [{"title": "费用", "payload": '/faq{"faq_key": "fees"}'}]},
        {"recipient_id": "1"},
        {"recipient_id": "1", "buttons": [{"title": "转人工", "payload": "/request_human"}]},
    ])  # fmt: skip
    assert [(r.text, r.buttons) for r in replies] == [
        ("请选择：", (Button("费用", '/faq{"faq_key": "fees"}'),)),
        (texts.BUTTON_DEFAULT_TEXT, (Button("转人工", "/request_human"),)),
    ]
