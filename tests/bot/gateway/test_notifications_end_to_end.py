"""Status notifications end to end: Telegram (fake Bot API) → the real gateway → the real Rasa and action
server; the real back-office CLI changes the status; the applicant hears about it once."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.bot.gateway.conftest import GatewayProcess, new_user_id
from tests.bot.gateway.fake_telegram import FakeTelegram
from tests.bot.gateway.notify_support import back_office, import_applications, new_application_id

pytestmark = pytest.mark.servers

UPDATE = "🔔 您关注的认证申请状态有更新"


def verify_and_subscribe(telegram: FakeTelegram, applicant: int, application_id: str) -> int:
    """The applicant looks the application up, proves ownership and presses 「好的，通知我」.

    Returns how many messages the applicant has received by then.
    """
    telegram.send_text(applicant, f"查询进度 {application_id}")
    assert "后 6 位" in telegram.wait_for_texts(applicant, 1)[0]
    telegram.send_text(applicant, "b2c344")
    offer: dict[str, Any] = telegram.wait_for(
        lambda: [m for m in telegram.sent(applicant) if m["text"].startswith("状态有变化时通知我？")],
        what="the offer",
    )[0]
    assert any("当前状态：初审中" in text for text in telegram.texts(applicant))
    [yes, no] = [row[0] for row in offer["reply_markup"]["inline_keyboard"]]
    assert (yes["text"], no["text"]) == ("好的，通知我", "不用了")
    count = len(telegram.texts(applicant))
    telegram.press_button(applicant, offer["message_id"], yes["callback_data"])
    assert f"申请 {application_id} 的审核状态有变化时" in telegram.wait_for_texts(applicant, count + 1)[count]
    return count + 1


def settle() -> None:
    """Give anything that would be doubled time to arrive."""
    time.sleep(2.5)


def test_the_subscriber_hears_each_change_once_and_nobody_else_hears_anything(
    telegram: FakeTelegram,
    make_gateway: Callable[..., GatewayProcess],
    gateway_env: dict[str, str],
    tmp_path: Path,
) -> None:
    application_id = new_application_id()
    import_applications(gateway_env, tmp_path / "new.csv", {application_id: "初审中"})
    gateway = make_gateway().start()
    subscriber, stranger = new_user_id(), new_user_id()
    seen = verify_and_subscribe(telegram, subscriber, application_id)
    telegram.send_text(stranger, f"查询进度 {application_id}")  # never gives the code
    telegram.wait_for_texts(stranger, 1)
    telegram.send_text(stranger, "取消")
    telegram.wait_for_texts(stranger, 2)
    telegram.send_text(stranger, "/subscribe_status_notifications")  # typed, the button's payload
    assert "需要先在本次对话中查询这个申请" in telegram.wait_for_texts(stranger, 3)[2]

    out = back_office(gateway_env, "set-status", application_id, "待打款验证")
    assert "Telegram 1 条" in out
    update = telegram.wait_for_texts(subscriber, seen + 1)[seen]
    assert update.startswith(UPDATE) and "当前状态：待打款验证" in update and "不能四舍五入" in update
    back_office(gateway_env, "set-status", application_id, "待打款验证")  # the same status again
    settle()
    assert len(telegram.texts(subscriber)) == seen + 1
    assert len(telegram.texts(stranger)) == 3

    gateway.kill()  # down when the next change is made
    back_office(gateway_env, "set-status", application_id, "已驳回", "--reason=资料过期：法人身份证已过期")
    make_gateway().start()
    update = telegram.wait_for_texts(subscriber, seen + 2, timeout=60)[seen + 1]
    assert "当前状态：已驳回" in update and "【资料过期】法人身份证已过期" in update
    settle()
    assert len(telegram.texts(subscriber)) == seen + 2

    telegram.send_text(subscriber, "/unsubscribe")
    assert "已退订" in telegram.wait_for_texts(subscriber, seen + 3)[seen + 2]
    back_office(gateway_env, "set-status", application_id, "初审中")
    settle()
    assert len(telegram.texts(subscriber)) == seen + 3 and len(telegram.texts(stranger)) == 3


def test_the_unsubscribe_button_and_the_word_stop_it(
    telegram: FakeTelegram, gateway: GatewayProcess, gateway_env: dict[str, str], tmp_path: Path
) -> None:
    application_id = new_application_id()
    import_applications(gateway_env, tmp_path / "new.csv", {application_id: "初审中"})
    applicant = new_user_id()
    seen = verify_and_subscribe(telegram, applicant, application_id)

    back_office(gateway_env, "set-status", application_id, "复审中")
    telegram.wait_for_texts(applicant, seen + 1)
    update = telegram.sent(applicant)[seen]
    [[button]] = update["reply_markup"]["inline_keyboard"]
    assert button["text"] == "退订"
    telegram.press_button(applicant, update["message_id"], button["callback_data"])
    assert "已退订" in telegram.wait_for_texts(applicant, seen + 2)[seen + 1]
    telegram.send_text(applicant, "退订")
    assert "没有开启审核状态通知" in telegram.wait_for_texts(applicant, seen + 3)[seen + 2]
    back_office(gateway_env, "set-status", application_id, "已通过")
    settle()
    assert len(telegram.texts(applicant)) == seen + 3
