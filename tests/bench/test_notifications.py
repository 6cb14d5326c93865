"""One import changes many subscribed applications: each subscriber gets one message, progress is logged.

The rate itself is a figure (`python -m bench.notifications`), never asserted; the limiter's arithmetic is
tested with a clock of its own in tests/bot/gateway/test_limits.py.
"""

from __future__ import annotations

import re
from pathlib import Path

from bench.notifications import measure, most_in_one_second


def test_most_in_one_second_counts_a_sliding_window() -> None:
    assert most_in_one_second([0.0, 0.5, 0.99, 1.0, 1.5, 3.0]) == 3
    assert most_in_one_second([3.0, 0.0, 0.2, 0.4, 0.6]) == 4
    assert most_in_one_second([]) == 0


def test_an_import_reaches_every_subscriber_once_within_the_limits(tmp_path: Path) -> None:
    figures = measure(45, tmp_path)

    assert (figures.delivered, figures.doubled) == (45, 0)
    assert figures.max_per_second <= 30  # held by design: a slot frees one second after its call ended
    assert figures.max_per_chat_second == 1
    # The first line counts what waits when the gateway looks (some may already be out on a busy machine).
    waiting = re.search(r"(\d+) waiting", figures.progress[0])
    assert waiting is not None and 0 < int(waiting.group(1)) <= 45
    assert figures.progress[-1].endswith("status notifications: all sent")
