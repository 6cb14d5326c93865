"""`python -m bot.action_server`: rasa-sdk's action server, on 127.0.0.1, answering only calls with our secret.

Rasa sends the shared secret in the `X-Action-Secret` header (endpoints.yml, `action_endpoint.headers`);
bot/run.py generates it per start unless ACTION_SERVER_SECRET is set. `/health` stays open for
readiness checks; any other request without the right header gets 401. There is no CORS, and an
unexpected error is answered without echoing the request (rasa-sdk's own handler returns the
whole tracker, personal data included). Log redaction (bot.redaction) is installed first.
"""

from __future__ import annotations

import hmac
import logging
import os
import sys
from collections.abc import Sequence

from bot.redaction import install

SECRET_HEADER = "X-Action-Secret"
SECRET_VARIABLE = "ACTION_SERVER_SECRET"
MIN_SECRET_CHARS = 16
OPEN_PATHS = frozenset({"/health"})

logger = logging.getLogger(__name__)


def create_app(secret: str, actions: str = "actions"):  # type: ignore[no-untyped-def]  # -> sanic.Sanic
    """rasa-sdk's app for the `actions` package, behind the shared secret."""
    from rasa_sdk import endpoint
    from sanic import response
    from sanic.request import Request
    from sanic.response import HTTPResponse

    if len(secret) < MIN_SECRET_CHARS:
        raise ValueError(f"the action server secret must have at least {MIN_SECRET_CHARS} characters")
    expected = secret.encode()
    app = endpoint.create_app(actions, cors_origins=None)

    async def require_secret(request: Request) -> HTTPResponse | None:
        if request.path in OPEN_PATHS:
            return None
        if hmac.compare_digest(request.headers.get(SECRET_HEADER, "").encode(), expected):
            return None
        logger.warning(
            "refused %s %s: missing or wrong %s header", request.method, request.path, SECRET_HEADER
        )
        return response.json({"error": "unauthorized"}, status=401)

    async def internal_error(request: Request, error: Exception) -> HTTPResponse:
        status = getattr(error, "status_code", 500)
        if status >= 500:
            logger.error("request to %s failed: %s", request.path, type(error).__name__, exc_info=error)
        return response.json({"error": type(error).__name__}, status=status)

    app.register_middleware(require_secret, "request")
    app.exception(Exception)(internal_error)
    return app


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; the options are rasa-sdk's (`--actions`, `--port`, logging)."""
    install()
    from rasa_sdk import endpoint, utils

    from bot.rasa_ext.sanic_fixes import install as install_sanic_fixes

    install_sanic_fixes()  # one malformed request must not hang the server
    args = endpoint.create_argument_parser().parse_args(argv)
    secret = os.environ.get(SECRET_VARIABLE, "")
    if len(secret) < MIN_SECRET_CHARS:
        print(
            f"动作服务器无法启动 / action server not started: {SECRET_VARIABLE} must be set "
            f"(at least {MIN_SECRET_CHARS} characters; `python -m bot.run` generates one)",
            file=sys.stderr,
        )
        return 2
    utils.configure_colored_logging(args.loglevel)
    utils.configure_file_logging(
        logging.getLogger("rasa_sdk"), args.log_file, args.loglevel, args.logging_config_file
    )
    utils.update_sanic_log_level()
    app = create_app(secret, args.actions)
    host = os.environ.get("SANIC_HOST") or "127.0.0.1"
    logger.info("Action endpoint is up and running on http://%s:%s", host, args.port)
    app.run(host, args.port, workers=utils.number_of_sanic_workers())
    return 0


if __name__ == "__main__":
    sys.exit(main())
