"""The 👍 rate per topic in the evaluation report, read from the bot's database."""

from __future__ import annotations

from bot.answers.feedback import record_answer_now, take_vote_now
from bot.db.feedback_models import Vote, VoteSource
from bot.quality.feedback import feedback_lines, feedback_summary, read_votes
from bot.quality.report import compare, figures, render_markdown
from tests.bot.quality.test_report import NAMES, scores
from tests.support.databases import database_url  # noqa: F401 - pytest finds fixtures by name


def test_the_report_shows_each_topic_s_thumbs_up_rate(database_url: str) -> None:  # noqa: F811
    for conversation, topic, vote in [
        ("tg:1", "fees", Vote.UP),
        ("tg:2", "fees", Vote.UP),
        ("tg:3", "fees", Vote.DOWN),
        ("tg:4", "fees", None),
        ("tg:5", "materials", None),
    ]:
        answer = record_answer_now(conversation, topic, "问题", [], database_url=database_url)
        assert answer is not None
        if vote is not None:
            take_vote_now(conversation, answer, vote, VoteSource.BUTTON, database_url=database_url)

    votes = read_votes(database_url)
    lines = feedback_lines(votes, NAMES, database_url=database_url)
    scored = scores(0.75, 0.5)
    current = figures(scored, model="m.tar.gz", when="2026-11-29 10:00")
    markdown = render_markdown(scored, current, compare(None, current), names=NAMES, feedback=lines)
    section = markdown[markdown.index("## 用户对回答的评价（👍 率）") :]
    assert "| 认证要收费吗？ | `faq/fees` | 4 | 2 | 1 | 67% |" in section
    assert "| materials | `faq/materials` | 1 | 0 | 0 | — |" in section
    assert feedback_summary(votes) == "用户评价：3 次评价，👍 率 67%（各主题见报告）"
