"""The gateway's file rules are the guide's (data/facts.yml), and the shapes Telegram sends are read right."""

from __future__ import annotations

import datetime as dt

import pytest
from telegram import Chat, Document, Message

from bot.content.facts import Facts
from bot.content.paths import ProjectPaths
from bot.gateway import media, texts
from bot.gateway.media import Attachment, attachment_of, problem


def test_the_file_rules_are_the_facts_of_the_guide() -> None:
    facts = Facts.load(ProjectPaths().data_dir / "facts.yml")
    assert media.MAX_FILE_MB == facts.max_file_size_mb
    assert sorted(set(media.ALLOWED_TYPES.values())) == sorted(facts.file_formats)
    # (the size the applicant sent is left out: it is meant to differ from the limit)
    told = (
        texts.FILE_WRONG_FORMAT,
        texts.FILE_TOO_LARGE.format(size="", most=media.MAX_FILE_MB),
        texts.AGENT_ONLY_TEXT,
    )
    for refusal in told:
        assert facts.contradictions(refusal) == []


def test_a_file_at_the_limit_passes_and_one_byte_more_does_not() -> None:
    assert problem(Attachment("document", media.MAX_FILE_BYTES, "PDF", "")) is None
    assert problem(Attachment("document", media.MAX_FILE_BYTES + 1, "PDF", "")) is not None
    assert problem(Attachment("document", 10, None, "")) == texts.FILE_WRONG_FORMAT


def _document(name: str | None, mime_type: str | None, size: int = 1000) -> Message:
    document = Document("BQAD", "AgAD", file_name=name, mime_type=mime_type, file_size=size)
    return Message(1, dt.datetime.now(dt.timezone.utc), Chat(1, "private"), document=document)


@pytest.mark.parametrize(
    ("name", "mime_type", "allowed"),
    [  # the attacker's files: the name and the declared type must both be JPG, PNG or PDF
        ("virus.exe", "application/pdf", False),
        ("invoice.pdf.exe", "application/pdf", False),
        ("page.html", "image/png", False),
        ("x.webp", "image/png", False),
        ("ok.pdf", "application/x-msdownload", False),
        ("执照.pdf", "application/pdf", True),
        ("开户许可证.PDF", None, True),  # no type given: the name decides
        ("scan", "image/png", True),  # no extension: the type decides
        ("照片.jpeg", "application/octet-stream", True),
    ],
)
def test_a_document_needs_an_allowed_name_and_type(name: str, mime_type: str | None, allowed: bool) -> None:
    attachment = attachment_of(_document(name, mime_type))
    assert attachment is not None
    assert (problem(attachment) is None) is allowed


def test_personal_data_in_a_file_name_keeps_the_file_from_the_agents() -> None:
    attachment = attachment_of(
        _document("法人身份证11010519491231002X_手机13812345678.pdf", "application/pdf")
    )
    assert attachment is not None and problem(attachment) == texts.FILE_NAME_PERSONAL


def test_one_byte_over_the_limit_is_not_told_it_is_5mb() -> None:
    told = problem(Attachment("document", media.MAX_FILE_BYTES + 1, "PDF", ""))
    assert told == texts.FILE_TOO_LARGE.format(size="5.01", most=5)
