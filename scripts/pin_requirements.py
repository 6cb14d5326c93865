"""Pin a requirements .in file: every package pip resolves for it from the registry, as `name==version` lines.

    python scripts/pin_requirements.py requirements.in > requirements.lock
    python scripts/pin_requirements.py requirements-dev.in --beyond requirements.lock > requirements-dev.lock

pip resolves from scratch (`install --dry-run --ignore-installed --report`), so the result does not
depend on what the venv happens to hold. `--beyond LOCK` leaves out the packages LOCK already pins
(the .in file should constrain itself to LOCK with `-c`).
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path


def canonical(name: str) -> str:
    """A package name as the registry compares names (PEP 503)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def resolve(requirements: Path) -> dict[str, str]:
    """Every package (name as published → version) pip would install for `requirements`."""
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "report.json"
        command = [sys.executable, "-m", "pip", "install", "--quiet", "--dry-run", "--ignore-installed"]
        command += ["--report", str(report), "-r", str(requirements)]
        subprocess.run(command, check=True, cwd=requirements.parent)
        installs = json.loads(report.read_text(encoding="utf-8"))["install"]
    return {item["metadata"]["name"]: item["metadata"]["version"] for item in installs}


def pinned_names(lock: Path) -> set[str]:
    """The canonical names a lock file pins."""
    lines = (line.split("#", 1)[0].strip() for line in lock.read_text(encoding="utf-8").splitlines())
    return {canonical(line.split("==", 1)[0]) for line in lines if "==" in line}


def main(argv: list[str] | None = None) -> int:
    """Print the lock file for the given .in file."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("requirements", type=Path)
    parser.add_argument("--beyond", type=Path, help="leave out what this lock file already pins")
    args = parser.parse_args(argv)
    skip = pinned_names(args.beyond) if args.beyond else set()
    pins = {
        name: version for name, version in resolve(args.requirements).items() if canonical(name) not in skip
    }
    source = args.requirements.name
    beyond = f" (beyond {args.beyond.name})" if args.beyond else ""
    print(f"# Pinned by `make lock` from {source}{beyond} with Python 3.10; installed by `make deps`.")
    for name in sorted(pins, key=str.lower):
        print(f"{name}=={pins[name]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
