"""Write FAQ topic files in the one canonical layout, atomically (the reader is bot.faq.catalog).

The layout: `version`, then `nlu:` with the intent, `metadata` (question and notes, one line each)
and the phrasings as a literal block, then `responses:` with the answer as a literal block. Every
file is in it, so exporting to a spreadsheet and importing back reproduces each file byte for byte.
A value that cannot be written that way (leading spaces, control characters) falls back to a
double-quoted YAML string, and every rendering is read back and compared before it is used.
"""

from __future__ import annotations

import json

import yaml

from bot.faq.atomic import write_atomically
from bot.faq.catalog import RETRIEVAL_INTENT, Topic, parse_examples

RASA_FORMAT_VERSION = "3.1"


class RenderError(ValueError):
    """A topic cannot be written so that it reads back unchanged (a bug, or an impossible value)."""


def clean_answer(text: str) -> str:
    """The stored form of an answer: LF line ends, no trailing spaces, no surrounding blank lines."""
    lines = str(text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(line.rstrip() for line in lines).strip()


def _reads_back(snippet: str, expected: object) -> bool:
    try:
        return yaml.safe_load(snippet) == {"value": expected}
    except yaml.YAMLError:
        return False


def _inline(value: str) -> str:
    """A one-line scalar: plain when that reads back exactly, otherwise double-quoted."""
    if value and "\n" not in value and _reads_back(f"value: {value}\n", value):
        return value
    return json.dumps(value, ensure_ascii=False)


def _block(value: str, indent: int) -> str:
    """A literal block (`|` plus indented lines) ending in one newline, or a quoted fallback."""
    pad = " " * indent
    body = "".join(f"{pad}{line}\n" if line else "\n" for line in value.split("\n"))
    literal = f"|\n{body}"
    if value and _reads_back(f"value: {literal}", value + "\n"):
        return literal.rstrip("\n")
    return json.dumps(value + "\n", ensure_ascii=False)


def render_topic(topic: Topic) -> str:
    """The canonical file content for `topic`."""
    key = topic.key
    metadata = [f"      question: {_inline(topic.question)}"]
    if topic.notes:
        metadata.append(f"      notes: {_inline(topic.notes)}")
    examples = "\n".join(f"- {example}" for example in topic.examples)
    lines = [
        f'version: "{RASA_FORMAT_VERSION}"',
        "",
        "nlu:",
        f"  - intent: {RETRIEVAL_INTENT}/{key}",
        "    metadata:",
        *metadata,
        f"    examples: {_block(examples, 6)}",
        "",
        "responses:",
        f"  utter_{RETRIEVAL_INTENT}/{key}:",
        f"    - text: {_block(topic.answer, 8)}",
    ]
    text = "\n".join(lines) + "\n"
    _verify(text, topic)
    return text


def _verify(text: str, topic: Topic) -> None:
    try:
        document = yaml.safe_load(text)
        (item,) = document["nlu"]
        metadata = item.get("metadata") or {}
        (variant,) = document["responses"][f"utter_{RETRIEVAL_INTENT}/{topic.key}"]
        read = (
            item["intent"],
            metadata.get("question"),
            metadata.get("notes") or "",
            parse_examples(item.get("examples", "")),
            str(variant["text"]).strip(),
        )
    except (yaml.YAMLError, KeyError, TypeError, ValueError) as error:
        raise RenderError(f"topic {topic.key!r} does not render to valid YAML: {error}") from error
    intended = (
        f"{RETRIEVAL_INTENT}/{topic.key}", topic.question, topic.notes, tuple(topic.examples), topic.answer
    )
    if read != intended:
        raise RenderError(f"topic {topic.key!r} does not read back unchanged")


def write_topic(topic: Topic) -> bool:
    """Write `topic` to `topic.path` in the canonical layout; False when the file was already so."""
    return write_atomically(topic.path, render_topic(topic))
