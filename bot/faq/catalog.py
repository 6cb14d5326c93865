"""The FAQ topics as editors keep them: one `data/nlu/faq/<key>.yml` file per topic."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.settings import PROJECT_ROOT

FAQ_DIR = PROJECT_ROOT / "data" / "nlu" / "faq"
RETRIEVAL_INTENT = "faq"


@dataclass(frozen=True)
class Topic:
    """One FAQ topic: its key, standard question, answer, training phrasings and notes."""

    key: str
    question: str
    answer: str
    examples: tuple[str, ...]
    notes: str
    path: Path


class CatalogError(ValueError):
    """A topic file cannot be read; the message names the file."""


def parse_examples(block: str) -> tuple[str, ...]:
    """Turn a Rasa `examples: |` block ("- phrasing" lines) into a tuple of phrasings."""
    lines = (line.strip() for line in (block or "").splitlines())
    return tuple(line[1:].strip() for line in lines if line.startswith("-") and line[1:].strip())


def read_topic(path: Path) -> Topic:
    """Read one topic file."""
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        (item,) = document["nlu"]
        key = item["intent"].split("/", 1)[1]
        metadata = item.get("metadata") or {}
        (variant, *_) = document["responses"][f"utter_{RETRIEVAL_INTENT}/{key}"]
    except (OSError, yaml.YAMLError, KeyError, ValueError, IndexError, TypeError) as error:
        raise CatalogError(f"{path}: not a readable FAQ topic file ({error})") from error
    return Topic(
        key=key,
        question=str(metadata.get("question", "")).strip(),
        answer=str(variant.get("text", "")).strip(),
        examples=parse_examples(item.get("examples", "")),
        notes=str(metadata.get("notes", "") or "").strip(),
        path=path,
    )


class Catalog:
    """All topics of a folder, re-read when any file in it changes (answers need no retrain)."""

    def __init__(self, folder: Path = FAQ_DIR) -> None:
        self._folder = folder
        self._signature: tuple[tuple[str, int], ...] = ()
        self._topics: dict[str, Topic] = {}

    def topics(self) -> dict[str, Topic]:
        """Return the topics by key, reloading them if a file was added, removed or changed."""
        paths = sorted(self._folder.glob("*.yml"))
        signature = tuple((path.name, path.stat().st_mtime_ns) for path in paths)
        if signature != self._signature:
            self._topics = {topic.key: topic for topic in map(read_topic, paths)}
            self._signature = signature
        return self._topics

    def get(self, key: str) -> Topic | None:
        """Return the topic for `key`, or None when there is no such topic."""
        return self.topics().get(key)
