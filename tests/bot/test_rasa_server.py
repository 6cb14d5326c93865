"""The Rasa server gets its API token from the environment, never from the command line."""

from __future__ import annotations

from bot.rasa_server import _token_arguments

RUN = ["run", "--model", "m.tar.gz", "--enable-api"]


def test_the_token_is_added_in_process_as_one_word() -> None:
    assert _token_arguments(RUN, {"RASA_AUTH_TOKEN": "-starts-with-a-dash"}) == [
        "--auth-token=-starts-with-a-dash"
    ]


def test_nothing_is_added_without_a_token_an_api_or_for_other_commands() -> None:
    assert _token_arguments(RUN, {}) == []
    assert _token_arguments(["run", "--model", "m"], {"RASA_AUTH_TOKEN": "t" * 20}) == []
    assert _token_arguments(["train"], {"RASA_AUTH_TOKEN": "t" * 20}) == []
    assert _token_arguments([*RUN, "--auth-token=x"], {"RASA_AUTH_TOKEN": "t" * 20}) == []
