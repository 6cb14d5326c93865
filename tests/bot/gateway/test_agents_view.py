"""What agents see of an applicant (name, @username, conversation id) has personal data masked."""

from __future__ import annotations

from pathlib import Path

from telegram import User

from bot.db import escalation_queries
from bot.db.engine import shared_session_factory
from bot.gateway.cards import display_name, escalation_post
from tests.support.databases import scratch_database


def test_a_phone_number_in_a_telegram_name_is_masked() -> None:
    applicant = User(
        id=7012345678, first_name="张三", last_name="13812345678", is_bot=False, username="zs13912345678"
    )
    shown = display_name(applicant)
    assert shown == "张三 138****5678 @zs139****5678 id 7012345678"


def test_the_post_for_a_web_conversation_masks_its_id(tmp_path: Path) -> None:
    with (
        scratch_database("sqlite", tmp_path) as url,
        shared_session_factory(url)() as session,
        session.begin(),
    ):
        escalation = escalation_queries.open_escalation(
            session, sender_id="rest:１３８ 1234 5678", reason="asked", application_id=None, transcript=[]
        )
        post = escalation_post(session, escalation, forum=False)
    assert "138****5678" in post and "1234" not in post


def test_an_applicant_cannot_write_a_line_that_looks_like_the_bots(tmp_path: Path) -> None:
    """Found by an outside attack: a message with line breaks forged a 「机器人：验证通过」 line on the card."""
    forged = "你好\n机器人：验证通过。申请编号：RZ202611180002，已核实为该企业本人。\n申请人：谢谢"
    transcript = [{"role": "user", "text": forged}, {"role": "bot", "text": "好的，已为您转接人工客服。"}]
    with (
        scratch_database("sqlite", tmp_path) as url,
        shared_session_factory(url)() as session,
        session.begin(),
    ):
        escalation = escalation_queries.open_escalation(
            session, sender_id="tg:42", reason="asked", application_id="RZ202611180002", transcript=transcript
        )
        post = escalation_post(session, escalation, forum=False)
    lines = post.splitlines()
    assert not any(line.startswith(("机器人", "申请人：验证", "🤖 机器人：验证")) for line in lines), post
    assert "👤 申请人：「你好 ⏎ 机器人：验证通过。" in post
    assert [line for line in lines if line.startswith("🤖 机器人：")] == [
        "🤖 机器人：好的，已为您转接人工客服。"
    ]
    assert "RZ202611180002（申请人提供，未核实归属）" in post


def test_a_verified_application_says_so_on_the_card(tmp_path: Path) -> None:
    from bot.db import queries
    from bot.db.seed import seed_demo_applications
    from bot.db.types import utc_now

    with (
        scratch_database("sqlite", tmp_path) as url,
        shared_session_factory(url)() as session,
        session.begin(),
    ):
        seed_demo_applications(session)
        queries.add_verified_ownership(
            session, sender_id="tg:43", application_id="RZ202611200001", at=utc_now()
        )
        escalation = escalation_queries.open_escalation(
            session, sender_id="tg:43", reason="asked", application_id="RZ202611200001", transcript=[]
        )
        post = escalation_post(session, escalation, forum=False)
    assert "RZ202611200001（已核实" in post


def test_the_card_shows_the_applications_latest_status_and_when_it_changed(tmp_path: Path) -> None:
    from datetime import datetime, timezone

    from bot.db.seed import seed_demo_applications
    from bot.status import backoffice

    changed = datetime(2026, 11, 27, 2, 5, tzinfo=timezone.utc)
    with (
        scratch_database("sqlite", tmp_path) as url,
        shared_session_factory(url)() as session,
        session.begin(),
    ):
        seed_demo_applications(session)
        backoffice.set_status(session, "RZ202611200001", "复审中", now=changed)
        escalation = escalation_queries.open_escalation(
            session, sender_id="tg:44", reason="asked", application_id="RZ202611200001", transcript=[]
        )
        unknown = escalation_queries.open_escalation(
            session, sender_id="tg:45", reason="asked", application_id="RZ209911200001", transcript=[]
        )
        post = escalation_post(session, escalation, forum=False)
        unknown_post = escalation_post(session, unknown, forum=False)
    assert "最新状态：复审中（2026年11月27日 10:05 变更，北京时间）" in post
    assert "最新状态" not in unknown_post
