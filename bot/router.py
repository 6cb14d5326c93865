"""Sticky front door for several Rasa processes: each conversation always reaches the same one.

    python -m bot.router --port 5005 --worker http://127.0.0.1:5006 --worker http://127.0.0.1:5007

Rasa's open-source lock store cannot order the turns of one conversation across processes, so
the router decides the process from the conversation itself:

- `POST /webhooks/<channel>/webhook` by the body's `sender` (as the REST channel reads it:
  a string, or a number as text, stripped); a body without one goes to the first worker,
  which answers it (400 for a malformed body);
- `/conversations/<id>/…` (Rasa's HTTP API: tracker, events, `resume`) by `<id>`, so the
  gateway's hand-back reaches the process that serves the conversation;
- socket.io (`/socket.io/…`, long polling and WebSocket) always to the first worker: a
  socket.io conversation id travels inside the protocol, so the router cannot spread them;
  every socket.io conversation is served by that one process (sticky by construction).
  Its HTTP API calls (`/conversations/<id>/…`) follow the hash, not the socket — use the REST
  channel for anything that also drives conversations through the HTTP API;
- everything else (`/`, `/status`, `/version`, `/model/parse`, …) to the first worker.

Bodies and replies pass through unchanged (no decompression, no size limit beyond
`MAX_BODY_BYTES`); there is no timeout on a turn (a turn that is cut short is cancelled by
Rasa and nothing of it is saved). An unreachable worker gets HTTP 502 with a JSON error.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import logging
import sys
from collections.abc import Sequence
from typing import Any
from urllib.parse import unquote

from aiohttp import ClientSession, ClientTimeout, TCPConnector, WSMsgType, web
from aiohttp.client_exceptions import ClientError
from multidict import CIMultiDict

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 1024 * 1024
HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "host",
        "content-length",
    }
)
UNREACHABLE = "对话服务暂时不可用，请稍后再试。"
WORKERS_KEY: web.AppKey[list[str]] = web.AppKey("workers", list)
CLIENT_KEY: web.AppKey[ClientSession] = web.AppKey("client", ClientSession)
DOWN_KEY: web.AppKey[set[str]] = web.AppKey("down", set)


def worker_index(conversation_id: str, workers: int) -> int:
    """The worker (0 … workers-1) that serves `conversation_id`; the same in every process and run."""
    digest = hashlib.blake2b(conversation_id.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big") % workers


def sender_of(body: bytes) -> str | None:
    """The conversation id in a channel webhook body, read as the REST channel reads it, or None."""
    try:
        document = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(document, dict):
        return None
    sender = document.get("sender")
    if isinstance(sender, int) and not isinstance(sender, bool):
        sender = str(sender)
    if isinstance(sender, str) and sender.strip():
        return sender.strip()
    return None


def _forward_headers(headers: Any) -> CIMultiDict[str]:
    return CIMultiDict((name, value) for name, value in headers.items() if name.lower() not in HOP_BY_HOP)


def conversation_in_path(raw_path: str) -> str | None:
    """The id in `/conversations/<id>/…` (percent-decoded after splitting, so `a%2Fb` is `a/b`), or None."""
    parts = raw_path.split("/")
    if len(parts) > 2 and parts[1] == "conversations" and parts[2]:
        return unquote(parts[2])
    return None


def _pick(request: web.Request, body: bytes) -> str:
    workers = request.app[WORKERS_KEY]
    path = request.path
    conversation: str | None = None
    if path.startswith("/conversations/"):
        conversation = conversation_in_path(request.rel_url.raw_path)
    elif path.startswith("/webhooks/gateway/") and request.method == "POST":
        conversation = sender_of(body)  # the gateway sends whole conversation ids (tg:…, or any on resume)
    elif path.startswith("/webhooks/") and path.endswith("/webhook") and request.method == "POST":
        sender = sender_of(body)
        conversation = f"rest:{sender}" if sender is not None else None  # as the REST channel names it
    if conversation is None:
        return workers[0]
    return workers[worker_index(conversation, len(workers))]


async def _proxy_http(request: web.Request) -> web.StreamResponse:
    body = await request.read()
    upstream = _pick(request, body)
    try:
        async with request.app[CLIENT_KEY].request(
            request.method,
            upstream + request.rel_url.raw_path_qs,
            headers=_forward_headers(request.headers),
            data=body or None,
            allow_redirects=False,
        ) as reply:
            payload = await reply.read()
            _note_up(request.app, upstream)
            return web.Response(body=payload, status=reply.status, headers=_forward_headers(reply.headers))
    except ClientError as error:
        _note_down(request.app, upstream, error)
        return web.json_response({"error": UNREACHABLE}, status=502)


def _note_down(app: web.Application, upstream: str, error: Exception) -> None:
    """Log a worker going down once (not once per request while it starts or restarts)."""
    down = app[DOWN_KEY]
    if upstream not in down:
        down.add(upstream)
        logger.warning("worker %s unreachable: %s", upstream, type(error).__name__)


def _note_up(app: web.Application, upstream: str) -> None:
    if upstream in app[DOWN_KEY]:
        app[DOWN_KEY].discard(upstream)
        logger.warning("worker %s answers again", upstream)


async def _proxy_websocket(request: web.Request) -> web.StreamResponse:
    upstream = request.app[WORKERS_KEY][0].replace("http://", "ws://", 1) + request.rel_url.raw_path_qs
    headers = _forward_headers(request.headers)
    for name in [name for name in headers if name.lower().startswith("sec-websocket-")]:
        headers.popall(name, None)  # the client side of the backend connection makes its own handshake
    try:
        backend = await request.app[CLIENT_KEY].ws_connect(upstream, headers=headers)
    except ClientError as error:
        _note_down(request.app, request.app[WORKERS_KEY][0], error)
        return web.json_response({"error": UNREACHABLE}, status=502)
    client = web.WebSocketResponse(autoping=False)
    await client.prepare(request)

    async def pump(source: Any, target: Any) -> None:
        async for message in source:
            if message.type == WSMsgType.TEXT:
                await target.send_str(message.data)
            elif message.type == WSMsgType.BINARY:
                await target.send_bytes(message.data)
            elif message.type == WSMsgType.PING:
                await target.ping(message.data)
            elif message.type == WSMsgType.PONG:
                await target.pong(message.data)
            else:
                break
        await target.close()

    tasks = [asyncio.create_task(pump(client, backend)), asyncio.create_task(pump(backend, client))]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
        await backend.close()
        await client.close()
    return client


async def _route(request: web.Request) -> web.StreamResponse:
    if request.headers.get("Upgrade", "").lower() == "websocket":
        return await _proxy_websocket(request)
    return await _proxy_http(request)


async def _open_client(app: web.Application) -> Any:
    connector = TCPConnector(limit=0, limit_per_host=0, keepalive_timeout=60)
    app[CLIENT_KEY] = ClientSession(
        connector=connector, auto_decompress=False, timeout=ClientTimeout(total=None, sock_connect=5)
    )
    yield
    await app[CLIENT_KEY].close()


def create_app(workers: Sequence[str]) -> web.Application:
    """The router in front of `workers` (base URLs such as `http://127.0.0.1:5006`)."""
    if not workers:
        raise ValueError("the router needs at least one worker")
    app = web.Application(client_max_size=MAX_BODY_BYTES)
    app[WORKERS_KEY] = [worker.rstrip("/") for worker in workers]
    app[DOWN_KEY] = set()
    app.cleanup_ctx.append(_open_client)
    app.router.add_route("*", "/{path:.*}", _route)
    return app


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(prog="python -m bot.router", description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--worker", action="append", required=True, help="a Rasa worker's base URL (repeat)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        import uvloop  # installed with Rasa's server stack; the router is I/O only

        uvloop.install()
    except ImportError:
        pass
    web.run_app(create_app(args.worker), host=args.host, port=args.port, access_log=None, print=None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
