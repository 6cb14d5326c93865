"""Retention deletes old conversations and personal records on SQLite and PostgreSQL, and nothing else."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session, sessionmaker

from bot import retention
from bot.db import notification_queries
from bot.db.escalation_models import AgentAlert, CaseRating, Escalation, HandoffMessage
from bot.db.feedback_models import FaqAnswer
from bot.db.gateway_models import (
    CallbackPayload,
    GatewayState,
    InboxUpdate,
    OutboxMessage,
    TelegramChat,
    ThreadMessage,
)
from bot.db.models import Application, StatusChange, VerificationAttempt, VerifiedOwnership
from bot.db.notification_models import EndReason, StatusSubscription
from bot.db.unanswered import UnansweredQuestion
from bot.rasa_ext.shared_checkpoints import CHECKPOINTS
from bot.rasa_ext.tracker_store import UrlSQLTrackerStore
from bot.settings import Settings
from tests.support.databases import database_url, seeded_url, sessions  # noqa: F401 - fixtures
from tests.support.long_conversation import DOMAIN, SENDER, faq_turn, long_conversation, take_turn

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=timezone.utc)
OLD = NOW - timedelta(days=40)
RECENT = NOW - timedelta(days=2)


async def _conversation(store: UrlSQLTrackerStore, sender: str, at: datetime) -> None:
    stamp = at.timestamp()
    events = [
        ActionExecuted("action_session_start", timestamp=stamp),
        SessionStarted(timestamp=stamp),
        ActionExecuted("action_listen", timestamp=stamp),
        UserUttered("你好", timestamp=stamp + 1),
    ]
    await store.save(DialogueStateTracker.from_events(sender, events))


def _add_application_records(session: Session) -> None:
    for at in (OLD, RECENT):
        session.add(
            VerificationAttempt(
                sender_id="s", application_id="RZ202611200001", succeeded=False, attempted_at=at
            )
        )
        session.add(VerifiedOwnership(sender_id="s", application_id="RZ202611200001", verified_at=at))
        session.add(CallbackPayload(chat_id=1, payload="/greet", title="x", created_at=at))
        session.add(
            UnansweredQuestion(
                text_hash=f"h{at.day}",
                text="?",
                reasons="fallback",
                count=1,
                first_seen=at,
                last_seen=at,
                handled_at=at,
            )
        )
    for conversation, at in (("tg:1000", OLD), ("tg:1002", RECENT)):
        session.add(FaqAnswer(conversation_id=conversation, topic="fees", question="?", answered_at=at))
    session.add(
        UnansweredQuestion(
            text_hash="open", text="?", reasons="fallback", count=1, first_seen=OLD, last_seen=OLD
        )
    )
    old_closed = Escalation(
        sender_id="old-resolved", reason="asked", status="resolved", created_at=OLD, resolved_at=OLD
    )
    recent_closed = Escalation(
        sender_id="recent-resolved", reason="asked", status="resolved", created_at=OLD, resolved_at=RECENT
    )
    still_open = Escalation(sender_id="tg:1001", reason="asked", status="open", created_at=OLD)
    session.add_all([old_closed, recent_closed, still_open])
    session.flush()
    session.add(
        OutboxMessage(
            chat_id=5,
            text="agents",
            purpose="escalation",
            escalation_id=old_closed.id,
            status="sent",
            created_at=OLD,
        )
    )
    session.add(ThreadMessage(chat_id=-5, message_id=7, escalation_id=old_closed.id, created_at=OLD))
    session.add(ThreadMessage(chat_id=-5, message_id=8, escalation_id=still_open.id, created_at=OLD))
    session.add(CaseRating(escalation_id=old_closed.id, agent_id=1, agent_name="小王", score=5, rated_at=OLD))
    for escalation in (old_closed, still_open):
        session.add(
            HandoffMessage(escalation_id=escalation.id, author="applicant", text="你好", created_at=OLD)
        )
    session.add(
        OutboxMessage(chat_id=5, text="sent long ago", purpose="reply", status="sent", created_at=OLD)
    )
    session.add(
        OutboxMessage(chat_id=5, text="still waiting", purpose="reply", status="pending", created_at=OLD)
    )
    session.add(
        OutboxMessage(chat_id=5, text="sent lately", purpose="reply", status="sent", created_at=RECENT)
    )
    session.add(InboxUpdate(update_id=1, payload=None, received_at=OLD, processed_at=OLD))
    session.add(InboxUpdate(update_id=2, payload="{}", received_at=OLD, processed_at=None))
    session.add(TelegramChat(chat_id=1000, display_name="张三", updated_at=OLD))
    session.add(TelegramChat(chat_id=1001, display_name="李四", updated_at=OLD))  # escalation still open
    session.add(TelegramChat(chat_id=1002, display_name="王五", updated_at=RECENT))
    session.add(GatewayState(key="handoff_wait_told:1", value=OLD.isoformat()))  # told long ago
    session.add(GatewayState(key="handoff_wait_told:2", value=RECENT.isoformat()))
    session.add(GatewayState(key="agents_group_migrated_from:-100", value="-200"))  # never purged
    for subject, at, announced in (
        ("old", OLD, OLD),
        ("old, never posted", OLD, None),
        ("recent", RECENT, RECENT),
    ):
        session.add(
            AgentAlert(kind="application_capped", subject=subject, created_at=at, announced_at=announced)
        )


async def test_purge_deletes_what_is_older_than_the_period(
    seeded_url: str,  # noqa: F811 - the fixture imported above
    sessions: sessionmaker[Session],  # noqa: F811 - the fixture imported above
    tmp_path: Path,
) -> None:
    store = UrlSQLTrackerStore(domain=Domain.empty(), host=seeded_url)
    for sender, at in (("old", OLD), ("recent", RECENT), ("tg:1001", OLD)):
        await _conversation(store, sender, at)
    store.engine.dispose()
    with sessions() as session, session.begin():
        _add_application_records(session)
        applications_before = session.scalar(select(func.count()).select_from(Application))
        changes_before = session.scalar(select(func.count()).select_from(StatusChange))
    settings = Settings.from_env(
        {
            "BOT_VAR_DIR": str(tmp_path),
            "DATABASE_URL": seeded_url,
            "TRACKER_STORE_URL": seeded_url,
            "RETENTION_DAYS": "30",
        }
    )

    purged = retention.purge(settings, now=NOW)

    assert purged.counts == {
        "verification_attempts": 1,
        "verified_ownerships": 1,
        "escalations": 1,
        "telegram_outbox": 2,
        "telegram_thread_messages": 1,
        "handoff_messages": 1,
        "case_ratings": 1,
        "telegram_inbox": 1,
        "telegram_callbacks": 1,
        "telegram_chats": 1,
        "unanswered_questions": 1,
        "faq_answers": 1,
        "agent_alerts": 1,
        "web_messages": 0,
        "status_subscriptions": 0,
        "status_notifications": 0,
        "gateway_state": 1,
        "events": 4,
        "conversations": 1,
        "tracker_checkpoints": 0,
    }
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Application)) == applications_before
        assert session.scalar(select(func.count()).select_from(StatusChange)) == changes_before
        assert set(session.scalars(select(Escalation.sender_id))) == {"recent-resolved", "tg:1001"}
        assert set(session.scalars(select(OutboxMessage.text))) == {"still waiting", "sent lately"}
        assert set(session.scalars(select(TelegramChat.chat_id))) == {1001, 1002}
        assert set(session.scalars(select(ThreadMessage.message_id))) == {8}  # its escalation is open
        assert session.scalar(select(func.count()).select_from(CaseRating)) == 0
        assert session.scalar(select(func.count()).select_from(HandoffMessage)) == 1  # the open one's
        assert set(session.scalars(select(UnansweredQuestion.text_hash))) == {"open", f"h{RECENT.day}"}
        assert set(session.scalars(select(AgentAlert.subject))) == {"old, never posted", "recent"}
        assert set(session.scalars(select(FaqAnswer.conversation_id))) == {"tg:1002"}
        remaining = set(session.scalars(text("SELECT DISTINCT sender_id FROM events")))
    assert remaining == {"recent", "tg:1001"}  # tg:1001 is idle, but its escalation is still open
    assert retention.purge(settings, now=NOW).total == 0  # repeating it changes nothing


def test_the_command_reports_and_refuses_a_bad_period(
    seeded_url: str,  # noqa: F811 - the fixture imported above
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    settings = Settings.from_env(
        {
            "BOT_VAR_DIR": str(tmp_path),
            "DATABASE_URL": seeded_url,
            "TRACKER_STORE_URL": f"sqlite:///{tmp_path / 'tracker.db'}",
        }
    )
    assert retention.main(["--days", "0"], settings) == 2
    assert "至少为 1 天" in capsys.readouterr().err
    assert retention.main([], settings) == 0  # no tracker table yet: nothing to delete there
    assert "已删除超过 30 天的数据，共 0 行" in capsys.readouterr().out


def test_an_unreachable_database_is_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    settings = Settings.from_env({"BOT_VAR_DIR": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path}"})
    assert retention.main([], settings) == 3
    assert "数据库不可用" in capsys.readouterr().err


def test_old_web_messages_go_unless_the_conversation_is_with_an_agent(
    sessions: sessionmaker[Session],  # noqa: F811 - the fixture imported above
) -> None:
    from bot.db.web_messages import Author, WebMessage, enqueue, undelivered

    waiting, gone, recent = "web:" + "W" * 24, "web:" + "G" * 24, "web:" + "R" * 24
    with sessions() as session, session.begin():
        session.add(Escalation(sender_id=waiting, reason="asked", status="open", created_at=OLD))
        for conversation in (waiting, gone):
            enqueue(session, conversation, "客服的回复", author=Author.AGENT, now=OLD)
        enqueue(session, recent, "客服的回复", author=Author.AGENT, now=RECENT)
    with sessions() as session, session.begin():
        purged = retention.Purged()
        retention.purge_application_data(session, retention.cutoff_for(30, NOW), purged)
    assert purged.counts["web_messages"] == 1
    with sessions() as session:
        assert [len(undelivered(session, c)) for c in (waiting, gone, recent)] == [1, 0, 1]
        assert session.scalar(select(func.count()).select_from(WebMessage)) == 2


def test_expired_and_ended_subscriptions_go_live_ones_stay(
    seeded_url: str,  # noqa: F811 - the fixture imported above
    sessions: sessionmaker[Session],  # noqa: F811 - the fixture imported above
    tmp_path: Path,
) -> None:
    with sessions() as session, session.begin():
        for conversation, expires in (("tg:1", NOW - timedelta(days=1)), ("tg:2", NOW + timedelta(days=1))):
            notification_queries.subscribe(
                session, conversation, "RZ202611200001", now=OLD, expires_at=expires
            )
        notification_queries.subscribe(
            session, "tg:3", "RZ202611200001", now=RECENT, expires_at=NOW + timedelta(days=60)
        )
        notification_queries.end_subscriptions(session, ["tg:3"], EndReason.UNSUBSCRIBED, now=RECENT)
    settings = Settings.from_env(
        {"BOT_VAR_DIR": str(tmp_path), "DATABASE_URL": seeded_url, "TRACKER_STORE_URL": seeded_url}
    )

    purged = retention.purge(settings, now=NOW)

    assert purged.counts["status_subscriptions"] == 2
    with sessions() as session:
        assert set(session.scalars(select(StatusSubscription.conversation_id))) == {"tg:2"}


async def test_a_purged_conversation_loses_its_shared_checkpoint_and_never_comes_back(
    database_url: str,  # noqa: F811 - the fixture imported above
    tmp_path: Path,
) -> None:
    workers = [UrlSQLTrackerStore(DOMAIN, host=database_url) for _ in range(3)]
    warm, other, cold = workers
    await long_conversation(warm, 30)  # `warm` made checkpoints, kept and shared them
    with warm.session_scope() as session:
        checkpoint = warm._checkpoints[SENDER]
        assert session.scalar(select(func.count()).select_from(CHECKPOINTS)) == 1
    settings = Settings.from_env(
        {"BOT_VAR_DIR": str(tmp_path), "DATABASE_URL": database_url, "TRACKER_STORE_URL": database_url}
    )

    purged = retention.purge(settings, now=datetime.now(timezone.utc) + timedelta(days=60))

    assert purged.counts["conversations"] == 1 and purged.counts["tracker_checkpoints"] == 1
    assert await cold.retrieve(SENDER) is None
    with warm.session_scope() as session:  # a worker that was sharing it just then
        warm.keep_checkpoint(session, SENDER, checkpoint)
    await take_turn(other, faq_turn("我又回来了"))  # the applicant starts again, on another worker
    for worker in (warm, cold, UrlSQLTrackerStore(DOMAIN, host=database_url)):
        tracker = await worker.retrieve(SENDER)
        assert [e.text for e in tracker.events if isinstance(e, UserUttered)] == ["我又回来了"]
        assert tracker.current_slot_values()["application_id"] is None
        assert tracker.active_loop_name is None and not tracker.is_paused()
    with warm.session_scope() as session:
        assert session.scalar(select(func.count()).select_from(CHECKPOINTS)) == 0  # the stale one went
    for worker in workers:
        worker.engine.dispose()
