"""Editor commands for the FAQ: `python -m bot.faq evaluate` (more subcommands are added here)."""

from __future__ import annotations

import argparse
import asyncio
import sys

from bot.faq.evaluation import evaluate_model, format_scores
from bot.settings import Settings
from bot.train import ensure_model


def evaluate(_args: argparse.Namespace) -> int:
    """Train if needed, then print per-topic precision/recall/F1 and the most-confused pairs."""
    model = ensure_model(Settings.from_env().models_dir)
    scores, _ = asyncio.run(evaluate_model(model))
    print(format_scores(scores))
    return 0


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(prog="python -m bot.faq", description="FAQ 编辑工具")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("evaluate", help="在保留测试集上评估模型").set_defaults(handler=evaluate)
    args = parser.parse_args(argv)
    return int(args.handler(args))


if __name__ == "__main__":
    sys.exit(main())
