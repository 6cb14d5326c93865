"""Measure the status lookup: latency of each action turn and SQL statements per lookup.

    .venv/bin/python scripts/measure_status_lookup.py [--rounds 200]

Runs the real actions (as rasa-sdk runs them) against a throwaway SQLite file and a throwaway
PostgreSQL schema, seeded with the demo applications. Each round is one applicant: ID turn,
code turn, report, then "再查一下" (verified, no code). Times exclude Rasa's own NLU and policy work.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import event

from actions.status_lookup import ActionStatusLookup, ValidateStatusLookupForm
from bot.db.engine import shared_session_factory
from bot.db.seed import seed_demo_applications
from tests.support.databases import postgres_unavailable, scratch_database

APPLICATION_ID, CODE = "RZ202611180002", "7K4L6Q"


def tracker(sender: str, text: str, slots: dict[str, Any]) -> Tracker:
    events = [
        {"event": "session_started", "timestamp": time.time() - 60},
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": text, "parse_data": {"intent": {"name": "check_status"}}},
        {"event": "action", "name": "status_lookup_form"},
    ]
    latest = {"text": text, "intent": {"name": "check_status", "confidence": 0.9}, "entities": []}
    return Tracker(sender, dict(slots), latest, events, False, None, {"name": "status_lookup_form"}, None)


async def timed(run: Callable[[], Any], timings: list[float]) -> Any:
    started = time.perf_counter()
    result = await run()
    timings.append((time.perf_counter() - started) * 1000)
    return result


async def one_round(sender: str, timings: dict[str, list[float]]) -> None:
    validate, report = ValidateStatusLookupForm(), ActionStatusLookup()
    slots: dict[str, Any] = {"requested_slot": None, "application_id": None, "credit_code_suffix": None}
    await timed(
        lambda: validate.run(CollectingDispatcher(), tracker(sender, APPLICATION_ID, slots), {}),
        timings["1 ID turn"],
    )
    slots.update(application_id=APPLICATION_ID, requested_slot="credit_code_suffix")
    await timed(
        lambda: validate.run(CollectingDispatcher(), tracker(sender, CODE, slots), {}), timings["2 code turn"]
    )
    slots.update(credit_code_suffix="******", requested_slot=None)
    dispatcher = CollectingDispatcher()
    await timed(lambda: report.run(dispatcher, tracker(sender, "", slots), {}), timings["3 report"])
    assert "待打款验证" in dispatcher.messages[0]["text"], dispatcher.messages
    slots.update(credit_code_suffix=None)
    await timed(
        lambda: validate.run(CollectingDispatcher(), tracker(sender, "再查一下", slots), {}),
        timings["4 ask again: ID"],
    )
    await timed(
        lambda: report.run(CollectingDispatcher(), tracker(sender, "", slots), {}),
        timings["5 ask again: report"],
    )


def measure(backend: str, rounds: int) -> None:
    with tempfile.TemporaryDirectory() as directory, scratch_database(backend, Path(directory)) as url:
        os.environ["DATABASE_URL"] = url
        sessions = shared_session_factory(url)
        with sessions() as session, session.begin():
            seed_demo_applications(session)
        statements: list[str] = []
        event.listen(sessions.kw["bind"], "before_cursor_execute", lambda *args: statements.append(args[2]))
        timings: dict[str, list[float]] = defaultdict(list)
        asyncio.run(one_round("warm-up", defaultdict(list)))
        statements.clear()
        for n in range(rounds):
            asyncio.run(one_round(f"sender-{n}", timings))
        print(f"\n{backend}: {rounds} lookups, {len(statements) / rounds:.0f} SQL statements per round")
        print(f"  {'step':<22}{'p50 ms':>8}{'p95 ms':>8}{'max ms':>8}")
        for step, values in sorted(timings.items()):
            values.sort()
            p95 = values[int(len(values) * 0.95) - 1]
            print(f"  {step:<22}{statistics.median(values):>8.1f}{p95:>8.1f}{values[-1]:>8.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=200)
    arguments = parser.parse_args()
    measure("sqlite", arguments.rounds)
    reason = postgres_unavailable()
    if reason:
        print(f"\npostgresql: skipped ({reason})")
    else:
        measure("postgresql", arguments.rounds)


if __name__ == "__main__":
    main()
