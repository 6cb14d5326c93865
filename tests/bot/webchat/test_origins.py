"""Allowed origins: the bot's own (however a proxy names it) and WEB_CHAT_ORIGINS; everything else refused."""

from __future__ import annotations

import pytest

from bot.settings import Settings, SettingsError
from bot.webchat.origins import OriginPolicy


def test_listed_origins_are_read_in_the_form_browsers_send() -> None:
    settings = Settings.from_env(
        {"WEB_CHAT_ORIGINS": " https://WWW.Example.com/ ,http://shop.example.com:8080,https://a.example:443,"}
    )
    assert settings.web_chat_origins == (
        "https://www.example.com",
        "http://shop.example.com:8080",
        "https://a.example",
    )
    assert Settings.from_env({}).web_chat_origins == ()


@pytest.mark.parametrize(
    "value", ["www.example.com", "https://www.example.com/chat", "ftp://example.com", "*", "https://x.com:99999",
              "https://user@example.com", "https://example.com?x=1"],
)  # fmt: skip
def test_anything_but_an_origin_is_refused_by_name(value: str) -> None:
    with pytest.raises(SettingsError, match="WEB_CHAT_ORIGINS"):
        Settings.from_env({"WEB_CHAT_ORIGINS": value})


def test_the_bots_own_origin_and_listed_sites_are_allowed_nothing_else() -> None:
    policy = OriginPolicy(["https://www.example.com"])
    direct = {"HTTP_HOST": "127.0.0.1:5005", "wsgi.url_scheme": "http"}
    proxied = {"HTTP_HOST": "127.0.0.1:5005", "wsgi.url_scheme": "https", "HTTP_X_FORWARDED_HOST": "bot.example.com",
               "HTTP_X_FORWARDED_PROTO": "https"}  # fmt: skip

    assert policy.allows("http://127.0.0.1:5005", direct)
    assert policy.allows("https://bot.example.com", proxied)
    assert policy.allows("https://www.example.com", direct)
    for foreign in (
        "https://evil.example",
        "http://www.example.com",
        "https://www.example.com.evil.example",
        "null",
    ):
        assert not policy.allows(foreign, direct)
        assert not policy.allows(foreign, proxied)
    assert policy.frame_ancestors() == "frame-ancestors 'self' https://www.example.com"
    assert policy.is_listed("https://www.example.com") and not policy.is_listed("http://127.0.0.1:5005")


def test_behind_a_proxy_the_bots_public_url_is_its_own_origin() -> None:
    """Behind a proxy that does not pass the Host on, a worker knows its public origin from RASA_URL."""
    policy = OriginPolicy([], bot_url="http://127.0.0.1:5005")
    behind_router = {"HTTP_HOST": "127.0.0.1:5006", "wsgi.url_scheme": "http"}
    assert policy.allows("http://127.0.0.1:5005", behind_router)
    assert not policy.allows("http://127.0.0.1:5007", behind_router)
    assert not policy.is_listed("http://127.0.0.1:5005")  # not another site: no CORS headers needed
