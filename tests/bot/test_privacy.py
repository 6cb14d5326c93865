"""Personal data is masked; innocent numbers are not."""

from __future__ import annotations

import pytest

from bot.privacy import is_resident_id, mask, mask_personal_data, passes_luhn

VALID_ID = "11010519491231002X"  # the GB 11643 example number


def test_valid_resident_id_is_masked() -> None:
    masked = mask_personal_data(f"法人身份证号{VALID_ID}可以吗")
    assert VALID_ID not in masked.text
    assert masked.kinds == {"resident_id"}


def test_id_with_wrong_check_digit_is_left_alone() -> None:
    assert mask("编号110105194912310021") == "编号110105194912310021"
    assert mask(f"编号{VALID_ID}") != f"编号{VALID_ID}"


@pytest.mark.parametrize("phone", ["13812345678", "138 1234 5678", "+86 138-1234-5678"])
def test_mobile_numbers_are_masked(phone: str) -> None:
    assert "1234" not in mask(f"我的电话 {phone}")


def test_account_number_next_to_keyword_is_masked() -> None:
    masked = mask_personal_data("对公账号：1100 1234 5678 9012")
    assert "5678" not in masked.text and masked.text.endswith("9012")
    assert masked.kinds == {"bank_account"}


def test_luhn_card_is_masked_but_random_digits_are_not() -> None:
    assert passes_luhn("6222021234567890128")
    assert "6222021234567890128" not in mask("6222021234567890128")
    assert mask("订单号 1234567890123456") == "订单号 1234567890123456"


@pytest.mark.parametrize(
    "innocent",
    ["申请编号 RZ202611200001", "统一社会信用代码 91110108MA01B2C344", "客服电话 400-066-6666", "金额 0.01 元"],
)
def test_business_identifiers_stay_visible(innocent: str) -> None:
    assert mask(innocent) == innocent


def test_resident_id_needs_real_birth_date() -> None:
    assert is_resident_id(VALID_ID)
    month_13 = "110105194913310021"  # correct check digit, impossible date
    assert not is_resident_id(month_13)
    assert mask(month_13) == month_13
