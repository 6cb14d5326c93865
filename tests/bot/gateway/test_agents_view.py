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
