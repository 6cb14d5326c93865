"""The content gate: one set of rules for the check and both imports; problems placed by file, row, topic."""

from __future__ import annotations

from dataclasses import replace

from bot.content import texts
from bot.content.corpus import Content
from bot.content.gate import Cell, Changes, Columns, Draft, Problem, gate
from bot.content.paths import ProjectPaths
from bot.content.topic_files import Topic, read_topic, render_topic

FAQ_COLUMNS = Columns(texts.COL_QUESTION, texts.COL_ANSWER, texts.COL_PHRASINGS)
UNANSWERED_COLUMNS = Columns(texts.UCOL_NEW_QUESTION, texts.UCOL_NEW_ANSWER, texts.UCOL_TEXT)


def new_topic(paths: ProjectPaths, key: str, answer: str, phrasings: tuple[str, ...]) -> Topic:
    return Topic(key, "新问题？", answer, phrasings, "", paths.topic_file(key))


def phrasing_of(content: Content, intent: str) -> str:
    return next(p.text for p in content.training.phrasings() if p.intent == intent)


def errors(problems: list[Problem]) -> list[Problem]:
    return [problem for problem in problems if not problem.warning]


def test_the_same_rules_judge_a_row_of_either_sheet_alike(project: ProjectPaths) -> None:
    content = Content(project)
    greeting = phrasing_of(content, "greet")
    topic = new_topic(project, "invoice", "请拨打 400-123-4567。", (greeting, "能开发票吗"))
    for columns, row in ((FAQ_COLUMNS, 7), (UNANSWERED_COLUMNS, 3)):
        draft = Draft(topic, row, columns, (row, row))
        found = errors(gate(content, Changes((draft,))))
        assert [(p.row, p.column, p.topic) for p in found] == [
            (row, columns.answer, "invoice"),
            (row, columns.phrasings, "invoice"),
        ]
        assert found[0].message.startswith("电话号码 400-123-4567 与事实不符")
        assert found[1].message.startswith(f"「{greeting}」已是 greet 的训练说法（data/nlu/chitchat.yml:")


def test_an_import_is_judged_only_on_what_it_brings_in(project: ProjectPaths) -> None:
    chitchat = project.nlu_dir / "chitchat.yml"
    greeting = phrasing_of(Content(project), "greet")
    with chitchat.open("a", encoding="utf-8") as stream:  # a problem already in the files ...
        stream.write(f"  - intent: goodbye_again\n    examples: |\n      - {greeting}\n")
    content = Content(project)
    assert any("同时属于 goodbye_again 和 greet" in p.message for p in errors(gate(content)))

    fees = read_topic(project.topic_file("fees"))
    edited = Draft(replace(fees, answer="认证免费。"), 8, FAQ_COLUMNS, (8,) * len(fees.examples))
    assert errors(gate(content, Changes((edited,)))) == []  # ... is not the import's problem


def test_kept_phrasings_are_not_the_import_s_and_new_ones_are_checked_against_other_topics(
    project: ProjectPaths,
) -> None:
    content = Content(project)
    fees = read_topic(project.topic_file("fees"))
    total_time = phrasing_of(content, "faq/total_time")
    added = (*fees.examples, total_time, "认证开发票吗")
    draft = Draft(
        replace(fees, examples=added), None, UNANSWERED_COLUMNS, (None,) * len(fees.examples) + (5, 6)
    )
    (problem,) = gate(content, Changes((draft,)))
    assert (problem.row, problem.column, problem.topic) == (5, texts.UCOL_TEXT, "fees")
    assert problem.format(project) == (
        f"第 5 行「{texts.UCOL_TEXT}」列：「{total_time}」已是主题 total_time 的说法"
        "（data/nlu/faq/total_time.yml），不能再归入 fees"
    )


def test_deleting_a_topic_something_still_names_is_refused_at_its_row(project: ProjectPaths) -> None:
    deletions = {"fees": Cell(12, texts.COL_ACTION), "legal_rep_change": Cell(13, texts.COL_ACTION)}
    found = gate(Content(project), Changes(deletions=deletions))
    assert [(p.row, p.topic) for p in found] == [(12, "fees"), (13, "legal_rep_change")]
    assert all("tests/data/heldout_nlu.yml" in p.message for p in found)


def test_a_few_phrasings_warn_on_import_and_fail_the_check(project: ProjectPaths) -> None:
    topic = new_topic(project, "invoice", "认证免费，不涉及发票。", ("能开发票吗", "发票怎么开"))
    (warning,) = gate(Content(project), Changes((Draft(topic, 9, FAQ_COLUMNS, (9, 9)),)))
    assert warning.warning and warning.format(project) == (
        "主题「invoice」只有 2 条用户说法，至少需要 12 条（`python -m bot.content check` 会报错）"
    )

    topic.path.write_text(render_topic(topic), encoding="utf-8")
    (error,) = errors(gate(Content(project)))
    assert (
        error.format(project) == "data/nlu/faq/invoice.yml:4: 主题 invoice 只有 2 条用户说法，至少需要 12 条"
    )


def test_a_broken_facts_file_blocks_every_import(project: ProjectPaths) -> None:
    project.facts.write_text("support_phone: [\n", encoding="utf-8")
    fees = read_topic(project.topic_file("fees"))
    draft = Draft(fees, 8, FAQ_COLUMNS, (8,) * len(fees.examples))
    (problem,) = errors(gate(Content(project), Changes((draft,))))
    assert problem.row is None and "facts.yml" in problem.format(project)


def test_an_unreadable_topic_file_is_reported_on_one_line_where_the_parser_stopped(
    project: ProjectPaths,
) -> None:
    project.topic_file("broken").write_text('version: "3.1"\nnlu: [\n', encoding="utf-8")
    found = [p for p in gate(Content(project)) if p.path == project.topic_file("broken")]
    assert found and all(p.line == 3 and "\n" not in p.message for p in found)
    assert any(p.message.startswith("不是有效的 FAQ 主题文件：") for p in found)
