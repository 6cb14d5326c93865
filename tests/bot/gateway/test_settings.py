"""Missing or malformed settings stop the gateway with one clear line, never a traceback."""

from __future__ import annotations

import subprocess
import sys

import pytest

from bot.gateway.settings import GatewaySettings
from bot.settings import PROJECT_ROOT, SettingsError
from tests.bot.gateway.fake_telegram import TOKEN

VALID = {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_AGENT_CHAT_ID": "-1001234567890"}


def test_defaults() -> None:
    settings = GatewaySettings.from_env(VALID)
    assert settings.agent_chat_id == -1001234567890
    assert settings.api_base_url == "https://api.telegram.org/bot"
    assert settings.rasa_url == "http://127.0.0.1:5005"
    assert not settings.uses_webhook
    assert (settings.cards_per_minute, settings.summary_interval) == (5, 30.0)


def test_the_wait_before_an_applicant_is_told_nobody_took_it_defaults_to_what_the_readme_says() -> None:
    from tests.bot.test_settings import readme_defaults

    assert GatewaySettings.from_env(VALID).handoff_wait_minutes == float(
        readme_defaults()["HANDOFF_WAIT_MINUTES"]
    )
    assert GatewaySettings.from_env({**VALID, "HANDOFF_WAIT_MINUTES": "0.5"}).handoff_wait_minutes == 0.5


def test_the_agents_group_pace_is_configurable() -> None:
    settings = GatewaySettings.from_env(
        {**VALID, "AGENT_CARDS_PER_MINUTE": "0", "AGENT_SUMMARY_SECONDS": "90"}
    )
    assert (settings.cards_per_minute, settings.summary_interval) == (0, 90.0)


def test_unclaimed_reminders_come_after_ten_minutes_unless_set_otherwise() -> None:
    assert GatewaySettings.from_env(VALID).reminder_minutes == 10.0
    assert GatewaySettings.from_env({**VALID, "AGENT_REMINDER_MINUTES": "0"}).reminder_minutes == 0.0  # off
    assert GatewaySettings.from_env({**VALID, "AGENT_REMINDER_MINUTES": "2.5"}).reminder_minutes == 2.5


def test_every_member_of_the_agents_group_is_an_agent_unless_an_allowlist_is_set() -> None:
    assert GatewaySettings.from_env(VALID).agent_ids is None
    assert GatewaySettings.from_env({**VALID, "TELEGRAM_AGENT_IDS": " 111, 222 333"}).agent_ids == {
        111,
        222,
        333,
    }


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"TELEGRAM_BOT_TOKEN": ""}, "TELEGRAM_BOT_TOKEN is not set"),
        ({"TELEGRAM_BOT_TOKEN": "12345"}, "does not look like a bot token"),
        ({"TELEGRAM_AGENT_CHAT_ID": ""}, "TELEGRAM_AGENT_CHAT_ID is not set"),
        ({"TELEGRAM_AGENT_CHAT_ID": "客服群"}, "TELEGRAM_AGENT_CHAT_ID must be a number"),
        ({"TELEGRAM_AGENT_CHAT_ID": "12345"}, "negative"),
        ({"TELEGRAM_API_BASE_URL": "api.telegram.org"}, "TELEGRAM_API_BASE_URL must be an http(s) URL"),
        ({"TELEGRAM_WEBHOOK_URL": "https://bot.example.com/tg"}, "TELEGRAM_WEBHOOK_SECRET must be set"),
        ({"TELEGRAM_WEBHOOK_URL": "http://bot.example.com/tg", "TELEGRAM_WEBHOOK_SECRET": "s"}, "https"),
        ({"GATEWAY_RASA_TIMEOUT": "soon"}, "GATEWAY_RASA_TIMEOUT must be a number"),
        ({"AGENT_CARDS_PER_MINUTE": "-1"}, "AGENT_CARDS_PER_MINUTE must be a whole number"),
        ({"AGENT_SUMMARY_SECONDS": "0"}, "AGENT_SUMMARY_SECONDS must be positive"),
        ({"AGENT_REMINDER_MINUTES": "十"}, "AGENT_REMINDER_MINUTES must be a number of minutes"),
        ({"AGENT_REMINDER_MINUTES": "-5"}, "AGENT_REMINDER_MINUTES must be between 0 and"),
        ({"HANDOFF_WAIT_MINUTES": "十分钟"}, "HANDOFF_WAIT_MINUTES must be a number of minutes"),
        ({"HANDOFF_WAIT_MINUTES": "-5"}, "HANDOFF_WAIT_MINUTES must be positive"),
        ({"TELEGRAM_AGENT_IDS": "@xiaowang"}, "TELEGRAM_AGENT_IDS must list Telegram user ids"),
        ({"TELEGRAM_AGENT_IDS": "-100123"}, "TELEGRAM_AGENT_IDS must list Telegram user ids"),
    ],
)
def test_bad_settings_name_the_variable(change: dict[str, str], named: str) -> None:
    with pytest.raises(SettingsError, match=named.replace("(", r"\(").replace(")", r"\)")):
        GatewaySettings.from_env({**VALID, **change})


def test_the_command_prints_one_line_and_exits_2() -> None:
    env = {"PATH": "/usr/bin:/bin", "TELEGRAM_AGENT_CHAT_ID": "-100123"}
    result = subprocess.run(
        [sys.executable, "-m", "bot.gateway"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.strip().count("\n") == 0
    assert "TELEGRAM_BOT_TOKEN is not set" in result.stderr
