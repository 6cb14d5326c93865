"""Input normalisation and ID parsing, as applicants really type."""

from __future__ import annotations

import pytest

from bot.text import (
    MAX_MESSAGE_CHARS,
    find_application_id,
    find_credit_code_suffix,
    is_valid_application_id,
    normalize,
)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("認證需要費用嗎", "认证需要费用吗"),
        ("ＰＤＦ文件多大？", "PDF文件多大?"),
        ("  钉钉\u200b认证\u202e  中级 ", "钉钉认证 中级"),
        ("查下 ｒｚ２０２６-１１２０-０００１", "查下 RZ202611200001"),
    ],
)
def test_normalize_makes_variants_look_alike(typed: str, expected: str) -> None:
    assert normalize(typed) == expected


def test_normalize_caps_length() -> None:
    assert len(normalize("认" * 10_000)) == MAX_MESSAGE_CHARS


@pytest.mark.parametrize(
    "typed",
    ["RZ202611200001", "rz202611200001", "RZ 2026 1120 0001", "Rz-2026-1120-0001", "ＲＺ２０２６１１２０００01",
     "帮我查下RZ202611200001的进度"],
)  # fmt: skip
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
