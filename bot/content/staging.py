"""Content changes written all or nothing: one import at a time (a lock), every file staged then renamed.

An import first writes each new file as a temporary file next to its target (`.<name>.staged.tmp`),
then renames them all and deletes the deleted topics' files in one quick pass: a crash while
staging changes no file, and only a crash inside the rename pass can leave part of an import —
never a half-written file. Temporary files a crashed import left behind are removed when the next
one starts. `bot.train.fingerprint` ignores dotfiles, so such leftovers never force a retrain.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from bot.content.paths import ProjectPaths

STAGED_SUFFIX = ".staged.tmp"


def lock_path(paths: ProjectPaths) -> Path:
    """The lock file every content import holds while it runs."""
    return paths.root / ".content-import.lock"


@contextmanager
def import_lock(paths: ProjectPaths) -> Iterator[None]:
    """Hold the content lock: a second import waits until the first one is done."""
    path = lock_path(paths)
    with open(path, "a+b") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _content_folders(paths: ProjectPaths) -> tuple[Path, ...]:
    return (paths.faq_dir, paths.heldout.parent)


def remove_stale_temporaries(paths: ProjectPaths) -> list[Path]:
    """Delete the temporary files an interrupted import or atomic write left; return them."""
    removed = []
    for folder in _content_folders(paths):
        if folder.is_dir():
            for path in sorted(p for p in folder.glob(".*.tmp") if p.is_file()):
                path.unlink(missing_ok=True)
                removed.append(path)
    return removed


def _staged(path: Path) -> Path:
    return path.with_name(f".{path.name}{STAGED_SUFFIX}")


def _write(path: Path, data: bytes) -> None:
    with open(path, "wb") as stream:
        stream.write(data)
        stream.flush()
        os.fsync(stream.fileno())


def apply_all(files: Mapping[Path, str | None]) -> set[Path]:
    """Give every path its text (None: delete it); return the paths that changed.

    Files whose content would not change are not touched. Everything is staged before the first
    rename; a failure while staging removes the staged files and changes nothing.
    """
    changes: dict[Path, bytes | None] = {}
    for path, text in files.items():
        if text is None:
            if path.exists():
                changes[path] = None
            continue
        encoded = text.encode("utf-8")
        if not (path.exists() and path.read_bytes() == encoded):
            changes[path] = encoded
    staged: list[tuple[Path, Path]] = []
    try:
        for path, new in changes.items():
            if new is not None:
                path.parent.mkdir(parents=True, exist_ok=True)
                temporary = _staged(path)
                _write(temporary, new)
                os.chmod(temporary, (path.stat().st_mode & 0o777) if path.exists() else 0o644)
                staged.append((temporary, path))
    except BaseException:
        for temporary, _ in staged:
            temporary.unlink(missing_ok=True)
        raise
    for temporary, path in staged:
        os.replace(temporary, path)
    for path, gone in changes.items():
        if gone is None:
            path.unlink(missing_ok=True)
    return set(changes)
