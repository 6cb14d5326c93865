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
