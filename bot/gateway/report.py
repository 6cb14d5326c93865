"""/report [weeks]: each agent's week (Beijing time, weeks from Monday) — cases ended, satisfaction, first response.

Per week and per agent credited with a case (its owner when it ended, also when the applicant
left it with 「返回机器人」): how many cases ended (of
them ended for the applicant's silence), the satisfaction answers' average and the share of 4 or
5, and the median time from the case being opened to an agent's first reply. Cases that ended
with no agent (the applicant left first, or went silent before anyone took it) are counted on
their own line.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from bot.db import escalation_queries
from bot.db.types import BEIJING
from bot.gateway import texts

DEFAULT_WEEKS = 4
MAX_WEEKS = 12
GOOD_SCORE = 4


@dataclass
class _Tally:
    name: str
    resolved: int = 0
    automatic: int = 0
    scores: list[int] = field(default_factory=list)
    first_replies: list[float] = field(default_factory=list)  # minutes


def _week_start(moment: dt.datetime) -> dt.date:
    day = moment.astimezone(BEIJING).date()
    return day - dt.timedelta(days=day.weekday())


def _minutes(value: float) -> str:
    return texts.REPORT_MINUTES.format(minutes=f"{value:.1f}")


def _line(tally: _Tally) -> str:
    parts = [texts.REPORT_RESOLVED.format(count=tally.resolved)]
    if tally.automatic:
        parts[0] += texts.REPORT_AUTOMATIC.format(count=tally.automatic)
    if tally.scores:
        good = sum(score >= GOOD_SCORE for score in tally.scores) / len(tally.scores)
        parts.append(
            texts.REPORT_SATISFACTION.format(
                average=f"{statistics.fmean(tally.scores):.1f}", count=len(tally.scores), good=f"{good:.0%}"
            )
        )
    else:
        parts.append(texts.REPORT_NO_RATINGS)
    if tally.first_replies:
        parts.append(texts.REPORT_FIRST_REPLY.format(median=_minutes(statistics.median(tally.first_replies))))
    return texts.REPORT_AGENT_LINE.format(agent=tally.name, figures=" · ".join(parts))


def weekly_report(session: Session, now: dt.datetime, weeks: int = DEFAULT_WEEKS) -> str:
    """The report for the `weeks` weeks up to and including the one `now` falls in."""
    this_week = _week_start(now)
    first = this_week - dt.timedelta(weeks=weeks - 1)
    start = dt.datetime.combine(first, dt.time(), BEIJING)
    end = dt.datetime.combine(this_week + dt.timedelta(weeks=1), dt.time(), BEIJING)
    agents: dict[dt.date, dict[int, _Tally]] = defaultdict(dict)
    unhandled: dict[dt.date, int] = defaultdict(int)
    for escalation, rating in escalation_queries.resolved_between(session, start, end):
        assert escalation.resolved_at is not None
        week = _week_start(escalation.resolved_at)
        agent_id = escalation.resolved_by if escalation.resolved_by is not None else escalation.claimed_by
        agent_name = escalation.resolved_by_name or escalation.claimed_by_name or ""
        if agent_id is None:  # nobody took it: the applicant left or went silent first
            unhandled[week] += 1
            continue
        tally = agents[week].setdefault(agent_id, _Tally(agent_name))
        tally.resolved += 1
        tally.automatic += int(escalation.auto_resolved)
        if rating is not None:
            tally.scores.append(rating.score)
        if escalation.first_reply_at is not None:
            waited = (escalation.first_reply_at - escalation.created_at).total_seconds() / 60
            tally.first_replies.append(max(0.0, waited))
    lines = [texts.REPORT_HEADER.format(weeks=weeks)]
    for offset in range(weeks):
        week = this_week - dt.timedelta(weeks=offset)
        lines.append(
            texts.REPORT_WEEK.format(start=week.isoformat(), end=(week + dt.timedelta(days=6)).isoformat())
        )
        tallies = sorted(agents[week].values(), key=lambda t: (-t.resolved, t.name))
        lines += [_line(tally) for tally in tallies]
        if unhandled[week]:
            lines.append(texts.REPORT_UNHANDLED.format(count=unhandled[week]))
        if not tallies and not unhandled[week]:
            lines.append(texts.REPORT_EMPTY_WEEK)
    return "\n".join(lines)
