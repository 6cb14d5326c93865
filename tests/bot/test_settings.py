"""Settings from the environment: documented defaults, and a bad value names its variable."""

from __future__ import annotations

import re

import pytest

from bot.settings import PROJECT_ROOT, Settings, SettingsError, database_url_from_env

LIMITS = {
    "STATUS_CODES_PER_APPLICATION": ("status_codes_per_application", 3),
    "STATUS_CODES_PER_CONVERSATION": ("status_codes_per_conversation", 10),
    "STATUS_WINDOW_MINUTES": ("status_window_minutes", 30),
    "STATUS_LOCK_MINUTES": ("status_lock_minutes", 30),
    "STATUS_APPLICATION_CAP": ("status_application_cap", 10),
    "STATUS_APPLICATION_CAP_MINUTES": ("status_application_cap_minutes", 60),
    "ESCALATIONS_PER_HOUR": ("escalations_per_hour", 3),
}


def readme_defaults() -> dict[str, str]:
    """Variable → default, from the README's configuration table (`| `A`, `B` | 1, 2 | … |` rows)."""
    defaults: dict[str, str] = {}
    for line in (PROJECT_ROOT / "README.md").read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.split("|")[1:-1]]
        if len(cells) == 3 and cells[0].startswith("`"):
            names = re.findall(r"`([A-Z0-9_]+)`", cells[0])
            values = [value.strip() for value in cells[1].split(",")]
            defaults.update(zip(names, values if len(values) == len(names) else values[:1] * len(names)))
    return defaults


def test_the_limits_default_to_what_the_readme_says() -> None:
    settings = Settings.from_env({})
    documented = readme_defaults()
    for name, (field, default) in LIMITS.items():
        assert getattr(settings, field) == default
        assert documented.get(name) == str(default), name


@pytest.mark.parametrize("name", sorted(LIMITS))
def test_each_limit_is_read_from_its_variable(name: str) -> None:
    field, _ = LIMITS[name]
    assert getattr(Settings.from_env({name: "7"}), field) == 7


@pytest.mark.parametrize("value", ["0", "-3", "ten"])
def test_a_limit_that_cannot_be_one_names_its_variable(value: str) -> None:
    with pytest.raises(SettingsError, match="STATUS_APPLICATION_CAP must"):
        Settings.from_env({"STATUS_APPLICATION_CAP": value})


def test_the_agents_group_is_optional_and_checked_where_the_bot_runs() -> None:
    assert Settings.from_env({}).agent_chat_id is None  # then nobody is handed to a person
    assert Settings.from_env({"TELEGRAM_AGENT_CHAT_ID": " -1001234567890 "}).agent_chat_id == -1001234567890
    for bad, named in (("客服群", "must be a number"), ("12345", "negative")):
        with pytest.raises(SettingsError, match=f"TELEGRAM_AGENT_CHAT_ID .*{named}"):
            Settings.from_env({"TELEGRAM_AGENT_CHAT_ID": bad})


@pytest.mark.parametrize(
    "env",
    [
        {},
        {"BOT_VAR_DIR": "/srv/bot"},
        {"DATABASE_URL": "postgresql+psycopg2://bot@db/bot"},
        {"DATABASE_URL": ""},
    ],
)
def test_the_database_url_read_alone_is_the_settings_one(env: dict[str, str]) -> None:
    assert database_url_from_env(env) == Settings.from_env(env).database_url
