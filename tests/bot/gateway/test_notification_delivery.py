"""Status notifications through the gateway's outbox, without the real servers (fake Rasa, private database)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from bot.db.engine import shared_session_factory
from bot.db.notification_models import EndReason, StatusSubscription
from tests.bot.gateway.conftest import GatewayProcess, new_user_id
from tests.bot.gateway.fake_telegram import FakeTelegram
from tests.bot.gateway.notify_support import (
    back_office,
    import_applications,
    new_application_id,
    subscribe_directly,
)


def test_a_chat_that_blocked_the_bot_ends_its_subscription(
    telegram: FakeTelegram, offline_gateway: GatewayProcess, offline_env: dict[str, str], tmp_path: Path
) -> None:
    application_id = new_application_id()
    blocked, other = new_user_id(), new_user_id()
    import_applications(offline_env, tmp_path / "new.csv", {application_id: "初审中"})
    subscribe_directly(
        offline_env["DATABASE_URL"], {f"tg:{blocked}": application_id, f"tg:{other}": application_id}
    )
    telegram.fail("sendMessage", "forbidden", chat_id=blocked, times=None)

    assert "Telegram 2 条" in back_office(offline_env, "set-status", application_id, "复审中")

    assert "当前状态：复审中" in telegram.wait_for_texts(other, 1)[0]

    def end_reasons() -> dict[str, EndReason | None]:
        with shared_session_factory(offline_env["DATABASE_URL"])() as session:
            rows = session.execute(select(StatusSubscription.conversation_id, StatusSubscription.end_reason))
            return dict(rows.all())  # type: ignore[arg-type]

    expected = {f"tg:{blocked}": EndReason.BLOCKED, f"tg:{other}": None}
    telegram.wait_for(lambda: end_reasons() == expected, what="the block to end the subscription")
    assert "subscriptions ended" in offline_gateway.log()
    assert "Telegram 1 条" in back_office(offline_env, "set-status", application_id, "已通过")
    assert "当前状态：已通过" in telegram.wait_for_texts(other, 2)[1]
    assert len([c for c in telegram.calls_to("sendMessage") if c.params["chat_id"] == blocked]) == 1
