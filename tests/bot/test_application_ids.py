"""Application IDs and credit-code suffixes found however applicants type them."""

from __future__ import annotations

import pytest

from bot.application_ids import find_application_id, find_credit_code_suffix, is_valid_application_id


@pytest.mark.parametrize(
    "typed",
    [
        "RZ202611200001",
        "rz202611200001",
        "RZ 2026 1120 0001",
        "Rz-2026-1120-0001",
        "ＲＺ２０２６１１２０００01",
        "帮我查下RZ202611200001的进度",
    ],
)
def test_application_id_found_however_typed(typed: str) -> None:
    assert find_application_id(typed) == "RZ202611200001"


def test_malformed_id_is_found_but_not_valid() -> None:
    candidate = find_application_id("我的编号是 RZ2026112")
    assert candidate == "RZ2026112"
    assert not is_valid_application_id(candidate)


def test_no_id_in_plain_question() -> None:
    assert find_application_id("认证需要多久") is None


@pytest.mark.parametrize(("typed", "expected"), [("b2c344", "B2C344"), ("后六位是 Ｂ２Ｃ３４４", "B2C344")])
def test_credit_code_suffix(typed: str, expected: str) -> None:
    assert find_credit_code_suffix(typed) == expected
