"""The agents' commands: /claim, /resolve, /open, /help — parsed from what an agent typed, then carried out.

    /claim [12]               take an escalation: its card is posted first if it was only in a summary
                              (so it gets a thread), and the applicant hears a person joined
    /resolve [12 13 20-25]    end one or several escalations: the applicants are told, one notice
                              lists them all; the caller then resumes their Rasa conversations
    /open                     every escalation not resolved yet, who holds it
    /help                     what the commands do

Without an id a command means the escalation whose thread it was typed in (bot/gateway/desk.py
finds it). Each method runs inside the caller's transaction and only queues outbox rows.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from bot.db import escalation_queries, gateway_queries
from bot.db.escalation_models import Escalation, EscalationStatus
from bot.gateway import texts
from bot.gateway.agents_group import AgentsGroup
from bot.gateway.cards import applicant_label, ensure_card, reason_text
from bot.gateway.relay import AGENT_NOTICE, Relay
from bot.message_length import split_text

AGENT_COMMANDS = ("claim", "resolve", "open", "help")
MAX_BATCH = 200
"""At most this many escalations in one `/resolve 12 13 20-25`."""
_COMMAND = re.compile(r"^/([A-Za-z_]+)(?:@([A-Za-z0-9_]+))?(?:\s+(.*))?$", re.DOTALL)
_ID_OR_RANGE = re.compile(r"#?(\d{1,12})(?:-#?(\d{1,12}))?")


@dataclass(frozen=True)
class AgentCommand:
    """A command an agent typed in the agents group."""

    name: str
    argument: str

    @property
    def escalation_id(self) -> int | None:
        """The one escalation id the argument names (`12`, `#12`), or None."""
        typed = self.argument.lstrip("#")
        return int(typed) if typed.isdigit() else None


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


def _id_list(ids: Iterable[int]) -> str:
    return " ".join(f"#{escalation_id}" for escalation_id in ids) or "—"


class AgentCommands:
    """Carries out the agents' commands inside the caller's transaction."""

    def __init__(self, agents: AgentsGroup, relay: Relay) -> None:
        self._agents = agents
        self._relay = relay

    def post(self, session: Session, text: str, escalation_id: int | None = None) -> None:
        """Queue a notice for the agents (split at Telegram's limit: /open may list many)."""
        for part in split_text(text):
            gateway_queries.enqueue_message(
                session, self._agents.chat_id, part, purpose=AGENT_NOTICE, escalation_id=escalation_id
            )

    def _notice(self, session: Session, escalation_id: int, text: str) -> None:
        """A notice about one escalation: in its thread if it has one, else in the group.

        An escalation announced only in a summary has no thread; a notice must not start one.
        """
        in_thread = bool(gateway_queries.thread_purposes(session, escalation_id))
        gateway_queries.enqueue_message(
            session,
            self._agents.chat_id,
            text,
            purpose=AGENT_NOTICE,
            escalation_id=escalation_id if in_thread else None,
        )

    def claim(self, session: Session, escalation_id: int, agent_id: int, agent_name: str) -> None:
        """/claim: the agent takes the escalation (its card first, if it has none); the applicant is told."""
        escalation = escalation_queries.claim_escalation(session, escalation_id, agent_id, agent_name)
        if escalation is None:
            notice = texts.NOT_ACTIVE.format(id=escalation_id)
        else:
            ensure_card(session, self._agents.chat_id, escalation, forum=bool(self._agents.is_forum))
            notice = texts.CLAIMED_BY.format(id=escalation_id, agent=agent_name)
            self._relay.tell_applicant(session, escalation, texts.AGENT_CLAIMED, "agent_claimed")
        self._notice(session, escalation_id, notice)

    def resolve(self, session: Session, escalation_ids: list[int], agent_name: str) -> list[Escalation]:
        """/resolve: end the escalations (one notice for them all); return those that were active."""
        resolved: list[Escalation] = []
        for escalation_id in escalation_ids:
            escalation = escalation_queries.resolve_escalation(session, escalation_id)
            if escalation is not None:
                self._relay.tell_applicant(session, escalation, texts.HANDOFF_RESOLVED, "handoff_resolved")
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
            self.post(session, notice)
        return resolved

    @staticmethod
    def open_list(session: Session) -> str:
        """/open: every escalation not resolved yet, with who asked, why and who holds it."""
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
                    reason=reason_text(escalation),
                    status=status,
                )
            )
        return "\n".join(lines)
