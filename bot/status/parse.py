"""Reading an application ID and a credit-code suffix out of what the applicant typed."""

from __future__ import annotations

import re
import unicodedata

from bot.application_ids import (
    TypedCode,
    find_application_id,
    find_credit_code_suffix,
    find_typed_code,
    is_valid_application_id,
)
from bot.errors import MalformedApplicationId, MalformedCreditCode

SUFFIX_LENGTH = 6
# GB 32100: digits and capital letters except I, O, Z, S, V.
_CREDIT_CODE_CHARS = frozenset("0123456789ABCDEFGHJKLMNPQRTUWXY")
_WHOLE_CREDIT_CODE = re.compile(r"(?<![0-9A-Za-z])([0-9A-Za-z]{18})(?![0-9A-Za-z])")


def application_id_candidate(text: str, entity_value: object = None) -> str | None:
    """The application ID the applicant seems to have typed (maybe malformed), or None.

    An `application_id` entity (from an NLU extractor or a typed `/intent{...}`) wins over the text.
    """
    if isinstance(entity_value, str) and entity_value.strip():
        return find_application_id(entity_value) or _compact(entity_value)
    return find_application_id(text)


def application_id(candidate: str) -> str:
    """`candidate` as a valid application ID; raises MalformedApplicationId."""
    normalised = find_application_id(candidate) or _compact(candidate)
    if not is_valid_application_id(normalised):
        raise MalformedApplicationId(normalised)
    return normalised


def credit_code_suffix_candidate(text: str) -> str | None:
    """The credit-code suffix the applicant seems to have typed, upper-cased, or None.

    Accepts the 6 characters alone or inside a sentence, and the whole 18-character code (its
    last 6 characters are used).
    """
    normalised = unicodedata.normalize("NFKC", text or "")
    whole = _WHOLE_CREDIT_CODE.search(normalised)
    if whole is not None:
        return whole.group(1)[-SUFFIX_LENGTH:].upper()
    return find_credit_code_suffix(normalised)


def typed_code(text: str) -> TypedCode | None:
    """The code-shaped answer in `text` (see `bot.application_ids.find_typed_code`), or None."""
    return find_typed_code(text)


def credit_code_suffix(candidate: str) -> str:
    """`candidate` as a well-formed suffix; raises MalformedCreditCode (nothing to check then)."""
    suffix = _compact(candidate)
    if len(suffix) != SUFFIX_LENGTH or not set(suffix) <= _CREDIT_CODE_CHARS:
        raise MalformedCreditCode(f"{len(suffix)} characters")
    return suffix


def _compact(text: str) -> str:
    return re.sub(r"[\s\-_]", "", unicodedata.normalize("NFKC", text or "")).upper()
