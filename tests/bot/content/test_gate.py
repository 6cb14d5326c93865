"""The content gate: one set of rules for the check and both imports; problems placed by file, row, topic."""

from __future__ import annotations

from dataclasses import replace

from bot.content import texts
from bot.content.corpus import Content
from bot.content.faq_sheet import DRAFT_COLUMNS
from bot.content.gate import Cell, Changes, Columns, Draft, Problem, gate
from bot.content.heldout_file import replace_test_questions
from bot.content.paths import ProjectPaths
from bot.content.topic_files import Topic, read_topic, render_topic

FAQ_COLUMNS = DRAFT_COLUMNS
UNANSWERED_COLUMNS = Columns(texts.UCOL_NEW_QUESTION, texts.UCOL_NEW_ANSWER, texts.UCOL_TEXT)


def new_topic(paths: ProjectPaths, key: str, answer: str, phrasings: tuple[str, ...]) -> Topic:
    return Topic(key, "新问题？", answer, phrasings, "", paths.topic_file(key))


def filler(prefix: str, count: int) -> tuple[str, ...]:
    return tuple(f"{prefix}第{n}条" for n in range(count))


TESTS = ("发票能开吗", "认证有没有发票", "要发票找谁", "认证费用开票吗")


def phrasing_of(content: Content, intent: str) -> str:
    return next(p.text for p in content.training.phrasings() if p.intent == intent)


def errors(problems: list[Problem]) -> list[Problem]:
    return [problem for problem in problems if not problem.warning]


def test_the_same_rules_judge_a_row_of_either_sheet_alike(project: ProjectPaths) -> None:
    content = Content(project)
    greeting = phrasing_of(content, "greet")
    topic = new_topic(project, "invoice", "请拨打 400-123-4567。", (greeting, *filler("发票", 29)))
    for columns, row in ((FAQ_COLUMNS, 7), (UNANSWERED_COLUMNS, 3)):
        draft = Draft(topic, row, columns, (row,) * 30, tests=TESTS, test_rows=(row,) * 4)
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
    assert all("tests/test_" in p.message for p in found)  # the conversation tests name them
    assert not any("heldout_nlu.yml" in p.message for p in found)  # the test questions go with the topic


def test_too_few_phrasings_or_test_questions_fail_an_import_as_they_fail_the_check(
    project: ProjectPaths,
) -> None:
    topic = new_topic(project, "invoice", "认证免费，不涉及发票。", filler("发票", 29))
    draft = Draft(topic, 9, FAQ_COLUMNS, (9,) * 29, tests=TESTS[:3], test_rows=(9, 10, 11))
    assert [p.format(project) for p in gate(Content(project), Changes((draft,)))] == [
        f"第 9 行「{texts.COL_PHRASINGS}」列：主题 invoice 只有 29 条用户说法，至少需要 30 条",
        f"第 9 行「{texts.COL_TESTS}」列：主题 invoice 只有 3 条测试问法，至少需要 4 条（测试问法只用来评估，不用来训练）",
    ]

    topic.path.write_text(render_topic(topic), encoding="utf-8")
    held = replace_test_questions(project.heldout.read_text(encoding="utf-8"), {"invoice": TESTS[:3]})
    project.heldout.write_text(held, encoding="utf-8")
    assert [p.format(project) for p in errors(gate(Content(project)))] == [
        "data/nlu/faq/invoice.yml:4: 主题 invoice 只有 29 条用户说法，至少需要 30 条",
        "data/nlu/faq/invoice.yml:4: 主题 invoice 只有 3 条测试问法（tests/data/heldout_nlu.yml），至少需要 4 条",
    ]


def test_a_mistyped_key_of_a_new_topic_gets_did_you_mean(project: ProjectPaths) -> None:
    fees = read_topic(project.topic_file("fees"))
    draft = Draft(
        replace(fees, key="feees", examples=filler("费用", 5)),
        4,
        FAQ_COLUMNS,
        (4,) * 5,
        tests=(),
        test_rows=(),
    )
    found = gate(Content(project), Changes((draft,)))
    assert found and all(p.message.endswith("您是不是想写「fees」") for p in found)


def test_test_questions_from_a_sheet_are_never_training_phrasings_nor_masked(project: ProjectPaths) -> None:
    content = Content(project)
    fees = read_topic(project.topic_file("fees"))
    trained = phrasing_of(content, "faq/total_time")
    other_test = next(p.text for p in content.heldout.phrasings() if p.intent == "faq/total_time")
    tests = (trained, other_test, "我的卡号***************1234能认证吗", "认证收费吗？", "认证收费吗")
    draft = Draft(fees, 5, FAQ_COLUMNS, (5,) * len(fees.examples), tests=tests, test_rows=(5, 6, 7, 8, 9))
    found = {(p.row, p.message.split("」")[0]) for p in errors(gate(content, Changes((draft,))))}
    assert found == {
        (5, f"测试问法「{trained}"),
        (6, f"测试问法「{other_test}"),
        (7, "「我的卡号***************1234能认证吗"),
        (9, "测试问法「认证收费吗"),
    }


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
