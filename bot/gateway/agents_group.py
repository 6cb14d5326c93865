"""The agents group: its current chat id (followed when it becomes a supergroup), topics or not, its members.

Only members of the group may use agent commands or reply to applicants; membership is asked of
Telegram and remembered for MEMBER_CACHE_S. With an allowlist (TELEGRAM_AGENT_IDS) a member must
also be on it: other members of the group are not agents. The group's id changes once if Telegram migrates it
to a supergroup; the new id is remembered in the database (`gateway_state`) across restarts.
"""

from __future__ import annotations

import logging
import time

from sqlalchemy.orm import Session
from telegram import Bot, ChatMember
from telegram.error import TelegramError

from bot.db import gateway_queries
from bot.gateway.store import Store

logger = logging.getLogger(__name__)

MEMBER_CACHE_S = 60.0
MEMBER_STATUSES = {ChatMember.OWNER, ChatMember.ADMINISTRATOR, ChatMember.MEMBER}
MIGRATED_KEY = "agents_group_migrated_from:{configured}"


class AgentsGroup:
    """The agents group as the gateway knows it now; one instance shared by every part of the gateway."""

    def __init__(self, bot: Bot, chat_id: int, *, allowed: frozenset[int] | None = None) -> None:
        """`allowed`: the only user ids that count as agents (None: every member)."""
        self._bot = bot
        self.chat_id = chat_id
        self._allowed = allowed
        self.is_forum: bool | None = None
        """Whether the group has topics, once asked (`forum()`); None until then."""
        self._members: dict[int, tuple[bool, float]] = {}

    @classmethod
    async def current(
        cls, bot: Bot, store: Store, configured: int, *, allowed: frozenset[int] | None = None
    ) -> AgentsGroup:
        """The configured group, followed through any migration recorded earlier."""
        chat_id = configured
        for _ in range(3):  # a group migrates at most once; guard against loops anyway
            moved = await store.run(gateway_queries.get_state, MIGRATED_KEY.format(configured=chat_id))
            if moved is None:
                break
            chat_id = int(moved)
        return cls(bot, chat_id, allowed=allowed)

    async def forum(self) -> bool:
        """Whether the agents group has topics (asked once, then remembered)."""
        if self.is_forum is None:
            try:
                chat = await self._bot.get_chat(self.chat_id)
            except TelegramError as error:
                logger.warning(
                    "cannot read the agents group (%s); reply chains for now", type(error).__name__
                )
                return False
            self.is_forum = bool(getattr(chat, "is_forum", False))
        return self.is_forum

    async def is_member(self, user_id: int) -> bool:
        """Whether `user_id` is an agent: on the allowlist if there is one, and a member of the group
        (asked Telegram, cached briefly)."""
        if self._allowed is not None and user_id not in self._allowed:
            return False
        cached = self._members.get(user_id)
        if cached is not None and cached[1] > time.monotonic():
            return cached[0]
        try:
            member = await self._bot.get_chat_member(self.chat_id, user_id)
        except TelegramError as error:
            logger.warning("cannot check agents-group membership (%s)", type(error).__name__)
            return False
        allowed = member.status in MEMBER_STATUSES or (
            member.status == ChatMember.RESTRICTED and bool(getattr(member, "is_member", False))
        )
        self._members[user_id] = (allowed, time.monotonic() + MEMBER_CACHE_S)
        return allowed

    async def migrate(self, store: Store, new_chat_id: int) -> None:
        """The group became a supergroup: remember its new id (across restarts), move its pending messages."""
        old_chat_id = self.chat_id

        def move(session: Session) -> None:
            gateway_queries.set_state(session, MIGRATED_KEY.format(configured=old_chat_id), str(new_chat_id))
            gateway_queries.retarget_chat(session, old_chat_id, new_chat_id)

        await store.run(move)
        self.chat_id = new_chat_id
        self.is_forum = None
