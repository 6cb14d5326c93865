"""The model is retrained only when training-relevant content changes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from bot.settings import PROJECT_ROOT
from bot.train import MAX_FINETUNES, _finetune_base, fingerprint


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


def test_a_phrasing_edit_keeps_the_structure_so_the_model_can_be_fine_tuned(project: Path) -> None:
    structure = fingerprint(project, ignore_phrasings=True)
    _edit(project / "data/nlu/faq/fees.yml", "examples: |\n", "examples: |\n      - 认证贵不贵\n")
    _edit(project / "data/nlu/chitchat.yml", "examples: |\n", "examples: |\n      - 在不在呀\n")
    assert fingerprint(project, ignore_phrasings=True) == structure


def test_a_new_topic_or_intent_changes_the_structure(project: Path) -> None:
    structure = fingerprint(project, ignore_phrasings=True)
    shutil.copy(project / "data/nlu/faq/fees.yml", project / "data/nlu/faq/fees_copy.yml")
    _edit(project / "data/nlu/faq/fees_copy.yml", "intent: faq/fees", "intent: faq/fees_copy")
    assert fingerprint(project, ignore_phrasings=True) != structure


def _model(models: Path, name: str, structure: str, finetunes: int) -> Path:
    model = models / f"{name}.tar.gz"
    model.write_bytes(b"model")
    (models / f"{name}.json").write_text(json.dumps({"structure": structure, "finetunes": finetunes}))
    return model


def test_fine_tuning_starts_from_a_model_with_the_same_structure(tmp_path: Path) -> None:
    same = _model(tmp_path, "a", "structure-1", 2)
    _model(tmp_path, "b", "structure-2", 0)
    assert _finetune_base(tmp_path, "structure-1") == (same, 2)
    assert _finetune_base(tmp_path, "structure-3") is None


def test_after_too_many_fine_tunings_training_starts_from_scratch(tmp_path: Path) -> None:
    _model(tmp_path, "a", "structure-1", MAX_FINETUNES)
    assert _finetune_base(tmp_path, "structure-1") is None
