"""The agents' side of the gateway: each message in the agents group is a command, a reply, or chatter.

A command (bot/gateway/agent_commands.py), a card's button, or a reply needs a sender who is a
member of the group, and on TELEGRAM_AGENT_IDS when set (bot/gateway/agents_group.py); an anonymous admin writes as the group itself
and counts as one. A reply is a message inside an escalation's thread — its topic, or a reply to a
message of it: one the bot posted, or an agent's message relayed from it (bot/gateway/threads.py)
— and is relayed to the applicant (bot/gateway/relay.py); a photo or document is copied to a
Telegram applicant with its caption. Every message that looks meant for an
applicant and is not relayed gets a notice saying why (a reply to the /open list, to a summary,
in an ended escalation's thread). A message starting with `//` is an internal note and stays in
the group. Anything else is agents talking among themselves and is left alone; so are other
bots' commands. What a message changes, and the mark that its update was
handled, are written in one transaction.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy.orm import Session
from telegram import CallbackQuery, Message, MessageEntity, User
from telegram.error import TelegramError

from bot.db import escalation_queries, gateway_queries
from bot.db.escalation_models import Escalation, EscalationStatus
from bot.gateway import texts
from bot.gateway.agent_commands import (
    AGENT_COMMANDS,
    AGENT_USERNAME_KEY,
    ID_COMMANDS,
    KNOWN_AGENT_KEY,
    Agent,
    AgentCommand,
    AgentCommands,
    escalation_ids,
    parse_command,
)
from bot.gateway.agents_group import AgentsGroup
from bot.gateway.cards import BUTTON_PREFIX, queue_card_update
from bot.gateway.relay import Relay
from bot.gateway.report import DEFAULT_WEEKS
from bot.gateway.resume import Resumer
from bot.gateway.saved_replies import SavedReplies
from bot.gateway.store import Store
from bot.gateway.threads import EscalationThreads

logger = logging.getLogger(__name__)

T = TypeVar("T")
CALLBACK_ANSWER_LIMIT = 200
INTERNAL_NOTE = "//"
"""A message starting with this stays in the agents group, even inside a case's thread."""
_BUTTON = re.compile(r"(claim|takeover|resolve):([0-9]{1,12})", re.ASCII)


def agent_of(message: Message, agents_chat_id: int) -> Agent | None:
    """Who wrote `message` as an agent: its user, or the group itself for an anonymous admin; None for bots."""
    user = message.from_user
    if message.sender_chat is not None and message.sender_chat.id == agents_chat_id:
        return Agent(agents_chat_id, texts.ANONYMOUS_ADMIN)  # only admins can write as the group
    if user is None or user.is_bot or message.sender_chat is not None:
        return None  # another bot, or a channel writing in the group
    return Agent(user.id, user.full_name or str(user.id))


class AgentDesk:
    """Handles the agents group's messages and card buttons; `wake` tells the outbox that rows were queued."""

    def __init__(
        self,
        store: Store,
        agents: AgentsGroup,
        threads: EscalationThreads,
        relay: Relay,
        resumer: Resumer,
        wake: Callable[[], None],
        saved_replies: SavedReplies | None = None,
    ) -> None:
        self._store = store
        self._agents = agents
        self._threads = threads
        self._relay = relay
        self._resumer = resumer
        self._wake = wake
        self._commands = AgentCommands(agents, relay, saved_replies)
        self._known: dict[str, str] = {}

    async def handle(self, update_id: int, message: Message, bot_username: str | None) -> None:
        """Handle a message in the agents group: a command, a reply in a thread, or chatter (ignored)."""
        agent = agent_of(message, self._agents.chat_id)
        if agent is None:
            return
        command = parse_command(message.text, bot_username) if message.text else None
        if (
            message.text
            and message.text.startswith("/")
            and (command is None or command.name not in AGENT_COMMANDS)
        ):
            return  # another bot's command, or one we do not have: never relayed to an applicant
        if command is None and (message.text or message.caption or "").lstrip().startswith(INTERNAL_NOTE):
            return  # agents talking about a case inside its thread, on purpose
        escalation = await self._escalation_of(message, command)
        if command is None and escalation is None:
            if _replies_to_bot(message, bot_username) and await self._is_agent(agent):
                await self._post(update_id, texts.NOT_RELAYED_REPLY_TO_BOT)
            return  # otherwise agents talking among themselves
        thread_hint = {"escalation_id": escalation.id} if escalation is not None else {}
        if not await self._is_agent(agent):
            logger.warning("agent command or reply from a non-member (user %s) refused", agent.id)
            if command is not None:
                await self._post(update_id, texts.AGENTS_ONLY, **thread_hint)
            return
        if message.from_user is not None and agent.id == message.from_user.id:
            await self._remember(message.from_user)
        if command is not None:
            await self._command(update_id, message, command, escalation, agent)
        elif escalation is not None and message.text:
            await self._finishing(
                update_id, self._reply, escalation.id, agent, message.message_id, message.text
            )
        elif escalation is not None and (message.photo or message.document):
            await self._finishing(
                update_id,
                self._relay_media,
                escalation.id,
                agent,
                message.message_id,
                message.caption or "",
            )
        elif escalation is not None:
            await self._post(update_id, texts.AGENT_TEXT_ONLY, escalation_id=escalation.id)
        self._wake()

    async def _command(
        self,
        update_id: int,
        message: Message,
        command: AgentCommand,
        escalation: Escalation | None,
        agent: Agent,
    ) -> None:
        thread_hint = {"escalation_id": escalation.id} if escalation is not None else {}
        if command.bad_argument:
            await self._post(update_id, command.refusal(), **thread_hint)
            return
        batch = escalation_ids(command.argument) if command.name == "resolve" else []
        if command.name == "help":
            await self._post(update_id, texts.AGENT_HELP, **thread_hint)
        elif command.name == "open":
            page = int(command.argument) if command.argument else 1
            await self._post(update_id, await self._store.run(self._commands.open_list, page), **thread_hint)
        elif command.name == "report":
            weeks = int(command.argument) if command.argument else DEFAULT_WEEKS
            await self._post(update_id, await self._store.run(self._commands.report, weeks), **thread_hint)
        elif command.name == "mine":
            await self._post(update_id, await self._store.run(self._commands.mine, agent), **thread_hint)
        elif command.name == "reply" and (answer := self._commands.saved_reply_help(command.reply_name)):
            await self._post(update_id, answer, **thread_hint)  # the list, or no such name
        elif len(batch) > 1:  # /resolve 12 13 20-25
            await self._resolve(update_id, batch, agent)
        elif escalation is None and command.escalation_id is not None:
            await self._post(update_id, texts.NOT_ACTIVE.format(id=command.escalation_id))
        elif escalation is None:
            await self._post(update_id, texts.WHICH_ESCALATION.format(example=command.usage_example()))
        elif command.name == "claim":
            await self._finishing(update_id, self._commands.claim, escalation.id, agent)
        elif command.name == "takeover":
            await self._finishing(update_id, self._commands.takeover, escalation.id, agent)
        elif command.name == "assign":
            await self._assign(update_id, message, command, escalation, agent)
        elif command.name == "resolve":
            await self._resolve(update_id, [escalation.id], agent)
        elif command.name == "reply":
            await self._finishing(
                update_id, self._commands.send_saved_reply, escalation.id, agent, command.reply_name
            )

    async def edited(self, update_id: int, message: Message) -> None:
        """An agent edited a message in a case's thread: the applicant keeps the first version, say so."""
        agent = agent_of(message, self._agents.chat_id)
        if agent is None or (message.text or message.caption or "").lstrip().startswith(INTERNAL_NOTE):
            return
        escalation = await self._escalation_of(message, None)
        if escalation is None or not await self._is_agent(agent):
            return
        await self._post(update_id, texts.AGENT_EDIT_NOT_SENT, escalation_id=escalation.id)

    async def button(self, update_id: int, query: CallbackQuery) -> None:
        """A card's button (接手 / 改由我接手 / 结束): the same as the command, answered with a short note."""
        match = _BUTTON.fullmatch((query.data or "").removeprefix(BUTTON_PREFIX))
        agent = Agent(query.from_user.id, query.from_user.full_name or str(query.from_user.id))
        if match is None:
            await self._answer(query, texts.BUTTON_EXPIRED)
            return
        if not await self._is_agent(agent):
            await self._answer(query, texts.AGENTS_ONLY)
            return
        await self._remember(query.from_user)
        action, escalation_id = match.group(1), int(match.group(2))
        if not await self._store.run(_is_active, escalation_id):  # an ended case's card: the popup says so
            await self._finishing(update_id, _is_active, escalation_id)
            await self._answer(query, texts.NOT_ACTIVE.format(id=escalation_id))
            return
        if action == "claim":
            note = await self._finishing(update_id, self._commands.claim, escalation_id, agent)
        elif action == "takeover":
            note = await self._finishing(update_id, self._commands.takeover, escalation_id, agent)
        else:
            resolved = await self._finishing(update_id, self._commands.resolve, [escalation_id], agent)
            template = texts.RESOLVED_BY if resolved else texts.NOT_ACTIVE
            await self._answer(query, template.format(id=escalation_id, agent=agent.name))
            for escalation in resolved:  # after the answer (Rasa may be slow), before the applicant is told
                await self._resumer.resume(escalation.id, escalation.sender_id)
            self._wake()
            return
        self._wake()
        await self._answer(query, note)

    async def _answer(self, query: CallbackQuery, text: str) -> None:
        try:
            await query.answer(text=text[:CALLBACK_ANSWER_LIMIT])
        except TelegramError as error:
            logger.info("could not answer a card button (%s)", type(error).__name__)

    def _reply(self, session: Session, escalation_id: int, agent: Agent, message_id: int, text: str) -> None:
        """Relay an agent's reply; remember the message (a colleague may reply to it); update the card."""
        escalation = escalation_queries.get_escalation(session, escalation_id)
        was_open = escalation is not None and escalation.status == EscalationStatus.OPEN
        self._relay.from_agent(session, escalation_id, agent.id, agent.name, text)
        gateway_queries.remember_thread_message(session, self._agents.chat_id, message_id, escalation_id)
        if escalation is not None and was_open and escalation.status == EscalationStatus.CLAIMED:
            queue_card_update(session, self._agents.chat_id, escalation, forum=bool(self._agents.is_forum))

    def _relay_media(
        self, session: Session, escalation_id: int, agent: Agent, message_id: int, caption: str
    ) -> None:
        """Copy an agent's photo or document to the applicant; remember it (a colleague may reply to it)."""
        escalation = escalation_queries.get_escalation(session, escalation_id)
        was_open = escalation is not None and escalation.status == EscalationStatus.OPEN
        self._relay.media_from_agent(session, escalation_id, agent.id, agent.name, message_id, caption)
        gateway_queries.remember_thread_message(session, self._agents.chat_id, message_id, escalation_id)
        if escalation is not None and was_open and escalation.status == EscalationStatus.CLAIMED:
            queue_card_update(session, self._agents.chat_id, escalation, forum=bool(self._agents.is_forum))

    async def _assign(
        self, update_id: int, message: Message, command: AgentCommand, escalation: Escalation, by: Agent
    ) -> None:
        assignee = await self._assignee(message, command)
        if assignee is None:
            await self._post(update_id, texts.ASSIGN_WHO, escalation_id=escalation.id)
        elif not await self._agents.is_member(assignee.id):
            await self._post(
                update_id, texts.ASSIGN_NOT_MEMBER.format(agent=assignee.name), escalation_id=escalation.id
            )
        else:
            await self._finishing(update_id, self._commands.takeover, escalation.id, assignee, by)

    async def _assignee(self, message: Message, command: AgentCommand) -> Agent | None:
        """Whom `/assign` names: a mention, a known @username, or the author of the message it replies to."""
        for entity in message.entities:
            if entity.type == MessageEntity.TEXT_MENTION and entity.user is not None:
                return Agent(entity.user.id, entity.user.full_name)
        username = command.assignee_username
        if username is not None:
            known = await self._store.run(
                gateway_queries.get_state, KNOWN_AGENT_KEY.format(username=username.lower())
            )
            if known is None:
                return None
            user_id, _, name = known.partition(" ")
            return Agent(int(user_id), name or f"@{username}")
        replied = message.reply_to_message
        if replied is not None and replied.from_user is not None and not replied.from_user.is_bot:
            return Agent(replied.from_user.id, replied.from_user.full_name)
        return None

    async def _remember(self, user: User) -> None:
        """Remember a member's @username for /assign (written only when it changed)."""
        if not user.username:
            return
        key = KNOWN_AGENT_KEY.format(username=user.username.lower())
        value = f"{user.id} {user.full_name}"[:200]
        if self._known.get(key) != value:

            def remember(session: Session) -> None:
                gateway_queries.set_state(session, key, value)
                gateway_queries.set_state(
                    session, AGENT_USERNAME_KEY.format(user_id=user.id), f"@{user.username}"
                )

            await self._store.run(remember)
            self._known[key] = value

    async def _is_agent(self, agent: Agent) -> bool:
        return agent.id == self._agents.chat_id or await self._agents.is_member(agent.id)

    async def _escalation_of(self, message: Message, command: AgentCommand | None) -> Escalation | None:
        """The escalation a command names by id, else the one whose thread the message is in."""
        if command is not None and command.name in ID_COMMANDS and command.escalation_id is not None:
            return await self._store.run(escalation_queries.get_escalation, command.escalation_id)
        return await self._threads.escalation_of(message)

    async def _resolve(self, update_id: int, ids: list[int], agent: Agent) -> list[Escalation]:
        # Resumed before the applicant reads "the bot is back".
        resolved = await self._finishing(update_id, self._commands.resolve, ids, agent)
        for escalation in resolved:
            await self._resumer.resume(escalation.id, escalation.sender_id)
        return resolved

    async def _post(self, update_id: int, text: str, escalation_id: int | None = None) -> None:
        await self._finishing(update_id, self._commands.post, text, escalation_id)
        self._wake()

    async def _finishing(self, update_id: int, fn: Callable[..., T], *args: Any) -> T:
        """Run `fn(session, *args)` and mark the update handled, in one transaction."""

        def run(session: Session) -> T:
            result = fn(session, *args)
            gateway_queries.finish_update(session, update_id)
            return result

        return await self._store.run(run)


def _is_active(session: Session, escalation_id: int) -> bool:
    """Whether the escalation exists and has not ended."""
    escalation = escalation_queries.get_escalation(session, escalation_id)
    return escalation is not None and escalation.status != EscalationStatus.RESOLVED


def _replies_to_bot(message: Message, bot_username: str | None) -> bool:
    """Whether `message` answers one of the bot's own messages (not a topic's opening service message)."""
    replied = message.reply_to_message
    if replied is None or replied.forum_topic_created is not None or replied.from_user is None:
        return False
    return replied.from_user.is_bot and bool(bot_username) and replied.from_user.username == bot_username
