"""`python -m bot.rasa_server ARGS`: the `rasa` command (run, train, shell, …) with log redaction installed first.

For `run`, the HTTP API token comes from RASA_AUTH_TOKEN in the environment and is added to the
arguments inside this process only: it never appears on a command line (`ps` shows argv).
"""

from __future__ import annotations

import os
import sys

from bot.redaction import install

REQUEST_MAX_BYTES = 1_000_000
"""The largest request body the Rasa server reads (Sanic's default, 100 MB, is parsed on the event loop)."""


def main() -> None:
    """Install log redaction (bot.redaction), then hand the command line to Rasa."""
    install()
    os.environ.setdefault("SANIC_REQUEST_MAX_SIZE", str(REQUEST_MAX_BYTES))
    from rasa.__main__ import main as rasa_main  # imported after: Rasa logs while importing

    from bot.rasa_ext.sanic_fixes import install as install_sanic_fixes
    from bot.rasa_ext.speedups import install as install_speedups
    from bot.rasa_ext.tracker_store import refuse_turns_without_history

    install_sanic_fixes()  # one malformed request must not hang the server
    install_speedups()  # same behaviour, less work per turn (bot/rasa_ext/speedups.py)
    refuse_turns_without_history()  # an unreadable conversation is not a new one
    _expect_no_response_selector()
    sys.argv = ["rasa", *sys.argv[1:], *_token_arguments(sys.argv[1:], os.environ)]
    rasa_main()


def _token_arguments(arguments: list[str], env: os._Environ[str] | dict[str, str]) -> list[str]:
    """`--auth-token <RASA_AUTH_TOKEN>` for `rasa run` with the API enabled, unless given already."""
    token = env.get("RASA_AUTH_TOKEN")
    given = any(argument.startswith("--auth-token") for argument in arguments)
    wanted = arguments[:1] == ["run"] and "--enable-api" in arguments and not given
    return [f"--auth-token={token}"] if token and wanted else []  # one word: a token may start with "-"


def _expect_no_response_selector() -> None:
    """Silence Rasa's advice to add a ResponseSelector: the n-gram ensemble ranks FAQ topics (config.yml)."""
    from rasa.utils.common import EXPECTED_WARNINGS

    EXPECTED_WARNINGS.append((UserWarning, "your NLU configuration does not include a response selector"))


if __name__ == "__main__":
    main()
