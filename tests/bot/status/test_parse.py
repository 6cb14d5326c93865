"""Application IDs and credit-code suffixes are read however applicants type them."""

from __future__ import annotations

import pytest

from bot.errors import MalformedApplicationId, MalformedCreditCode
from bot.status.parse import (
    application_id,
    application_id_candidate,
    credit_code_suffix,
    credit_code_suffix_candidate,
    typed_code,
)


@pytest.mark.parametrize(
    "text",
    [
        "帮我查下 RZ202611200001 的进度",
        "rz202611200001",
        "RZ 2026 1120 0001 现在什么状态",
        "查询 RZ-2026-1120-0001 的进度",
        "ＲＺ２０２６１１２００００１ 进度",
        "申请号rz_202611200001审核到哪了",
    ],
)
def test_ids_are_normalised(text: str) -> None:
    candidate = application_id_candidate(text)
    assert candidate is not None
    assert application_id(candidate) == "RZ202611200001"


@pytest.mark.parametrize("text", ["RZ2026112000", "RZ20261120000123", "rz 2026 11"])
def test_malformed_ids_are_candidates_but_not_ids(text: str) -> None:
    candidate = application_id_candidate(text)
    assert candidate is not None
    with pytest.raises(MalformedApplicationId):
        application_id(candidate)


def test_no_id_in_a_question() -> None:
    assert application_id_candidate("审核一般要多久？") is None


def test_an_entity_wins_over_the_text() -> None:
    assert application_id_candidate("随便说点什么", "rz202611180002") == "RZ202611180002"


@pytest.mark.parametrize(
    ("text", "suffix"),
    [
        ("B2C344", "B2C344"),
        ("b2c344", "B2C344"),
        ("ｂ２ｃ３４４", "B2C344"),
        ("后六位是 b2c344", "B2C344"),
        ("B2C 344", "B2C344"),
        ("91110108MA01B2C344", "B2C344"),
        ("代码是91110108ma01b2c344", "B2C344"),
    ],
)
def test_suffixes_are_read_from_what_was_typed(text: str, suffix: str) -> None:
    candidate = credit_code_suffix_candidate(text)
    assert candidate is not None
    assert credit_code_suffix(candidate) == suffix


@pytest.mark.parametrize("candidate", ["B2C34", "B2C3444", "B2CIO4", "B2C3S4"])
def test_malformed_suffixes_are_refused(candidate: str) -> None:
    with pytest.raises(MalformedCreditCode):
        credit_code_suffix(candidate)


def test_no_suffix_in_a_chinese_question() -> None:
    assert credit_code_suffix_candidate("我不知道代码在哪里") is None


@pytest.mark.parametrize(
    ("text", "suffix", "length"),
    [
        ("b2c344", "B2C344", 6),
        ("最后六位是 b2c344", "B2C344", 6),
        ("后6位是ｂ２ｃ３４４", "B2C344", 6),
        ("9111 0108 MA01 B2C3 44", "B2C344", 18),
        ("91110108-MA01B2C344", "B2C344", 18),
        ("RZ202611200001 b2c344", "B2C344", 6),
        ("RZ202611200001 91110108MA01B2C344", "B2C344", 18),
        ("MA01B2C344", "B2C344", 10),
        ("K4L6", None, 4),
        ("abcdef", "ABCDEF", 6),
    ],
)
def test_code_shaped_answers_are_read_with_their_length(text: str, suffix: str | None, length: int) -> None:
    code = typed_code(text)
    assert code is not None
    assert (code.suffix, code.typed_length) == (suffix, length)


def test_a_letters_only_word_inside_a_question_is_not_a_code() -> None:
    assert typed_code("认证要上传 scan 件吗") is None
    assert typed_code("可以用 office 文档吗") is None
    assert typed_code("ok") is None


def test_a_bare_letters_only_answer_is_a_code() -> None:
    code = typed_code("ABCDEF")
    assert code is not None and code.bare and code.letters_only
