"""`python -m bot.gateway`: run the Telegram gateway (settings from the environment, bot/gateway/settings.py)."""

from __future__ import annotations

import logging
import sys

from telegram.error import InvalidToken, TelegramError

from bot.errors import PollingStopped, StorageUnavailable
from bot.gateway.app import run
from bot.gateway.logs import configure_logging
from bot.gateway.settings import GatewaySettings
from bot.settings import SettingsError

logger = logging.getLogger("bot.gateway")


def main() -> int:
    """Command-line entry point; bad settings print one line and exit 2."""
    try:
        settings = GatewaySettings.from_env()
    except SettingsError as error:
        print(f"Telegram 网关无法启动 / gateway not started: {error}", file=sys.stderr)
        return 2
    secrets = [settings.bot_token, settings.rasa_auth_token or "", settings.webhook_secret or ""]
    configure_logging(secrets=secrets)
    try:
        run(settings)
    except InvalidToken:
        print(
            "Telegram 网关无法启动 / gateway not started: Telegram rejected TELEGRAM_BOT_TOKEN",
            file=sys.stderr,
        )
        return 2
    except StorageUnavailable as error:
        print(
            f"Telegram 网关无法启动 / gateway not started: the database is unavailable or not initialised "
            f"({error}); run `make db` (python -m bot.db init)",
            file=sys.stderr,
        )
        return 1
    except PollingStopped as error:
        logger.critical("gateway stopped: %s; exit 1 so that the supervisor restarts it", error)
        return 1
    except TelegramError as error:
        logger.error("gateway stopped: %s", error)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
