"""Helpers for the notification tests: an application of one's own, the real back-office CLI, subscriptions."""

from __future__ import annotations

import random
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from bot.db import notification_queries, queries
from bot.db.engine import shared_session_factory
from bot.db.types import utc_now
from bot.settings import PROJECT_ROOT

CREDIT_CODE = "91110108MA01B2C344"
"""A valid unified social credit code (the demo's); its last six characters prove ownership."""
HEADER = "application_id,company_name,credit_code,entity_type,status"


def new_application_id() -> str:
    """An application ID no other test uses (the servers' database is shared by the session)."""
    return f"RZ2099{random.randrange(10**8):08d}"


def back_office(env: dict[str, str], *argv: str) -> str:
    """`python -m bot.status …` as the back office runs it; returns its output (fails the test on an error)."""
    result = subprocess.run(
        [sys.executable, "-m", "bot.status", *argv],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def import_applications(env: dict[str, str], path: Path, rows: dict[str, str]) -> str:
    """Import applications {ID: status} (all with CREDIT_CODE) through the CLI."""
    lines = [
        HEADER,
        *(f"{app_id},测试科技有限公司,{CREDIT_CODE},企业,{status}" for app_id, status in rows.items()),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return back_office(env, "import", str(path))


def subscribe_directly(url: str, conversations: dict[str, str]) -> None:
    """Verified ownership and a subscription for each {conversation: application ID}, as the actions leave them."""
    now = utc_now()
    with shared_session_factory(url)() as session, session.begin():
        for conversation, application_id in conversations.items():
            queries.add_verified_ownership(
                session, sender_id=conversation, application_id=application_id, at=now
            )
            notification_queries.subscribe(
                session, conversation, application_id, now=now, expires_at=now + timedelta(days=90)
            )
