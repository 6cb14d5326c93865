"""The FAQ spreadsheet round trip: export, edit, import (all or nothing)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from bot.content import texts
from bot.content.__main__ import main
from bot.content.checks import check_project
from bot.content.corpus import heldout_corpus, training_corpus
from bot.content.errors import SheetError
from bot.content.faq_sheet import COLUMNS, export_sheet, import_sheet
from bot.content.heldout_file import questions_by_topic, replace_test_questions
from bot.content.paths import ProjectPaths
from bot.content.topic_files import Topic, read_topic, topic_paths, write_topic
from bot.train import fingerprint
from tests.bot.content.conftest import snapshot

HEADERS = [column.header for column in COLUMNS]


def rows_of(sheet: Any, key: str) -> list[int]:
    """The rows of topic `key` (its key is written on each)."""
    return [r for r in range(2, sheet.max_row + 1) if sheet.cell(row=r, column=1).value == key]


def edit(
    sheet_path: Path,
    changes: dict[tuple[str, str], str | None],
    new_rows: Sequence[Sequence[str]] = (),
    drop: Sequence[str] = (),
) -> None:
    """Set cells of a topic's first row by (topic key, header), append rows, drop topics' rows, as in Excel."""
    workbook = load_workbook(sheet_path)
    sheet = workbook[texts.FAQ_SHEET]
    for (key, header), value in changes.items():
        sheet.cell(row=rows_of(sheet, key)[0], column=HEADERS.index(header) + 1).value = value
    for key in drop:
        for row in reversed(rows_of(sheet, key)):
            sheet.delete_rows(row)
    for row in new_rows:
        sheet.append(list(row))
    workbook.save(sheet_path)


def topic_rows(
    key: str,
    question: str,
    answer: str,
    phrasings: Sequence[str],
    tests: Sequence[str] = (),
    action: str = "",
) -> list[list[str]]:
    """A new topic as an editor adds it: one row per phrasing, question and answer on the first."""
    count = max(len(phrasings), len(tests), 1)
    padded = [*phrasings, *[""] * (count - len(phrasings))]
    questions = [*tests, *[""] * (count - len(tests))]
    rows = [[key, question, answer, padded[0], questions[0], "", action]]
    return rows + [[key, "", "", padded[i], questions[i], "", ""] for i in range(1, count)]


def phrasing_of(paths: ProjectPaths, intent: str) -> str:
    """A training phrasing of `intent` in the current content."""
    return next(p.text for p in training_corpus(paths).phrasings() if p.intent == intent)


def row_number(sheet_path: Path, key: str) -> int:
    """The first row of topic `key`."""
    return rows_of(load_workbook(sheet_path)[texts.FAQ_SHEET], key)[0]


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
    fees = rows_of(sheet, "fees")
    phrasings = [sheet.cell(row=r, column=4).value for r in fees]
    assert "认证需要费用吗" in phrasings and all(p and "\n" not in p for p in phrasings)  # one per row
    assert sum(bool(sheet.cell(row=r, column=5).value) for r in fees) >= 4  # the test questions
    assert sheet.row_dimensions[fees[0]].height >= 15 * answer.value.count("\n")  # every line shows
    workbook = load_workbook(sheet_path)
    assert workbook.sheetnames[0] == texts.HELP_SHEET
    (choice,) = workbook[texts.FAQ_SHEET].data_validations.dataValidation
    assert choice.type == "list" and choice.formula1 == '"删除"' and "G2" in str(choice.sqref)


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
    phrasings = [f"新主题的第{n}种问法" for n in range(1, 31)]
    tests = ["发票能开吗", "认证有没有发票", "要发票找谁", "认证费用开票吗"]
    rows = topic_rows("invoice_question", "认证能开发票吗？", "认证本身免费，不涉及发票。", phrasings, tests)
    rows[5][0] = ""  # a row without a key continues the topic above
    edit(sheet, {}, rows, drop=["fees"])  # an editor removes the rows of fees ...
    result = import_sheet(sheet, project)
    assert result.created == ["invoice_question"] and result.tests_changed == ["invoice_question"]
    assert result.not_in_sheet == ["fees"] and result.phrasings_changed
    assert project.topic_file("fees").exists()  # ... which does not delete the topic
    created = read_topic(project.topic_file("invoice_question"))
    assert created.question == "认证能开发票吗？" and created.examples == tuple(phrasings)
    held = [p.text for p in heldout_corpus(project).phrasings() if p.intent == "faq/invoice_question"]
    assert held == tests  # the test questions go to the held-out set, never to training
    assert not set(tests) & {p.text for p in training_corpus(project).phrasings()}
    assert check_project(project).errors == []


def test_delete_mark_removes_an_unreferenced_topic_only(project: ProjectPaths, tmp_path: Path) -> None:
    sheet = tmp_path / "faq.xlsx"
    phrasings = [f"临时主题问法{n}" for n in range(30)]
    tests = [f"临时主题测试{n}" for n in range(4)]
    heldout_before = project.heldout.read_bytes()
    export_sheet(sheet, project)
    edit(sheet, {}, topic_rows("temporary_topic", "临时？", "临时答案。", phrasings, tests))
    import_sheet(sheet, project)
    export_sheet(sheet, project)
    edit(sheet, {("temporary_topic", texts.COL_ACTION): texts.DELETE_MARK})
    assert import_sheet(sheet, project).deleted == ["temporary_topic"]
    assert not project.topic_file("temporary_topic").exists()
    assert project.heldout.read_bytes() == heldout_before  # its test questions went with it

    edit(sheet, {("temporary_topic", texts.COL_ACTION): None, ("fees", texts.COL_ACTION): texts.DELETE_MARK})
    with pytest.raises(SheetError) as raised:
        import_sheet(sheet, project)  # fees is named by the conversation tests
    assert any(
        "「fees」仍被引用" in message and "tests/test_" in message for message in raised.value.messages
    )
    assert project.topic_file("fees").exists()


def test_a_bad_sheet_is_rejected_whole_with_row_and_column(project: ProjectPaths, tmp_path: Path) -> None:
    sheet = tmp_path / "faq.xlsx"
    export_sheet(sheet, project)
    before = snapshot(project.root)
    fees_row, total_time_row = row_number(sheet, "fees"), row_number(sheet, "total_time")
    total_time, greeting = phrasing_of(project, "faq/total_time"), phrasing_of(project, "greet")
    phrasings = [f"新问法{n}" for n in range(30)]
    tests = [f"新测试{n}" for n in range(4)]
    edit(
        sheet,
        {
            ("fees", texts.COL_ANSWER): "  ",
            ("total_time", texts.COL_ANSWER): "初审一般3-5个工作日。",
            ("contact_support", texts.COL_QUESTION): "第一行\n第二行",
            ("resubmit", texts.COL_PHRASINGS): total_time,
        },
        [
            ["resubmit", "", "", greeting, "", "", ""],
            *topic_rows("Bad Key", "问题？", "答案。", phrasings, tests),
            ["fees", "重复？", "", "", "", "", "改名"],
        ],
    )
    with pytest.raises(SheetError) as raised:
        import_sheet(sheet, project)
    messages = raised.value.messages
    assert f"第 {fees_row} 行（主题 fees）「答案」列：不能为空" in messages
    assert any(
        m.startswith(f"第 {total_time_row} 行（主题 total_time）「答案」列：「初审」的时长写成了 3-5")
        for m in messages
    )
    assert any("「标准问题」列：只能写一行" in m for m in messages)
    assert any(f"「{total_time}」已在第" in m and ("total_time" in m or "resubmit" in m) for m in messages)
    assert any(f"「{greeting}」已是 greet 的训练说法" in m for m in messages)
    assert any("「Bad Key」不是有效的主题键" in m for m in messages)
    assert any(f"「标准问题」已经在第 {fees_row} 行填写了" in m for m in messages)
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
    fees = phrasing_of(project, "faq/fees")
    edit(sheet, {("resubmit", texts.COL_PHRASINGS): fees}, drop=["fees"])
    with pytest.raises(SheetError) as raised:
        import_sheet(sheet, project)
    assert any(f"「{fees}」已是主题 fees 的说法" in message for message in raised.value.messages)


def _breaking(key: str, change: Callable[[Topic, tuple[str, ...]], tuple[Topic, tuple[str, ...]]]) -> Any:
    return pytest.param(key, change, id=key + ":" + change.__name__)


def ten_working_days(topic: Topic, tests: tuple[str, ...]) -> tuple[Topic, tuple[str, ...]]:
    return replace(topic, answer=topic.answer + "\n初审需要10个工作日。"), tests


def a_week_for_the_first_review(topic: Topic, tests: tuple[str, ...]) -> tuple[Topic, tuple[str, ...]]:
    return replace(topic, answer=topic.answer + "\n初审大概要一周。"), tests


def masked_phrasing(topic: Topic, tests: tuple[str, ...]) -> tuple[Topic, tuple[str, ...]]:
    return replace(topic, examples=(*topic.examples, "我手机138****5678，认证收费吗")), tests


def too_few_phrasings(topic: Topic, tests: tuple[str, ...]) -> tuple[Topic, tuple[str, ...]]:
    return replace(topic, examples=topic.examples[:29]), tests


def too_few_test_questions(topic: Topic, tests: tuple[str, ...]) -> tuple[Topic, tuple[str, ...]]:
    return topic, tests[:3]


def a_test_question_trained_on(topic: Topic, tests: tuple[str, ...]) -> tuple[Topic, tuple[str, ...]]:
    return topic, (*tests, topic.examples[0])


@pytest.mark.parametrize(
    "key, change",
    [
        _breaking("submit_first_review", ten_working_days),
        _breaking("submit_first_review", a_week_for_the_first_review),
        _breaking("fees", masked_phrasing),
        _breaking("fees", too_few_phrasings),
        _breaking("fees", too_few_test_questions),
        _breaking("fees", a_test_question_trained_on),
    ],
)
def test_a_sheet_breaking_a_rule_is_refused_as_the_check_fails_the_same_files(
    project: ProjectPaths,
    tmp_path: Path,
    key: str,
    change: Callable[[Topic, tuple[str, ...]], tuple[Topic, tuple[str, ...]]],
) -> None:
    topic = read_topic(project.topic_file(key))
    tests = questions_by_topic(heldout_corpus(project))[key]
    broken, broken_tests = change(topic, tests)
    sheet = tmp_path / "faq.xlsx"
    export_sheet(sheet, project)
    edit(
        sheet, {}, topic_rows(key, broken.question, broken.answer, broken.examples, broken_tests), drop=[key]
    )
    before = snapshot(project.root)
    with pytest.raises(SheetError) as raised:
        import_sheet(sheet, project)
    assert snapshot(project.root) == before  # nothing written
    assert all(f"主题 {key}" in message or key in message for message in raised.value.messages[1:])

    write_topic(broken)  # the same content written into the files by hand ...
    held = replace_test_questions(project.heldout.read_text(encoding="utf-8"), {key: broken_tests})
    project.heldout.write_text(held, encoding="utf-8")
    report = check_project(project)  # ... fails the check, on the same topic
    assert report.errors and {p.topic for p in report.errors} == {key}
