"""Where a sampled process spends its time: cumulative shares of functions in a py-spy raw profile.

Record a Rasa worker under `make bench` load with
`py-spy record -p PID -d 30 -r 250 --gil -f raw -o spy.txt --nonblocking` (`--gil`: only samples
holding the GIL, i.e. Python running on a CPU), then `python -m bench.spy spy.txt`. A function's
cumulative share counts each sample whose stack holds it once (recursion counted once); samples
that end in an idle wait (the event loop's select, a thread pool waiting for work) are left out.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path

IDLE = ("_worker (concurrent/futures/thread.py", "serve (sanic/server/runners.py", "select (selectors.py")
"""Leaf frames that mean a thread was waiting, not working."""


def function_of(frame: str) -> str:
    """`name (file:line)` without its line number: one entry per function."""
    return frame.rsplit(":", 1)[0] + ")" if frame.endswith(")") and ":" in frame else frame


def cumulative_shares(lines: Iterable[str]) -> tuple[int, list[tuple[str, float]]]:
    """(busy samples, [(function, share of busy samples whose stack holds it)], largest first)."""
    counts: Counter[str] = Counter()
    busy = 0
    for line in lines:
        stack, _, count = line.rstrip("\n").rpartition(" ")
        if not stack or not count.isdigit():
            continue
        frames = [function_of(frame) for frame in stack.split(";")]
        if frames[-1].startswith(IDLE):
            continue
        busy += int(count)
        for function in set(frames):
            counts[function] += int(count)
    return busy, [(function, n / busy) for function, n in counts.most_common()] if busy else []


def main(argv: Sequence[str] | None = None) -> int:
    """Print the top functions of a py-spy raw profile by cumulative share."""
    parser = argparse.ArgumentParser(prog="python -m bench.spy", description=__doc__)
    parser.add_argument("profile", type=Path, help="py-spy output written with `-f raw`")
    parser.add_argument("--top", type=int, default=40, help="how many functions to print")
    args = parser.parse_args(argv)
    with args.profile.open(encoding="utf-8") as lines:
        busy, shares = cumulative_shares(lines)
    print(f"{busy} busy samples")
    for function, share in shares[: args.top]:
        print(f"{100 * share:5.1f}%  {function}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
