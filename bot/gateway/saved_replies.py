"""Saved replies agents send with `/reply 名称`: read from data/saved_replies.yml, again whenever it changes.

The file belongs to the content editors (its header says how to write it). A missing or malformed
file is logged and leaves the last good contents (none at first) in place: the desk then says no
saved reply has that name, and the agents can still write their own reply.
"""

from __future__ import annotations

import difflib
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.settings import PROJECT_ROOT

logger = logging.getLogger(__name__)

DEFAULT_PATH = PROJECT_ROOT / "data" / "saved_replies.yml"
CLOSE_MATCHES = 3


def _parse(raw: Any) -> dict[str, str]:
    """The file's `replies` mapping (name → text); ValueError when it is anything else."""
    replies = raw.get("replies") if isinstance(raw, dict) else None
    if not isinstance(replies, dict) or not all(
        isinstance(name, str) and name.strip() and isinstance(text, str) and text.strip()
        for name, text in replies.items()
    ):
        raise ValueError("saved replies: expected `replies:` mapping names to non-empty texts")
    return {name.strip(): text.strip() for name, text in replies.items()}


@dataclass
class SavedReplies:
    """The saved replies in `path`, re-read when the file's modification time changes."""

    path: Path = DEFAULT_PATH
    _replies: dict[str, str] = field(default_factory=dict)
    _stamp: float | None = None

    def _current(self) -> dict[str, str]:
        try:
            stamp = self.path.stat().st_mtime
        except OSError:
            logger.warning("saved replies: %s is missing", self.path.name)
            return self._replies
        if stamp != self._stamp:
            try:
                self._replies = _parse(yaml.safe_load(self.path.read_text(encoding="utf-8")))
            except (OSError, ValueError, yaml.YAMLError) as error:
                logger.error("saved replies: %s not read (%s)", self.path.name, error)
            self._stamp = stamp
        return self._replies

    def names(self) -> list[str]:
        """Every name, in the file's order."""
        return list(self._current())

    def text(self, name: str) -> str | None:
        """The text saved under `name` (case and surrounding spaces ignored), or None."""
        replies = self._current()
        wanted = name.strip().casefold()
        return next((text for key, text in replies.items() if key.casefold() == wanted), None)

    def close_to(self, name: str) -> list[str]:
        """Names that look like `name` (a typo, a part of it), the closest first."""
        names = self.names()
        wanted = name.strip()
        containing = [n for n in names if wanted and (wanted in n or n in wanted)]
        similar = difflib.get_close_matches(wanted, names, n=CLOSE_MATCHES, cutoff=0.3)
        return list(dict.fromkeys(containing + similar))[:CLOSE_MATCHES]
