"""Fixtures for the editor tools: a copy of the project's content that tests may change."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.content.paths import ProjectPaths
from tests.support.databases import database_url, sessions  # noqa: F401 - pytest finds fixtures by name


def copy_content(target: Path) -> ProjectPaths:
    """Copy config.yml, domain.yml, data/ and the YAML under tests/ (conversation tests, held-out set)."""
    real = ProjectPaths()
    for name in ("config.yml", "domain.yml"):
        shutil.copy2(real.root / name, target / name)
    shutil.copytree(real.data_dir, target / "data")
    for source in real.tests_dir.rglob("*.yml"):
        destination = target / source.relative_to(real.root)
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, destination)
    return ProjectPaths(target)


@pytest.fixture
def project(tmp_path: Path) -> ProjectPaths:
    """A private copy of the project's content under tmp_path/project."""
    root = tmp_path / "project"
    root.mkdir()
    return copy_content(root)


def snapshot(root: Path) -> dict[str, bytes]:
    """Every content file under `root` with its bytes, to prove nothing changed.

    Dotfiles are the editor tools' own bookkeeping (the import lock, the sheets' import record).
    """
    return {
        str(path.relative_to(root)): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and not any(part.startswith(".") for part in path.relative_to(root).parts)
    }
