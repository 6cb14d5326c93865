"""socket.io's HTTP errors as Chinese JSON, `{"error": "..."}`, like every error the web server raises itself.

python-engineio answers a refused request (no or an old `EIO`, an origin not allowed, an unknown
`sid`, an unsupported method) with an English text/plain body that may echo what the client sent
(`Invalid session <sid>`, `<origin> is not an accepted origin.`). `ChineseErrorsEngineIO` keeps
the status and the protocol and only builds these bodies otherwise: one Chinese sentence chosen by
the English reason, never echoing the request. socket.io clients read only the status (python-
socketio's client also accepts a JSON body), so real clients behave as before.

Rasa builds the socket.io server itself (`SocketIOInput.blueprint`), so `use_chinese_errors` gives
the engine.io server it made this subclass, which adds no state and overrides only those builders.
"""

from __future__ import annotations

import json
from typing import Any

import engineio

from bot.rasa_ext.sanic_fixes import CHINESE_ERRORS

SOCKETIO_ERRORS = {
    "origin": "这个网站的页面不能连接在线客服。",
    "version": "客户端的 Socket.IO 版本不受支持，请使用 Socket.IO 3 或 4 的客户端（Engine.IO 4 协议）。",
    "session": "连接已失效，请重新连接。",
    "transport": "不支持这种连接方式，请使用 polling 或 websocket。",
    "unauthorized": "连接被拒绝：身份验证未通过。",
}
"""What a socket.io client reads for a refused request, by kind (anything else: CHINESE_ERRORS[400])."""

_REASONS = (
    ("is not an accepted origin", "origin"),
    ("unsupported version", "version"),
    ("Invalid session", "session"),
    ("Not connected", "session"),
    ("Unexpected HTTP request", "session"),
    ("Invalid transport", "transport"),
    ("Invalid websocket upgrade", "transport"),
)
"""engine.io's English reasons (python-engineio 4.x), by a part of their text, and their kind."""


def chinese_reason(message: object) -> str:
    """The Chinese sentence for one of engine.io's English 400 reasons."""
    text = message if isinstance(message, str) else ""
    for part, kind in _REASONS:
        if part in text:
            return SOCKETIO_ERRORS[kind]
    return CHINESE_ERRORS[400]


def _error(status: str, text: str) -> dict[str, Any]:
    """An engine.io response (status line, headers, body) carrying `{"error": text}`."""
    body = json.dumps({"error": text}, ensure_ascii=False).encode("utf-8")
    return {"status": status, "headers": [("Content-Type", "application/json")], "response": body}


class ChineseErrorsEngineIO(engineio.AsyncServer):  # type: ignore[misc]  # engineio has no type hints
    """engine.io's asyncio server whose error responses are Chinese JSON (same statuses)."""

    def _bad_request(self, message: object = None) -> dict[str, Any]:
        return _error("400 BAD REQUEST", chinese_reason(message))

    def _method_not_found(self) -> dict[str, Any]:
        return _error("405 METHOD NOT FOUND", CHINESE_ERRORS[405])

    def _unauthorized(self, message: object = None) -> dict[str, Any]:
        return _error("401 UNAUTHORIZED", SOCKETIO_ERRORS["unauthorized"])


def use_chinese_errors(eio: engineio.AsyncServer) -> None:
    """Make the engine.io server `eio` answer its errors in Chinese JSON (from its next request on)."""
    eio.__class__ = ChineseErrorsEngineIO
