"""Sanic 21.12 (pinned by Rasa 3.6 and rasa-sdk 3.6) fixed where one request could stop a server.

- A negative `Content-Length` made the HTTP/1 reader loop forever on the event loop: one request
  (`Content-Length: -1`) hung the whole Rasa server. Such a request now gets 400, as does one
  whose `Content-Length` is not a number (500 before).
- Errors Sanic raises itself, before any route runs (a body over the size limit, a malformed
  request, an unknown path or method, a request that arrived too slowly), were English HTML or
  text pages. They are now JSON with one Chinese sentence, `{"error": "..."}`, as the REST
  channel's own errors are; errors raised by Rasa's and our routes keep their own responses.
  So is the 500 for an exception a route let escape (it is logged with its traceback).

Sanic "touches up" `Http.http1_request_header` when an app starts: it recompiles the method from
its source in the globals of `sanic.http`, removing signal dispatches nobody listens to (the
untouched method fails on them). So the original reader is registered for the same touch-up under
another name, and the replacement below uses only `self` and names `sanic.http` has.
"""

from __future__ import annotations

import logging
from typing import Any

from sanic.exceptions import InvalidUsage, SanicException
from sanic.handlers import ErrorHandler
from sanic.http import Http
from sanic.response import HTTPResponse, json
from sanic.touchup import TouchUp

logger = logging.getLogger(__name__)

ORIGINAL = "_bot_read_request_header"
ORIGINAL_DEFAULT = "_bot_default_error_response"

CHINESE_ERRORS = {
    400: "请求格式不正确，请检查后重新发送。",
    404: "没有这个地址。发送消息请使用 POST /webhooks/rest/webhook。",
    405: "这个地址不支持这种请求方法。",
    408: "请求发送得太慢，已断开，请重新发送。",
    413: "消息太大，无法处理。请缩短后重新发送（文字消息不超过 1 MB）。",
    414: "请求地址太长，无法处理。",
    417: "请求格式不正确，请检查后重新发送。",
    431: "请求头太大，无法处理。",
    503: "抱歉，系统暂时繁忙，请稍后再试。",
}
"""What a client reads for an error Sanic raises itself, by HTTP status (others keep Sanic's response)."""
UNEXPECTED_ERROR = "抱歉，系统暂时出了点问题，这条消息可能没有处理完。请稍后再试。"
"""What a client reads (HTTP 500) when a route failed with an exception no handler turned into a reply."""


async def checked_request_header(self):  # type: ignore[no-untyped-def]  # no annotations: see above
    """Sanic's request-header reader, refusing a negative Content-Length."""
    try:
        await self._bot_read_request_header()
    except ValueError:  # int() of a Content-Length that is not a number
        self.keep_alive = False
        raise InvalidUsage("Bad content-length") from None
    if (self.request_bytes_left or 0) < 0 or (self.request_bytes or 0) < 0:
        self.keep_alive = False
        self.request_body = None
        raise InvalidUsage("Bad content-length")


def chinese_error_response(self: ErrorHandler, request: Any, exception: BaseException) -> HTTPResponse:
    """Sanic's default error response, in Chinese JSON for the statuses in CHINESE_ERRORS."""
    if not isinstance(exception, SanicException):  # a bug or a failure no handler caught: logged
        logger.error("unhandled %s in a web route", type(exception).__name__, exc_info=exception)
        return json({"error": UNEXPECTED_ERROR}, status=500, ensure_ascii=False)
    status = getattr(exception, "status_code", None)
    if status not in CHINESE_ERRORS:
        return getattr(self, ORIGINAL_DEFAULT)(request, exception)  # type: ignore[no-any-return]
    headers = dict(getattr(exception, "headers", None) or {})
    return json({"error": CHINESE_ERRORS[status]}, status=status, headers=headers, ensure_ascii=False)


def install() -> None:
    """Patch Sanic's HTTP/1 request reader and default error response (safe to call more than once)."""
    if hasattr(Http, ORIGINAL):
        return
    setattr(Http, ORIGINAL, Http.http1_request_header)
    TouchUp.register(Http, ORIGINAL)
    Http.http1_request_header = checked_request_header  # type: ignore[method-assign]
    setattr(ErrorHandler, ORIGINAL_DEFAULT, ErrorHandler.default)
    ErrorHandler.default = chinese_error_response  # type: ignore[method-assign]
