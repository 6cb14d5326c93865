"""The one reader of Rasa YAML files: documents, intents with their phrasings, response texts, with lines.

Phrasings are read from an `examples:` block line by line, as Rasa reads them (`- phrasing`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode


class SourceError(ValueError):
    """A file cannot be read or is not valid YAML; `line` is where the parser stopped (1-based)."""

    def __init__(self, path: Path, line: int, detail: str) -> None:
        super().__init__(f"{path}:{line}: {detail}")
        self.path = path
        self.line = line
        self.detail = detail


@dataclass(frozen=True)
class Located:
    """A piece of text and where it is: file and 1-based line."""

    text: str
    path: Path
    line: int


@dataclass(frozen=True)
class IntentBlock:
    """One `- intent:` item of an NLU file: its name, where it starts, its phrasings."""

    intent: str
    path: Path
    line: int
    phrasings: tuple[Located, ...]


@dataclass(frozen=True)
class ResponseText:
    """The `text:` of one response variant (as written); `lines` places each of its lines in the file."""

    response: str
    text: str
    path: Path
    line: int
    lines: tuple[Located, ...]


def _parsed(path: Path, parse: Any) -> Any:
    """`parse` applied to the text of `path`; YAML errors become a SourceError at the parser's line."""
    try:
        return parse(path.read_text(encoding="utf-8"))
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        raise SourceError(path, (mark.line + 1) if mark else 1, str(error.problem or error)) from error
    except yaml.YAMLError as error:
        raise SourceError(path, 1, str(error)) from error


def read_document(path: Path) -> Any:
    """The content of `path` as Python values (`yaml.safe_load`)."""
    return _parsed(path, yaml.safe_load)


def compose(path: Path) -> Node | None:
    """Parse `path` into a YAML node tree (keeps line numbers)."""
    return _parsed(path, yaml.compose)


def phrasing_of(line: str) -> str:
    """The phrasing on one line of an `examples:` block; "" when the line holds none."""
    stripped = line.strip()
    return stripped[1:].strip() if stripped.startswith("-") else ""


def parse_examples(block: str | None) -> tuple[str, ...]:
    """Turn a Rasa `examples: |` block ("- phrasing" lines) into a tuple of phrasings."""
    return tuple(phrasing for phrasing in map(phrasing_of, (block or "").splitlines()) if phrasing)


def _get(node: Node | None, key: str) -> Node | None:
    if isinstance(node, MappingNode):
        for key_node, value_node in node.value:
            if isinstance(key_node, ScalarNode) and key_node.value == key:
                return value_node
    return None


def _items(node: Node | None) -> list[Node]:
    return list(node.value) if isinstance(node, SequenceNode) else []


def scalar_lines(node: ScalarNode, path: Path) -> tuple[Located, ...]:
    """Every line of a scalar's value (split as Rasa splits examples) with its line in the file.

    The line is exact for literal blocks; every line of any other scalar gets the scalar's first line.
    """
    first = node.start_mark.line + 1
    offset = 1 if node.style in ("|", ">") else 0
    return tuple(
        Located(line, path, first + offset + index if node.style == "|" else first)
        for index, line in enumerate(str(node.value).splitlines())
    )


def intent_blocks(path: Path) -> Iterator[IntentBlock]:
    """The intents of an NLU file with their `- phrasing` lines."""
    for item in _items(_get(compose(path), "nlu")):
        intent = _get(item, "intent")
        if not isinstance(intent, ScalarNode):
            continue
        examples = _get(item, "examples")
        phrasings: tuple[Located, ...] = ()
        if isinstance(examples, ScalarNode):
            phrasings = tuple(
                Located(phrasing, path, entry.line)
                for entry in scalar_lines(examples, path)
                if (phrasing := phrasing_of(entry.text))
            )
        yield IntentBlock(str(intent.value), path, intent.start_mark.line + 1, phrasings)


def labelled_phrasings(files: Iterable[Path]) -> list[tuple[str, str]]:
    """(phrasing, intent) for every phrasing of every intent in `files`, in file order."""
    return [
        (located.text, block.intent)
        for path in files
        for block in intent_blocks(path)
        for located in block.phrasings
    ]


def response_texts(path: Path) -> Iterator[ResponseText]:
    """The `text:` of every response variant in a file's `responses:` section."""
    responses = _get(compose(path), "responses")
    if not isinstance(responses, MappingNode):
        return
    for name_node, variants in responses.value:
        for variant in _items(variants):
            text = _get(variant, "text")
            if isinstance(text, ScalarNode):
                lines = scalar_lines(text, path)
                yield ResponseText(
                    str(name_node.value), str(text.value), path, text.start_mark.line + 1, lines
                )
