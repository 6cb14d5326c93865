"""`python -m bot.rasa_server ARGS`: the `rasa` command (run, shell, …) with log redaction installed first."""

from __future__ import annotations

import sys

from bot.redaction import install


def main() -> None:
    """Install log redaction (bot.redaction), then hand the command line to Rasa."""
    install()
    from rasa.__main__ import main as rasa_main  # imported after: Rasa logs while importing

    from bot.rasa_ext.speedups import install as install_speedups

    install_speedups()  # same behaviour, less work per turn (bot/rasa_ext/speedups.py)
    sys.argv = ["rasa", *sys.argv[1:]]
    rasa_main()


if __name__ == "__main__":
    main()
