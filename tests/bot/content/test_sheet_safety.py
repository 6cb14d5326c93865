"""The FAQ sheet as editors misuse it: old sheets, two imports at once, crashes, odd cells, personal data."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from openpyxl import load_workbook

from bot.content import texts
from bot.content.__main__ import main
from bot.content.errors import SheetError
from bot.content.faq_sheet import ImportResult, export_sheet, import_sheet
from bot.content.gate import phrasing_text_problem
from bot.content.paths import ProjectPaths
from bot.content.staging import apply_all, import_lock
from bot.content.topic_files import read_topic, write_topic
from bot.train import fingerprint
from tests.bot.content.conftest import snapshot
from tests.bot.content.test_faq_sheet import HEADERS, edit, rows_of, topic_rows

NEW_PHRASINGS = [f"临时主题问法{n}" for n in range(30)]
NEW_TESTS = [f"临时主题测试{n}" for n in range(4)]


def refused(sheet: Path, project: ProjectPaths) -> list[str]:
    """The messages of an import that must be refused."""
    with pytest.raises(SheetError) as raised:
        import_sheet(sheet, project)
    return raised.value.messages


def set_cell(sheet_path: Path, key: str, header: str, value: object, nth: int = 0) -> None:
    """Write `value` (any type, as Excel would store it) into the nth row of topic `key`."""
    workbook = load_workbook(sheet_path)
    sheet = workbook[texts.FAQ_SHEET]
    sheet.cell(row=rows_of(sheet, key)[nth], column=HEADERS.index(header) + 1).value = value
    workbook.save(sheet_path)


def test_an_old_sheet_cannot_undo_a_newer_import(project: ProjectPaths, tmp_path: Path) -> None:
    old, new = tmp_path / "old.xlsx", tmp_path / "new.xlsx"
    export_sheet(old, project)
    export_sheet(new, project)
    edit(new, {("fees", texts.COL_ANSWER): "认证免费（新的说法）。"})
    import_sheet(new, project)
    edit(old, {("fees", texts.COL_ANSWER): "认证免费（旧表格里的说法）。"})
    before = snapshot(project.root)
    messages = refused(old, project)
    assert any("fees" in m and "导出这张表格之后被修改过" in m and "重新导出" in m for m in messages)
    assert snapshot(project.root) == before
    assert read_topic(project.topic_file("fees")).answer == "认证免费（新的说法）。"


def test_an_old_sheet_may_change_topics_nobody_changed_since(project: ProjectPaths, tmp_path: Path) -> None:
    old = tmp_path / "old.xlsx"
    export_sheet(old, project)
    fees = read_topic(project.topic_file("fees"))
    write_topic(fees.__class__(**{**fees.__dict__, "answer": "别人改过的答案。"}))  # e.g. unanswered import
    edit(old, {("contact_support", texts.COL_NOTES): "编辑的备注"}, drop=["fees"])
    result = import_sheet(old, project)  # the sheet no longer holds fees: no conflict
    assert result.changed == ["contact_support"]
    assert read_topic(project.topic_file("fees")).answer == "别人改过的答案。"
    edit(old, {("contact_support", texts.COL_NOTES): "再改一次备注"})
    assert import_sheet(old, project).changed == ["contact_support"]  # its own import is no conflict


def test_an_old_sheet_cannot_bring_back_a_deleted_topic(project: ProjectPaths, tmp_path: Path) -> None:
    sheet, old = tmp_path / "faq.xlsx", tmp_path / "old.xlsx"
    export_sheet(sheet, project)
    edit(sheet, {}, topic_rows("temporary_topic", "临时？", "临时答案。", NEW_PHRASINGS, NEW_TESTS))
    import_sheet(sheet, project)
    export_sheet(old, project)
    export_sheet(sheet, project)
    edit(sheet, {("temporary_topic", texts.COL_ACTION): texts.DELETE_MARK})
    result = import_sheet(sheet, project)
    assert result.deleted == ["temporary_topic"]
    assert "temporary_topic" not in result.tests_changed
    assert "测试问法已写入" not in result.summary()  # its test questions were removed, not written
    messages = refused(old, project)
    assert any("temporary_topic" in m and "被删除" in m for m in messages)
    assert not project.topic_file("temporary_topic").exists()


def test_two_imports_at_once_run_one_after_the_other(project: ProjectPaths, tmp_path: Path) -> None:
    old = tmp_path / "old.xlsx"
    export_sheet(old, project)
    edit(old, {("fees", texts.COL_ANSWER): "旧表格的答案。"})
    outcome: list[object] = []

    def second_import() -> None:
        try:
            outcome.append(import_sheet(old, project))
        except SheetError as error:
            outcome.append(error)

    with import_lock(project):  # the first import holds the lock while it writes fees
        thread = threading.Thread(target=second_import)
        thread.start()
        fees = read_topic(project.topic_file("fees"))
        write_topic(fees.__class__(**{**fees.__dict__, "answer": "第一次导入的答案。"}))
    thread.join()
    (result,) = outcome
    assert isinstance(result, SheetError)  # it waited, then saw the first import's change
    assert read_topic(project.topic_file("fees")).answer == "第一次导入的答案。"


def test_a_too_long_topic_key_is_refused_before_anything_is_written(
    project: ProjectPaths, tmp_path: Path
) -> None:
    sheet = tmp_path / "faq.xlsx"
    export_sheet(sheet, project)
    edit(
        sheet,
        {("fees", texts.COL_ANSWER): "认证免费。"},
        topic_rows("a" * 300, "问题？", "答案。", NEW_PHRASINGS, NEW_TESTS),
    )
    before = snapshot(project.root)
    messages = refused(sheet, project)
    assert any("不是有效的主题键" in m and "40" in m for m in messages)
    assert snapshot(project.root) == before


def test_leftovers_of_a_killed_import_are_removed_and_never_force_a_retrain(
    project: ProjectPaths, tmp_path: Path
) -> None:
    trained_on = fingerprint(project.root)
    leftovers = [
        project.faq_dir / ".fees.yml.staged.tmp",
        project.faq_dir / ".contact_support.yml.x1y2.tmp",
        project.heldout.parent / ".heldout_nlu.yml.staged.tmp",
    ]
    for path in leftovers:
        path.write_text("half a file", encoding="utf-8")
    assert fingerprint(project.root) == trained_on
    sheet = tmp_path / "faq.xlsx"
    export_sheet(sheet, project)
    edit(sheet, {("fees", texts.COL_ANSWER): "认证免费。"})
    assert import_sheet(sheet, project).changed == ["fees"]
    assert not any(path.exists() for path in leftovers)
    assert not list(project.faq_dir.glob(".*"))


def test_sorting_the_sheet_changes_no_file(project: ProjectPaths, tmp_path: Path) -> None:
    sheet_path = tmp_path / "faq.xlsx"
    export_sheet(sheet_path, project)
    workbook = load_workbook(sheet_path)
    sheet = workbook[texts.FAQ_SHEET]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)]
    rows.sort(key=lambda row: (str(row[3] or ""), str(row[4] or "")), reverse=True)  # by phrasing, Z-A
    for number, values in enumerate(rows, start=2):
        for column, value in enumerate(values, start=1):
            sheet.cell(row=number, column=column).value = value
    workbook.save(sheet_path)
    before = snapshot(project.root)
    result = import_sheet(sheet_path, project)
    assert result.changed == [] and result.tests_changed == [] and not result.phrasings_changed
    assert snapshot(project.root) == before


def test_real_and_masked_personal_data_never_become_phrasings(project: ProjectPaths, tmp_path: Path) -> None:
    sheet = tmp_path / "faq.xlsx"
    export_sheet(sheet, project)
    set_cell(sheet, "fees", texts.COL_PHRASINGS, "我手机13812345678认证要钱吗", nth=1)
    set_cell(sheet, "fees", texts.COL_PHRASINGS, "法人身份证11010519491231002X要收费吗", nth=2)
    set_cell(sheet, "fees", texts.COL_PHRASINGS, "我的电话138××××5678认证收费吗", nth=3)
    set_cell(sheet, "fees", texts.COL_TESTS, "账号•••••收费吗", nth=0)
    before = snapshot(project.root)
    messages = refused(sheet, project)
    assert sum("含有真实的个人信息" in m for m in messages) == 2
    assert any("138××××5678" in m and "隐藏的个人信息" in m for m in messages)
    assert any("•••••" in m and f"「{texts.COL_TESTS}」列" in m for m in messages)
    assert snapshot(project.root) == before


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=CONCAT("认证","收费吗")', "是公式"),
        (12345, "是数字"),
        (True, "是真/假值"),
        ("认证要钱吗\n认证收费吗", "请每条各占一行"),
        ("😀🙏\u200b", "没有文字"),
        ("认证" * 101, "超过 200 字"),
    ],
)
def test_cells_that_are_no_single_phrasing_are_refused(
    project: ProjectPaths, tmp_path: Path, value: object, expected: str
) -> None:
    sheet = tmp_path / "faq.xlsx"
    export_sheet(sheet, project)
    set_cell(sheet, "fees", texts.COL_PHRASINGS, value, nth=1)
    before = snapshot(project.root)
    messages = refused(sheet, project)
    assert any(expected in m and f"「{texts.COL_PHRASINGS}」列" in m for m in messages), messages
    assert snapshot(project.root) == before


def test_export_refuses_a_folder_another_format_and_overwriting(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["export", str(tmp_path)]) == 1
    assert "是一个文件夹" in capsys.readouterr().err
    assert main(["export", str(tmp_path / "faq.csv")]) == 1
    assert ".xlsx" in capsys.readouterr().err
    target = tmp_path / "faq.xlsx"
    target.write_bytes(b"the editor's own work")
    assert main(["export", str(target)]) == 1
    assert "--force" in capsys.readouterr().err
    assert target.read_bytes() == b"the editor's own work"
    assert main(["export", "--force", str(target)]) == 0
    assert isinstance(load_workbook(target)[texts.FAQ_SHEET].max_row, int)


def test_a_broken_file_gets_a_chinese_message(project: ProjectPaths, tmp_path: Path) -> None:
    sheet = tmp_path / "faq.xlsx"
    sheet.write_bytes(b"PK\x03\x04 not really a zip")
    messages = refused(sheet, project)
    assert messages[0].startswith("无法打开表格")
    assert ImportResult().summary()  # nothing else needed


def test_a_cell_with_a_broken_character_gets_a_chinese_message(project: ProjectPaths, tmp_path: Path) -> None:
    sheet = tmp_path / "faq.xlsx"
    export_sheet(sheet, project)
    set_cell(sheet, "fees", texts.COL_PHRASINGS, "认证\ud800收费吗", nth=1)  # a lone surrogate
    before = snapshot(project.root)
    messages = refused(sheet, project)
    assert messages[0].startswith("无法打开表格") or any("无法保存的字符" in m for m in messages)
    assert snapshot(project.root) == before


def test_a_failure_while_staging_changes_no_file(tmp_path: Path) -> None:
    first, second = tmp_path / "a.yml", tmp_path / "b.yml"
    first.write_text("old a", encoding="utf-8")
    second.write_text("old b", encoding="utf-8")
    (tmp_path / ".b.yml.staged.tmp").mkdir()  # b cannot be staged (as if the disk filled up)
    with pytest.raises(OSError):
        apply_all({first: "new a", second: "new b"})
    assert first.read_text(encoding="utf-8") == "old a" and second.read_text(encoding="utf-8") == "old b"
    assert not (tmp_path / ".a.yml.staged.tmp").exists()
    assert apply_all({first: "old a"}) == set()  # nothing to change: not touched


@pytest.mark.parametrize("text", ["认证···怎么弄", "XX公司要认证吗", "认证 *急* 多久"])
def test_ordinary_phrasings_are_not_taken_for_personal_data(text: str) -> None:
    assert phrasing_text_problem(text) == ""


def test_an_import_killed_at_any_moment_leaves_whole_files_and_the_next_one_finishes(
    project: ProjectPaths, tmp_path: Path
) -> None:
    sheet = tmp_path / "faq.xlsx"
    export_sheet(sheet, project)
    keys = ("fees", "contact_support", "total_time")
    old = {key: project.topic_file(key).read_bytes() for key in keys}
    edit(sheet, {(key, texts.COL_NOTES): f"{key} 的新备注" for key in keys})
    command = [sys.executable, "-m", "bot.content", "--root", str(project.root), "import", str(sheet)]
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1.0)  # somewhere inside the import (when it is already done, the checks below hold too)
    child.send_signal(signal.SIGKILL)
    child.wait()
    for key in keys:
        now = project.topic_file(key).read_bytes()
        assert now == old[key] or read_topic(project.topic_file(key)).notes == f"{key} 的新备注"
    import_sheet(sheet, project)
    assert all(read_topic(project.topic_file(key)).notes == f"{key} 的新备注" for key in keys)
    assert not [path for path in project.root.rglob("*.tmp")]
