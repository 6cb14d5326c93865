"""The gateway's long-lived parts, created in post_init and closed in post_shutdown."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Awaitable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session
from telegram import Bot
from telegram.error import TelegramError

from bot.errors import BotError
from bot.gateway.agents_group import AgentsGroup
from bot.gateway.announcer import Announcer, Pace
from bot.gateway.cards import card_text
from bot.gateway.conversation import Conversations
from bot.gateway.delivery import TelegramDelivery
from bot.gateway.desk import AgentDesk
from bot.gateway.media import APPLICANT_MEDIA
from bot.gateway.notifications import Progress, end_blocked_subscriptions
from bot.gateway.outbox import Outbox
from bot.gateway.rasa_client import RasaClient
from bot.gateway.relay import AGENT_NOTICE, TO_AGENTS, Relay
from bot.gateway.reminders import Reminders
from bot.gateway.resume import Resumer
from bot.gateway.settings import GatewaySettings
from bot.gateway.silence import SilentCases
from bot.gateway.store import Store
from bot.gateway.threads import EscalationThreads
from bot.gateway.waiting import WaitingApplicants
from bot.rate_limit import MessageLimiter

logger = logging.getLogger(__name__)

MAINTENANCE_INTERVAL_S = 1.0
URGENT_IN_GROUP = (TO_AGENTS, APPLICANT_MEDIA, AGENT_NOTICE)
"""Sent to the agents group before cards, summaries, alerts and reminders: applicants' words, command answers."""


@dataclass
class Services:
    """Everything the handlers use."""

    settings: GatewaySettings
    store: Store
    rasa: RasaClient
    agents: AgentsGroup
    outbox: Outbox
    resumer: Resumer
    desk: AgentDesk
    announcer: Announcer
    reminders: Reminders
    conversations: Conversations
    progress: Progress
    relay: Relay
    waiting: WaitingApplicants
    silence: SilentCases
    tasks: list[asyncio.Task[None]] = field(default_factory=list)

    @classmethod
    async def create(cls, bot: Bot, settings: GatewaySettings, store: Store) -> Services:
        """Build the services, each from the ones below it (no background work yet)."""
        rasa = RasaClient(
            settings.rasa_url, auth_token=settings.rasa_auth_token, timeout=settings.rasa_timeout
        )
        agents = await AgentsGroup.current(bot, store, settings.agent_chat_id, allowed=settings.agent_ids)
        threads = EscalationThreads(bot, store, agents)
        relay = Relay(agents)

        def applicant_blocked(session: Session, chat_id: int) -> None:
            relay.applicant_blocked(session, chat_id)
            end_blocked_subscriptions(session, chat_id)

        delivery = TelegramDelivery(
            bot,
            store,
            agents,
            threads,
            on_blocked=applicant_blocked,
            on_failed=relay.reply_failed,
            ended_card=lambda session, escalation, forum: card_text(session, escalation, forum=forum),
        )
        outbox = Outbox(store, delivery, urgent=URGENT_IN_GROUP)
        resumer = Resumer(store, rasa)
        desk = AgentDesk(store, agents, threads, relay, resumer, outbox.wake)
        pace = Pace(cards_per_minute=settings.cards_per_minute, summary_interval=settings.summary_interval)
        announcer = Announcer(store, agents, outbox.wake, pace=pace)
        remind_after = settings.reminder_minutes
        reminders = Reminders(
            store, agents, outbox.wake, after=dt.timedelta(minutes=remind_after) if remind_after else None
        )
        conversations = Conversations(
            bot,
            store,
            rasa,
            outbox,
            relay,
            resumer,
            slow_notice_after=settings.slow_notice_after,
            limiter=MessageLimiter(settings.messages_per_minute),
        )
        waiting = WaitingApplicants(
            store, relay, outbox.wake, after=dt.timedelta(minutes=settings.handoff_wait_minutes)
        )
        silent_after = settings.auto_resolve_minutes
        silence = SilentCases(
            store,
            agents,
            relay,
            resumer,
            outbox.wake,
            after=dt.timedelta(minutes=silent_after) if silent_after else None,
        )
        return cls(
            settings,
            store,
            rasa,
            agents,
            outbox,
            resumer,
            desk,
            announcer,
            reminders,
            conversations,
            Progress(store),
            relay,
            waiting,
            silence,
        )

    def start(self) -> None:
        """Start the outbox sender and the handoff maintenance loop."""
        self.tasks = [
            asyncio.create_task(self.outbox.run(), name="outbox"),
            asyncio.create_task(self._maintain(), name="handoff maintenance"),
        ]

    async def stop(self) -> None:
        """Stop the background work (messages being sent are allowed to finish)."""
        await self.outbox.stop()
        for task in self.tasks:
            task.cancel()
        for task in self.tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def close(self) -> None:
        """Release the clients."""
        await self.rasa.aclose()

    async def _maintain(self) -> None:
        while True:
            try:
                await self.announcer.announce()
                await self.reminders.remind()
                if await self.store.run(self.relay.relay_applicant_alerts):
                    self.outbox.wake()
                await self.waiting.tell()
                await self.silence.end_silent()
                await self.resumer.resume_resolved()
                await self.progress.report()
            except BotError as error:
                logger.warning("handoff maintenance: %s", type(error).__name__)
            except Exception:  # keep the loop alive, log it
                logger.exception("handoff maintenance failed")
            await asyncio.sleep(MAINTENANCE_INTERVAL_S)

    async def agents_group_migrated(self, new_chat_id: int) -> None:
        """The agents group became a supergroup (service message): follow it."""
        logger.warning("the agents group moved to chat %s", new_chat_id)
        await self.agents.migrate(self.store, new_chat_id)
        self.outbox.wake()

    @staticmethod
    async def telegram_best_effort(call: Awaitable[Any]) -> None:
        """Await a Telegram call whose failure does not matter (acknowledging a button, …)."""
        try:
            await call
        except TelegramError as error:
            logger.info("ignored Telegram error: %s", type(error).__name__)
