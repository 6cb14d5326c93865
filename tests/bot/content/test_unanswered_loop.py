"""The editors' loop end to end: a real Rasa turn records a question, an editor assigns it, import adds it."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from bot.content import texts
from bot.content.paths import ProjectPaths
from bot.content.topic_files import read_topic
from bot.content.unanswered_sheet import COLUMNS, export_unanswered, import_unanswered
from bot.db.engine import make_engine, make_session_factory
from bot.run import Stack
from tests.support.rest import RestClient

QUESTION = "钉钉考勤机的打卡范围在哪里改"
"""Out of scope (attendance, not certification), and not a training phrasing."""
HEADERS = [column.header for column in COLUMNS]
TOPIC_COLUMN = HEADERS.index(texts.UCOL_TOPIC) + 1
REASONS_COLUMN = HEADERS.index(texts.UCOL_REASONS) + 1


@pytest.mark.servers
def test_out_of_scope_question_becomes_a_phrasing_of_the_topic_an_editor_chose(
    stack: Stack, rest: RestClient, sender: str, project: ProjectPaths, tmp_path: Path
) -> None:
    reply = rest.texts(sender, QUESTION)
    assert "我只能解答钉钉企业认证（中级）相关的问题" in reply  # utter_out_of_scope

    engine = make_engine(stack.settings.database_url)
    sessions = make_session_factory(engine)
    try:
        sheet_path = tmp_path / "unanswered.xlsx"
        with sessions() as session:
            export_unanswered(session, sheet_path, project)
        workbook = load_workbook(sheet_path)
        sheet = workbook[texts.UNANSWERED_SHEET]
        (row,) = [r for r in range(2, sheet.max_row + 1) if sheet.cell(row=r, column=2).value == QUESTION]
        assert sheet.cell(row=row, column=REASONS_COLUMN).value == texts.REASONS["out_of_scope"]
        sheet.cell(row=row, column=TOPIC_COLUMN).value = "contact_support"
        workbook.save(sheet_path)

        with sessions() as session, session.begin():
            result = import_unanswered(session, sheet_path, project)
        assert result.topics == {"contact_support"}
        assert QUESTION in read_topic(project.topic_file("contact_support")).examples

        again = tmp_path / "again.xlsx"
        with sessions() as session:
            export_unanswered(session, again, project)
        listed = [
            r[1] for r in load_workbook(again)[texts.UNANSWERED_SHEET].iter_rows(min_row=2, values_only=True)
        ]
        assert QUESTION not in listed  # handled
    finally:
        engine.dispose()
