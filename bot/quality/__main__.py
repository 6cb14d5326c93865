"""Quality measurement: `python -m bot.quality evaluate` (what `make evaluate` runs)."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import sys
import traceback
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.content.paths import ProjectPaths
from bot.quality import texts
from bot.quality.console import stderr_to

if TYPE_CHECKING:
    from bot.quality.evaluation import Example
    from bot.quality.side_by_side import Row
    from bot.settings import Settings

FRESH_REPORTS = "fresh"
"""docs/reports/fresh/: the report on the second held-out set (fresh phrasings)."""


def evaluate(args: argparse.Namespace) -> int:
    """Train if needed, evaluate both held-out sets against the model the edit started from, write the reports.

    Rasa's and TensorFlow's own output (warnings, training progress) goes to var/log/evaluate.log,
    so the console shows the Chinese summary.
    """
    from bot.quality.report import MissingFontError, cjk_font
    from bot.settings import Settings

    paths = ProjectPaths(args.root)
    try:
        cjk_font()  # before any work: the picture could not be drawn
    except MissingFontError as error:
        print(error, file=sys.stderr)
        return 2
    settings = Settings.from_env()
    log = paths.root / "var" / "log" / "evaluate.log"
    print(texts.CONSOLE_LOG.format(log=paths.relative(log)), flush=True)
    try:
        with stderr_to(log):
            return _evaluate(paths, settings)
    except Exception as error:  # noqa: BLE001 - the details go to the log; the editor gets one sentence
        with open(log, "a", encoding="utf-8") as stream:
            traceback.print_exc(file=stream)
        print(
            texts.EVALUATE_FAILED.format(error=type(error).__name__, log=paths.relative(log)), file=sys.stderr
        )
        return 1


def _evaluate(paths: ProjectPaths, settings: Settings) -> int:
    from bot.content.corpus import Content
    from bot.content.gate import MIN_TEST_QUESTIONS
    from bot.content.heldout_file import questions_by_topic
    from bot.live import reload_running_bot
    from bot.quality.evaluation import evaluate_model, format_scores, load_examples
    from bot.quality.feedback import feedback_lines, feedback_summary, read_votes
    from bot.quality.reference import keep_figures, reference_for
    from bot.quality.report import FIGURES_NAME, confusion_counts, figures, write_report
    from bot.quality.side_by_side import Row
    from bot.train import ensure_model, lineage

    model = ensure_model(settings.models_dir, paths.root)
    print(reload_running_bot(settings, model), flush=True)
    when = dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    content = Content(paths)
    topics = content.topics.by_key
    names = {f"faq/{key}": topic.question for key, topic in topics.items()}
    tests = questions_by_topic(content.heldout)
    votes = read_votes(settings.database_url)
    sets = (
        (paths.heldout, paths.reports_dir, {key: len(tests.get(key, ())) for key in topics}),
        (paths.heldout_fresh, paths.reports_dir / FRESH_REPORTS, None),  # a fixed probe, not fed by editors
    )
    rows: list[Row] = []
    evaluated: list[tuple[str, list[Example]]] = []
    for heldout, folder, test_counts in sets:
        if not heldout.exists():
            continue
        examples = load_examples(heldout)
        evaluated.append((heldout.name, examples))

        def score(earlier: Path, examples: list[Example] = examples) -> dict[str, Any]:
            scored, _ = asyncio.run(evaluate_model(earlier, examples))
            return figures(scored, model=earlier.name, when=when)

        print(texts.HELDOUT_SET.format(name=heldout.name), flush=True)
        reference = reference_for(
            model,
            examples,
            folder / FIGURES_NAME,
            score,
            announce=lambda name: print(texts.EVALUATING_REFERENCE.format(model=name), flush=True),
        )
        print(texts.EVALUATING.format(model=model.name, count=len(examples)), flush=True)
        scores, predictions = asyncio.run(evaluate_model(model, examples))
        print(format_scores(scores))
        rows.append(Row(heldout.name, "ours", scores, lineage(model).get("seconds")))
        written = write_report(
            scores,
            confusion_counts(predictions),
            folder,
            model=model.name,
            reference=reference,
            names=names,
            test_counts=test_counts,
            min_tests=MIN_TEST_QUESTIONS,
            feedback=feedback_lines(votes, names, database_url=settings.database_url)
            if test_counts is not None
            else None,
        )
        keep_figures(model, examples, figures(scores, model=model.name, when=when))
        print()
        print(written.summary(paths))
        if test_counts is not None and (line := feedback_summary(votes)) is not None:
            print(line)
        print()
    _compare_with_stock(paths, settings.var_dir / "stock", rows, evaluated, when)
    return 0


def _compare_with_stock(
    paths: ProjectPaths, folder: Path, rows: list[Row], evaluated: list[tuple[str, list[Example]]], when: str
) -> None:
    """Train (once per content) and score stock Rasa on the same held-out sets; write and print the table."""
    import os

    from bot.quality.evaluation import evaluate_model
    from bot.quality.side_by_side import Row, render_comparison, write_comparison
    from bot.quality.stock import ensure_stock_model, interpret_stock, skipped

    if skipped(os.environ):
        print(texts.COMPARISON_SKIPPED, flush=True)
    else:
        print(texts.TRAINING_STOCK, flush=True)
        stock = ensure_stock_model(paths.root, folder)
        for name, examples in evaluated:
            print(texts.EVALUATING_STOCK.format(model=stock.path.name, count=len(examples)), flush=True)
            scores, _ = asyncio.run(evaluate_model(stock.path, examples, interpret_stock))
            rows.append(Row(name, "stock", scores, stock.seconds))
    written = write_comparison(rows, paths.reports_dir, when=when)
    print()
    print(render_comparison(rows, when=when))
    print(texts.COMPARISON_SAVED.format(markdown=paths.relative(written)), flush=True)


def build_parser() -> argparse.ArgumentParser:
    """The command-line interface (help texts in Chinese: editors read them)."""
    parser = argparse.ArgumentParser(prog="python -m bot.quality", description=texts.CLI_DESCRIPTION)
    parser.add_argument("--root", type=Path, default=ProjectPaths().root, help=texts.CLI_ROOT)
    commands = parser.add_subparsers(dest="command", required=True)
    command = commands.add_parser("evaluate", help=texts.CLI_EVALUATE, description=texts.CLI_EVALUATE)
    command.set_defaults(handler=evaluate)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    args = build_parser().parse_args(argv)
    return int(args.handler(args))


if __name__ == "__main__":
    sys.exit(main())
