"""Every phrasing the project trains on (data/nlu/) or holds out (the evaluation set), with its place."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.faq.paths import ProjectPaths
from bot.faq.phrasings import phrasing_key
from bot.faq.source import IntentBlock, SourceError, intent_blocks


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
        """The first phrasing for each comparison key (see bot.faq.phrasings)."""
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
