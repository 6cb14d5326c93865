"""Errors of the editors' commands: `python -m bot.content` prints their Chinese messages and exit code.

EditorError        base class: `messages` (Chinese, one per line) and `exit_code`
└── SheetError     a spreadsheet cannot be imported; nothing was written
"""

from __future__ import annotations


class EditorError(Exception):
    """A problem the editor can fix; `messages` say what, in Chinese."""

    exit_code = 1

    def __init__(self, *messages: str) -> None:
        super().__init__("\n".join(messages))
        self.messages = list(messages)


class SheetError(EditorError):
    """The spreadsheet was rejected as a whole (no file was changed)."""
