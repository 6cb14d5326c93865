"""The stock bot is stock: Rasa's own components and channels, this project's data, none of its code."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bench.stock_bot import fingerprint, rasa_default_policies, stock_bot_files, write_stock_bot
from bench.stock_server import ensure_stock_bot, project_modules, stock_env
from bot.settings import PROJECT_ROOT


@pytest.fixture(scope="module")
def files() -> dict[str, bytes]:
    return stock_bot_files(PROJECT_ROOT)


def load(files: dict[str, bytes], name: str) -> dict:
    return yaml.safe_load(files[name].decode())


def test_config_is_the_stock_pipeline_with_rasa_init_policies(files: dict[str, bytes]) -> None:
    config = load(files, "config.yml")
    names = [component["name"] for component in config["pipeline"]]
    assert "DIETClassifier" in names and "ResponseSelector" in names
    assert (
        config["pipeline"]
        == yaml.safe_load((PROJECT_ROOT / "bot/quality/stock_config.yml").read_text())["pipeline"]
    )
    policies = [policy["name"] for policy in config["policies"]]
    assert policies == [policy["name"] for policy in rasa_default_policies()]
    assert {"MemoizationPolicy", "RulePolicy", "TEDPolicy"} <= set(policies)
    every = names + policies
    assert not [name for name in every if "." in name], "no custom (dotted) components"


def test_faq_is_answered_by_the_response_selector(files: dict[str, bytes]) -> None:
    domain, rules = load(files, "domain.yml"), load(files, "data/rules.yml")["rules"]
    assert {"faq": {"is_retrieval_intent": True}} in domain["intents"]
    assert {"rule": "faq → utter_faq", "steps": [{"intent": "faq"}, {"action": "utter_faq"}]} in rules
    assert "actions" not in domain and "slots" not in domain and "forms" not in domain
    actions = {step["action"] for rule in rules for step in rule["steps"] if "action" in step}
    assert actions - {"utter_faq"} <= set(domain["responses"]), "every rule answers with a plain response"
    assert not [action for action in actions if action.startswith("action_")]


def test_same_nlu_data_as_this_project(files: dict[str, bytes]) -> None:
    fees = "data/nlu/faq/fees.yml"
    assert files[fees] == (PROJECT_ROOT / fees).read_bytes()
    assert "utter_faq/fees" in load(files, fees)["responses"]
    assert not [name for name in files if name.startswith("data/rules/")], "our rules call custom actions"


def test_channels_and_tracker_store_are_rasas_own(files: dict[str, bytes]) -> None:
    assert load(files, "credentials.yml") == {"rest": None}
    endpoints = load(files, "endpoints.yml")
    assert endpoints == {"tracker_store": {"type": "SQL", "dialect": "sqlite", "db": "tracker.db"}}


def test_fingerprint_follows_training_inputs_only(files: dict[str, bytes]) -> None:
    same = fingerprint(files)
    assert fingerprint({**files, "endpoints.yml": b"changed"}) == same
    assert fingerprint({**files, "data/nlu/faq/fees.yml": b"changed"}) != same


def test_written_folder_matches_and_loses_stale_data(files: dict[str, bytes], tmp_path: Path) -> None:
    (tmp_path / "data" / "nlu").mkdir(parents=True)
    (tmp_path / "data" / "nlu" / "removed_topic.yml").write_text("nlu: []")
    write_stock_bot(files, tmp_path)
    written = {str(p.relative_to(tmp_path)): p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    assert written == files


def test_rasa_validates_the_generated_bot(files: dict[str, bytes], tmp_path: Path) -> None:
    from rasa.shared.importers.importer import TrainingDataImporter
    from rasa.validator import Validator

    write_stock_bot(files, tmp_path)
    importer = TrainingDataImporter.load_from_config(
        str(tmp_path / "config.yml"), str(tmp_path / "domain.yml"), [str(tmp_path / "data")]
    )
    validator = Validator.from_importer(importer)
    assert validator.verify_domain_validity()
    assert validator.verify_actions_in_stories_rules()
    assert validator.verify_intents_in_stories()
    assert "utter_faq/fees" in importer.get_domain().responses


def test_stock_process_has_no_project_path() -> None:
    env = stock_env()
    assert "PYTHONPATH" not in env and env["RASA_TELEMETRY_ENABLED"] == "false"


def test_project_modules_found_in_importtime_output() -> None:
    log = """\
import time: self [us] | cumulative | imported package
import time:       120 |        120 |   rasa.core.agent
import time:        80 |         80 | bot
import time:        10 |         10 |     bot.rasa_ext.speedups
import time:         5 |          5 | botocore
2026-11-29 INFO  rasa.core  - bot.rasa_ext mentioned in a log line
"""
    assert project_modules(log) == ["bot", "bot.rasa_ext.speedups"]


def test_a_cached_model_is_served_without_training(tmp_path: Path) -> None:
    log = tmp_path / "training.log"
    assert ensure_stock_bot(PROJECT_ROOT, tmp_path, log, may_train=False) is None  # a smoke run
    name = fingerprint(stock_bot_files(PROJECT_ROOT))
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / f"{name}.tar.gz").write_bytes(b"a trained model")
    (tmp_path / "models" / f"{name}.json").write_text('{"seconds": 1834.5, "trained_at": "2026-11-29 16:02"}')
    bot = ensure_stock_bot(PROJECT_ROOT, tmp_path, log, may_train=False)
    assert bot is not None and bot.model.name == f"{name}.tar.gz"
    assert (bot.train_seconds, bot.trained_at, bot.trained_now) == (1834.5, "2026-11-29 16:02", False)
    assert (tmp_path / "config.yml").exists() and not log.exists()
