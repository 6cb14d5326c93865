"""FAQ topic files (`data/nlu/faq/<key>.yml`): read one, read a folder, write one in the canonical layout.

The layout: `version`, then `nlu:` with the intent, `metadata` (question and notes, one line each)
and the phrasings as a literal block, then `responses:` with the answer as a literal block. Every
file is in it, so exporting to a spreadsheet and importing back reproduces each file byte for byte.
A value that cannot be written that way (leading spaces, control characters) falls back to a
double-quoted YAML string, and every rendering is read back and compared before it is used.
Files are replaced atomically.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.content.atomic import write_atomically
from bot.content.source import SourceError, parse_examples, read_document

RETRIEVAL_INTENT = "faq"
RASA_FORMAT_VERSION = "3.1"


@dataclass(frozen=True)
class Topic:
    """One FAQ topic: its key, standard question, answer, training phrasings and notes."""

    key: str
    question: str
    answer: str
    examples: tuple[str, ...]
    notes: str
    path: Path


class TopicFileError(ValueError):
    """A topic file cannot be read; the message names the file, `line` and `detail` say what is wrong."""

    def __init__(self, path: Path, line: int, detail: str) -> None:
        super().__init__(f"{path}: not a readable FAQ topic file ({detail})")
        self.path = path
        self.line = line
        self.detail = detail


class RenderError(ValueError):
    """A topic cannot be written so that it reads back unchanged (a bug, or an impossible value)."""


def read_topic(path: Path) -> Topic:
    """Read one topic file."""
    try:
        document = read_document(path) or {}
        (item,) = document["nlu"]
        key = item["intent"].split("/", 1)[1]
        metadata = item.get("metadata") or {}
        (variant, *_) = document["responses"][f"utter_{RETRIEVAL_INTENT}/{key}"]
    except SourceError as error:
        raise TopicFileError(path, error.line, error.detail) from error
    except (OSError, KeyError, ValueError, IndexError, TypeError, AttributeError) as error:
        raise TopicFileError(path, 1, str(error)) from error
    return Topic(
        key=key,
        question=str(metadata.get("question", "")).strip(),
        answer=str(variant.get("text", "")).strip(),
        examples=parse_examples(item.get("examples", "")),
        notes=str(metadata.get("notes", "") or "").strip(),
        path=path,
    )


def topic_paths(folder: Path) -> list[Path]:
    """The topic files of `folder`, sorted by name (none when the folder does not exist)."""
    return sorted(folder.glob("*.yml")) if folder.is_dir() else []


@dataclass(frozen=True)
class TopicSet:
    """The topics read from a set of files, by key (a later file wins a key), and the unreadable files."""

    by_key: dict[str, Topic]
    unreadable: tuple[TopicFileError, ...]

    def all_readable(self) -> dict[str, Topic]:
        """The topics by key; raises the first file's TopicFileError when any file could not be read."""
        if self.unreadable:
            raise self.unreadable[0]
        return self.by_key


def read_topics(files: Iterable[Path]) -> TopicSet:
    """Read every topic file in `files`, collecting the unreadable ones instead of stopping."""
    topics: dict[str, Topic] = {}
    unreadable: list[TopicFileError] = []
    for path in files:
        try:
            topic = read_topic(path)
        except TopicFileError as error:
            unreadable.append(error)
            continue
        topics[topic.key] = topic
    return TopicSet(topics, tuple(unreadable))


def clean_answer(text: str) -> str:
    """The stored form of an answer: LF line ends, no trailing spaces, no surrounding blank lines."""
    lines = str(text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(line.rstrip() for line in lines).strip()


def _reads_back(snippet: str, expected: object) -> bool:
    try:
        return bool(yaml.safe_load(snippet) == {"value": expected})
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
        f"{RETRIEVAL_INTENT}/{topic.key}",
        topic.question,
        topic.notes,
        tuple(topic.examples),
        topic.answer,
    )
    if read != intended:
        raise RenderError(f"topic {topic.key!r} does not read back unchanged")


def write_topic(topic: Topic) -> bool:
    """Write `topic` to `topic.path` in the canonical layout; False when the file was already so."""
    return write_atomically(topic.path, render_topic(topic))
