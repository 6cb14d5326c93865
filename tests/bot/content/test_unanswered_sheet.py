"""The unanswered-questions spreadsheet: export the open questions, import the topics editors assigned."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.content import texts
from bot.content.__main__ import main
from bot.content.errors import SheetError
from bot.content.paths import ProjectPaths
from bot.content.topic_files import read_topic
from bot.content.unanswered_sheet import COLUMNS, export_unanswered, import_unanswered
from bot.db.unanswered import Reason, UnansweredQuestion, record_unanswered
from tests.bot.content.conftest import snapshot

HEADERS = [column.header for column in COLUMNS]
T0 = dt.datetime(2026, 11, 26, 1, 0, tzinfo=dt.timezone.utc)


@pytest.fixture
def asked(sessions: sessionmaker[Session]) -> None:
    """Four unanswered questions; the attendance one asked three times."""
    with sessions() as session, session.begin():
        for hours in range(3):
            record_unanswered(
                session, "钉钉考勤打卡范围怎么改", Reason.OUT_OF_SCOPE, now=T0 + dt.timedelta(hours=hours)
            )
        record_unanswered(session, "我手机13812345678，认证要收钱吗", Reason.UNCERTAIN, now=T0)
        record_unanswered(session, "asdf广告加微信", Reason.FALLBACK, now=T0)
        record_unanswered(session, "营业执照能用复印件吗", Reason.FALLBACK, now=T0)


def export(sessions: sessionmaker[Session], path: Path, project: ProjectPaths) -> int:
    with sessions() as session:
        return export_unanswered(session, path, project)


def assign(path: Path, assignments: dict[str, tuple[str, ...]]) -> None:
    """Fill 归入主题 (and new-topic columns) for rows whose question contains a given text."""
    workbook = load_workbook(path)
    sheet = workbook[texts.UNANSWERED_SHEET]
    for row in range(2, sheet.max_row + 1):
        question = sheet.cell(row=row, column=2).value
        for fragment, values in assignments.items():
            if fragment in question:
                for offset, value in enumerate(values):
                    sheet.cell(row=row, column=HEADERS.index(texts.UCOL_TOPIC) + 1 + offset).value = value
    workbook.save(path)


def do_import(sessions: sessionmaker[Session], path: Path, project: ProjectPaths):  # type: ignore[no-untyped-def]
    with sessions() as session, session.begin():
        return import_unanswered(session, path, project)


@pytest.mark.usefixtures("asked")
def test_export_lists_open_questions_most_frequent_first(
    sessions: sessionmaker[Session], project: ProjectPaths, tmp_path: Path
) -> None:
    path = tmp_path / "unanswered.xlsx"
    assert export(sessions, path, project) == 4
    workbook = load_workbook(path)
    assert workbook.sheetnames[0] == texts.HELP_SHEET  # the instructions first
    help_text = "".join(str(row[0]) for row in workbook[texts.HELP_SHEET].iter_rows(values_only=True))
    assert "北京时间" in help_text and "{" not in help_text
    rows = list(workbook[texts.UNANSWERED_SHEET].iter_rows(values_only=True))
    assert list(rows[0]) == HEADERS and "首次出现（北京时间）" in HEADERS
    assert rows[1][1:6] == ("钉钉考勤打卡范围怎么改", 3, "超出范围", "2026-11-26 09:00", "2026-11-26 11:00")
    assert any(row[1] == "我手机138****5678,认证要收钱吗" for row in rows)
    assert all(row[HEADERS.index(texts.UCOL_TOPIC)] is None for row in rows[1:])  # the column editors fill in
    topics = [row[0] for row in workbook[texts.TOPICS_SHEET].iter_rows(min_row=2, values_only=True)]
    assert "fees" in topics


@pytest.mark.usefixtures("asked")
def test_import_adds_phrasings_ignores_and_marks_handled(
    sessions: sessionmaker[Session], project: ProjectPaths, tmp_path: Path
) -> None:
    path = tmp_path / "unanswered.xlsx"
    export(sessions, path, project)
    assign(path, {"营业执照能用复印件吗": ("business_license",), "广告": (texts.IGNORE_MARK,)})
    result = do_import(sessions, path, project)
    assert (result.added, result.created, result.ignored, result.skipped) == (1, set(), 1, 2)
    assert read_topic(project.topic_file("business_license")).examples[-1] == "营业执照能用复印件吗"
    with sessions() as session:
        rows = {row.text: row for row in session.scalars(select(UnansweredQuestion))}
    assert (
        rows["营业执照能用复印件吗"].topic == "business_license" and rows["营业执照能用复印件吗"].handled_at
    )
    assert rows["asdf广告加微信"].topic is None and rows["asdf广告加微信"].handled_at
    assert rows["我手机138****5678,认证要收钱吗"].handled_at is None
    assert export(sessions, tmp_path / "again.xlsx", project) == 2

    before = snapshot(project.root)
    again = do_import(sessions, path, project)  # the same sheet once more: nothing happens
    assert (again.added, again.already_handled) == (0, 2)
    assert snapshot(project.root) == before


@pytest.mark.usefixtures("asked")
def test_a_new_topic_needs_the_floors_of_the_check_and_a_typo_gets_did_you_mean(
    sessions: sessionmaker[Session], project: ProjectPaths, tmp_path: Path
) -> None:
    path = tmp_path / "unanswered.xlsx"
    export(sessions, path, project)
    assign(
        path,
        {
            "考勤": (
                "attendance",
                "钉钉考勤怎么设置？",
                "考勤设置不属于中级认证，请在钉钉帮助中心搜索「考勤」。",
            ),
            "营业执照能用复印件吗": ("busines_license",),
        },
    )
    before = snapshot(project.root)
    with pytest.raises(SheetError) as raised:
        do_import(sessions, path, project)
    messages = "\n".join(raised.value.messages)
    assert "主题 attendance 只有 1 条用户说法，至少需要 30 条" in messages
    assert "主题 attendance 只有 0 条测试问法，至少需要 4 条" in messages
    assert "新主题请在 FAQ 表格" in messages
    assert "主题「busines_license」不存在。您是不是想写「business_license」？" in messages
    assert snapshot(project.root) == before


@pytest.mark.usefixtures("asked")
def test_a_masked_question_never_becomes_a_phrasing(
    sessions: sessionmaker[Session], project: ProjectPaths, tmp_path: Path
) -> None:
    path = tmp_path / "unanswered.xlsx"
    export(sessions, path, project)
    assign(path, {"认证要收钱吗": ("fees",)})
    before = snapshot(project.root)
    with pytest.raises(SheetError) as raised:
        do_import(sessions, path, project)
    (message,) = raised.value.messages[1:]
    assert message.startswith(
        f"第 3 行（主题 fees）「{texts.UCOL_TEXT}」列：「我手机138****5678,认证要收钱吗」含有隐藏的个人信息"
    )
    assert snapshot(project.root) == before
    with sessions() as session:
        assert all(row.handled_at is None for row in session.scalars(select(UnansweredQuestion)))


@pytest.mark.usefixtures("asked")
def test_phrasing_already_in_the_topic_is_skipped(
    sessions: sessionmaker[Session], project: ProjectPaths, tmp_path: Path
) -> None:
    fees = read_topic(project.topic_file("fees")).examples[-1]
    with sessions() as session, session.begin():
        record_unanswered(session, f"{fees}！", Reason.FALLBACK)  # fees has it, without the 「！」
    path = tmp_path / "unanswered.xlsx"
    export(sessions, path, project)
    assign(path, {fees: ("fees",)})
    before = project.topic_file("fees").read_bytes()
    result = do_import(sessions, path, project)
    assert (result.added, result.duplicates) == (0, 1)
    assert project.topic_file("fees").read_bytes() == before


@pytest.mark.usefixtures("asked")
def test_a_bad_sheet_changes_neither_files_nor_database(
    sessions: sessionmaker[Session], project: ProjectPaths, tmp_path: Path
) -> None:
    total_time = read_topic(project.topic_file("total_time")).examples[0]
    with sessions() as session, session.begin():
        record_unanswered(session, total_time, Reason.UNCERTAIN)
    path = tmp_path / "unanswered.xlsx"
    export(sessions, path, project)
    assign(
        path,
        {
            "营业执照能用复印件吗": ("business_license",),
            total_time: ("fees",),
            "考勤": ("attendance", "钉钉考勤怎么设置？", "请拨打 400-123-4567 咨询。"),
            "认证要收钱吗": ("New Topic",),
            "广告": ("unknown_topic",),
        },
    )
    before = snapshot(project.root)
    with pytest.raises(SheetError) as raised:
        do_import(sessions, path, project)
    messages = "\n".join(raised.value.messages)
    assert f"「{total_time}」已是主题 total_time 的说法" in messages
    assert "「新主题的答案」列：电话号码 400-123-4567 与事实不符" in messages
    assert "「New Topic」不是有效的主题键" in messages
    assert "主题「unknown_topic」还不存在" in messages  # no existing key looks like it
    assert snapshot(project.root) == before
    with sessions() as session:
        assert all(row.handled_at is None for row in session.scalars(select(UnansweredQuestion)))


def test_commands_explain_an_uninitialised_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    assert main(["unanswered", "export", str(tmp_path / "u.xlsx")]) == 1
    assert "请先运行 make db" in capsys.readouterr().err


@pytest.mark.usefixtures("asked")
def test_commands_export_and_import(
    database_url: str,
    project: ProjectPaths,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    path = tmp_path / "unanswered.xlsx"
    assert main(["--root", str(project.root), "unanswered", "export", str(path)]) == 0
    assign(path, {"营业执照能用复印件吗": ("business_license",)})
    assert main(["--root", str(project.root), "unanswered", "import", str(path)]) == 0
    assert "1 条说法加入了 1 个主题" in capsys.readouterr().out
    assert "营业执照能用复印件吗" in read_topic(project.topic_file("business_license")).examples
