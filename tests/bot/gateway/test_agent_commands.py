"""Agent commands as typed: which escalations `/resolve 12 13 20-25` means."""

from __future__ import annotations

import pytest

from bot.gateway.agent_commands import MAX_BATCH, escalation_ids, parse_command


@pytest.mark.parametrize(
    ("typed", "ids"),
    [
        ("12", [12]),
        ("#12", [12]),
        ("12 13", [12, 13]),
        ("12,13，14、15", [12, 13, 14, 15]),
        ("20-23 12 #21", [20, 21, 22, 23, 12]),
        ("#5-#7", [5, 6, 7]),
        ("", []),
        ("twelve", []),
        ("12 abc", []),  # anything unclear resolves nothing
        ("9-3", []),
        (f"1-{MAX_BATCH + 1}", []),
    ],
)
def test_escalation_ids(typed: str, ids: list[int]) -> None:
    assert escalation_ids(typed) == ids


def test_a_resolve_command_with_a_range() -> None:
    command = parse_command("/resolve@dingtalk_cert_test_bot 12 20-22", "dingtalk_cert_test_bot")
    assert command is not None and escalation_ids(command.argument) == [12, 20, 21, 22]


@pytest.mark.parametrize(
    ("typed", "escalation_id", "bad"),
    [
        ("/claim 12", 12, False),
        ("/claim #12", 12, False),
        ("/claim", None, False),  # the escalation of the thread it is typed in
        ("/claim ²", None, True),  # a superscript digit passes str.isdigit() and crashed int() once
        ("/claim ١٢", None, True),  # Arabic-Indic digits
        ("/claim １２", None, True),  # full-width digits
        ("/claim abc", None, True),
        ("/claim 1234567890123", None, True),  # longer than any id
        ("/takeover 7", 7, False),
        ("/assign 12 @xiao_wang", 12, False),
        ("/assign @xiao_wang", None, False),
        ("/assign 12 小王", None, True),
        ("/resolve 12 13", None, False),
        ("/resolve 12 abc", None, True),
        ("/open 2", None, False),
        ("/open ²", None, True),
        ("/mine", None, False),
    ],
)
def test_arguments_are_ids_in_ascii_digits_or_refused(
    typed: str, escalation_id: int | None, bad: bool
) -> None:
    command = parse_command(typed, None)
    assert command is not None
    assert (command.escalation_id, command.bad_argument) == (escalation_id, bad)
    if bad:  # not digits at all, or digits that are no case number (too long, a range backwards)
        refusal = command.refusal()
        assert refusal.startswith("看不懂「") or "不是有效的转人工编号" in refusal


def test_assign_names_its_assignee() -> None:
    command = parse_command("/assign 12 @xiao_wang", None)
    assert command is not None and command.assignee_username == "xiao_wang"
