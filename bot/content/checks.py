"""`python -m bot.content check`: the content gate on the project's files, one `file:line: problem` each."""

from __future__ import annotations

from dataclasses import dataclass

from bot.content import texts
from bot.content.corpus import Content
from bot.content.gate import Problem, gate
from bot.content.paths import ProjectPaths


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
    """Run the content gate on the project under `paths.root`."""
    content = Content(paths)
    problems = gate(content)
    return Report(tuple(problems), len(content.topics.by_key), len(content.training.phrasings()))


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
