"""`python -m bench.notifications`: one CSV import changes N subscribed applications; how delivery goes.

A private SQLite database gets N applications, each subscribed by its own Telegram chat; the real
back-office CLI (`python -m bot.status import`) moves all N to a new status while the gateway is
down; then the real gateway (`python -m bot.gateway`) starts against the fake Bot API of the tests
and delivers. Printed: how long the import took to queue N messages, how long delivery took, the
overall rate and the most messages in any one second (Telegram allows about 30), the most to one
chat in any one second (1 allowed), messages lost or doubled, and the gateway's progress lines.
Takes about N / 30 seconds (10,000: about six minutes). Figures are printed, never asserted here.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bot.db.migrate import upgrade
from bot.settings import PROJECT_ROOT
from tests.bot.gateway.conftest import GatewayProcess, new_group_id
from tests.bot.gateway.fake_rasa import FakeRasa
from tests.bot.gateway.fake_telegram import TOKEN, FakeTelegram
from tests.bot.gateway.notify_support import import_applications, subscribe_directly

FIRST_CHAT = 7_000_000_000
PROGRESS_MARK = "status notifications:"


@dataclass
class Figures:
    """What one run measured."""

    count: int
    queue_s: float = 0.0
    first_after_s: float = 0.0
    deliver_s: float = 0.0
    delivered: int = 0
    doubled: int = 0
    max_per_second: int = 0
    seconds_over_30: int = 0
    seconds: int = 0
    max_per_chat_second: int = 0
    progress: list[str] = field(default_factory=list)

    @property
    def rate(self) -> float:
        """Messages per second while delivering."""
        return (self.delivered - 1) / self.deliver_s if self.deliver_s else 0.0

    def lines(self) -> list[str]:
        """The figures as a reader wants them."""
        once = self.delivered - self.doubled
        return [
            f"applications changed by one import : {self.count}",
            f"import + queuing (CLI)               : {self.queue_s:.1f} s",
            f"gateway start → first message        : {self.first_after_s:.1f} s",
            f"first → last message                 : {self.deliver_s:.1f} s ({self.rate:.1f} messages/s)",
            f"delivered once / lost / doubled      : {once} / {self.count - once} / {self.doubled}",
            f"most messages in any 1 s (limit ≈30) : {self.max_per_second} (as the fake Bot API saw them arrive)",
            f"whole seconds with more than 30      : {self.seconds_over_30} of {self.seconds}",
            f"most to one chat in any 1 s (limit 1): {self.max_per_chat_second}",
            "gateway progress log:",
            *(f"  {line}" for line in self.progress),
        ]


def most_in_one_second(times: Sequence[float]) -> int:
    """The most events inside any window of one second."""
    ordered = sorted(times)
    most, start = 0, 0
    for end, at in enumerate(ordered):
        while at - ordered[start] >= 1.0:
            start += 1
        most = max(most, end - start + 1)
    return most


def measure(count: int, workdir: Path, *, timeout: float | None = None) -> Figures:
    """Run the whole scenario in `workdir` and return the figures."""
    figures = Figures(count)
    database_url = f"sqlite:///{workdir / 'bench.db'}"
    upgrade(database_url)
    telegram, rasa = FakeTelegram().start(), FakeRasa().start()
    agents_group = new_group_id()
    telegram.add_chat(agents_group, title="客服群")
    env = {
        **os.environ,
        "PYTHONPATH": str(PROJECT_ROOT),
        "DATABASE_URL": database_url,
        "RASA_URL": rasa.url,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_AGENT_CHAT_ID": str(agents_group),
        "TELEGRAM_API_BASE_URL": telegram.base_url,
        "TELEGRAM_POLL_TIMEOUT": "2",
    }
    gateway = GatewayProcess(env, workdir / "gateway.log")
    try:
        applications = {f"RZ2098{n:08d}": "初审中" for n in range(count)}
        import_applications(env, workdir / "new.csv", applications)
        chats = {f"tg:{FIRST_CHAT + n}": app_id for n, app_id in enumerate(applications)}
        subscribe_directly(database_url, chats)

        started = time.monotonic()
        import_applications(env, workdir / "changes.csv", dict.fromkeys(applications, "复审中"))
        figures.queue_s = time.monotonic() - started

        started = time.monotonic()
        gateway.start(timeout=120)
        wanted = {FIRST_CHAT + n for n in range(count)}

        def sent_to_applicants() -> list[float]:
            return [
                call.at
                for call in telegram.calls_to("sendMessage")
                if call.outcome == "ok" and call.params["chat_id"] in wanted
            ]

        deadline = time.monotonic() + (timeout or max(120.0, count / 10))
        while len(telegram.sent()) < count:  # polled slowly: the fake Bot API runs in this process
            if time.monotonic() > deadline:
                raise AssertionError(f"only {len(telegram.sent())} of {count} notifications arrived")
            time.sleep(1.0)
        time.sleep(2.0)  # anything doubled would arrive now
        times = sent_to_applicants()
        figures.first_after_s = min(times) - started
        figures.deliver_s = max(times) - min(times)
        figures.delivered = len(times)
        per_chat = Counter(
            call.params["chat_id"]
            for call in telegram.calls_to("sendMessage")
            if call.outcome == "ok" and call.params["chat_id"] in wanted
        )
        figures.doubled = sum(n - 1 for n in per_chat.values() if n > 1)
        figures.max_per_second = most_in_one_second(times)
        per_second = Counter(int(at - min(times)) for at in times)
        figures.seconds = len(per_second)
        figures.seconds_over_30 = sum(1 for n in per_second.values() if n > 30)
        by_chat: dict[int, list[float]] = {}
        for call in telegram.calls_to("sendMessage"):
            by_chat.setdefault(call.params["chat_id"], []).append(call.at)
        figures.max_per_chat_second = max(most_in_one_second(t) for t in by_chat.values())
        time.sleep(PROGRESS_WAIT_S)
        figures.progress = [line for line in gateway.log().splitlines() if PROGRESS_MARK in line]
    finally:
        gateway.stop()
        telegram.stop()
        rasa.stop()
    return figures


PROGRESS_WAIT_S = 10.5
"""The gateway logs its progress every 10 s; wait for the line that says all were sent."""


def main(argv: Sequence[str] | None = None) -> int:
    """Measure and print."""
    parser = argparse.ArgumentParser(prog="python -m bench.notifications", description=__doc__)
    parser.add_argument(
        "--count", type=int, default=10_000, help="subscribed applications the import changes"
    )
    arguments = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-notifications-") as directory:
        figures = measure(arguments.count, Path(directory))
    print("\n".join(figures.lines()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
