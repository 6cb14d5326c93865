"""The applicants' 👍 rate per topic, from the bot's database, as a section of the evaluation report."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from sqlalchemy.engine import make_url

from bot.db import feedback_queries
from bot.db.engine import shared_session_factory
from bot.db.feedback_queries import TopicVotes
from bot.quality import texts


def read_votes(database_url: str) -> Sequence[TopicVotes] | str:
    """Every topic's answers and votes, or the reason they cannot be read."""
    try:
        factory = shared_session_factory(database_url)
        with factory() as session, session.begin():
            return feedback_queries.votes_by_topic(session)
    except Exception as error:  # noqa: BLE001 - the report goes on without this section
        return type(error).__name__


def _rate(votes: TopicVotes) -> str:
    return "—" if votes.up_rate is None else f"{votes.up_rate:.0%}"


def feedback_lines(
    votes: Sequence[TopicVotes] | str, names: Mapping[str, str], *, database_url: str
) -> list[str]:
    """The report's section body: a note and one table row per answered topic."""
    if isinstance(votes, str):
        return [texts.REPORT_FEEDBACK_UNAVAILABLE.format(detail=votes)]
    url = make_url(database_url)
    shown = f"{url.get_backend_name()} {Path(url.database or '').name}".strip()  # no password, no full path
    lines = [texts.REPORT_FEEDBACK_NOTE.format(database=shown), ""]
    if not any(v.voted for v in votes):
        return [*lines, texts.REPORT_FEEDBACK_NONE]
    lines += ["| " + " | ".join(texts.REPORT_FEEDBACK_COLUMNS) + " |", "|---|---|---:|---:|---:|---:|"]
    for v in votes:
        name = names.get(f"faq/{v.topic}", v.topic).replace("|", "\\|")
        lines.append(f"| {name} | `faq/{v.topic}` | {v.answers} | {v.up} | {v.down} | {_rate(v)} |")
    return lines


def feedback_summary(votes: Sequence[TopicVotes] | str) -> str | None:
    """One line for the terminal (None when nothing was voted)."""
    if isinstance(votes, str):
        return None
    up, voted = sum(v.up for v in votes), sum(v.voted for v in votes)
    if not voted:
        return None
    return texts.REPORT_SUMMARY_FEEDBACK.format(voted=voted, rate=f"{up / voted:.0%}")
