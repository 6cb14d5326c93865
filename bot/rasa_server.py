"""`python -m bot.rasa_server ARGS`: the `rasa` command (run, train, shell, …) with log redaction installed first."""

from __future__ import annotations

import sys

from bot.redaction import install


def main() -> None:
    """Install log redaction (bot.redaction), then hand the command line to Rasa."""
    install()
    from rasa.__main__ import main as rasa_main  # imported after: Rasa logs while importing

    from bot.rasa_ext.speedups import install as install_speedups

    install_speedups()  # same behaviour, less work per turn (bot/rasa_ext/speedups.py)
    _expect_no_response_selector()
    sys.argv = ["rasa", *sys.argv[1:]]
    rasa_main()


def _expect_no_response_selector() -> None:
    """Silence Rasa's advice to add a ResponseSelector: the n-gram ensemble ranks FAQ topics (config.yml)."""
    from rasa.utils.common import EXPECTED_WARNINGS

    EXPECTED_WARNINGS.append((UserWarning, "your NLU configuration does not include a response selector"))


if __name__ == "__main__":
    main()
