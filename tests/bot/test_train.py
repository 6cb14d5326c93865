"""The model is retrained only when training-relevant content changes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.settings import PROJECT_ROOT
from bot.train import fingerprint


@pytest.fixture
def project(tmp_path: Path) -> Path:
    for name in ("config.yml", "domain.yml"):
        shutil.copy(PROJECT_ROOT / name, tmp_path / name)
    shutil.copytree(PROJECT_ROOT / "data", tmp_path / "data")
    return tmp_path


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_answer_and_notes_edits_need_no_retraining(project: Path) -> None:
    before = fingerprint(project)
    _edit(project / "data/nlu/faq/fees.yml", "认证过程不会收取任何官方费用", "认证全程不收取任何官方费用")
    _edit(project / "data/nlu/faq/fees.yml", "notes:", "notes: 已复核。")
    assert fingerprint(project) == before


def test_phrasing_edit_needs_retraining(project: Path) -> None:
    before = fingerprint(project)
    _edit(project / "data/nlu/faq/fees.yml", "examples: |\n", "examples: |\n      - 认证贵不贵\n")
    assert fingerprint(project) != before


@pytest.mark.parametrize("name", ["config.yml", "domain.yml", "data/rules/faq.yml"])
def test_config_domain_and_rules_edits_need_retraining(project: Path, name: str) -> None:
    before = fingerprint(project)
    with open(project / name, "a", encoding="utf-8") as handle:
        handle.write("\n# changed\n")
    assert fingerprint(project) != before
