"""What time it is for the bot: Beijing time, fixed by `BOT_TEST_NOW` when tests or a demo need it.

    BOT_TEST_NOW=2026-11-20T12:00:00+08:00 make run     # every ETA is counted from that moment

A value without a time zone is read as Beijing time. Only what applicants read as dates (ETAs)
uses this clock; attempt counting and locks keep the real time.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import datetime

from bot.db.types import BEIJING

TEST_NOW = "BOT_TEST_NOW"


def beijing_now(env: Mapping[str, str] | None = None) -> datetime:
    """Now in Beijing time (aware), or the moment `BOT_TEST_NOW` names."""
    fixed = (os.environ if env is None else env).get(TEST_NOW, "").strip()
    if not fixed:
        return datetime.now(BEIJING)
    moment = datetime.fromisoformat(fixed)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=BEIJING)
    return moment.astimezone(BEIJING)
