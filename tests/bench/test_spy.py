"""Cumulative shares from a py-spy raw profile, as docs/benchmarks.md quotes them."""

from __future__ import annotations

from bench.spy import cumulative_shares

PROFILE = """\
main (a.py:1);turn (b.py:5);parse (c.py:9) 6
main (a.py:1);turn (b.py:5);save (d.py:2) 3
main (a.py:1);turn (b.py:7);turn (b.py:8) 1
main (a.py:1);serve (sanic/server/runners.py:155) 50
"""


def test_idle_waits_are_left_out_and_each_function_counts_once_per_sample() -> None:
    busy, shares = cumulative_shares(PROFILE.splitlines())

    assert busy == 10
    assert dict(shares) == {
        "main (a.py)": 1.0,
        "turn (b.py)": 1.0,
        "parse (c.py)": 0.6,
        "save (d.py)": 0.3,
    }
