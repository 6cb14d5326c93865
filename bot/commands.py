"""The command lines of the processes `bot.run` starts: the action server and the Rasa server."""

from __future__ import annotations

import sys
from pathlib import Path

from bot.settings import Settings


def action_server_command(settings: Settings, *, port: int | None = None) -> list[str]:
    """The action server, bound to 127.0.0.1, answering only calls with the shared secret."""
    port = port or settings.action_port
    return [sys.executable, "-m", "bot.action_server", "--actions", "actions", "--port", str(port)]


def rasa_server_command(settings: Settings, model: Path, *, port: int | None = None) -> list[str]:
    """The Rasa server with its channels and the HTTP API, whose token (RASA_AUTH_TOKEN) comes from the
    environment (`bot.rasa_server` adds it in-process: a token on the command line is visible in `ps`)."""
    return [
        sys.executable,
        "-m",
        "bot.rasa_server",
        "run",
        "--model",
        str(model),
        "--endpoints",
        "endpoints.yml",
        "--credentials",
        "credentials.yml",
        "--interface",
        "127.0.0.1",
        "--port",
        str(port or settings.rasa_port),
        "--enable-api",
    ]
