"""The gateway's file rules are the guide's (data/facts.yml), and the shapes Telegram sends are read right."""

from __future__ import annotations

from bot.content.facts import Facts
from bot.content.paths import ProjectPaths
from bot.gateway import media, texts
from bot.gateway.media import Attachment, problem


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
