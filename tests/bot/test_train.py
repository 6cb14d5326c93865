"""The model is retrained only when training-relevant content changes."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from bot.settings import PROJECT_ROOT
from bot.train import MAX_FINETUNES, _finetune_base, _prune, fingerprint, started_from


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


def test_the_model_an_edit_started_from_survives_pruning(tmp_path: Path) -> None:
    started = _model(tmp_path, "started", "structure-1", 0)
    (tmp_path / "started.figures-abc.json").write_text("{}")
    older = [_model(tmp_path, f"old{n}", "structure-1", 0) for n in range(3)]
    for age, model in enumerate([*older, started]):  # `started` is the newest of the older ones ...
        os.utime(model, (1000 + age, 1000 + age))
    os.utime(started, (500, 500))  # ... until a model is touched: it must stay all the same
    new = _model(tmp_path, "new", "structure-1", 1)
    lineage = json.loads((tmp_path / "new.json").read_text())
    (tmp_path / "new.json").write_text(json.dumps({**lineage, "started_from": "started.tar.gz"}))
    assert started_from(new) == started
    _prune(tmp_path, keep=new)
    assert sorted(p.name for p in tmp_path.glob("*.tar.gz")) == [
        "new.tar.gz",
        "old2.tar.gz",
        "started.tar.gz",
    ]
    assert (tmp_path / "started.figures-abc.json").exists()
    assert not (tmp_path / "old0.json").exists()
