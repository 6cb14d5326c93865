"""Print the reliability figures as one table: `python -m tests.reliability.summary DIR`.

DIR holds `figures.jsonl` (written by tests/reliability through RELIABILITY_FIGURES) and
`junit.xml` (pytest's report, for the gateway's own fault tests that `make reliability` runs too).
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

GATEWAY_FAULT_TESTS = {
    "test_telegram_429_and_network_errors": "Telegram 429 + dropped connections",
    "test_killed_mid_conversation_nothing_lost_nothing_doubled": "gateway SIGKILL mid-conversation",
    "test_agents_group_became_a_supergroup": "gateway SIGTERM + restart (group migrated)",
    "test_slow_empty_and_failed_turns_are_never_silent": "Rasa slow / empty / failing behind the gateway",
}


def _figures(path: Path) -> dict[str, list[dict[str, Any]]]:
    sections: dict[str, list[dict[str, Any]]] = defaultdict(list)
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                entry = json.loads(line)
                sections[entry.pop("section")].append(entry)
    return sections


def _gateway_faults(path: Path) -> list[tuple[str, str]]:
    if not path.exists():
        return []
    outcomes = []
    for case in ElementTree.parse(path).iter("testcase"):
        label = GATEWAY_FAULT_TESTS.get(case.get("name", ""))
        if label is None:
            continue
        failed = any(child.tag in ("failure", "error") for child in case)
        skipped = any(child.tag == "skipped" for child in case)
        outcomes.append((label, "skipped" if skipped else "FAILED" if failed else "survived"))
    return outcomes


def _sum(entries: list[dict[str, Any]], key: str) -> int:
    return sum(int(entry.get(key, 0)) for entry in entries)


def rows(directory: Path) -> list[tuple[str, str]]:
    """(figure, value) rows of the summary table."""
    sections = _figures(directory / "figures.jsonl")
    table: list[tuple[str, str]] = []
    bad = sections.get("bad_input", [])
    by_path = ", ".join(f"{e['path']} {e['kind']} {e['tried']}" for e in bad)
    table += [
        ("bad inputs tried", f"{_sum(bad, 'tried')} ({by_path or 'not run'})"),
        (
            "  crashes (5xx) / silent replies / leaks",
            f"{_sum(bad, 'crashes')} / {_sum(bad, 'silent')} / {_sum(bad, 'leaks')}",
        ),
    ]
    hostile = [entry for entry in sections.get("hostile", []) if entry["path"] != "borrowing"]
    borrowing = [entry for entry in sections.get("hostile", []) if entry["path"] == "borrowing"]
    if hostile:
        by_channel = ", ".join(f"{e['path']}/{e['backend']} {e['tried']}" for e in hostile)
        table += [
            (
                "hostile requests tried (all of Unicode, every field)",
                f"{_sum(hostile, 'tried')} ({by_channel})",
            ),
            (
                "  crashes / stops of a server / normal questions unanswered after one",
                f"{_sum(hostile, 'crashes')} / {_sum(hostile, 'stops')} / {_sum(hostile, 'canaries_unanswered')}",
            ),
        ]
    if borrowing:
        table.append(
            (
                "borrowed conversations (other channels' and forged ids)",
                f"{_sum(borrowing, 'borrowed')} of {_sum(borrowing, 'tried')} tries",
            )
        )
    faults = sections.get("faults", [])
    gateway = _gateway_faults(directory / "junit.xml")
    injected = len(faults) + len(gateway)
    survived = _sum(faults, "survived") + sum(outcome == "survived" for _, outcome in gateway)
    table.append(
        ("faults injected / survived / messages lost", f"{injected} / {survived} / {_sum(faults, 'lost')}")
    )
    for entry in faults:
        detail = f"apology in {entry['apology_s']} s" if "apology_s" in entry else ""
        outcome = "survived" if entry.get("survived") else "FAILED"
        table.append(
            (
                f"  {entry['fault']}",
                f"{outcome}, lost {entry.get('lost', 0)}{', ' + detail if detail else ''}",
            )
        )
    for label, outcome in gateway:
        table.append((f"  {label}", f"{outcome} (gateway test)"))
    for entry in sections.get("canary", []):
        table.append(
            (
                "canary leaks",
                (
                    f"{entry['leaks']} (paths {entry['paths']}, {entry['log_files']} logs, "
                    f"{entry['tables']} tables, {entry['agent_messages']} agent messages, "
                    f"{entry['places_scanned']} places scanned)"
                ),
            )
        )
    for entry in sections.get("masking", []):
        table.append(
            (
                "generated personal numbers / escaping masking",
                (
                    f"{entry['shapes']} / {entry['escaped']} "
                    f"(innocent numbers changed: {entry['innocent_changed']} of {entry['innocent']})"
                ),
            )
        )
    for entry in sections.get("masking_rest", []):
        table.append(
            ("  sent through REST / raw values stored or logged", f"{entry['messages']} / {entry['leaks']}")
        )
    for entry in sections.get("enumeration", []):
        table.append(
            (
                "enumeration attempts / records disclosed",
                f"{entry['attempts']} / {entry['disclosed']} ({entry['senders']} senders)",
            )
        )
    for entry in sections.get("guessing", []):
        table.append(
            (
                f"credit-code guesses, fresh sender each ({entry['backend']})",
                (
                    f"{entry['guesses']} sent in {entry['seconds']} s (≈{entry['sent_per_hour']}/h), "
                    f"{entry['compared']} compared, {entry['alerts']} alert; "
                    f"≤ {entry['compared_per_hour_by_rule']} compared per hour by the rule"
                ),
            )
        )
    for entry in sections.get("load", []):
        table.append(
            (
                "max N applicants × 10 turns with p95 < 1 s",
                (
                    f"{entry['max_n']} (p95 {entry['p95_s']} s, "
                    f"think {entry['think_s']} s; {entry['turns']} turns: lost {entry['lost']}, doubled "
                    f"{entry['doubled']}, silent {entry['silent']})"
                ),
            )
        )
    return table


def main(argv: list[str] | None = None) -> int:
    """Print the table."""
    directory = Path((argv if argv is not None else sys.argv[1:] or ["var/reliability"])[0])
    table = rows(directory)
    width = max(len(name) for name, _ in table)
    print("\nReliability figures")
    print("-" * (width + 40))
    for name, value in table:
        print(f"{name:<{width}}  {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
