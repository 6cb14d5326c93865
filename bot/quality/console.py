"""Keep the editor's console readable: send what Rasa and TensorFlow write to stderr into a log file."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def stderr_to(log: Path) -> Iterator[None]:
    """Append everything written to stderr meanwhile — Python warnings, logging, C++ logs, child processes — to `log`."""
    log.parent.mkdir(parents=True, exist_ok=True)
    sys.stderr.flush()
    saved = os.dup(2)
    python_stderr = sys.stderr
    try:
        with open(log, "ab") as target, open(log, "a", encoding="utf-8", buffering=1) as text:
            os.dup2(target.fileno(), 2)
            sys.stderr = text  # also where Python's own stderr object may point elsewhere
            try:
                yield
            finally:
                text.flush()
                sys.stderr = python_stderr
                os.dup2(saved, 2)
    finally:
        os.close(saved)
