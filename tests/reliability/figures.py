"""The reliability suite's figures: tests append counts here, `make reliability` prints them as one table.

Each call writes one JSON line to the file named by RELIABILITY_FIGURES (when set) and prints it,
so `pytest -s` shows the figures too.
"""

from __future__ import annotations

import json
import os

FIGURES_VARIABLE = "RELIABILITY_FIGURES"


def record(section: str, **values: float | str) -> None:
    """Add one set of figures for `section` (e.g. "bad_input", "faults", "canary", "load")."""
    line = json.dumps({"section": section, **values}, ensure_ascii=False)
    print(f"\n[figures] {line}")
    path = os.environ.get(FIGURES_VARIABLE)
    if path:
        with open(path, "a", encoding="utf-8") as figures:
            figures.write(line + "\n")
