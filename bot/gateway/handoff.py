"""The agents group: escalation threads, relays both ways, and the agents' commands.

A thread is a forum topic when the group has topics, otherwise a reply chain under the
escalation's first message. Agents reply inside the topic, or by replying to any message the
bot posted for that escalation. Commands: /claim, /resolve (tells the applicant, then resumes
the Rasa conversation; `/resolve 12 13 20-25` ends several at once), /open. Only members of the
agents group may use them. Escalations are announced by bot/gateway/announcer.py; one announced
in a summary gets its card (and so its thread) when an agent claims it.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session
from telegram import Bot, ChatMember, Message, ReplyParameters, User
from telegram.error import TelegramError

from bot import identity
from bot.db import escalation_queries, gateway_queries
from bot.db.escalation_models import Escalation, EscalationStatus
from bot.db.gateway_models import OutboxMessage
from bot.db.types import utc_now
from bot.errors import UpstreamUnavailable
from bot.gateway import texts
from bot.gateway.outbox import AgentsGroup, Outbox
from bot.gateway.rasa_client import RasaClient
from bot.gateway.store import Store
from bot.message_length import split_text
from bot.handoff import parse_transcript
from bot.privacy import mask

logger = logging.getLogger(__name__)

MEMBER_CACHE_S = 60.0
RESUME_RETRY_S = 10.0
RESUME_GRACE_S = 10.0
"""The maintenance loop leaves a just-resolved escalation to the /resolve that is resuming it."""
MEMBER_STATUSES = {ChatMember.OWNER, ChatMember.ADMINISTRATOR, ChatMember.MEMBER}
AGENT_COMMANDS = ("claim", "resolve", "open", "help")
TOPIC_NAME_LIMIT = 128
MAX_BATCH = 200
"""At most this many escalations in one `/resolve 12 13 20-25`."""
_COMMAND = re.compile(r"^/([A-Za-z_]+)(?:@([A-Za-z0-9_]+))?(?:\s+(.*))?$", re.DOTALL)
_ID_OR_RANGE = re.compile(r"#?(\d{1,12})(?:-#?(\d{1,12}))?")


def display_name(user: User) -> str:
    """How agents see an applicant: full name, @username (personal data masked) and id."""
    parts = [mask(user.full_name or "")]
    if user.username:
        parts.append(f"@{mask(user.username)}")
    parts.append(f"id {user.id}")
    return " ".join(part for part in parts if part)


def applicant_chat_id(sender_id: str) -> int | None:
    """The private chat of a Telegram applicant (conversation `tg:<user id>`), or None for other channels."""
    return identity.telegram_user_id(sender_id)


def applicant_label(session: Session, escalation: Escalation, *, short_sender: int | None = None) -> str:
    """Who asked, as agents see it; `short_sender` cuts a non-Telegram sender id for one-line lists."""
    chat_id = applicant_chat_id(escalation.sender_id)
    chat = gateway_queries.get_chat(session, chat_id) if chat_id is not None else None
    if chat is None:
        if short_sender is not None:
            return texts.OTHER_CHANNEL_SHORT.format(sender=mask(escalation.sender_id)[:short_sender])
        return texts.NOT_TELEGRAM_USER.format(sender=mask(escalation.sender_id))
    return chat.display_name or texts.UNKNOWN_APPLICANT.format(sender=mask(escalation.sender_id))


def escalation_post(session: Session, escalation: Escalation, *, forum: bool) -> str:
    """The announcement agents see: who, why, application ID, masked last turns."""
    lines = [
        f"{texts.ROLES.get(line.get('role', ''), line.get('role', ''))}：{line.get('text', '')}"
        for line in parse_transcript(escalation.transcript)
    ]
    return texts.ESCALATION_POST.format(
        id=escalation.id,
        who=applicant_label(session, escalation),
        reason=texts.REASONS.get(escalation.reason, escalation.reason),
        application_id=escalation.application_id or texts.NO_APPLICATION_ID,
        transcript="\n".join(lines) or texts.NO_TRANSCRIPT,
        how_to=texts.HOW_TO_REPLY_TOPIC if forum else texts.HOW_TO_REPLY_CHAIN,
    )


@dataclass(frozen=True)
class AgentCommand:
    """A command an agent typed in the agents group."""

    name: str
    argument: str


def parse_command(text: str, bot_username: str | None) -> AgentCommand | None:
    """`/resolve 12` or `/resolve@ThisBot` → AgentCommand; commands for other bots → None."""
    match = _COMMAND.match(text.strip())
    if match is None:
        return None
    name, addressee, argument = match.group(1).lower(), match.group(2), (match.group(3) or "").strip()
    if addressee and bot_username and addressee.lower() != bot_username.lower():
        return None
    return AgentCommand(name, argument)


def escalation_ids(argument: str) -> list[int]:
    """`12`, `#12`, `12 13`, `12,13`, `20-25` → the ids in order; [] when the argument is anything else."""
    ids: list[int] = []
    for part in re.split(r"[\s,，、]+", argument.strip()):
        match = _ID_OR_RANGE.fullmatch(part)
        if match is None:
            return []
        first = int(match.group(1))
        last = int(match.group(2) or first)
        if last < first or last - first >= MAX_BATCH:
            return []
        ids.extend(range(first, last + 1))
    return list(dict.fromkeys(ids))[:MAX_BATCH]


class Handoff:
    """Escalation threads in the agents group, relays both ways, agent commands, resuming Rasa."""

    def __init__(self, bot: Bot, store: Store, rasa: RasaClient, agents: AgentsGroup) -> None:
        self._bot = bot
        self._store = store
        self._rasa = rasa
        self._agents = agents
        self._members: dict[int, tuple[bool, float]] = {}
        self._next_resume_retry = 0.0
        self.outbox: Outbox | None = None

    def _wake(self) -> None:
        if self.outbox is not None:
            self.outbox.wake()

    # --- periodic work ------------------------------------------------------------------------

    async def is_forum(self) -> bool:
        """Whether the agents group has topics (asked once, then remembered)."""
        if self._agents.is_forum is None:
            try:
                chat = await self._bot.get_chat(self._agents.chat_id)
            except TelegramError as error:
                logger.warning("cannot read the agents group (%s); reply chains for now", type(error).__name__)
                return False
            self._agents.is_forum = bool(getattr(chat, "is_forum", False))
        return self._agents.is_forum

    async def resume_resolved(self) -> None:
        """Resume Rasa for resolved escalations not resumed yet (Rasa may have been down)."""
        if time.monotonic() < self._next_resume_retry:
            return
        resolved_before = utc_now() - dt.timedelta(seconds=RESUME_GRACE_S)
        for escalation in await self._store.run(escalation_queries.unresumed_escalations, resolved_before):
            if not await self.resume(escalation.id, escalation.sender_id):
                self._next_resume_retry = time.monotonic() + RESUME_RETRY_S
                return

    async def resume(self, escalation_id: int, sender_id: str) -> bool:
        """Give the conversation back to Rasa; False (and retried later) when Rasa does not answer."""
        try:
            await self._rasa.resume(sender_id)
        except UpstreamUnavailable as error:
            logger.warning("could not resume the conversation of escalation %s: %s", escalation_id, error)
            return False
        await self._store.run(escalation_queries.mark_resumed, escalation_id)
        logger.info("escalation %s resolved and the bot resumed", escalation_id)
        return True

    # --- threads (used by the outbox) ----------------------------------------------------------

    async def placement(self, row: OutboxMessage) -> dict[str, Any]:
        """Put an escalation's message in its topic, or reply to its first message."""
        escalation = await self._store.run(escalation_queries.get_escalation, row.escalation_id)
        if escalation is None:
            return {}
        if await self.is_forum():
            topic_id = escalation.topic_id
            if topic_id is None:
                name = texts.TOPIC_NAME.format(
                    id=escalation.id, reason=texts.REASONS.get(escalation.reason, escalation.reason)
                )[:TOPIC_NAME_LIMIT]
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

    async def sent(self, row: OutboxMessage, message: Message) -> None:
        """The first message of a reply-chain thread becomes its root."""
        if self._agents.is_forum:
            return

        def set_root(session: Session) -> None:
            escalation = escalation_queries.get_escalation(session, row.escalation_id)
            if escalation is not None and escalation.root_message_id is None:
                escalation.root_message_id = message.message_id

        await self._store.run(set_root)

    async def lost(self, row: OutboxMessage) -> None:
        """The topic was deleted or the root message is gone: the next message starts a new thread."""
        await self._store.run(escalation_queries.set_thread, row.escalation_id)

    async def applicant_blocked(self, chat_id: int) -> None:
        """Tell the agents when an applicant with an active escalation blocked the bot."""

        def note(session: Session) -> None:
            escalation = escalation_queries.active_escalation(session, identity.telegram(chat_id))
            if escalation is not None:
                gateway_queries.enqueue_message(
                    session,
                    self._agents.chat_id,
                    texts.APPLICANT_BLOCKED.format(id=escalation.id),
                    purpose="agent_notice",
                    escalation_id=escalation.id,
                )

        await self._store.run(note)
        self._wake()

    # --- the applicant's side ----------------------------------------------------------------

    def relay_from_applicant(self, session: Session, escalation: Escalation, text: str | None) -> None:
        """Queue an applicant's message (masked) for the escalation's thread; None means non-text."""
        body = (
            texts.APPLICANT_SAYS.format(id=escalation.id, text=mask(text))
            if text is not None
            else texts.APPLICANT_SENT_MEDIA.format(id=escalation.id)
        )
        gateway_queries.enqueue_message(
            session, self._agents.chat_id, body, purpose="relay_to_agents", escalation_id=escalation.id
        )

    # --- the agents' side ----------------------------------------------------------------------

    async def is_agent(self, user_id: int) -> bool:
        """Whether `user_id` is a member of the agents group (asked Telegram, cached briefly)."""
        cached = self._members.get(user_id)
        if cached is not None and cached[1] > time.monotonic():
            return cached[0]
        try:
            member = await self._bot.get_chat_member(self._agents.chat_id, user_id)
        except TelegramError as error:
            logger.warning("cannot check agents-group membership (%s)", type(error).__name__)
            return False
        allowed = member.status in MEMBER_STATUSES or (
            member.status == ChatMember.RESTRICTED and bool(getattr(member, "is_member", False))
        )
        self._members[user_id] = (allowed, time.monotonic() + MEMBER_CACHE_S)
        return allowed

    async def _thread_of(self, message: Message, command: AgentCommand | None) -> Escalation | None:
        if command is not None and command.argument.lstrip("#").isdigit():
            return await self._store.run(escalation_queries.get_escalation, int(command.argument.lstrip("#")))
        if message.is_topic_message and message.message_thread_id:
            found = await self._store.run(escalation_queries.escalation_by_topic, message.message_thread_id)
            if found is not None:
                return found
        if message.reply_to_message is not None:
            escalation_id = await self._store.run(
                gateway_queries.escalation_of_sent_message, self._agents.chat_id, message.reply_to_message.message_id
            )
            if escalation_id is not None:
                return await self._store.run(escalation_queries.get_escalation, escalation_id)
        return None

    async def agent_message(self, update_id: int, message: Message, bot_username: str | None) -> None:
        """Handle a message in the agents group: a command, a reply in a thread, or chatter (ignored)."""
        user = message.from_user
        if user is None or user.is_bot:
            return
        command = parse_command(message.text, bot_username) if message.text else None
        if message.text and message.text.startswith("/") and (command is None or command.name not in AGENT_COMMANDS):
            return  # another bot's command, or one we do not have: never relayed to an applicant
        escalation = await self._thread_of(message, command)
        if command is None and escalation is None:
            return  # agents talking among themselves
        thread_hint = {"escalation_id": escalation.id} if escalation is not None else {}
        if not await self.is_agent(user.id):
            logger.warning("agent command or reply from a non-member (user %s) refused", user.id)
            if command is not None:
                await self._post(update_id, texts.AGENTS_ONLY, **thread_hint)
            return
        agent_name = user.full_name or str(user.id)
        batch = escalation_ids(command.argument) if command is not None and command.name == "resolve" else []
        if command is not None and command.name == "help":
            await self._post(update_id, texts.AGENT_HELP, **thread_hint)
        elif command is not None and command.name == "open":
            await self._post(update_id, await self._store.run(_open_list), **thread_hint)
        elif len(batch) > 1:  # /resolve 12 13 20-25
            for resolved in await self._store.run(self._resolve, update_id, batch, agent_name):
                await self.resume(resolved.id, resolved.sender_id)
        elif escalation is None:
            await self._post(update_id, texts.WHICH_ESCALATION)
        elif command is not None and command.name == "claim":
            await self._store.run(self._claim, update_id, escalation.id, user.id, agent_name)
        elif command is not None and command.name == "resolve":
            # Resumed before the applicant reads "the bot is back".
            for resolved in await self._store.run(self._resolve, update_id, [escalation.id], agent_name):
                await self.resume(resolved.id, resolved.sender_id)
        elif message.text:
            await self._store.run(
                self._relay_to_applicant, update_id, escalation.id, user.id, agent_name, message.text
            )
        else:
            await self._post(update_id, texts.AGENT_TEXT_ONLY, escalation_id=escalation.id)
        self._wake()

    async def _post(self, update_id: int, text: str, escalation_id: int | None = None) -> None:
        def post(session: Session) -> None:
            for part in split_text(text):  # /open lists every active escalation: it may be long
                gateway_queries.enqueue_message(
                    session, self._agents.chat_id, part, purpose="agent_notice", escalation_id=escalation_id
                )
            gateway_queries.finish_update(session, update_id)

        await self._store.run(post)
        self._wake()

    def _tell_applicant(self, session: Session, escalation: Escalation, text: str, purpose: str) -> bool:
        chat_id = applicant_chat_id(escalation.sender_id)
        if chat_id is None or gateway_queries.get_chat(session, chat_id) is None:
            return False
        gateway_queries.enqueue_message(session, chat_id, text, purpose=purpose)
        return True

    def _notice(self, session: Session, escalation_id: int, text: str) -> None:
        """A notice about one escalation: in its thread if it has one, else in the group.

        An escalation announced only in a summary has no thread; a notice must not start one.
        """
        in_thread = bool(gateway_queries.thread_purposes(session, escalation_id))
        gateway_queries.enqueue_message(
            session,
            self._agents.chat_id,
            text,
            purpose="agent_notice",
            escalation_id=escalation_id if in_thread else None,
        )

    def _post_card(self, session: Session, escalation: Escalation) -> None:
        """Give an escalation its card if it has none yet (it was in a summary, or not announced yet)."""
        if "escalation" in gateway_queries.thread_purposes(session, escalation.id):
            return
        post = escalation_post(session, escalation, forum=bool(self._agents.is_forum))
        gateway_queries.enqueue_message(
            session, self._agents.chat_id, post, purpose="escalation", escalation_id=escalation.id
        )
        if escalation.announced_at is None:
            escalation_queries.mark_announced(session, [escalation.id])

    def _claim(
        self, session: Session, update_id: int, escalation_id: int, agent_id: int, agent_name: str
    ) -> None:
        escalation = escalation_queries.claim_escalation(session, escalation_id, agent_id, agent_name)
        if escalation is None:
            notice = texts.NOT_ACTIVE.format(id=escalation_id)
        else:
            self._post_card(session, escalation)
            notice = texts.CLAIMED_BY.format(id=escalation_id, agent=agent_name)
            self._tell_applicant(session, escalation, texts.AGENT_CLAIMED, "agent_claimed")
        self._notice(session, escalation_id, notice)
        gateway_queries.finish_update(session, update_id)

    def _resolve(
        self, session: Session, update_id: int, escalation_ids: list[int], agent_name: str
    ) -> list[Escalation]:
        """End the escalations (one notice for them all); return those that were active."""
        resolved: list[Escalation] = []
        for escalation_id in escalation_ids:
            escalation = escalation_queries.resolve_escalation(session, escalation_id)
            if escalation is not None:
                self._tell_applicant(session, escalation, texts.HANDOFF_RESOLVED, "handoff_resolved")
                resolved.append(escalation)
        if len(escalation_ids) == 1:
            [escalation_id] = escalation_ids
            template = texts.RESOLVED_BY if resolved else texts.NOT_ACTIVE
            self._notice(session, escalation_id, template.format(id=escalation_id, agent=agent_name))
        else:
            done = {escalation.id for escalation in resolved}
            ended = _id_list(i for i in escalation_ids if i in done)
            notice = texts.RESOLVED_MANY.format(count=len(done), ids=ended, agent=agent_name)
            if len(done) < len(escalation_ids):
                others = _id_list(i for i in escalation_ids if i not in done)
                notice += "\n" + texts.NOT_ACTIVE_MANY.format(ids=others)
            for part in split_text(notice):
                gateway_queries.enqueue_message(session, self._agents.chat_id, part, purpose="agent_notice")
        gateway_queries.finish_update(session, update_id)
        return resolved

    def _relay_to_applicant(
        self, session: Session, update_id: int, escalation_id: int, agent_id: int, agent_name: str, text: str
    ) -> None:
        escalation = escalation_queries.get_escalation(session, escalation_id)
        if escalation is None or escalation.status == EscalationStatus.RESOLVED:
            notice: str | None = texts.NOT_ACTIVE.format(id=escalation_id)
        elif not self._tell_applicant(
            session, escalation, texts.AGENT_REPLY.format(text=text), "agent_reply"
        ):
            notice = texts.NOT_TELEGRAM_USER.format(sender=mask(escalation.sender_id))
        else:
            notice = None
            if escalation.status == EscalationStatus.OPEN:  # the first reply claims it
                escalation_queries.claim_escalation(session, escalation_id, agent_id, agent_name)
        if notice is not None:
            gateway_queries.enqueue_message(
                session, self._agents.chat_id, notice, purpose="agent_notice", escalation_id=escalation_id
            )
        gateway_queries.finish_update(session, update_id)


def _id_list(ids: Iterable[int]) -> str:
    return " ".join(f"#{escalation_id}" for escalation_id in ids) or "—"


def _open_list(session: Session) -> str:
    active = escalation_queries.active_escalations(session)
    if not active:
        return texts.NO_OPEN
    lines = [texts.OPEN_LIST_HEADER]
    for escalation in active:
        status = (
            texts.STATUS_CLAIMED.format(agent=escalation.claimed_by_name or "")
            if escalation.status == EscalationStatus.CLAIMED
            else texts.STATUS_OPEN
        )
        lines.append(
            texts.OPEN_LIST_LINE.format(
                id=escalation.id,
                who=applicant_label(session, escalation),
                reason=texts.REASONS.get(escalation.reason, escalation.reason),
                status=status,
            )
        )
    return "\n".join(lines)


