"""Shared pieces of the command-line tools: exit codes and one-line error descriptions."""

from __future__ import annotations

import sys

from bot.db import texts
from bot.errors import StorageUnavailable

EXIT_OK = 0
EXIT_REFUSED = 1
"""The input was refused (bad rows, unknown application); nothing was written."""
EXIT_USAGE = 2
"""argparse's own exit code for a malformed command line."""
EXIT_STORAGE = 3
"""The database could not be reached or failed; nothing was written."""


def describe(error: BaseException) -> str:
    """The first line of a database error, short enough for a terminal (no SQL, no parameters)."""
    original = getattr(error, "orig", None) or error
    first_line = (str(original).strip().splitlines() or [type(original).__name__])[0]
    return f"{type(original).__name__}: {first_line[:200]}"


def storage_failed(error: StorageUnavailable) -> int:
    """Print the database failure (what failed, in one line) and return EXIT_STORAGE."""
    print(texts.STORAGE_FAILED.format(error=describe(error.__cause__ or error)), file=sys.stderr)
    return EXIT_STORAGE
