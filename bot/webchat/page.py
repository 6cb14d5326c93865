"""`/chat`: the web chat page, its assets and `embed.js`, served by the Rasa server on socket.io's origin.

A Rasa input channel (credentials.yml: `bot.webchat.page.WebChatPage`) mounted at `/chat`
(`url_prefix`); it takes no messages itself: the page talks to the socket.io channel.

    GET /chat             redirects to /chat/ (asset URLs are relative, so a proxy may mount it deeper)
    GET /chat/            the page, with its texts (bot/webchat/texts.py)
    GET /chat/embed.js    the one-line embed for a company's own site (a button opening the page in a frame)
    GET /chat/<file>      chat.js, chat.css, vendor/… : the files under static/, nothing else
                          (anything else, `..` included, is 404 with Chinese JSON as every unknown path)

Every response carries a Content-Security-Policy allowing only the bot's own origin (no fonts,
scripts or styles from anywhere else) and `frame-ancestors` from WEB_CHAT_ORIGINS; assets carry
CORS headers for those origins; ETag and 304 spare repeat downloads.
"""

from __future__ import annotations

import hashlib
import json
import mimetypes
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.exceptions import NotFound
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.inbound import MAX_INPUT_CHARS
from bot.settings import Settings
from bot.webchat import texts
from bot.webchat.origins import OriginPolicy

STATIC_DIR = Path(__file__).resolve().parent / "static"
PAGE = "index.html"
EMBED = "embed.js"
CONTENT_TYPES = {
    ".js": "text/javascript",
    ".css": "text/css",
    ".html": "text/html",
    ".map": "application/json",
}
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'"
)


@dataclass(frozen=True)
class Asset:
    """One file as served: bytes, content type and ETag."""

    body: bytes
    content_type: str
    etag: str

    @classmethod
    def of(cls, name: str, body: bytes) -> Asset:
        """An asset named `name` (its suffix gives the content type)."""
        suffix = Path(name).suffix
        content_type = CONTENT_TYPES.get(suffix) or mimetypes.guess_type(name)[0] or "text/plain"
        if content_type.startswith("text/") or content_type == "application/json":
            content_type += "; charset=utf-8"
        return cls(body, content_type, '"' + hashlib.sha256(body).hexdigest()[:32] + '"')


def _json_for_html(value: Any) -> str:
    """JSON that cannot end the <script> element it sits in."""
    return json.dumps(value, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e")


def render(name: str, template: str) -> str:
    """The page or embed.js with its texts filled in."""
    if name == PAGE:
        return (
            template.replace("{{title}}", texts.PAGE["title"])
            .replace("{{noscript}}", texts.PAGE["noscript"])
            .replace("{{texts}}", _json_for_html({**texts.PAGE, "max_chars": MAX_INPUT_CHARS}))
        )
    if name == EMBED:
        return template.replace("/*{{texts}}*/ {}", json.dumps(texts.EMBED, ensure_ascii=False))
    return template


def load_assets(directory: Path = STATIC_DIR) -> dict[str, Asset]:
    """Every file under `directory` by its relative path, the page and embed.js rendered."""
    assets = {}
    for path in sorted(directory.rglob("*")):
        if not path.is_file():
            continue
        name = path.relative_to(directory).as_posix()
        body = path.read_bytes()
        if name in (PAGE, EMBED):
            body = render(name, body.decode("utf-8")).encode("utf-8")
        assets[name] = Asset.of(name, body)
    return assets


class WebChatPage(InputChannel):
    """Serves the chat page and its assets at `/chat` (see the module docstring)."""

    @classmethod
    def name(cls) -> str:
        return "webchat"

    def url_prefix(self) -> str:
        return "/chat"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        assets = load_assets()
        origins = OriginPolicy(Settings.from_env().web_chat_origins)
        content_security_policy = f"{CONTENT_SECURITY_POLICY}; {origins.frame_ancestors()}"
        page = Blueprint("webchat_page", __name__)

        def serve(request: Request, name: str) -> HTTPResponse:
            asset = assets.get(name)
            if asset is None:  # answered like any unknown path: Chinese JSON (bot/rasa_ext/sanic_fixes.py)
                raise NotFound("no such file of the web chat")
            headers = {
                "ETag": asset.etag,
                "Cache-Control": "no-cache",
                "Content-Security-Policy": content_security_policy,
                "X-Content-Type-Options": "nosniff",
                "Referrer-Policy": "no-referrer",
                "Cross-Origin-Resource-Policy": "cross-origin",
            }
            origin = request.headers.get("Origin")
            if origins.is_listed(origin):
                headers.update({"Access-Control-Allow-Origin": str(origin), "Vary": "Origin"})
            if request.headers.get("If-None-Match") == asset.etag:
                return response.empty(status=304, headers=headers)
            return response.raw(asset.body, content_type=asset.content_type, headers=headers)

        @page.route("", methods=["GET", "HEAD"], strict_slashes=True)
        async def to_page(request: Request) -> HTTPResponse:
            return response.redirect("chat/", status=301)

        @page.route("/", methods=["GET", "HEAD"], strict_slashes=True)
        async def chat_page(request: Request) -> HTTPResponse:
            return serve(request, PAGE)

        @page.route("/<name:path>", methods=["GET", "HEAD"], strict_slashes=True)
        async def asset(request: Request, name: str) -> HTTPResponse:
            return serve(request, name)

        return page
