"""Sanic 21.12 (pinned by Rasa 3.6 and rasa-sdk 3.6) fixed where one request could stop a server.

- A negative `Content-Length` made the HTTP/1 reader loop forever on the event loop: one request
  (`Content-Length: -1`) hung the whole Rasa server. Such a request now gets 400, as does one
  whose `Content-Length` is not a number (500 before).

Sanic "touches up" `Http.http1_request_header` when an app starts: it recompiles the method from
its source in the globals of `sanic.http`, removing signal dispatches nobody listens to (the
untouched method fails on them). So the original reader is registered for the same touch-up under
another name, and the replacement below uses only `self` and names `sanic.http` has.
"""

from __future__ import annotations

from sanic.exceptions import InvalidUsage
from sanic.http import Http
from sanic.touchup import TouchUp

ORIGINAL = "_bot_read_request_header"


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


def install() -> None:
    """Patch Sanic's HTTP/1 request reader (safe to call more than once)."""
    if hasattr(Http, ORIGINAL):
        return
    setattr(Http, ORIGINAL, Http.http1_request_header)
    TouchUp.register(Http, ORIGINAL)
    Http.http1_request_header = checked_request_header  # type: ignore[method-assign]
