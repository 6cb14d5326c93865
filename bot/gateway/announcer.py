"""Posts what the bot's side wrote for the agents (escalations, alerts) without flooding their group.

The actions do not know the agents group: they write rows (`escalations`, `agent_alerts`) and this
module, run every second by the gateway, turns them into outbox messages. Telegram lets a bot post
about 20 messages a minute in a group, which also carries relays and notices, so every escalation
is announced exactly once, by this rule:

    settle    a burst is gathered first: nothing is announced while escalations keep arriving (the
              newest is younger than SETTLE_S), unless the oldest has already waited MAX_WAIT_S.
    cards     then the waiting escalations each get their own card (who, why, application ID,
              masked transcript, how to reply) if they all fit in the card budget: at most
              `cards_per_minute` cards in any 60 seconds.
    summary   otherwise they are all listed in ONE summary message, a line each (#id · applicant ·
              reason · application ID) while they fit in Telegram's 4096 characters and the rest
              as id ranges (#120–#480), at most one summary every `summary_interval` seconds;
              escalations arriving meanwhile wait for the next summary. A summary lists at most
              SUMMARY_MAX_ITEMS (the rest wait for the next one). Quiet escalations (over their
              conversation's hourly limit, bot/handoff.py) always go into a summary, never a card.
              An escalation resolved before it was announced is not announced at all, unless
              the applicant wrote something meanwhile: then it is announced (its card shows it
              ended, without buttons) so their words come after it (bot/gateway/relay.py).

A summarized escalation stays addressable: `/claim 12` posts its card first, which starts its
thread, so agents reply to it as to any card; `/resolve 12` and `/open` work as for every escalation.

Alerts (e.g. an application ID capped after too many wrong credit codes; bot/status/lookup.py
writes one per burst) are posted together, all waiting ones in one message, at most one such
message every `summary_interval` seconds.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from bot.db import escalation_queries, gateway_queries
from bot.db.escalation_models import AgentAlert, AlertKind, Escalation, EscalationStatus
from bot.db.types import BEIJING, utc_now
from bot.gateway import texts
from bot.gateway.agents_group import AgentsGroup
from bot.gateway.cards import applicant_label, queue_card, reason_text
from bot.gateway.store import Store
from bot.message_length import TELEGRAM_TEXT_LIMIT, split_text, utf16_length

logger = logging.getLogger(__name__)

SETTLE_S = 2.0
MAX_WAIT_S = 15.0
CARD_WINDOW_S = 60.0
SUMMARY_MAX_ITEMS = 1000
ALERTS_MAX_ITEMS = 50
SUMMARY_SENDER_CHARS = 40
DIGEST_ALERTS = (AlertKind.APPLICATION_CAPPED,)
"""Alerts posted together in one message (an applicant's alerts are relayed by bot/gateway/relay.py)."""
SUMMARY_RESERVE = 600
"""Room kept in a summary for the line listing the rest as id ranges."""


@dataclass(frozen=True)
class Pace:
    """How fast announcements may reach the agents group (GatewaySettings carries the configured one)."""

    cards_per_minute: int = 5
    summary_interval: float = 30.0


def settled(oldest: dt.datetime, newest: dt.datetime, now: dt.datetime) -> bool:
    """Whether the waiting escalations may be announced: the burst settled, or the oldest waited enough."""
    return (now - newest).total_seconds() >= SETTLE_S or (now - oldest).total_seconds() >= MAX_WAIT_S


def choose(
    waiting: list[Escalation], budget: int, summary_due: bool
) -> tuple[list[Escalation], list[Escalation]]:
    """Split the waiting escalations into (cards, summary lines) by the rule in the module docstring."""
    loud = [escalation for escalation in waiting if not escalation.quiet]
    cards = loud if len(loud) <= budget else []
    rest = [escalation for escalation in waiting if escalation not in cards]
    return cards, rest if summary_due else []


def summary_line(session: Session, escalation: Escalation) -> str:
    """One escalation in a summary."""
    return texts.SUMMARY_LINE.format(
        id=escalation.id,
        who=applicant_label(session, escalation, short_sender=SUMMARY_SENDER_CHARS),
        reason=reason_text(escalation),
        application_id=escalation.application_id or texts.NO_APPLICATION_ID,
        quiet=texts.SUMMARY_QUIET if escalation.quiet else "",
    )


def id_ranges(ids: list[int]) -> str:
    """`#3–#7, #9`: escalation ids, consecutive runs written as ranges."""
    parts: list[str] = []
    ordered = sorted(ids)
    start = previous = ordered[0]
    for current in [*ordered[1:], None]:
        if current is not None and current == previous + 1:
            previous = current
            continue
        parts.append(f"#{start}" if start == previous else f"#{start}–#{previous}")
        if current is not None:
            start = previous = current
    return ", ".join(parts)


def summary_messages(session: Session, escalations: list[Escalation]) -> list[str]:
    """The summary of `escalations` in one message: a line each while they fit, the rest as id ranges.

    A burst from many made-up identities would otherwise take a message per few dozen lines; the
    ranges list every escalation still (each can be claimed by its number; /open shows them all).
    """
    header = texts.SUMMARY_HEADER.format(count=len(escalations))
    footer = texts.SUMMARY_HOW_TO.format(example=escalations[0].id)
    lines: list[str] = []
    used = utf16_length(header) + utf16_length(footer) + SUMMARY_RESERVE
    for shown, escalation in enumerate(escalations):
        line = summary_line(session, escalation)
        if used + utf16_length(line) + 1 > TELEGRAM_TEXT_LIMIT:
            rest = [other.id for other in escalations[shown:]]
            lines.append(texts.SUMMARY_MORE.format(count=len(rest), ids=id_ranges(rest)))
            break
        lines.append(line)
        used += utf16_length(line) + 1
    return split_text("\n".join([header, *lines, footer]))


def alert_line(alert: AgentAlert) -> str:
    """One alert in the alerts message."""
    detail = json.loads(alert.detail or "{}")
    if alert.kind != AlertKind.APPLICATION_CAPPED:
        return texts.ALERT_LINE_OTHER.format(kind=alert.kind, subject=alert.subject)
    until = dt.datetime.fromisoformat(detail["until"]).astimezone(BEIJING)
    return texts.ALERT_LINE_CAPPED.format(
        application_id=alert.subject,
        known=texts.ALERT_KNOWN if detail.get("known") else texts.ALERT_UNKNOWN,
        window=detail.get("window_minutes", "?"),
        wrong_codes=detail.get("wrong_codes", "?"),
        senders=detail.get("senders", "?"),
        until=until.strftime("%m-%d %H:%M"),
    )


class Announcer:
    """Turns waiting escalations and alerts into agents-group messages, paced (see the module docstring)."""

    def __init__(
        self,
        store: Store,
        agents: AgentsGroup,
        wake: Callable[[], None],
        *,
        pace: Pace | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._store = store
        self._agents = agents
        self._wake = wake
        self._pace = pace or Pace()
        self._clock = clock
        self._cards: deque[float] = deque()
        self._last_summary = float("-inf")
        self._last_alerts = float("-inf")

    async def announce(self) -> None:
        """One pass: escalations, then alerts."""
        await self.escalations()
        await self.alerts()

    async def escalations(self) -> tuple[int, int]:
        """Announce waiting escalations if due; return (cards, summary lines) queued."""
        count, oldest, newest = await self._store.run(escalation_queries.waiting_escalations)
        if not count or oldest is None or newest is None or not settled(oldest, newest, utc_now()):
            return 0, 0
        now = self._clock()
        while self._cards and now - self._cards[0] >= CARD_WINDOW_S:
            self._cards.popleft()
        budget = self._pace.cards_per_minute - len(self._cards)
        summary_due = now - self._last_summary >= self._pace.summary_interval
        forum = await self._agents.forum()
        cards, summarized = await self._store.run(self._queue, budget, summary_due, forum)
        self._cards.extend([now] * cards)
        if summarized:
            self._last_summary = now
        if cards or summarized:
            logger.info("announcing %d escalation card(s) and %d in a summary", cards, summarized)
            self._wake()
        return cards, summarized

    def _queue(self, session: Session, budget: int, summary_due: bool, forum: bool) -> tuple[int, int]:
        waiting = escalation_queries.unannounced_escalations(session, limit=SUMMARY_MAX_ITEMS)
        settled_already = [  # resolved before its card, with nothing the applicant said waiting for it
            e
            for e in waiting
            if e.status == EscalationStatus.RESOLVED
            and not escalation_queries.has_held_applicant_alerts(session, e.id, (AlertKind.APPLICANT_SAID,))
        ]
        escalation_queries.mark_announced(session, [escalation.id for escalation in settled_already])
        waiting = [escalation for escalation in waiting if escalation not in settled_already]
        cards, summarized = choose(waiting, budget, summary_due)
        for escalation in cards:
            queue_card(session, self._agents.chat_id, escalation, forum=forum)
        if summarized:
            for text in summary_messages(session, summarized):
                gateway_queries.enqueue_message(
                    session, self._agents.chat_id, text, purpose="escalation_summary"
                )
        escalation_queries.mark_announced(session, [escalation.id for escalation in [*cards, *summarized]])
        return len(cards), len(summarized)

    async def alerts(self) -> int:
        """Post the waiting alerts in one message if one is due; return how many were posted."""
        now = self._clock()
        if now - self._last_alerts < self._pace.summary_interval:
            return 0
        posted = await self._store.run(self._queue_alerts)
        if posted:
            self._last_alerts = now
            logger.info("posting %d alert(s) to the agents group", posted)
            self._wake()
        return posted

    def _queue_alerts(self, session: Session) -> int:
        waiting = escalation_queries.unannounced_alerts(session, limit=ALERTS_MAX_ITEMS, kinds=DIGEST_ALERTS)
        if not waiting:
            return 0
        text = "\n".join([texts.ALERTS_HEADER, *(alert_line(alert) for alert in waiting)])
        for part in split_text(text):
            gateway_queries.enqueue_message(session, self._agents.chat_id, part, purpose="agent_alert")
        escalation_queries.mark_alerts_announced(session, [alert.id for alert in waiting])
        return len(waiting)
