"""The project's content read from its files once: topics, phrasings (trained or held out), responses, facts.

`Content` is what the content gate and the spreadsheet commands look at; each part is read when
first asked for, so a command reads only what it uses.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from bot.content.facts import Facts, FactsError
from bot.content.paths import ProjectPaths
from bot.content.phrasings import phrasing_key
from bot.content.source import IntentBlock, ResponseText, SourceError, intent_blocks, response_texts
from bot.content.topic_files import TopicSet, read_topics, topic_paths


@dataclass(frozen=True)
class Phrasing:
    """One example phrasing: its text, intent, file and line."""

    text: str
    intent: str
    path: Path
    line: int

    def where(self, paths: ProjectPaths) -> str:
        """`file:line` relative to the project root."""
        return f"{paths.relative(self.path)}:{self.line}"


@dataclass(frozen=True)
class Corpus:
    """Intent blocks read from a set of files, and the files that could not be read."""

    blocks: tuple[IntentBlock, ...]
    errors: tuple[SourceError, ...]

    def phrasings(self) -> list[Phrasing]:
        """Every phrasing in file order."""
        return [
            Phrasing(located.text, block.intent, located.path, located.line)
            for block in self.blocks
            for located in block.phrasings
        ]

    def by_key(self) -> dict[str, Phrasing]:
        """The first phrasing for each comparison key (see bot.content.phrasings)."""
        index: dict[str, Phrasing] = {}
        for phrasing in self.phrasings():
            index.setdefault(phrasing_key(phrasing.text), phrasing)
        index.pop("", None)
        return index


def read_corpus(files: list[Path]) -> Corpus:
    """Read the intents of `files`, collecting unreadable files instead of stopping."""
    blocks: list[IntentBlock] = []
    errors: list[SourceError] = []
    for path in files:
        try:
            blocks.extend(intent_blocks(path))
        except SourceError as error:
            errors.append(error)
    return Corpus(tuple(blocks), tuple(errors))


def training_files(paths: ProjectPaths) -> list[Path]:
    """Every NLU file under data/nlu/ (FAQ topics and the other intents)."""
    return sorted(paths.nlu_dir.rglob("*.yml")) if paths.nlu_dir.is_dir() else []


def training_corpus(paths: ProjectPaths) -> Corpus:
    """Every training phrasing of the project."""
    return read_corpus(training_files(paths))


def heldout_corpus(paths: ProjectPaths) -> Corpus:
    """The held-out evaluation set (empty when the file does not exist)."""
    return read_corpus([paths.heldout] if paths.heldout.is_file() else [])


@dataclass(frozen=True)
class Responses:
    """Every response text read from a set of files, and the files that could not be read."""

    found: tuple[ResponseText, ...]
    errors: tuple[SourceError, ...]


def response_files(paths: ProjectPaths) -> list[Path]:
    """domain.yml and every YAML file under data/: where responses are written."""
    data_files = sorted(paths.data_dir.rglob("*.yml")) if paths.data_dir.is_dir() else []
    return [path for path in (paths.domain, *data_files) if path.is_file()]


class Content:
    """The FAQ content of the project under `paths`, each part read from the files once, when first used."""

    def __init__(self, paths: ProjectPaths | None = None) -> None:
        self.paths = paths or ProjectPaths()

    @cached_property
    def topics(self) -> TopicSet:
        """The topic files of data/nlu/faq/."""
        return read_topics(topic_paths(self.paths.faq_dir))

    @cached_property
    def training(self) -> Corpus:
        """Every phrasing under data/nlu/ (FAQ topics and the other intents)."""
        return training_corpus(self.paths)

    @cached_property
    def heldout(self) -> Corpus:
        """The held-out evaluation set."""
        return heldout_corpus(self.paths)

    @cached_property
    def responses(self) -> Responses:
        """Every response text in domain.yml and data/, and the files that could not be read."""
        found: list[ResponseText] = []
        errors: list[SourceError] = []
        for path in response_files(self.paths):
            try:
                found.extend(response_texts(path))
            except SourceError as error:
                errors.append(error)
        return Responses(tuple(found), tuple(errors))

    @cached_property
    def facts(self) -> Facts | FactsError:
        """The facts of data/facts.yml, or why they cannot be read."""
        try:
            return Facts.load(self.paths.facts)
        except FactsError as error:
            return error
