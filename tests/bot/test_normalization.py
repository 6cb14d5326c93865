"""Normalisation for NLU: variants of the same words, as applicants really type them, look alike."""

from __future__ import annotations

import pickle

import pytest

from bot.normalization import MAX_MESSAGE_CHARS, normalize


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


def test_a_model_pickled_before_the_split_of_bot_text_still_finds_its_preprocessor() -> None:
    pickled_reference = b"cbot.text\nnormalize\n."  # how such a model's char n-gram classifier names it
    assert pickle.loads(pickled_reference) is normalize
