"""Updates Telegram (or a self-hosted Bot API server) may send that the library cannot read, or odd ones.

Found by an outside attack: one unreadable update made python-telegram-bot fail its whole batch,
log every pending message and fetch the batch again forever — nobody was answered.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from tests.bot.gateway.conftest import GatewayProcess, new_group_id, new_user_id
from tests.bot.gateway.fake_telegram import FakeTelegram, user


def _message(
    chat: dict[str, object], sender: dict[str, object] | None, text: str = "你好"
) -> dict[str, object]:
    message: dict[str, object] = {"message_id": 1, "date": int(time.time()), "chat": chat, "text": text}
    if sender is not None:
        message["from"] = sender
    return message


def _poison(uid: int) -> list[dict[str, object]]:
    private = {"id": uid, "type": "private", "first_name": "u"}
    return [
        {"message": _message(private, {"id": uid, "is_bot": False})},  # a user without first_name
        {"message": {**_message(private, user(uid)), "date": "yesterday"}},
        {"message": {**_message(private, user(uid)), "date": 1e20}},
        {"message": {**_message(private, user(uid)), "entities": "x"}},
        {"message": [_message(private, user(uid))]},
        {
            "poll": {
                "id": "p",
                "question": "?",
                "options": [],
                "total_voter_count": 0,
                "is_closed": False,
                "is_anonymous": True,
                "type": "regular",
                "allows_multiple_answers": False,
            }
        },
        {"chat_member": {"chat": {"id": uid}, "date": 0}},
    ]


def _odd(uid: int, foreign_group: int) -> list[dict[str, object]]:
    return [
        {"message": _message({"id": uid, "type": "private", "first_name": "u"}, None)},  # no "from"
        {"message": _message({"id": foreign_group, "type": "group", "title": "别的群"}, user(uid))},
        {"message": _message({"id": "123", "type": "private", "first_name": "u"}, user(uid))},  # string id
        {"message": _message({"id": 1.5, "type": "private", "first_name": "u"}, user(uid))},
        {"message": _message({"id": 2**70, "type": "private", "first_name": "u"}, user(2**70))},
    ]


def test_unreadable_and_odd_updates_are_skipped_and_everyone_else_is_answered(
    telegram: FakeTelegram, offline_gateway: GatewayProcess
) -> None:
    stranger = new_user_id()
    for update in [*_poison(stranger), *_odd(stranger, new_group_id())]:
        telegram._push(update)
    applicant = new_user_id()
    telegram.send_text(applicant, "认证需要多久")
    assert telegram.wait_for_texts(applicant, 1, timeout=30) == ["收到：认证需要多久"]

    time.sleep(2)  # the poller would have fetched the same batch again and again by now
    log = offline_gateway.log()
    assert "CRITICAL" not in log and "Traceback" not in log, log[-3000:]
    assert len(log) < 50_000, f"the log grew to {len(log)} characters"
    assert log.count("skipped") >= len(_poison(0))
    assert telegram.unconfirmed() == []  # every update was confirmed: none is fetched again


def test_a_flood_from_one_chat_is_limited_with_one_notice_and_others_are_served(
    telegram: FakeTelegram, make_offline_gateway: Callable[..., GatewayProcess]
) -> None:
    make_offline_gateway(MESSAGES_PER_MINUTE="5").start()
    flooder, calm = new_user_id(), new_user_id()
    for n in range(40):
        telegram.send_text(flooder, f"第{n}条")
    telegram.send_text(calm, "认证需要多久")
    assert telegram.wait_for_texts(calm, 1, timeout=30) == ["收到：认证需要多久"]
    answers = telegram.wait_for_texts(flooder, 6, timeout=30)
    time.sleep(2)
    answers = telegram.texts(flooder)
    assert answers[:5] == [f"收到：第{n}条" for n in range(5)]
    assert len(answers) == 6 and "太频繁" in answers[5]  # one notice, not 35
    assert telegram.unconfirmed() == []
