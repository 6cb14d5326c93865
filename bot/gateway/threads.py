"""Escalation threads in the agents group: a forum topic when the group has topics, else a reply chain.

Every agents-group message the outbox sends for an escalation goes into its thread: the topic
(created with the first message), or as a reply to the thread's first message (its root). When
Telegram says the topic or the root is gone, the next message starts a new thread. The other
way round, `escalation_of` tells which escalation an agent's message belongs to: the topic it
was written in, or the bot message it replies to.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from sqlalchemy.orm import Session
from telegram import Bot, Message, MessageId, ReplyParameters
from telegram.error import BadRequest, TelegramError

from bot.db import escalation_queries, gateway_queries
from bot.db.escalation_models import Escalation, EscalationStatus
from bot.db.gateway_models import OutboxMessage
from bot.gateway.agents_group import AgentsGroup
from bot.gateway.cards import topic_name
from bot.gateway.purposes import CARD
from bot.gateway.store import Store

NOT_MODIFIED = "TOPIC_NOT_MODIFIED"
logger = logging.getLogger(__name__)
_TOPIC_ID = re.compile(r"#([0-9]{1,12})\b", re.ASCII)


class EscalationThreads:
    """Places an escalation's messages in its thread (the outbox's `Threads`), and finds a message's thread."""

    def __init__(self, bot: Bot, store: Store, agents: AgentsGroup) -> None:
        self._bot = bot
        self._store = store
        self._agents = agents

    async def placement(self, row: OutboxMessage) -> dict[str, Any]:
        """Extra send_message arguments: the escalation's topic, or a reply to its first message."""
        escalation = await self._store.run(escalation_queries.get_escalation, row.escalation_id)
        if escalation is None:
            return {}
        if await self._agents.forum():
            topic_id = escalation.topic_id
            if topic_id is None:
                name = await self._store.run(topic_name, escalation)
                topic = await self._bot.create_forum_topic(self._agents.chat_id, name)
                topic_id = topic.message_thread_id
                await self._store.run(escalation_queries.set_thread, escalation.id, topic_id=topic_id)
            return {"message_thread_id": topic_id}
        if escalation.root_message_id is None:
            return {}
        return {
            "reply_parameters": ReplyParameters(
                message_id=escalation.root_message_id, allow_sending_without_reply=True
            )
        }

    async def sent(self, row: OutboxMessage, message: Message | MessageId) -> None:
        """The first message of a reply-chain thread becomes its root, once the card is out: a card posted
        later (an escalation only in a summary) must not hang under an applicant's line or a notice."""
        if self._agents.is_forum:
            return

        def set_root(session: Session) -> None:
            escalation = escalation_queries.get_escalation(session, row.escalation_id)
            if escalation is None or escalation.root_message_id is not None:
                return
            card_out = gateway_queries.sent_message_id(session, row.chat_id, escalation.id, CARD) is not None
            if row.purpose == CARD or card_out:
                escalation.root_message_id = message.message_id

        await self._store.run(set_root)

    async def lost(self, row: OutboxMessage) -> None:
        """The topic was deleted or the root message is gone: the next message starts a new thread."""
        await self._store.run(escalation_queries.set_thread, row.escalation_id)

    async def closed(self, row: OutboxMessage) -> None:
        """`row`'s topic is closed: reopened while its escalation is active, else `row` goes outside it."""
        escalation = await self._store.run(escalation_queries.get_escalation, row.escalation_id)
        if (
            escalation is None
            or escalation.status == EscalationStatus.RESOLVED
            or escalation.topic_id is None
        ):
            await self._store.run(gateway_queries.detach_from_thread, row.id)
            return
        try:
            await self._bot.reopen_forum_topic(self._agents.chat_id, escalation.topic_id)
        except TelegramError as error:
            logger.warning(
                "could not reopen the topic of escalation %s (%s); a new one", escalation.id, error
            )
            await self._store.run(escalation_queries.set_thread, escalation.id)

    async def rename(self, row: OutboxMessage) -> int | None:
        """Rename the escalation's topic to `row.text`; close it once the escalation ended. None: no topic."""
        escalation = await self._store.run(escalation_queries.get_escalation, row.escalation_id)
        if escalation is None or escalation.topic_id is None or not await self._agents.forum():
            return None
        try:
            await self._bot.edit_forum_topic(self._agents.chat_id, escalation.topic_id, name=row.text)
        except BadRequest as error:
            if NOT_MODIFIED not in str(error).upper():
                raise
        if escalation.status == EscalationStatus.RESOLVED:
            try:
                await self._bot.close_forum_topic(self._agents.chat_id, escalation.topic_id)
            except BadRequest as error:
                if NOT_MODIFIED not in str(error).upper():
                    raise
        return escalation.topic_id

    async def escalation_of(self, message: Message) -> Escalation | None:
        """The escalation whose thread `message` was written in.

        Its topic, or a reply to a message of its thread: one the bot posted, or an agent's message
        relayed from it (so a reply to a colleague counts too). A reply can come before the gateway
        has recorded the message it answers (Telegram accepted it a moment ago): then the text of the
        message being sent, or the topic's name (#12 …), tells the escalation.
        """
        chat_id = self._agents.chat_id
        if message.is_topic_message and message.message_thread_id:
            found = await self._store.run(escalation_queries.escalation_by_topic, message.message_thread_id)
            if found is not None:
                return found
        replied = message.reply_to_message
        if replied is None:
            return None
        escalation_id = await self._store.run(
            gateway_queries.escalation_of_sent_message, chat_id, replied.message_id
        )
        if escalation_id is None:
            escalation_id = await self._store.run(
                gateway_queries.escalation_of_thread_message, chat_id, replied.message_id
            )
        if escalation_id is None and replied.text:
            escalation_id = await self._store.run(
                gateway_queries.escalation_of_unsent_text, chat_id, replied.text
            )
        if escalation_id is None and replied.forum_topic_created is not None:
            named = topic_escalation_id(replied.forum_topic_created.name)
            found = await self._store.run(escalation_queries.get_escalation, named) if named else None
            # A topic of another name, or one that is not this escalation's, is not its thread.
            return (
                found if found is not None and found.topic_id in (None, message.message_thread_id) else None
            )
        if escalation_id is None:
            return None
        return await self._store.run(escalation_queries.get_escalation, escalation_id)


def topic_escalation_id(topic_name: str) -> int | None:
    """The escalation a topic the gateway named (texts.TOPIC_TITLE: `#12 …`) belongs to."""
    match = _TOPIC_ID.match(topic_name)
    return int(match.group(1)) if match is not None else None
