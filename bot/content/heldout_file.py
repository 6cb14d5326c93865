"""The held-out set's FAQ blocks (tests/data/heldout_nlu.yml): each topic's test questions, read and replaced.

Test questions measure the model and are never trained on. Only the block of a topic whose
questions change is rewritten (`  - intent: faq/<key>`, `    examples: |`, one `      - question`
line each); every other line of the file — comments, other intents, blank lines — stays byte for
byte, so an unchanged import leaves the file untouched. A new topic's block goes after the last
FAQ block; a deleted topic's block is removed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from bot.content.corpus import Corpus
from bot.content.topic_files import RETRIEVAL_INTENT

_INTENT_LINE = re.compile(r"\s*-\s*intent:\s*(\S+)\s*\Z")


def questions_by_topic(heldout: Corpus) -> dict[str, tuple[str, ...]]:
    """Each FAQ topic's test questions by key, in file order."""
    found: dict[str, list[str]] = {}
    prefix = f"{RETRIEVAL_INTENT}/"
    for block in heldout.blocks:
        if block.intent.startswith(prefix):
            found.setdefault(block.intent.removeprefix(prefix), []).extend(p.text for p in block.phrasings)
    return {key: tuple(questions) for key, questions in found.items()}


def _block_lines(key: str, questions: tuple[str, ...]) -> list[str]:
    lines = [f"  - intent: {RETRIEVAL_INTENT}/{key}", "    examples: |"]
    return lines + [f"      - {question}" for question in questions]


def _blocks(lines: list[str]) -> list[tuple[str, int, int]]:
    """(intent, first line, end) of every `- intent:` item; `end` stops before trailing blank lines."""
    starts = [
        (match.group(1), index) for index, line in enumerate(lines) if (match := _INTENT_LINE.match(line))
    ]
    found = []
    for position, (intent, start) in enumerate(starts):
        end = starts[position + 1][1] if position + 1 < len(starts) else len(lines)
        while end > start + 1 and not lines[end - 1].strip():
            end -= 1
        found.append((intent, start, end))
    return found


def _delete_block(lines: list[str], start: int, end: int) -> None:
    """Remove lines[start:end] and the blank lines after it."""
    while end < len(lines) and not lines[end].strip():
        end += 1
    del lines[start:end]


def replace_test_questions(text: str, changes: Mapping[str, tuple[str, ...] | None]) -> str:
    """`text` (the held-out file) with each topic in `changes` given these questions (None: removed)."""
    lines = text.split("\n")
    prefix = f"{RETRIEVAL_INTENT}/"
    for key, questions in changes.items():
        mine = [(start, end) for intent, start, end in _blocks(lines) if intent == f"{prefix}{key}"]
        for start, end in reversed(mine[1:] if questions else mine):
            _delete_block(lines, start, end)
        if not questions:
            continue
        if mine:
            start, end = mine[0]
            lines[start:end] = _block_lines(key, questions)
            continue
        faq_ends = [end for intent, _, end in _blocks(lines) if intent.startswith(prefix)]
        if faq_ends:
            lines[faq_ends[-1] : faq_ends[-1]] = ["", *_block_lines(key, questions)]
            continue
        while lines and not lines[-1].strip():
            lines.pop()
        lines = (lines or ['version: "3.1"', "", "nlu:"]) + ["", *_block_lines(key, questions), ""]
    return "\n".join(lines)
