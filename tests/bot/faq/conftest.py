"""Fixtures for the editor tools: a copy of the project's content that tests may change."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.faq.paths import ProjectPaths
from bot.settings import PROJECT_ROOT
from tests.support.databases import database_url, sessions  # noqa: F401 - pytest finds fixtures by name


def copy_content(target: Path) -> ProjectPaths:
    """Copy config.yml, domain.yml, data/ and the YAML under tests/ (conversation tests, held-out set)."""
    for name in ("config.yml", "domain.yml"):
        shutil.copy2(PROJECT_ROOT / name, target / name)
    shutil.copytree(PROJECT_ROOT / "data", target / "data")
    for source in (PROJECT_ROOT / "tests").rglob("*.yml"):
        destination = target / source.relative_to(PROJECT_ROOT)
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
    """Every file under `root` with its bytes, to prove nothing changed."""
    return {str(path.relative_to(root)): path.read_bytes() for path in sorted(root.rglob("*")) if path.is_file()}
