"""Which web origins may use the chat: the bot's own, plus the sites listed in WEB_CHAT_ORIGINS.

The same list decides three things: which pages may open socket.io (python-socketio's
`cors_allowed_origins`, checked for long polling and WebSocket alike: browsers do not apply CORS
to WebSocket, the server must), which sites may show the chat page in a frame (CSP
`frame-ancestors`), and which origins the assets send CORS headers to. Everything else is refused.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit


class OriginPolicy:
    """The bot's own origin (however the request reached it) and an explicit list of other sites.

    The bot's own origin is the request's Host (or a proxy's X-Forwarded-Host and -Proto), and
    the origin of RASA_URL (for a proxy in front that does not pass the Host on).
    """

    def __init__(self, allowed: Iterable[str], *, bot_url: str | None = None) -> None:
        self.allowed = tuple(allowed)
        self._allowed = frozenset(self.allowed) | ({web_origin(bot_url)} if bot_url else set())

    def allows(self, origin: object, environ: Mapping[str, Any]) -> bool:
        """For python-socketio: may a request from `origin` with this WSGI `environ` connect?"""
        if not isinstance(origin, str) or not origin:
            return True  # not a browser's cross-origin request (browsers always send Origin there)
        return origin in self._allowed or origin in own_origins(environ)

    def is_listed(self, origin: str | None) -> bool:
        """Is `origin` one of the other sites allowed (for CORS headers on the assets)?"""
        return origin is not None and origin in self.allowed

    def frame_ancestors(self) -> str:
        """The CSP directive naming who may frame the chat page."""
        return " ".join(["frame-ancestors", "'self'", *self.allowed])


def own_origins(environ: Mapping[str, Any]) -> set[str]:
    """The origins under which this request reached the bot: its Host, and a proxy's X-Forwarded-*."""
    host = environ.get("HTTP_HOST")
    if not host:
        return set()
    scheme = str(environ.get("wsgi.url_scheme", "http")).split(",")[0].strip()
    origins = {f"{scheme}://{host}"}
    forwarded_host = environ.get("HTTP_X_FORWARDED_HOST")
    forwarded_proto = environ.get("HTTP_X_FORWARDED_PROTO")
    if forwarded_host or forwarded_proto:
        proto = str(forwarded_proto or scheme).split(",")[0].strip()
        origins.add(f"{proto}://{str(forwarded_host or host).split(',')[0].strip()}")
    return {_without_default_port(origin) for origin in origins} | origins


def _without_default_port(origin: str) -> str:
    for suffix, scheme in ((":80", "http://"), (":443", "https://")):
        if origin.startswith(scheme) and origin.endswith(suffix):
            return origin[: -len(suffix)]
    return origin


def web_origin(url: str) -> str:
    """The origin of a URL (`http://127.0.0.1:5005/x` → `http://127.0.0.1:5005`)."""
    parts = urlsplit(url)
    return _without_default_port(f"{parts.scheme}://{parts.netloc.rsplit('@', 1)[-1]}".lower())
