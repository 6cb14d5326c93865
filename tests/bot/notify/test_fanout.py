"""A back-office status change reaches every live subscriber once, and nobody else (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.db import notification_queries, queries
from bot.db.gateway_models import OutboxMessage
from bot.db.notification_models import StatusNotification
from bot.db.web_messages import WebMessage
from bot.errors import OwnershipNotProven
from bot.notify.subscriptions import SUBSCRIPTION_LIFETIME, Subscriptions
from bot.settings import Settings
from bot.status.__main__ import main

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=timezone.utc)
IN_REVIEW = "RZ202611200001"  # 初审中, credit code 91110108MA01B2C344
PAYMENT = "RZ202611180002"  # 待打款验证
HEADER = "application_id,company_name,credit_code,entity_type,status,reasons"


def run(url: str, *argv: str, at: datetime = NOW) -> int:
    return main(list(argv), Settings.from_env({"DATABASE_URL": url}), clock=lambda: at)


def verify(
    sessions: sessionmaker[Session], conversation: str, application_id: str, at: datetime = NOW
) -> None:
    """What a correct credit-code suffix leaves behind (bot.status.lookup.check_code)."""
    with sessions() as session, session.begin():
        queries.add_verified_ownership(session, sender_id=conversation, application_id=application_id, at=at)


def subscribe(
    sessions: sessionmaker[Session], conversation: str, application_id: str, at: datetime = NOW
) -> None:
    verify(sessions, conversation, application_id, at)
    Subscriptions(sessions, clock=lambda: at).subscribe(
        conversation, application_id, verified_since=at - timedelta(minutes=5)
    )


def telegram_texts(sessions: sessionmaker[Session], chat_id: int) -> list[str]:
    with sessions() as session:
        rows = session.scalars(
            select(OutboxMessage).where(OutboxMessage.chat_id == chat_id).order_by(OutboxMessage.id)
        )
        return [row.text for row in rows]


def web_texts(sessions: sessionmaker[Session], conversation: str) -> list[str]:
    with sessions() as session:
        rows = session.scalars(
            select(WebMessage).where(WebMessage.conversation_id == conversation).order_by(WebMessage.id)
        )
        return [row.text for row in rows]


def test_a_rejection_reaches_the_subscriber_once_with_each_reason_and_its_fix(
    seeded_url: str, sessions: sessionmaker[Session], capsys: pytest.CaptureFixture[str]
) -> None:
    subscribe(sessions, "tg:4242", IN_REVIEW)
    reason = "--reason=资料不清晰：营业执照照片模糊"

    assert run(seeded_url, "set-status", IN_REVIEW, "已驳回", reason) == 0
    assert (
        "已为 1 位订阅了状态通知的申请人排队发送通知（Telegram 1 条，网页 0 条）" in capsys.readouterr().out
    )
    assert run(seeded_url, "set-status", IN_REVIEW, "已驳回", reason) == 0  # the same status again

    [message] = telegram_texts(sessions, 4242)
    assert message.startswith("🔔 您关注的认证申请状态有更新")
    assert "当前状态：已驳回" in message and "北京云帆科技有限公司" in message
    assert "【资料不清晰】营业执照照片模糊" in message and "修改方法：请重新上传清晰" in message
    assert "1-2 个工作日" in message  # the next step (first review again) and its ETA
    assert "发送「退订」" in message
    with sessions() as session:
        [row] = session.scalars(select(OutboxMessage).where(OutboxMessage.chat_id == 4242))
        assert "退订" in (row.buttons or "")
        assert len(list(session.scalars(select(StatusNotification)))) == 1


def test_payment_verification_says_what_to_do_and_the_next_eta(
    seeded_url: str, sessions: sessionmaker[Session]
) -> None:
    subscribe(sessions, "tg:4343", IN_REVIEW)

    assert run(seeded_url, "set-status", IN_REVIEW, "待打款验证") == 0

    [message] = telegram_texts(sessions, 4343)
    assert "当前状态：待打款验证" in message
    assert "查询这笔款项的准确金额" in message and "不能四舍五入" in message
    assert "复审一般需要 2-3 个工作日" in message


def test_setting_the_same_status_sends_nothing(seeded_url: str, sessions: sessionmaker[Session]) -> None:
    subscribe(sessions, "tg:4444", PAYMENT)

    assert run(seeded_url, "set-status", PAYMENT, "待打款验证") == 0

    assert telegram_texts(sessions, 4444) == []


def test_only_a_conversation_that_verified_may_subscribe(
    seeded_url: str, sessions: sessionmaker[Session]
) -> None:
    service = Subscriptions(sessions, clock=lambda: NOW)
    since = NOW - timedelta(minutes=5)
    with pytest.raises(OwnershipNotProven):
        service.subscribe("tg:4545", IN_REVIEW, verified_since=since)  # never verified
    verify(sessions, "tg:4646", IN_REVIEW, at=NOW - timedelta(hours=2))
    with pytest.raises(OwnershipNotProven):
        service.subscribe("tg:4646", IN_REVIEW, verified_since=since)  # verified in an earlier conversation
    verify(sessions, "rest:alice", IN_REVIEW)
    with pytest.raises(OwnershipNotProven):
        service.subscribe("rest:alice", IN_REVIEW, verified_since=since)  # no way to reach a REST user
    assert not service.offer_wanted("rest:alice", IN_REVIEW)

    assert run(seeded_url, "set-status", IN_REVIEW, "复审中") == 0

    assert telegram_texts(sessions, 4545) == [] and telegram_texts(sessions, 4646) == []


def test_after_unsubscribing_nothing_comes(seeded_url: str, sessions: sessionmaker[Session]) -> None:
    subscribe(sessions, "tg:4747", IN_REVIEW)
    service = Subscriptions(sessions, clock=lambda: NOW)
    assert not service.offer_wanted("tg:4747", IN_REVIEW)  # subscribed: no second offer

    assert service.unsubscribe("tg:4747") == 1
    assert service.unsubscribe("tg:4747") == 0
    assert run(seeded_url, "set-status", IN_REVIEW, "复审中") == 0

    assert telegram_texts(sessions, 4747) == []
    assert service.offer_wanted("tg:4747", IN_REVIEW)


def test_a_web_subscriber_gets_the_message_in_the_web_queue(
    seeded_url: str, sessions: sessionmaker[Session]
) -> None:
    conversation = "web:AbCdEfGhIjKlMnOpQrStUvWx"
    subscribe(sessions, conversation, IN_REVIEW)

    assert run(seeded_url, "set-status", IN_REVIEW, "已通过") == 0

    [message] = web_texts(sessions, conversation)
    assert "当前状态：已通过" in message and "恭喜" in message


def test_an_expired_subscription_gets_nothing(seeded_url: str, sessions: sessionmaker[Session]) -> None:
    subscribe(sessions, "tg:4848", IN_REVIEW)

    later = NOW + SUBSCRIPTION_LIFETIME + timedelta(minutes=1)
    assert run(seeded_url, "set-status", IN_REVIEW, "复审中", at=later) == 0

    assert telegram_texts(sessions, 4848) == []


def test_an_import_notifies_changed_applications_and_a_new_credit_code_ends_subscriptions(
    seeded_url: str, sessions: sessionmaker[Session], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    subscribe(sessions, "tg:4949", IN_REVIEW)
    subscribe(sessions, "tg:5050", PAYMENT)
    path = tmp_path / "changes.csv"
    path.write_text(
        "\n".join(
            [
                HEADER,
                f"{IN_REVIEW},北京云帆科技有限公司,91110108MA01B2C344,企业,复审中,",
                f"{PAYMENT},杭州青禾网络科技有限公司,91110108MA01B2C344,企业,复审中,",  # another owner now
            ]
        )
        + "\n",
        encoding="utf-8",
    )

    assert run(seeded_url, "import", str(path)) == 0

    out = capsys.readouterr().out
    assert "1 个状态通知订阅因统一社会信用代码变更而终止" in out
    assert "已为 1 位订阅了状态通知的申请人排队发送通知" in out
    [message] = telegram_texts(sessions, 4949)
    assert "当前状态：复审中" in message
    assert telegram_texts(sessions, 5050) == []
    # Found by the attack on issue 13: the old owner's proof no longer opens the report or a subscription.
    with sessions() as session:
        assert not queries.has_verified_ownership(session, "tg:5050", PAYMENT, NOW - timedelta(days=1))
        assert queries.has_verified_ownership(session, "tg:4949", IN_REVIEW, NOW - timedelta(days=1))
    with pytest.raises(OwnershipNotProven):
        Subscriptions(sessions, clock=lambda: NOW).subscribe(
            "tg:5050", PAYMENT, verified_since=NOW - timedelta(minutes=5)
        )


def test_a_subscription_no_channel_can_reach_never_stops_the_change(
    seeded_url: str, sessions: sessionmaker[Session]
) -> None:
    with sessions() as session, session.begin():  # a row subscribe() would never write
        notification_queries.subscribe(
            session, "rest:alice", IN_REVIEW, now=NOW, expires_at=NOW + timedelta(days=1)
        )
    subscribe(sessions, "tg:5151", IN_REVIEW)

    assert run(seeded_url, "set-status", IN_REVIEW, "复审中") == 0

    assert len(telegram_texts(sessions, 5151)) == 1
    with sessions() as session:
        assert queries.get_application(session, IN_REVIEW).status.value == "复审中"  # type: ignore[union-attr]
