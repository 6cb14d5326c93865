"""Rasa's answers become Telegram messages: split to fit, with their buttons."""

from __future__ import annotations

from bot.gateway import texts
from bot.gateway.replies import Button, from_rasa


def test_buttons_ride_on_the_last_part_and_empty_messages_vanish() -> None:
    replies = from_rasa(
        [
            {
                "recipient_id": "1",
                "text": "请选择：",
                "buttons": [{"title": "费用", "payload": '/faq{"faq_key": "fees"}'}],
            },
            {"recipient_id": "1"},
            {"recipient_id": "1", "buttons": [{"title": "转人工", "payload": "/request_human"}]},
        ]
    )
    assert [(r.text, r.buttons) for r in replies] == [
        ("请选择：", (Button("费用", '/faq{"faq_key": "fees"}'),)),
        (texts.BUTTON_DEFAULT_TEXT, (Button("转人工", "/request_human"),)),
    ]
