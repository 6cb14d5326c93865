"""Measure what a worker reads for one turn of a 200-message conversation: rows, statements and ms.

    .venv/bin/python scripts/measure_cold_worker.py [--messages 200] [--rounds 50]

Writes the conversation through the project's tracker store (a status lookup left open, FAQs,
a hand-off) into a throwaway SQLite file and a throwaway PostgreSQL schema, then times the
tracker read a turn starts with, for a worker that
  - is cold and finds the shared checkpoint (restart, eviction, a conversation new to it);
  - is cold with no table to share through (what every cold worker did before the table);
  - is warm (its own checkpoint in memory);
  - does not bound history at all (TRACKER_MAX_TURNS=0: stock Rasa's read of the whole session).
Each read is checked to give the same slots, form and pause as the full tracker. The tables are
ANALYZEd first: on a fresh PostgreSQL table Rasa's own session query runs its subquery per row.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import event, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the tests package: run from anywhere
from bot.rasa_ext.tracker_store import UrlSQLTrackerStore
from tests.support.databases import postgres_unavailable, scratch_database
from tests.support.long_conversation import DOMAIN, SENDER, long_conversation


def store_for(url: str, max_turns: int) -> UrlSQLTrackerStore:
    os.environ["TRACKER_MAX_TURNS"] = str(max_turns)
    return UrlSQLTrackerStore(DOMAIN, host=url)


async def measure(
    store: UrlSQLTrackerStore, rounds: int, *, cold: bool
) -> tuple[float, float, float, float, float]:
    """(median ms, p95 ms, median CPU ms of this process, rows read, SELECTs) per read."""
    selects = 0

    def count(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        nonlocal selects
        selects += statement.lstrip().upper().startswith("SELECT")

    full = await store.retrieve_full_tracker(SENDER)
    event.listen(store.engine, "before_cursor_execute", count)
    times, cpu, rows_before = [], [], store.rows_read
    for _ in range(rounds):
        if cold:
            store.forget_checkpoint(SENDER)
        started, started_cpu = time.perf_counter(), time.process_time()
        tracker = await store.retrieve(SENDER)
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
        assert tracker.current_slot_values() == full.current_slot_values()
        assert (tracker.active_loop_name, tracker.is_paused()) == (full.active_loop_name, full.is_paused())
    event.remove(store.engine, "before_cursor_execute", count)
    times.sort()
    p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
    rows = (store.rows_read - rows_before) / rounds
    return statistics.median(times), p95, statistics.median(cpu), rows, selects / rounds


async def run(url: str, messages: int, rounds: int) -> None:
    writer = store_for(url, 12)
    await long_conversation(writer, messages)
    session_rows = len((await writer.retrieve_full_tracker(SENDER)).events)
    with writer.session_scope() as session:  # statistics, as a database in service has them
        session.execute(text("ANALYZE"))
        session.commit()
    print(f"  conversation: {messages} user messages, {session_rows} stored events")
    shared = store_for(url, 12)
    unshared = store_for(url, 12)
    unshared._shared = False
    stock = store_for(url, 0)
    for name, store, cold in (
        ("cold worker, shared checkpoint", shared, True),
        ("cold worker, nothing shared (before)", unshared, True),
        ("warm worker, own checkpoint", shared, False),
        ("no bounding (stock Rasa read)", stock, False),
    ):
        median, p95, cpu, rows, selects = await measure(store, rounds, cold=cold)
        if store is stock:
            rows = float(session_rows)  # Rasa's own read of the whole session (not counted by the store)
        print(
            f"  {name:38} {median:6.2f} ms p50 {p95:6.2f} ms p95 {cpu:6.2f} ms CPU"
            f" {rows:5.0f} rows {selects:.0f} SELECT"
        )
    for store in (writer, shared, unshared, stock):
        store.engine.dispose()


def main() -> None:
    """Print the figures for SQLite and PostgreSQL."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=50)
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        for backend in ("sqlite", "postgresql"):
            if backend == "postgresql" and (reason := postgres_unavailable()):
                print(f"{backend}: {reason}")
                continue
            with scratch_database(backend, Path(directory), migrate=False) as url:
                print(backend)
                asyncio.run(run(url, arguments.messages, arguments.rounds))


if __name__ == "__main__":
    main()
