"""The agents' commands — parsed from what an agent typed (or a card's button), then carried out.

    /claim [12]               take an escalation: its card is posted first if it was only in a summary
                              (so it gets a thread), and the applicant hears a person joined (once).
                              An escalation someone else holds is NOT taken: the answer names its owner
    /takeover [12]            take an escalation someone else holds; the thread says so to both
    /assign [12] @用户名       give an escalation to another member of the group (or reply to one of
                              their messages with /assign 12)
    /resolve [12 13 20-25]    end one or several escalations: the applicants are told, one notice
                              lists them all; the caller then resumes their Rasa conversations
    /mine                     the escalations the agent holds
    /open [2]                 every escalation not resolved yet, the longest waiting first, a page each
    /reply [12] 文件格式        send a saved reply (data/saved_replies.yml) to the applicant; the thread
                              shows what was sent. `/reply` alone lists the names; an unknown name
                              is answered with the names close to it
    /report [4]               each agent's weeks: cases ended, satisfaction, median first response
    /help                     what the commands do

Without an id a command means the escalation whose thread it was typed in (bot/gateway/desk.py
finds it). An argument that is not an id (`/claim ²`, `/claim abc`) is answered with what is
expected, never guessed. Each method runs inside the caller's transaction and only queues outbox
rows; every change of owner or state edits the card (bot/gateway/cards.py).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from bot.db import escalation_queries, gateway_queries
from bot.db.escalation_models import Escalation, EscalationStatus
from bot.db.types import utc_now
from bot.gateway import texts
from bot.gateway.agents_group import AgentsGroup
from bot.gateway.cards import applicant_label, ensure_card, has_card, queue_card_update
from bot.gateway.endings import close_topics, end_case
from bot.gateway.relay import AGENT_NOTICE, TO_AGENTS, Relay
from bot.gateway.report import DEFAULT_WEEKS, MAX_WEEKS, weekly_report
from bot.gateway.saved_replies import SavedReplies
from bot.handoff import parse_transcript
from bot.message_length import split_text

AGENT_COMMANDS = ("claim", "takeover", "assign", "resolve", "mine", "open", "reply", "report", "help")
ID_COMMANDS = ("claim", "takeover", "assign", "resolve", "reply")
"""Commands about one escalation (resolve: or several)."""
MAX_BATCH = 200
"""At most this many escalations in one `/resolve 12 13 20-25`."""
OPEN_PAGE_SIZE = 15
LAST_MESSAGE_CHARS = 40
WHO_CHARS = 24
_COMMAND = re.compile(r"^/([A-Za-z_]+)(?:@([A-Za-z0-9_]+))?(?:\s+(.*))?$", re.DOTALL)
_MALFORMED_NUMBER = re.compile(r"^[\s#0-9,-]*[0-9][\s#0-9,-]*$", re.ASCII)
"""An argument made of ASCII digits (and #, -, commas) the command still cannot use: too long, a
backwards range, …: it is not a valid case number (rather than not written in Arabic digits)."""
_ID = re.compile(r"#?([0-9]{1,12})", re.ASCII)
_ID_OR_RANGE = re.compile(r"#?([0-9]{1,12})(?:-#?([0-9]{1,12}))?", re.ASCII)
_ASSIGN = re.compile(r"(?:#?([0-9]{1,12}))?\s*(?:@([A-Za-z0-9_]{3,32}))?", re.ASCII)
_REPLY = re.compile(r"(?:#?([0-9]{1,12})(?:\s+|$))?(.*)", re.DOTALL)


@dataclass(frozen=True)
class AgentCommand:
    """A command an agent typed in the agents group."""

    name: str
    argument: str

    @property
    def escalation_id(self) -> int | None:
        """The one escalation id the argument names (`12`, `#12`, `/assign 12 @someone`), or None."""
        if self.name not in ID_COMMANDS:
            return None
        if self.name == "assign":
            match = _ASSIGN.fullmatch(self.argument)
            return int(match.group(1)) if match is not None and match.group(1) else None
        if self.name == "reply":
            reply = _REPLY.fullmatch(self.argument)
            return int(reply.group(1)) if reply is not None and reply.group(1) else None
        match = _ID.fullmatch(self.argument)
        return int(match.group(1)) if match is not None else None

    @property
    def assignee_username(self) -> str | None:
        """`/assign 12 @username` → "username"."""
        match = _ASSIGN.fullmatch(self.argument)
        return match.group(2) if match is not None and match.group(2) else None

    @property
    def reply_name(self) -> str:
        """`/reply 12 文件格式` → "文件格式"; "" when no name is given."""
        match = _REPLY.fullmatch(self.argument)
        return " ".join(match.group(2).split()) if match is not None else ""

    @property
    def bad_argument(self) -> bool:
        """Whether the argument is something the command cannot use (it is then not carried out)."""
        if not self.argument:
            return False
        if self.name == "resolve":
            return not escalation_ids(self.argument)
        if self.name == "assign":
            return _ASSIGN.fullmatch(self.argument) is None
        if self.name == "report":
            return not (
                self.argument.isascii() and self.argument.isdigit() and 1 <= int(self.argument) <= MAX_WEEKS
            )
        if self.name == "open":
            return not (self.argument.isascii() and self.argument.isdigit() and len(self.argument) < 6)
        if self.name in ("claim", "takeover"):
            return self.escalation_id is None
        return False

    def refusal(self) -> str:
        """What an agent is told about a bad argument."""
        if self.name == "open":
            return texts.BAD_PAGE.format(argument=self.argument[:40])
        if self.name == "report":
            return texts.BAD_WEEKS.format(argument=self.argument[:40])
        template = texts.BAD_CASE_NUMBER if _MALFORMED_NUMBER.search(self.argument) else texts.BAD_ARGUMENT
        return template.format(argument=self.argument[:40], command=self.name, most=MAX_BATCH)

    def usage_example(self) -> str:
        """How this command names an escalation (「例如 …」 when it names none)."""
        if self.name == "reply":
            return "/reply 12 文件格式"
        return "/assign 12 @用户名" if self.name == "assign" else f"/{self.name} 12"


@dataclass(frozen=True)
class Agent:
    """Who acts: a member of the agents group (an anonymous admin acts as the group itself)."""

    id: int
    name: str


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


KNOWN_AGENT_KEY = "agent:{username}"
"""gateway_state: a member's @username → "<user id> <name>", for `/assign 12 @username`."""
AGENT_USERNAME_KEY = "agent_id:{user_id}"
"""gateway_state: a member's user id → "@username", so a notice can mention (and notify) them."""


def called(session: Session, agent_id: int | None, name: str) -> str:
    """How a notice names an agent: `name (@username)` when known, so Telegram notifies them."""
    username = (
        gateway_queries.get_state(session, AGENT_USERNAME_KEY.format(user_id=agent_id)) if agent_id else None
    )
    return f"{name}（{username}）" if username else name


def waited(escalation: Escalation) -> str:
    """How long the escalation has been waiting, in agents' words (「12 分钟」)."""
    minutes = max(0, int((utc_now() - escalation.created_at).total_seconds() // 60))
    if minutes < 60:
        return texts.WAITED_MINUTES.format(minutes=minutes)
    return texts.WAITED_HOURS.format(hours=minutes // 60, minutes=minutes % 60)


def _short(text: str, limit: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


class AgentCommands:
    """Carries out the agents' commands inside the caller's transaction."""

    def __init__(self, agents: AgentsGroup, relay: Relay, saved: SavedReplies | None = None) -> None:
        self._agents = agents
        self._relay = relay
        self.saved = saved or SavedReplies()

    def post(self, session: Session, text: str, escalation_id: int | None = None) -> None:
        """Queue a notice for the agents (split at Telegram's limit: /open may list many)."""
        for part in split_text(text):
            gateway_queries.enqueue_message(
                session, self._agents.chat_id, part, purpose=AGENT_NOTICE, escalation_id=escalation_id
            )

    def _notice(self, session: Session, escalation_id: int, text: str) -> str:
        """A notice about one escalation: in its thread if it has one, else in the group; returns `text`.

        An escalation announced only in a summary has no thread; a notice must not start one.
        """
        in_thread = bool(gateway_queries.thread_purposes(session, escalation_id))
        for part in split_text(text):
            gateway_queries.enqueue_message(
                session,
                self._agents.chat_id,
                part,
                purpose=AGENT_NOTICE,
                escalation_id=escalation_id if in_thread else None,
            )
        return text

    def _show(self, session: Session, escalation: Escalation) -> None:
        """The card shows the escalation as it is now (posted first if it was only in a summary)."""
        forum = bool(self._agents.is_forum)
        if has_card(session, escalation.id):
            queue_card_update(session, self._agents.chat_id, escalation, forum=forum)
        else:
            ensure_card(session, self._agents.chat_id, escalation, forum=forum)

    def _take(self, session: Session, escalation: Escalation, agent: Agent) -> bool:
        """Give an open escalation to `agent` and tell the applicant once; False if someone was faster."""
        if not escalation_queries.claim_if_open(session, escalation.id, agent.id, agent.name):
            session.refresh(escalation)
            return False
        session.refresh(escalation)
        self._relay.tell_applicant(session, escalation, texts.AGENT_CLAIMED, "agent_claimed")
        self._show(session, escalation)
        return True

    def claim(self, session: Session, escalation_id: int, agent: Agent) -> str:
        """/claim: take an open escalation; one someone holds is refused naming them. Returns the notice."""
        escalation = escalation_queries.get_escalation(session, escalation_id)
        if escalation is None or escalation.status == EscalationStatus.RESOLVED:
            return self._notice(session, escalation_id, texts.NOT_ACTIVE.format(id=escalation_id))
        if escalation.status == EscalationStatus.OPEN and self._take(session, escalation, agent):
            return self._notice(
                session, escalation_id, texts.CLAIMED_BY.format(id=escalation_id, agent=agent.name)
            )
        if escalation.claimed_by == agent.id:
            return self._notice(
                session, escalation_id, texts.ALREADY_YOURS.format(id=escalation_id, agent=agent.name)
            )
        owner = escalation.claimed_by_name or ""
        return self._notice(
            session, escalation_id, texts.ALREADY_CLAIMED.format(id=escalation_id, agent=owner)
        )

    def takeover(self, session: Session, escalation_id: int, agent: Agent, by: Agent | None = None) -> str:
        """/takeover (or /assign when `by` is given): the escalation goes to `agent`, whoever held it.

        The thread names the previous owner and the new one; the applicant was told when the
        escalation was first taken and is not told again.
        """
        escalation = escalation_queries.get_escalation(session, escalation_id)
        if escalation is None or escalation.status == EscalationStatus.RESOLVED:
            return self._notice(session, escalation_id, texts.NOT_ACTIVE.format(id=escalation_id))
        if escalation.status == EscalationStatus.OPEN and self._take(session, escalation, agent):
            template = texts.ASSIGNED if by is not None else texts.CLAIMED_BY
            notice = template.format(
                id=escalation_id, agent=called(session, agent.id, agent.name), by=by.name if by else ""
            )
            return self._notice(session, escalation_id, notice)
        if escalation.claimed_by == agent.id:
            return self._notice(
                session, escalation_id, texts.ALREADY_YOURS.format(id=escalation_id, agent=agent.name)
            )
        previous = called(session, escalation.claimed_by, escalation.claimed_by_name or "")
        escalation_queries.claim_escalation(session, escalation_id, agent.id, agent.name)
        self._show(session, escalation)
        if by is not None:
            notice = texts.ASSIGNED_FROM.format(
                id=escalation_id, by=by.name, previous=previous, agent=agent.name
            )
        else:
            notice = texts.TAKEN_OVER.format(id=escalation_id, agent=agent.name, previous=previous)
        return self._notice(session, escalation_id, notice)

    def resolve(self, session: Session, escalation_ids: list[int], agent: Agent) -> list[Escalation]:
        """/resolve: end the escalations (one notice for them all); return those that were active."""
        resolved: list[Escalation] = []
        for escalation_id in escalation_ids:
            escalation = end_case(
                session,
                self._relay,
                self._agents,
                escalation_id,
                by_id=agent.id,
                by_name=agent.name,
                applicant_text=texts.HANDOFF_RESOLVED,
            )
            if escalation is not None:
                resolved.append(escalation)
        if len(escalation_ids) == 1:
            [escalation_id] = escalation_ids
            template = texts.RESOLVED_BY if resolved else texts.NOT_ACTIVE
            self._notice(session, escalation_id, template.format(id=escalation_id, agent=agent.name))
        else:
            done = {escalation.id for escalation in resolved}
            ended = _id_list(i for i in escalation_ids if i in done)
            notice = texts.RESOLVED_MANY.format(count=len(done), ids=ended, agent=agent.name)
            if len(done) < len(escalation_ids):
                others = _id_list(i for i in escalation_ids if i not in done)
                notice += "\n" + texts.NOT_ACTIVE_MANY.format(ids=others)
            self.post(session, notice)
        close_topics(session, self._agents, resolved)  # after the notices above went into the topics
        return resolved

    def saved_reply_help(self, name: str) -> str | None:
        """What `/reply <name>` is answered with when it sends nothing (the list, or close names); None to send."""
        names = self.saved.names()
        if not names:
            return texts.SAVED_REPLIES_NONE
        if not name:
            return texts.SAVED_REPLIES_LIST.format(names="、".join(names))
        if self.saved.text(name) is not None:
            return None
        close = self.saved.close_to(name)
        if close:
            return texts.SAVED_REPLY_UNKNOWN_CLOSE.format(name=_short(name, 20), close="、".join(close))
        return texts.SAVED_REPLY_UNKNOWN.format(name=_short(name, 20), names="、".join(names))

    def send_saved_reply(self, session: Session, escalation_id: int, agent: Agent, name: str) -> bool:
        """/reply 文件格式: the saved text goes to the applicant as the agent's reply; the thread shows it."""
        text = self.saved.text(name)
        escalation = escalation_queries.get_escalation(session, escalation_id)
        if text is None or escalation is None:
            return False
        was_open = escalation.status == EscalationStatus.OPEN
        if not self._relay.from_agent(session, escalation_id, agent.id, agent.name, text):
            return False  # the relay told the agents why
        self._notice(
            session,
            escalation_id,
            texts.SAVED_REPLY_SENT.format(
                id=escalation_id, agent=agent.name, name=name, text=texts.AGENT_REPLY.format(text=text)
            ),
        )
        session.refresh(escalation)
        if was_open and escalation.status == EscalationStatus.CLAIMED:  # the first reply claimed it
            self._show(session, escalation)
        return True

    @staticmethod
    def _lines(session: Session, escalations: list[Escalation]) -> list[str]:
        """One entry per escalation: waiting time, application ID, who, owner, the last applicant message."""
        relayed = gateway_queries.last_texts(session, [e.id for e in escalations], TO_AGENTS)
        lines = []
        for escalation in escalations:
            last = relayed.get(escalation.id)
            if last is not None:
                last = last.removeprefix(texts.APPLICANT_SAYS.format(id=escalation.id, text=""))
            else:
                said = [
                    str(t.get("text", ""))
                    for t in parse_transcript(escalation.transcript)
                    if t.get("role") == "user"
                ]
                last = said[-1] if said else texts.NO_LAST_MESSAGE
            status = (
                texts.STATUS_CLAIMED.format(agent=escalation.claimed_by_name or "")
                if escalation.status == EscalationStatus.CLAIMED
                else texts.STATUS_OPEN
            )
            lines.append(
                texts.OPEN_PAGE_LINE.format(
                    id=escalation.id,
                    waited=waited(escalation),
                    application=escalation.application_id or texts.NO_APPLICATION_ID,
                    who=_short(applicant_label(session, escalation, short_sender=WHO_CHARS), WHO_CHARS),
                    status=status,
                    last=_short(last, LAST_MESSAGE_CHARS),
                )
            )
        return lines

    def open_list(self, session: Session, page: int = 1) -> str:
        """/open [page]: the escalations not resolved yet, the longest waiting first, OPEN_PAGE_SIZE a page."""
        active = escalation_queries.active_escalations(session)
        if not active:
            return texts.NO_OPEN
        pages = math.ceil(len(active) / OPEN_PAGE_SIZE)
        if not 1 <= page <= pages:
            return texts.OPEN_NO_SUCH_PAGE.format(pages=pages)
        shown = active[(page - 1) * OPEN_PAGE_SIZE : page * OPEN_PAGE_SIZE]
        lines = [texts.OPEN_PAGE_HEADER.format(count=len(active), page=page, pages=pages)]
        lines += self._lines(session, shown)
        if page < pages:
            lines.append(texts.OPEN_NEXT_PAGE.format(page=page + 1))
        return "\n".join(lines)

    @staticmethod
    def report(session: Session, weeks: int = DEFAULT_WEEKS) -> str:
        """/report [weeks]: per agent and week, cases ended, satisfaction, median first response."""
        return weekly_report(session, utc_now(), weeks)

    def mine(self, session: Session, agent: Agent) -> str:
        """/mine: the escalations the agent holds."""
        held = escalation_queries.claimed_escalations(session, agent.id)
        if not held:
            return texts.MINE_NONE
        return "\n".join(
            [texts.MINE_HEADER.format(agent=agent.name, count=len(held)), *self._lines(session, held)]
        )
