"""When a review stage should be done: the guide's range in Chinese working days from the stage's start.

The ranges come from data/facts.yml (`review_working_days`: 初审 1-2, 复审 2-3), the same facts the
FAQ answers are checked against. 待打款验证 waits for the applicant, so it has no ETA; neither do
finished applications.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache

from bot.content.facts import Facts
from bot.content.paths import ProjectPaths
from bot.db.models import Status
from bot.db.types import BEIJING
from bot.status import texts
from bot.working_days import add_working_days, working_days_between

STAGE_OF_STATUS = {Status.FIRST_REVIEW: "初审", Status.SECOND_REVIEW: "复审"}
"""Statuses that wait for a reviewer, and the stage name data/facts.yml gives their range under."""


@dataclass(frozen=True)
class Eta:
    """A stage's expected end: `earliest`..`latest`; `overdue_days` working days past `latest` (as of today)."""

    stage: str
    days: tuple[int, int]
    started: date
    earliest: date
    latest: date
    today: date
    overdue_days: int
    calendar_known: bool

    @property
    def overdue(self) -> bool:
        """Today is past the latest expected day."""
        return self.today > self.latest


@lru_cache(maxsize=1)
def stage_days() -> dict[str, tuple[int, int]]:
    """Each stage's working-day range, read once from data/facts.yml."""
    return {stage.name: stage.days for stage in Facts.load(ProjectPaths().facts).stages}


def estimate(status: Status, since: datetime, today: date) -> Eta | None:
    """The ETA of an application in `status` since `since`, as seen on `today` (Beijing dates); None if none."""
    stage = STAGE_OF_STATUS.get(status)
    if stage is None:
        return None
    low, high = stage_days()[stage]
    started = since.astimezone(BEIJING).date()
    earliest = add_working_days(started, low)
    latest = add_working_days(started, high)
    past = working_days_between(latest.day, today)
    return Eta(
        stage=stage,
        days=(low, high),
        started=started,
        earliest=earliest.day,
        latest=latest.day,
        today=today,
        overdue_days=past.working_days,
        calendar_known=earliest.calendar_known and latest.calendar_known and past.calendar_known,
    )


def day_text(day: date, today: date) -> str:
    """`12月2日（周三）`, with the year when it is not this year's."""
    text = texts.ETA_DAY.format(month=day.month, day=day.day, weekday=texts.WEEKDAYS[day.weekday()])
    return text if day.year == today.year else texts.ETA_YEAR.format(year=day.year) + text


def render_eta(eta: Eta) -> str:
    """What the applicant reads: the expected day, or an apology saying by how much it is late."""
    low, high = eta.days
    values = {
        "stage": eta.stage,
        "low": low,
        "high": high,
        "started": day_text(eta.started, eta.today),
        "latest": day_text(eta.latest, eta.today),
        "overdue_days": eta.overdue_days,
    }
    if not eta.overdue:
        text = texts.ETA_ON_TIME.format(**values)
    elif eta.overdue_days:
        text = texts.ETA_OVERDUE.format(**values)
    else:
        text = texts.ETA_OVERDUE_WEEKEND.format(**values)
    if not eta.calendar_known:
        text += "\n" + texts.ETA_WEEKENDS_ONLY
    return text
