"""Read Rasa YAML files with line numbers: intents with their phrasings, and response texts."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode


class SourceError(ValueError):
    """A file is not valid YAML; `line` is where the parser stopped (1-based)."""

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


def compose(path: Path) -> Node | None:
    """Parse `path` into a YAML node tree (keeps line numbers)."""
    try:
        return yaml.compose(path.read_text(encoding="utf-8"))
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        raise SourceError(path, (mark.line + 1) if mark else 1, str(error.problem or error)) from error
    except yaml.YAMLError as error:
        raise SourceError(path, 1, str(error)) from error


def _get(node: Node | None, key: str) -> Node | None:
    if isinstance(node, MappingNode):
        for key_node, value_node in node.value:
            if isinstance(key_node, ScalarNode) and key_node.value == key:
                return value_node
    return None


def _items(node: Node | None) -> list[Node]:
    return list(node.value) if isinstance(node, SequenceNode) else []


def scalar_lines(node: ScalarNode, path: Path) -> tuple[Located, ...]:
    """Every line of a scalar's value with its line in the file (exact for literal blocks)."""
    first = node.start_mark.line + 1
    offset = 1 if node.style in ("|", ">") else 0
    return tuple(
        Located(line, path, first + offset + index if node.style == "|" else first)
        for index, line in enumerate(str(node.value).split("\n"))
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
                Located(entry.text.strip()[1:].strip(), path, entry.line)
                for entry in scalar_lines(examples, path)
                if entry.text.strip().startswith("-") and entry.text.strip()[1:].strip()
            )
        yield IntentBlock(str(intent.value), path, intent.start_mark.line + 1, phrasings)


def response_texts(path: Path) -> Iterator[ResponseText]:
    """The `text:` of every response variant in a file's `responses:` section."""
    responses = _get(compose(path), "responses")
    if not isinstance(responses, MappingNode):
        return
    for name_node, variants in responses.value:
        for variant in _items(variants):
            text = _get(variant, "text")
            if isinstance(text, ScalarNode):
                yield ResponseText(
                    str(name_node.value), str(text.value), path, text.start_mark.line + 1,
                    scalar_lines(text, path),
                )  # fmt: skip
