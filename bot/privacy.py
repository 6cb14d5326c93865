"""Masking of personal data in free text: 身份证号, phone numbers, bank card and account numbers.

Checksums keep innocent numbers visible: a resident ID must pass GB 11643 and carry a real birth
date, a bank card must pass Luhn; account numbers are masked only next to 账号/账户/卡号.
Application IDs (RZ + 12 digits) and credit codes are not personal data and stay as they are.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_RESIDENT_ID = re.compile(r"(?<![0-9A-Za-z])(\d{17}[\dXx])(?![0-9A-Za-z])")
_PHONE = re.compile(r"(?<![0-9A-Za-z])(?:\+?86[\s-]?)?(1[3-9]\d[\s-]?\d{4}[\s-]?\d{4})(?![0-9A-Za-z])")
_CARD = re.compile(r"(?<![0-9A-Za-z])(\d(?:[\s-]?\d){15,18})(?![0-9A-Za-z])")
_ACCOUNT = re.compile(r"(账号|账户|帐号|帐户|卡号)([^0-9]{0,6}?)(\d(?:[\s-]?\d){7,29})")


def is_resident_id(candidate: str) -> bool:
    """GB 11643: 17 digits, a mod-11 check character and a valid birth date."""
    if len(candidate) != 18 or not candidate[:17].isdigit():
        return False
    total = sum(int(digit) * weight for digit, weight in zip(candidate[:17], _ID_WEIGHTS))
    if _ID_CHECK[total % 11] != candidate[17].upper():
        return False
    try:
        born = dt.date(int(candidate[6:10]), int(candidate[10:12]), int(candidate[12:14]))
    except ValueError:
        return False
    return dt.date(1900, 1, 1) <= born <= dt.date.today()


def passes_luhn(digits: str) -> bool:
    """The Luhn check used by bank cards."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def _keep_ends(value: str, head: int, tail: int) -> str:
    digits = re.sub(r"[\s-]", "", value)
    return digits[:head] + "*" * (len(digits) - head - tail) + digits[-tail:]


@dataclass(frozen=True)
class Masked:
    """Masked text and which kinds of personal data were found."""

    text: str
    kinds: frozenset[str]


def mask_personal_data(text: str) -> Masked:
    """Return `text` with resident IDs, phone numbers, bank cards and account numbers masked."""
    found: set[str] = set()
    text = unicodedata.normalize("NFKC", text or "")

    def resident_id(match: re.Match[str]) -> str:
        if not is_resident_id(match.group(1)):
            return match.group(0)
        found.add("resident_id")
        return _keep_ends(match.group(1), 3, 2)

    def account(match: re.Match[str]) -> str:
        found.add("bank_account")
        return match.group(1) + match.group(2) + _keep_ends(match.group(3), 0, 4)

    def card(match: re.Match[str]) -> str:
        digits = re.sub(r"[\s-]", "", match.group(1))
        if not passes_luhn(digits):
            return match.group(0)
        found.add("bank_account")
        return _keep_ends(digits, 0, 4)

    def phone(match: re.Match[str]) -> str:
        found.add("phone")
        return _keep_ends(match.group(1), 3, 4)

    text = _RESIDENT_ID.sub(resident_id, text)
    text = _ACCOUNT.sub(account, text)
    text = _CARD.sub(card, text)
    text = _PHONE.sub(phone, text)
    return Masked(text, frozenset(found))


def mask(text: str) -> str:
    """Shorthand for `mask_personal_data(text).text`."""
    return mask_personal_data(text).text


def mask_nested(value: Any) -> Any:
    """`value` (JSON-like: dicts, lists, strings) with personal data masked in every string.

    Strings without personal data are returned unchanged (not even NFKC-normalised).
    """
    if isinstance(value, str):
        masked = mask_personal_data(value)
        return masked.text if masked.kinds else value
    if isinstance(value, dict):
        return {key: mask_nested(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [mask_nested(item) for item in value]
    return value
