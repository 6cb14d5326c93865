"""Reading `getUpdates`: one malformed update never stalls the others.

python-telegram-bot parses a batch of updates all at once; one update it cannot read (a user
without `first_name`, a `date` that is a string, a poll from an older Bot API server) fails the
whole batch, which it logs in full (every user's pending messages) and fetches again, forever:
no Telegram user got an answer. `SafeUpdatesRequest` screens each update of a batch before the
library sees it: an update that cannot be read, or whose chat or user id is not a Telegram id, is
replaced by a bare `{"update_id": …}` (handled as nothing, so the offset moves on) and logged by
its id only. So is a private-chat update whose sender is missing or is not that chat's user (in a
private chat the chat id is the user id; the conversation is `tg:<that id>`).
"""

from __future__ import annotations

import logging
from typing import Any

from telegram import Update
from telegram.request import HTTPXRequest

logger = logging.getLogger(__name__)

MAX_TELEGRAM_ID = 2**53
"""Telegram's user and chat ids fit in 52 bits; anything larger (or not a whole number) is not one."""


def _is_telegram_id(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < abs(value) < MAX_TELEGRAM_ID


def screen_update(raw: Any) -> dict[str, Any] | None:
    """`raw` if it is a readable update with real ids, a bare update with its id if not, None without an id."""
    if not isinstance(raw, dict) or not _is_telegram_id(raw.get("update_id")):
        logger.warning("dropped an update without a valid update_id")
        return None
    try:
        update = Update.de_json(raw, None)
        chat, sender = update.effective_chat, update.effective_user
        ids = [thing.id for thing in (chat, sender) if thing is not None]
        readable = all(_is_telegram_id(value) for value in ids)
        if chat is not None and chat.type == chat.PRIVATE and (sender is None or sender.id != chat.id):
            readable = False
    except Exception as error:  # noqa: BLE001 - any update the library cannot read is skipped alike
        logger.warning("update %s could not be read (%s); skipped", raw["update_id"], type(error).__name__)
        return {"update_id": raw["update_id"]}
    if not readable:
        logger.warning("update %s carried ids that are not a Telegram user's; skipped", raw["update_id"])
        return {"update_id": raw["update_id"]}
    return raw


class SafeUpdatesRequest(HTTPXRequest):
    """The HTTP request object for `getUpdates` only: each update is screened before the batch is parsed."""

    def parse_json_payload(self, payload: bytes) -> dict[str, Any]:  # type: ignore[override]
        """Telegram's answer, with every update in `result` screened (see the module docstring)."""
        data: dict[str, Any] = super().parse_json_payload(payload)
        result = data.get("result") if isinstance(data, dict) else None
        if isinstance(result, list):
            data["result"] = [kept for raw in result if (kept := screen_update(raw)) is not None]
        return data
