"""Votes on FAQ answers: one per answer, only from its conversation; a 👎 reaches the editors' sheet."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from openpyxl import load_workbook
from sqlalchemy.orm import Session, sessionmaker

from bot.answers.catalog import Catalog
from bot.answers.feedback import Outcome, feedback_buttons, record_answer_now, take_vote_now
from bot.answers.rephrasing import REPHRASE_WINDOW, is_rephrasing
from bot.content import texts
from bot.content.unanswered_sheet import COLUMNS, export_unanswered
from bot.db.feedback_models import Vote, VoteSource
from bot.db.unanswered import Reason, record_unanswered

HEADERS = [column.header for column in COLUMNS]
T0 = dt.datetime(2026, 11, 29, 2, 0, tzinfo=dt.timezone.utc)
ASKED = "我手机13812345678，认证要交钱吗"


def test_a_thumbs_down_puts_the_masked_question_in_the_sheet_with_the_answer_given(
    database_url: str, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    def vote(conversation: str, answer: int, value: Vote, source: VoteSource = VoteSource.BUTTON) -> Outcome:
        return take_vote_now(conversation, answer, value, source, database_url=database_url, now=T0)

    wrong = [
        record_answer_now(f"tg:{n}", "materials_list", ASKED, ["fees"], database_url=database_url, now=T0)
        for n in range(3)
    ]
    liked = record_answer_now("web:a", "fees", "认证收费吗", [], database_url=database_url, now=T0)
    assert None not in wrong and liked is not None
    assert [b["title"] for b in feedback_buttons(liked)] == ["👍", "👎"]

    assert vote("web:a", liked, Vote.UP) is Outcome.THANKS
    assert vote("web:a", liked, Vote.DOWN) is Outcome.ALREADY  # the first vote stands
    assert vote("tg:99", wrong[0], Vote.DOWN) is Outcome.UNKNOWN  # another conversation's answer
    assert vote("tg:0", wrong[0], Vote.DOWN) is Outcome.SORRY
    assert vote("tg:1", wrong[1], Vote.DOWN, VoteSource.TYPED) is Outcome.SORRY
    assert vote("tg:2", wrong[2], Vote.DOWN, VoteSource.REPHRASED) is Outcome.SORRY
    with sessions() as session, session.begin():
        record_unanswered(session, "钉钉考勤怎么设置", Reason.OUT_OF_SCOPE, now=T0)  # asked once

    sheet = tmp_path / "unanswered.xlsx"
    with sessions() as session:
        assert export_unanswered(session, sheet) == 2
    rows = list(load_workbook(sheet)[texts.UNANSWERED_SHEET].iter_rows(min_row=2, values_only=True))
    first = dict(zip(HEADERS, rows[0]))  # asked three times: ranked above the one asked once
    assert first[texts.UCOL_TEXT] == "我手机138****5678,认证要交钱吗"
    assert (first[texts.UCOL_COUNT], first[texts.UCOL_REASONS]) == (3, "答错了")
    materials = Catalog().topics()["materials_list"].question
    assert first[texts.UCOL_ANSWERED] == f"materials_list：{materials}"
    assert dict(zip(HEADERS, rows[1]))[texts.UCOL_ANSWERED] is None


def test_an_immediate_rephrasing_is_another_topic_the_model_hesitated_over_or_none() -> None:
    def rephrased(outcome: str | None, after: dt.timedelta = dt.timedelta(seconds=30)) -> bool:
        return is_rephrasing(
            answered_topic="materials_list",
            alternatives=["fees", "total_time"],
            answered_at=T0,
            outcome_topic=outcome,
            now=T0 + after,
        )

    assert rephrased(None) and rephrased("fees")  # no answer at all, or the first question's runner-up
    assert not rephrased("total_time")  # ranked third for the first question: a plain second question
    assert not rephrased("materials_list")  # the same answer again
    assert not rephrased("legal_rep_change")  # a new question the model never considered for the first
    assert not rephrased(None, REPHRASE_WINDOW + dt.timedelta(seconds=1))  # too late to be "at once"
