"""`python -m bench`: measure quality, latency, throughput and costs; write docs/benchmarks.md and .json."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench import costs, quality, side_by_side, stock_server
from bench.machine import describe_machine
from bench.profiles import QUICK_PLAN, SCENARIOS, Plan, Profile, Questions, measure_profile
from bench.report import write_report
from bench.stock_profile import stock_running
from bench.targets import check_targets
from bot.answers.catalog import Catalog
from bot.quality.evaluation import load_examples
from bot.settings import PROJECT_ROOT, Settings
from bot.train import lineage, model_path

STOCK_FOLDER = PROJECT_ROOT / "var" / "stock" / "bot"


def profiles(workers: int) -> dict[str, Profile]:
    """The two profiles the issue asks for."""
    return {
        "embedded": Profile(
            "embedded", "Embedded defaults (`make run`): one Rasa server, one action server, SQLite"
        ),
        "production": Profile(
            "production",
            f"Production profile: {workers} Rasa workers behind HAProxy (locks in Redis), one action server, "
            "PostgreSQL for the application database and the tracker store",
            workers=workers,
            postgres=True,
        ),
    }


def command_line(args: argparse.Namespace) -> str:
    """The options of this run that change what is measured (not where the report goes, nor the note)."""
    words = ["python -m bench"]
    flags = ("quick", "skip_quality", "skip_training", "skip_stock")
    words += [f"--{name.replace('_', '-')}" for name in flags if getattr(args, name)]
    if args.profiles != "embedded,production":
        words.append(f"--profiles {args.profiles}")
    if args.workers != (os.cpu_count() or 2):
        words.append(f"--workers {args.workers}")
    if args.seconds:
        words.append(f"--seconds {args.seconds:g}")
    if args.levels:
        words.append(f"--levels {args.levels}")
    if args.scenarios:
        words.append(f"--scenarios {args.scenarios}")
    return " ".join(words)


def log(message: str) -> None:
    """Progress on the terminal."""
    print(message, flush=True)


def _stock_bot(quick: bool, logs: Path) -> stock_server.StockBot | None:
    """The trained stock Rasa 3.6 bot (trained now unless cached; never in a smoke run)."""
    log(f"Stock Rasa 3.6 in {STOCK_FOLDER} ...")
    training_log = logs / "stock-training.log"
    bot = stock_server.ensure_stock_bot(PROJECT_ROOT, STOCK_FOLDER, training_log, log, may_train=not quick)
    if bot is None:
        log("  no trained stock model for this content: a smoke run leaves stock Rasa out")
        log("  (train it with `python -m bench.stock_server`, or run without --quick)")
    return bot


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="few messages per level (a smoke run)")
    parser.add_argument("--skip-quality", action="store_true", help="do not score the model and the baseline")
    parser.add_argument("--skip-training", action="store_true", help="do not measure training (minutes)")
    parser.add_argument(
        "--skip-stock",
        action="store_true",
        default=stock_server.skipped(os.environ),
        help=f"leave stock Rasa 3.6 out (also {stock_server.SKIP_ENV}=1; it trains once per content, 10+ min, "
        "except with --quick)",
    )
    parser.add_argument("--profiles", default="embedded,production", help="comma-separated profile names")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2, help="Rasa workers in production")
    parser.add_argument("--seconds", type=float, help="seconds per load level (default 20; 3 with --quick)")
    parser.add_argument("--levels", help="comma-separated applicant counts (default 1,8,32)")
    parser.add_argument("--scenarios", help=f"comma-separated scenarios (default {','.join(SCENARIOS)})")
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "docs", help="where to write the report")
    parser.add_argument("--model", type=Path, help="the model to serve (default: the current data's)")
    parser.add_argument("--note", default="", help="a sentence for the top of the report")
    args = parser.parse_args(argv)

    model = args.model or model_path(Settings.from_env().models_dir)
    if not model.exists():
        print(
            f"没有找到训练好的模型 {model}，请先运行 `make train`（`make bench` 会自动训练）。",
            file=sys.stderr,
        )
        return 2
    plan = QUICK_PLAN if args.quick else Plan()
    if args.seconds:
        plan = Plan(**{**plan.__dict__, "seconds": args.seconds})
    if args.levels:
        plan = Plan(**{**plan.__dict__, "levels": tuple(int(n) for n in args.levels.split(","))})
    if args.scenarios:
        scenarios = tuple(name.strip() for name in args.scenarios.split(",") if name.strip())
        if unknown_scenarios := [name for name in scenarios if name not in SCENARIOS]:
            parser.error(f"unknown scenario(s): {', '.join(unknown_scenarios)}")
        plan = Plan(**{**plan.__dict__, "scenarios": scenarios})
    chosen = [name.strip() for name in args.profiles.split(",") if name.strip()]
    known = profiles(args.workers)
    if unknown := [name for name in chosen if name not in known]:
        parser.error(f"unknown profile(s): {', '.join(unknown)}")
    logs = PROJECT_ROOT / "var" / "bench"
    logs.mkdir(parents=True, exist_ok=True)

    figures: dict[str, Any] = {
        "generated_at": time.strftime("%Y-%m-%d %H:%M"),
        "command": command_line(args),
        "quick": args.quick,
        "note": args.note,
        "model": model.name,
        "model_train_seconds": lineage(model).get("seconds"),
        "machine": describe_machine(),
        "profiles": {},
    }
    if not args.skip_quality:
        log(f"Answer quality of {model.name} and the baseline on the held-out set ...")
        figures["quality"] = quality.measure(model)
    questions = Questions(
        faq=[example.text for example in load_examples() if example.expected.startswith("faq/")],
        # a long conversation the bot keeps answering (two misunderstood questions in a row hand it over)
        long_conversation=[topic.question for topic in Catalog().topics().values()],
    )
    bot = None if args.skip_stock else _stock_bot(args.quick, logs)
    with contextlib.ExitStack() as stack:
        paired, stock = stack.enter_context(stock_running(bot, logs, log)) if bot else (None, None)
        for name in chosen:
            log(f"Profile {name} ..." + (" (stock Rasa measured right after each level)" if bot else ""))
            figures["profiles"][name] = measure_profile(known[name], model, plan, questions, log, paired)
            if stock is not None:
                stock["paired"][name] = figures["profiles"][name].pop("paired")
    if bot is not None and stock is not None:
        if not args.skip_quality:
            log(f"Answer quality of stock {bot.model.name} on the held-out set ...")
            stock["quality"] = quality.measure_stock(bot.model)
        figures["stock"] = stock
    if not args.skip_training:
        log(f"Training costs (rasa train output in {logs / 'training.log'}) ...")
        figures["costs"] = costs.measure(logs / "training.log", log)
    if "stock" in figures:
        figures["side_by_side"] = side_by_side.compare(figures)
    figures["targets"] = check_targets(figures)
    markdown, raw = write_report(figures, args.out)
    missed = [t for t in figures["targets"] if t["met"] is False]
    total = len(figures["targets"])
    log(f"Wrote {markdown} and {raw}: {total - len(missed)} of {total} targets met.")
    for target in missed:
        log(f"  missed: {target['target']} ({target['where']}): {target['measured']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
