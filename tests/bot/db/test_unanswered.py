"""Unanswered questions: recorded masked, counted by normalised text, listed and handled (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.db.base import Base
from bot.db.engine import make_engine
from bot.db.unanswered import (
    Reason,
    UnansweredQuestion,
    mark_handled,
    open_questions,
    prepare,
    record_unanswered,
)

T0 = dt.datetime(2026, 11, 26, 8, 0, tzinfo=dt.timezone.utc)


def test_same_question_is_counted_once_with_first_and_last_seen(sessions: sessionmaker[Session]) -> None:
    with sessions() as session, session.begin():
        record_unanswered(session, "钉钉考勤怎么设置", Reason.OUT_OF_SCOPE, now=T0)
        record_unanswered(session, " 釘釘考勤 怎麼設置？", Reason.FALLBACK, now=T0 + dt.timedelta(hours=2))
        record_unanswered(session, "发票怎么开", Reason.UNCERTAIN, now=T0 + dt.timedelta(hours=1))
    with sessions() as session:
        first, second = open_questions(session)
    assert (first.text, first.count, first.reasons) == ("钉钉考勤怎么设置", 2, "fallback,out_of_scope")
    assert (first.first_seen, first.last_seen) == (T0, T0 + dt.timedelta(hours=2))
    assert (second.text, second.count) == ("发票怎么开", 1)


def test_personal_data_is_masked_before_it_is_stored(sessions: sessionmaker[Session]) -> None:
    with sessions() as session, session.begin():
        record_unanswered(session, "我手机13812345678，身份证110101199003074514，能认证吗", Reason.HANDOFF)
        record_unanswered(session, "我手机13987654321，身份证110101199003074514，能认证吗", Reason.HANDOFF)
    with sessions() as session:
        (row,) = session.scalars(select(UnansweredQuestion)).all()
    assert "13812345678" not in row.text and "110101199003074514" not in row.text
    assert row.text.startswith("我手机138****5678") and row.count == 2  # differs only in masked data


def test_masking_comes_before_normalising() -> None:
    """Normalising glues a spaced `rz 138 1234 5678 9` into one ID-looking run; masked first, it cannot."""
    shown, _ = prepare("我的电话是 rz 138 1234 5678 9 怎么认证") or ("", "")
    assert "138****5678" in shown and "13812345678" not in shown.replace(" ", "")


def test_payloads_and_empty_text_are_not_recorded(sessions: sessionmaker[Session]) -> None:
    with sessions() as session, session.begin():
        assert record_unanswered(session, '/faq{"faq_key": "fees"}', Reason.UNCERTAIN) is None
        assert record_unanswered(session, "  ？！ ", Reason.FALLBACK) is None
    with sessions() as session:
        assert open_questions(session) == []


def test_handled_questions_are_no_longer_listed(sessions: sessionmaker[Session]) -> None:
    with sessions() as session, session.begin():
        question = record_unanswered(session, "发票怎么开", Reason.FALLBACK)
        assert question is not None
        mark_handled(session, question, "fees")
        record_unanswered(session, "发票怎么开", Reason.FALLBACK)  # asked again: counted, still handled
    with sessions() as session:
        assert open_questions(session) == []
        (row,) = session.scalars(select(UnansweredQuestion)).all()
        assert (row.topic, row.count) == ("fees", 2)


def test_model_matches_the_migration(database_url: str) -> None:
    def ours(obj, name, type_, reflected, compare_to):  # type: ignore[no-untyped-def]
        table = obj if type_ == "table" else getattr(obj, "table", None)
        return table is None or table.name == UnansweredQuestion.__tablename__

    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"compare_type": True, "include_object": ours}
            )
            assert compare_metadata(context, Base.metadata) == []
    finally:
        engine.dispose()
