"""Note an applicant message the bot could not answer, for the editors, without ever delaying the reply."""

from __future__ import annotations

import asyncio
import logging

from bot.db.engine import shared_session_factory
from bot.db.unanswered import Reason, record_unanswered
from bot.settings import database_url_from_env

logger = logging.getLogger(__name__)


def note_unanswered_now(text: str | None, reason: Reason, *, database_url: str | None = None) -> bool:
    """Record `text` (masked) in its own transaction; False, logged, when the database failed."""
    try:
        factory = shared_session_factory(database_url or database_url_from_env())
        with factory() as session, session.begin():
            record_unanswered(session, text or "", reason)
        return True
    except Exception as error:  # noqa: BLE001 - best effort: the applicant's reply matters more
        logger.warning("could not record an unanswered question (%s): %s", reason.value, type(error).__name__)
        return False


async def note_unanswered(text: str | None, reason: Reason, *, database_url: str | None = None) -> bool:
    """`note_unanswered_now` off the event loop (actions call this)."""
    return await asyncio.to_thread(note_unanswered_now, text, reason, database_url=database_url)
