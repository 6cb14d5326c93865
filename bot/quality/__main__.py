"""Quality measurement: `python -m bot.quality evaluate` (what `make evaluate` runs)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from bot.content.paths import ProjectPaths
from bot.quality import texts

FRESH_REPORTS = "fresh"
"""docs/reports/fresh/: the report on the second held-out set (fresh phrasings)."""


def evaluate(args: argparse.Namespace) -> int:
    """Train if needed, evaluate on both held-out sets, print their summaries and write their reports."""
    from bot.quality.evaluation import evaluate_model, format_scores, load_examples
    from bot.quality.report import confusion_counts, write_report
    from bot.settings import Settings
    from bot.train import ensure_model

    paths = ProjectPaths(args.root)
    model = ensure_model(Settings.from_env().models_dir, paths.root)
    sets = ((paths.heldout, paths.reports_dir), (paths.heldout_fresh, paths.reports_dir / FRESH_REPORTS))
    for heldout, folder in sets:
        if not heldout.exists():
            continue
        scores, predictions = asyncio.run(evaluate_model(model, load_examples(heldout)))
        print(texts.HELDOUT_SET.format(name=heldout.name))
        print(format_scores(scores))
        written = write_report(scores, confusion_counts(predictions), folder, model=model.name)
        print()
        print(written.summary(paths))
        print()
    return 0


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
