"""The FAQ spreadsheet round trip: export, edit, import (all or nothing)."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from bot.content import texts
from bot.content.__main__ import main
from bot.content.corpus import training_corpus
from bot.content.errors import SheetError
from bot.content.faq_sheet import COLUMNS, export_sheet, import_sheet
from bot.content.paths import ProjectPaths
from bot.content.topic_files import read_topic, topic_paths
from bot.train import fingerprint
from tests.bot.content.conftest import snapshot

HEADERS = [column.header for column in COLUMNS]


def edit(
    sheet_path: Path, changes: dict[tuple[str, str], str | None], new_rows: list[list[str]] = ()
) -> None:
    """Set cells by (topic key, header) and append rows, as an editor would in Excel."""
    workbook = load_workbook(sheet_path)
    sheet = workbook[texts.FAQ_SHEET]
    rows = {sheet.cell(row=r, column=1).value: r for r in range(2, sheet.max_row + 1)}
    for (key, header), value in changes.items():
        sheet.cell(row=rows[key], column=HEADERS.index(header) + 1).value = value
    for row in new_rows:
        sheet.append(row)
    workbook.save(sheet_path)


def phrasing_of(paths: ProjectPaths, intent: str) -> str:
    """A training phrasing of `intent` in the current content."""
    return next(p.text for p in training_corpus(paths).phrasings() if p.intent == intent)


def row_number(sheet_path: Path, key: str) -> int:
    sheet = load_workbook(sheet_path)[texts.FAQ_SHEET]
    return next(r for r in range(2, sheet.max_row + 1) if sheet.cell(row=r, column=1).value == key)


def test_export_then_import_of_the_real_files_changes_no_byte(project: ProjectPaths, tmp_path: Path) -> None:
    sheet = tmp_path / "faq.xlsx"
    before = snapshot(project.root)
    export_sheet(sheet, ProjectPaths())  # the real files ...
    result = import_sheet(sheet, project)  # ... imported into a copy of them
    assert snapshot(project.root) == before
    assert result.created == result.changed == result.deleted == []
    assert len(result.unchanged) == len(topic_paths(ProjectPaths().faq_dir))


def test_sheet_is_readable_for_editors(tmp_path: Path) -> None:
    sheet_path = tmp_path / "faq.xlsx"
    assert main(["export", str(sheet_path)]) == 0
    sheet = load_workbook(sheet_path)[texts.FAQ_SHEET]
    assert [cell.value for cell in sheet[1]] == HEADERS
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["C"].width >= 60
    answer = sheet.cell(row=row_number(sheet_path, "fees"), column=3)
    assert answer.alignment.wrap_text and "免费" in answer.value
    phrasings = sheet.cell(row=row_number(sheet_path, "fees"), column=4).value.split("\n")
    assert "认证需要费用吗" in phrasings


def test_editing_an_answer_rewrites_only_that_file_and_needs_no_retraining(
    project: ProjectPaths, tmp_path: Path
) -> None:
    sheet = tmp_path / "faq.xlsx"
    export_sheet(sheet, project)
    trained_on = fingerprint(project.root)
    before = snapshot(project.root)
    new_answer = "钉钉企业认证本身是免费的。\n如果有人声称可以付费代办认证，请警惕。"
    edit(sheet, {("fees", texts.COL_ANSWER): new_answer + "  \r\n"})
    result = import_sheet(sheet, project)
    assert result.changed == ["fees"] and not result.phrasings_changed
    assert read_topic(project.topic_file("fees")).answer == new_answer
    after = snapshot(project.root)
    assert {name for name in after if after[name] != before[name]} == {"data/nlu/faq/fees.yml"}
    assert fingerprint(project.root) == trained_on


def test_new_row_creates_a_topic_file_and_missing_rows_delete_nothing(
    project: ProjectPaths, tmp_path: Path
) -> None:
    sheet = tmp_path / "faq.xlsx"
    export_sheet(sheet, project)
    workbook = load_workbook(sheet)
    workbook[texts.FAQ_SHEET].delete_rows(row_number(sheet, "fees"))  # an editor removes the row ...
    workbook.save(sheet)
    phrasings = "\n".join(f"新主题的第{n}种问法" for n in range(1, 13))
    edit(
        sheet,
        {},
        [["invoice_question", "认证能开发票吗？", "认证本身免费，不涉及发票。", phrasings, "测试", ""]],
    )
    result = import_sheet(sheet, project)
    assert result.created == ["invoice_question"]
    assert result.not_in_sheet == ["fees"] and result.phrasings_changed
    assert project.topic_file("fees").exists()  # ... which does not delete the topic
    created = read_topic(project.topic_file("invoice_question"))
    assert created.question == "认证能开发票吗？" and len(created.examples) == 12


def test_delete_mark_removes_an_unreferenced_topic_only(project: ProjectPaths, tmp_path: Path) -> None:
    sheet = tmp_path / "faq.xlsx"
    phrasings = "\n".join(f"临时主题问法{n}" for n in range(12))
    export_sheet(sheet, project)
    edit(sheet, {}, [["temporary_topic", "临时？", "临时答案。", phrasings, "", ""]])
    import_sheet(sheet, project)
    export_sheet(sheet, project)
    edit(sheet, {("temporary_topic", texts.COL_ACTION): texts.DELETE_MARK})
    assert import_sheet(sheet, project).deleted == ["temporary_topic"]
    assert not project.topic_file("temporary_topic").exists()

    edit(sheet, {("temporary_topic", texts.COL_ACTION): None, ("fees", texts.COL_ACTION): texts.DELETE_MARK})
    with pytest.raises(SheetError) as raised:
        import_sheet(sheet, project)  # fees is named by the held-out set and the conversation tests
    assert any(
        "「fees」仍被引用" in message and "heldout_nlu.yml" in message for message in raised.value.messages
    )
    assert project.topic_file("fees").exists()


def test_a_bad_sheet_is_rejected_whole_with_row_and_column(project: ProjectPaths, tmp_path: Path) -> None:
    sheet = tmp_path / "faq.xlsx"
    export_sheet(sheet, project)
    before = snapshot(project.root)
    fees_row, total_time_row = row_number(sheet, "fees"), row_number(sheet, "total_time")
    total_time, greeting = phrasing_of(project, "faq/total_time"), phrasing_of(project, "greet")
    phrasings = "\n".join(f"新问法{n}" for n in range(12))
    edit(
        sheet,
        {
            ("fees", texts.COL_ANSWER): "  ",
            ("total_time", texts.COL_ANSWER): "初审一般3-5个工作日。",
            ("contact_support", texts.COL_QUESTION): "第一行\n第二行",
            ("resubmit", texts.COL_PHRASINGS): f"{total_time}\n{greeting}",
        },
        [
            ["Bad Key", "问题？", "答案。", phrasings, "", ""],
            ["fees", "重复？", "答案。", phrasings, "", "改名"],
        ],
    )
    with pytest.raises(SheetError) as raised:
        import_sheet(sheet, project)
    messages = raised.value.messages
    assert f"第 {fees_row} 行「答案」列：不能为空" in messages
    assert any(m.startswith(f"第 {total_time_row} 行「答案」列：「初审」的时长写成了 3-5") for m in messages)
    assert any("「标准问题」列：只能写一行" in m for m in messages)
    assert any(f"「{total_time}」已在第" in m and ("total_time" in m or "resubmit" in m) for m in messages)
    assert any(f"「{greeting}」已是 greet 的训练说法" in m for m in messages)
    assert any("「Bad Key」不是有效的主题键" in m for m in messages)
    assert any("主题键「fees」在第" in m for m in messages)
    assert any("只能留空或填写「删除」" in m for m in messages)
    assert snapshot(project.root) == before


def test_a_changed_header_is_rejected(project: ProjectPaths, tmp_path: Path) -> None:
    sheet = tmp_path / "faq.xlsx"
    export_sheet(sheet, project)
    workbook = load_workbook(sheet)
    workbook[texts.FAQ_SHEET].cell(row=1, column=3).value = "回答"
    workbook.save(sheet)
    assert main(["--root", str(project.root), "import", str(sheet)]) == 1


def test_phrasing_of_a_topic_left_out_of_the_sheet_still_counts(
    project: ProjectPaths, tmp_path: Path
) -> None:
    sheet = tmp_path / "faq.xlsx"
    export_sheet(sheet, project)
    fees_row = row_number(sheet, "fees")
    fees = phrasing_of(project, "faq/fees")
    edit(
        sheet,
        {("resubmit", texts.COL_PHRASINGS): "\n".join([fees, *(f"重新提交问法{n}" for n in range(12))])},
    )
    workbook = load_workbook(sheet)
    workbook[texts.FAQ_SHEET].delete_rows(fees_row)
    workbook.save(sheet)
    with pytest.raises(SheetError) as raised:
        import_sheet(sheet, project)
    assert any(f"「{fees}」已是主题 fees 的说法" in message for message in raised.value.messages)
