"""Text from outside is cleaned, capped and masked once at the edge."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.inbound import (
    MAX_INPUT_CHARS,
    PERSONAL_DATA,
    TOO_LONG,
    clean_json,
    clean_text,
    screen,
    screen_metadata,
)

ANY_CHARACTER = st.one_of(
    st.characters(), st.characters(categories=["Cs"]), st.characters(categories=["Cc", "Cf"])
)


def test_unstorable_characters_are_removed_and_line_breaks_kept() -> None:
    assert clean_text("认证\ud800费用\x00吗\x1b?\r\n第二行\t") == "认证费用吗?\n第二行\t"


def test_direction_controls_that_disguise_a_line_are_removed_and_emoji_kept() -> None:
    """Found by the attack on issue 11: a right-to-left override reached an agent's card unchanged."""
    assert (
        clean_text("\u202e反转RTL文字abc\u202c 审核\u2066要\u2069多久 👩\u200d💼")
        == "反转RTL文字abc 审核要多久 👩\u200d💼"
    )


@settings(max_examples=500, database=None)
@given(st.text(alphabet=ANY_CHARACTER, max_size=100))
def test_cleaned_text_can_be_encoded_as_utf8_and_stored(text: str) -> None:
    cleaned = clean_text(text)
    cleaned.encode("utf-8")  # raises for a lone surrogate
    assert "\x00" not in cleaned


def test_screen_caps_and_masks_after_cleaning() -> None:
    long = screen("费" * (MAX_INPUT_CHARS + 10))
    assert len(long.text) == MAX_INPUT_CHARS and long.notices == [TOO_LONG]
    masked = screen("我的手机\x00号 138\u200b1234\u200b5678")
    assert "5678" in masked.text and "1234" not in masked.text and masked.notices == [PERSONAL_DATA]


def test_metadata_is_a_small_clean_dict_or_nothing() -> None:
    assert screen_metadata(["not", "a dict"]) == {}
    assert screen_metadata({"k\ud800": "v\x00", "n": [1, {"x": None}]}) == {"k": "v", "n": [1, {"x": None}]}
    assert screen_metadata({"big": "x" * 10_000}) == {}
    assert clean_json({"a": [{"b": "\ud800c"}]}) == {"a": [{"b": "c"}]}
