"""`python -m bot.faq check`: find what is wrong with the FAQ content, each problem at `file:line`.

Errors (the command exits non-zero): the same phrasing under two intents, a topic with fewer than
MIN_PHRASINGS phrasings, a missing question or answer, an answer too long for Telegram, an answer
contradicting data/facts.yml, a held-out phrasing that is also training data, a reference to a
topic that has no file, a topic file that cannot be read or is named after another topic.
Warnings: long answers, suggested questions that are no training phrasing, non-canonical files.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from bot.faq import texts
from bot.faq.catalog import RETRIEVAL_INTENT, CatalogError, Topic, read_topic
from bot.faq.corpus import Corpus, Phrasing, heldout_corpus, training_corpus
from bot.faq.facts import Facts, FactsError
from bot.faq.paths import ProjectPaths
from bot.faq.phrasings import phrasing_key
from bot.faq.source import ResponseText, SourceError, response_texts
from bot.faq.topic_files import render_topic

MIN_PHRASINGS = 12
TELEGRAM_MAX_UTF16 = 4096
LONG_ANSWER_CHARS = 800
KEY_PATTERN = re.compile(r"[a-z][a-z0-9_]*\Z")

_TOPIC_REFERENCE = re.compile(rf"(?<![A-Za-z0-9_/])(?:utter_)?{RETRIEVAL_INTENT}/([A-Za-z0-9_]+)")
_FAQ_KEY_REFERENCE = re.compile(r"""faq_key["']?\s*[:=]\s*["']?([A-Za-z0-9_]+)""")
_SUGGESTION = re.compile(r"「([^」\n]+)」")


def utf16_length(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units: an emoji counts 2)."""
    return len(text.encode("utf-16-le")) // 2


def is_valid_key(key: str) -> bool:
    """ASCII snake_case starting with a letter."""
    return KEY_PATTERN.match(key) is not None


@dataclass(frozen=True)
class Problem:
    """One finding: where it is and what is wrong (Chinese); warnings do not fail the check."""

    path: Path
    line: int
    message: str
    warning: bool = False

    def format(self, paths: ProjectPaths) -> str:
        """`file:line: message` with the path relative to the project root."""
        prefix = texts.WARNING_PREFIX if self.warning else ""
        return f"{paths.relative(self.path)}:{self.line}: {prefix}{self.message}"


@dataclass(frozen=True)
class Report:
    """The result of a check: problems in file order, and what was looked at."""

    problems: tuple[Problem, ...]
    topics: int
    phrasings: int

    @property
    def errors(self) -> list[Problem]:
        """The problems that fail the check."""
        return [problem for problem in self.problems if not problem.warning]

    @property
    def warnings(self) -> list[Problem]:
        """The problems that only warn."""
        return [problem for problem in self.problems if problem.warning]


def check_project(paths: ProjectPaths | None = None) -> Report:
    """Run every check on the project under `paths.root`."""
    paths = paths or ProjectPaths()
    problems: list[Problem] = []
    topics = _read_topics(paths, problems)
    training = training_corpus(paths)
    heldout = heldout_corpus(paths)
    for error in (*training.errors, *heldout.errors):
        problems.append(Problem(error.path, error.line, texts.CHK_UNREADABLE.format(detail=error.detail)))
    responses = _read_responses(paths, problems)
    problems += check_topics(topics, paths)
    problems += check_duplicates(training, paths)
    problems += check_responses(responses, topics, paths)
    problems += check_heldout(heldout, training, paths)
    problems += check_references(paths, set(topics))
    problems += check_suggestions(responses, training)
    ordered = sorted(set(problems), key=lambda p: (str(p.path), p.line, p.warning, p.message))
    return Report(tuple(ordered), len(topics), len(training.phrasings()))


def _read_topics(paths: ProjectPaths, problems: list[Problem]) -> dict[str, Topic]:
    topics: dict[str, Topic] = {}
    for path in sorted(paths.faq_dir.glob("*.yml")) if paths.faq_dir.is_dir() else []:
        try:
            topic = read_topic(path)
        except CatalogError as error:
            detail = str(error.__cause__ or error)
            problems.append(Problem(path, 1, texts.CHK_NOT_A_TOPIC.format(detail=detail)))
            continue
        topics[topic.key] = topic
    return topics


def _read_responses(paths: ProjectPaths, problems: list[Problem]) -> list[ResponseText]:
    data_files = sorted(paths.data_dir.rglob("*.yml")) if paths.data_dir.is_dir() else []
    files = [paths.root / "domain.yml", *data_files]
    found: list[ResponseText] = []
    for path in files:
        if not path.is_file():
            continue
        try:
            found.extend(response_texts(path))
        except SourceError as error:
            problems.append(Problem(error.path, error.line, texts.CHK_UNREADABLE.format(detail=error.detail)))
    return found


def _intent_line(topic: Topic) -> int:
    for number, line in enumerate(topic.path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip().startswith("- intent:"):
            return number
    return 1


def check_topics(topics: dict[str, Topic], paths: ProjectPaths) -> list[Problem]:
    """Topic files: key and file name, a question, enough phrasings, the canonical layout."""
    problems = []
    for key, topic in topics.items():
        line = _intent_line(topic)
        if not is_valid_key(key):
            problems.append(Problem(topic.path, line, texts.CHK_KEY_FORMAT.format(key=key)))
        if topic.path.name != f"{key}.yml":
            problems.append(Problem(topic.path, line, texts.CHK_FILE_NAME.format(key=key)))
        if not topic.question:
            problems.append(Problem(topic.path, line, texts.CHK_NO_QUESTION.format(key=key)))
        if len(topic.examples) < MIN_PHRASINGS:
            count = len(topic.examples)
            message = texts.CHK_FEW_PHRASINGS.format(key=key, count=count, minimum=MIN_PHRASINGS)
            problems.append(Problem(topic.path, line, message))
        try:
            canonical = render_topic(topic) == topic.path.read_text(encoding="utf-8")
        except ValueError:
            canonical = False
        if not canonical:
            problems.append(Problem(topic.path, 1, texts.CHK_NOT_CANONICAL, warning=True))
    return problems


def check_duplicates(training: Corpus, paths: ProjectPaths) -> list[Problem]:
    """The same phrasing (after normalisation) under two intents; exact repeats within one intent."""
    problems = []
    first: dict[str, Phrasing] = {}
    for phrasing in training.phrasings():
        key = phrasing_key(phrasing.text)
        earlier = first.setdefault(key, phrasing) if key else phrasing
        if earlier is phrasing:
            continue
        where = earlier.where(paths)
        if earlier.intent != phrasing.intent:
            message = texts.CHK_DUPLICATE.format(
                text=phrasing.text, intent=phrasing.intent, other_intent=earlier.intent, where=where
            )
            problems.append(Problem(phrasing.path, phrasing.line, message))
        elif earlier.text == phrasing.text:
            message = texts.CHK_DUPLICATE_SAME.format(text=phrasing.text, intent=phrasing.intent, where=where)
            problems.append(Problem(phrasing.path, phrasing.line, message, warning=True))
    return problems


def check_responses(
    responses: list[ResponseText], topics: dict[str, Topic], paths: ProjectPaths
) -> list[Problem]:
    """Answers: present, not too long for Telegram, not contradicting data/facts.yml."""
    found: list[Problem] = []
    try:
        facts: Facts | None = Facts.load(paths.facts)
    except FactsError as error:
        facts = None
        found.append(Problem(paths.facts, 1, texts.CHK_FACTS_BROKEN.format(detail=error)))
    answered = set()
    for response in responses:
        text = response.text.strip()
        key = response.response.removeprefix(f"utter_{RETRIEVAL_INTENT}/")
        is_faq = response.response.startswith(f"utter_{RETRIEVAL_INTENT}/")
        if is_faq and text:
            answered.add(key)
        if utf16_length(text) > TELEGRAM_MAX_UTF16:
            message = texts.CHK_ANSWER_TOO_LONG.format(length=utf16_length(text), limit=TELEGRAM_MAX_UTF16)
            found.append(Problem(response.path, response.line, message))
        elif is_faq and len(text) > LONG_ANSWER_CHARS:
            message = texts.CHK_ANSWER_LONG.format(length=len(text), limit=LONG_ANSWER_CHARS)
            found.append(Problem(response.path, response.line, message, warning=True))
        if facts is not None:
            question = topics[key].question if is_faq and key in topics else ""
            for contradiction in facts.contradictions(response.text, question=question):
                located = response.lines[min(contradiction.line, len(response.lines) - 1)]
                found.append(Problem(response.path, located.line, contradiction.message))
    for key, topic in topics.items():
        if key not in answered:
            found.append(Problem(topic.path, _intent_line(topic), texts.CHK_NO_ANSWER.format(key=key)))
    return found


def check_heldout(heldout: Corpus, training: Corpus, paths: ProjectPaths) -> list[Problem]:
    """Held-out phrasings that also appear (after normalisation) in the training data."""
    trained = training.by_key()
    problems = []
    for phrasing in heldout.phrasings():
        match = trained.get(phrasing_key(phrasing.text))
        if match is not None:
            message = texts.CHK_HELDOUT_LEAK.format(text=phrasing.text, where=match.where(paths))
            problems.append(Problem(phrasing.path, phrasing.line, message))
    return problems


def _reference_files(paths: ProjectPaths) -> Iterable[Path]:
    yield paths.root / "domain.yml"
    for folder in (paths.data_dir, paths.root / "tests"):
        if folder.is_dir():
            yield from sorted(path for pattern in ("*.yml", "*.yaml") for path in folder.rglob(pattern))


def topic_references(paths: ProjectPaths) -> Iterable[tuple[str, Path, int]]:
    """Every (key, file, line) where a YAML file names a topic: `faq/<key>`, `utter_faq/<key>`, `faq_key`."""
    for path in _reference_files(paths):
        if not path.is_file():
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            named = {match.group(1) for pattern in (_TOPIC_REFERENCE, _FAQ_KEY_REFERENCE)
                     for match in pattern.finditer(line)}  # fmt: skip
            for key in sorted(named):
                yield key, path, number


def check_references(paths: ProjectPaths, keys: set[str]) -> list[Problem]:
    """References to topics that have no file."""
    return [
        Problem(path, line, texts.CHK_UNKNOWN_TOPIC.format(key=key))
        for key, path, line in topic_references(paths)
        if key not in keys
    ]


def check_suggestions(responses: list[ResponseText], training: Corpus) -> list[Problem]:
    """「questions」 an answer tells the user to ask ("可以问我「…」") that no intent is trained on."""
    trained = training.by_key()
    problems = []
    for response in responses:
        for located in response.lines:
            if "问我" not in located.text:
                continue
            for match in _SUGGESTION.finditer(located.text):
                if phrasing_key(match.group(1)) not in trained:
                    message = texts.CHK_SUGGESTION.format(text=match.group(1))
                    problems.append(Problem(response.path, located.line, message, warning=True))
    return problems


def format_report(report: Report, paths: ProjectPaths) -> str:
    """The command's output: one line per problem, then a summary."""
    lines = [problem.format(paths) for problem in report.problems]
    if report.errors:
        lines.append(texts.CHECK_FAILED.format(errors=len(report.errors), warnings=len(report.warnings)))
    elif report.warnings:
        lines.append(texts.CHECK_WARNINGS_ONLY.format(topics=report.topics, warnings=len(report.warnings)))
    else:
        lines.append(texts.CHECK_OK.format(topics=report.topics, phrasings=report.phrasings))
    return "\n".join(lines)
