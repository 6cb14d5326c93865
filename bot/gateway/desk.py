"""The agents' side of the gateway: each message in the agents group is a command, a reply, or chatter.

A command (bot/gateway/agent_commands.py) or a reply needs a sender who is a member of the group
(bot/gateway/agents_group.py). A reply is a message inside an escalation's thread — its topic,
or a reply to a message the bot posted for it (bot/gateway/threads.py) — and is relayed to the
applicant (bot/gateway/relay.py). Anything else is agents talking among themselves and is left
alone; so are other bots' commands. What a message changes, and the mark that its update was
handled, are written in one transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy.orm import Session
from telegram import Message

from bot.db import escalation_queries, gateway_queries
from bot.db.escalation_models import Escalation
from bot.gateway import texts
from bot.gateway.agent_commands import (
    AGENT_COMMANDS,
    AgentCommand,
    AgentCommands,
    escalation_ids,
    parse_command,
)
from bot.gateway.agents_group import AgentsGroup
from bot.gateway.relay import Relay
from bot.gateway.resume import Resumer
from bot.gateway.store import Store
from bot.gateway.threads import EscalationThreads

logger = logging.getLogger(__name__)

T = TypeVar("T")


class AgentDesk:
    """Handles the agents group's messages; `wake` tells the outbox that rows were queued."""

    def __init__(
        self,
        store: Store,
        agents: AgentsGroup,
        threads: EscalationThreads,
        relay: Relay,
        resumer: Resumer,
        wake: Callable[[], None],
    ) -> None:
        self._store = store
        self._agents = agents
        self._threads = threads
        self._relay = relay
        self._resumer = resumer
        self._wake = wake
        self._commands = AgentCommands(agents, relay)

    async def handle(self, update_id: int, message: Message, bot_username: str | None) -> None:
        """Handle a message in the agents group: a command, a reply in a thread, or chatter (ignored)."""
        user = message.from_user
        if user is None or user.is_bot:
            return
        command = parse_command(message.text, bot_username) if message.text else None
        if (
            message.text
            and message.text.startswith("/")
            and (command is None or command.name not in AGENT_COMMANDS)
        ):
            return  # another bot's command, or one we do not have: never relayed to an applicant
        escalation = await self._escalation_of(message, command)
        if command is None and escalation is None:
            return  # agents talking among themselves
        thread_hint = {"escalation_id": escalation.id} if escalation is not None else {}
        if not await self._agents.is_member(user.id):
            logger.warning("agent command or reply from a non-member (user %s) refused", user.id)
            if command is not None:
                await self._post(update_id, texts.AGENTS_ONLY, **thread_hint)
            return
        agent_name = user.full_name or str(user.id)
        batch = escalation_ids(command.argument) if command is not None and command.name == "resolve" else []
        if command is not None and command.name == "help":
            await self._post(update_id, texts.AGENT_HELP, **thread_hint)
        elif command is not None and command.name == "open":
            await self._post(update_id, await self._store.run(self._commands.open_list), **thread_hint)
        elif len(batch) > 1:  # /resolve 12 13 20-25
            await self._resolve(update_id, batch, agent_name)
        elif escalation is None:
            await self._post(update_id, texts.WHICH_ESCALATION)
        elif command is not None and command.name == "claim":
            await self._finishing(update_id, self._commands.claim, escalation.id, user.id, agent_name)
        elif command is not None and command.name == "resolve":
            await self._resolve(update_id, [escalation.id], agent_name)
        elif message.text:
            await self._finishing(
                update_id, self._relay.from_agent, escalation.id, user.id, agent_name, message.text
            )
        else:
            await self._post(update_id, texts.AGENT_TEXT_ONLY, escalation_id=escalation.id)
        self._wake()

    async def _escalation_of(self, message: Message, command: AgentCommand | None) -> Escalation | None:
        """The escalation a command names by id, else the one whose thread the message is in."""
        if command is not None and command.escalation_id is not None:
            return await self._store.run(escalation_queries.get_escalation, command.escalation_id)
        return await self._threads.escalation_of(message)

    async def _resolve(self, update_id: int, ids: list[int], agent_name: str) -> None:
        # Resumed before the applicant reads "the bot is back".
        for resolved in await self._finishing(update_id, self._commands.resolve, ids, agent_name):
            await self._resumer.resume(resolved.id, resolved.sender_id)

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
