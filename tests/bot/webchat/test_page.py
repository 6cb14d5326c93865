"""`/chat` as served by the Rasa server: the page and its files only, strict headers, and origins for socket.io."""

from __future__ import annotations

import asyncio
import json
import socket

import httpx
import pytest
import socketio
import websocket

from bot.rasa_ext.sanic_fixes import CHINESE_ERRORS
from bot.run import Stack
from bot.webchat import texts
from bot.webchat.page import STATIC_DIR

pytestmark = pytest.mark.servers


def get(stack: Stack, path: str, **headers: str) -> httpx.Response:
    return httpx.get(f"{stack.settings.rasa_url}{path}", headers=headers, timeout=10)


def test_the_page_is_served_with_its_texts_and_only_its_own_origin_may_supply_anything(
    stack: Stack, embedding_site_port: int
) -> None:
    moved = get(stack, "/chat")
    assert moved.status_code == 301 and moved.headers["Location"] == "chat/"

    page = get(stack, "/chat/")
    assert page.status_code == 200 and page.headers["Content-Type"] == "text/html; charset=utf-8"
    assert f"<title>{texts.PAGE['title']}</title>" in page.text and texts.PAGE["placeholder"] in page.text
    policy = page.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "connect-src 'self'" in policy
    assert policy.endswith(f"frame-ancestors 'self' http://localhost:{embedding_site_port}")
    assert "://" not in page.text  # every file it loads comes from where the page came from

    again = get(stack, "/chat/", **{"If-None-Match": page.headers["ETag"]})
    assert again.status_code == 304


def test_only_the_files_of_the_page_are_served(stack: Stack) -> None:
    script = get(stack, "/chat/vendor/socket.io-client/socket.io.min.js")
    assert script.status_code == 200 and script.headers["Content-Type"].startswith("text/javascript")
    assert script.text.startswith("/*!\n * Socket.IO v4.8.1")
    assert (STATIC_DIR / "vendor/socket.io-client/LICENSE").read_text().startswith("The MIT License")
    for path in (
        "/chat/../credentials.yml",
        "/chat/%2e%2e/credentials.yml",
        "/chat/page.py",
        "/chat/nothing.js",
        "/chat/nonexist",
        "/chat/static/chat.js",
    ):
        missing = get(stack, path)
        assert missing.status_code == 404, path
        assert missing.json() == {"error": CHINESE_ERRORS[404]}, path


def _raw_get(port: int, path: str) -> tuple[str, str, bytes]:
    """GET `path` exactly as written (like `curl --path-as-is`): status line, content type and body."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
        raw.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
        answer = b""
        while chunk := raw.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    content_type = next(
        (line.split(":", 1)[1].strip() for line in lines if line.lower().startswith("content-type:")), ""
    )
    return lines[0], content_type, body


@pytest.mark.parametrize(
    "path", ["/chat/../../etc/passwd", "/chat/../credentials.yml", "/chat/%2e%2e/%2e%2e/etc/passwd"]
)
def test_a_path_out_of_the_page_gets_the_chinese_404(stack: Stack, path: str) -> None:
    status_line, content_type, body = _raw_get(stack.settings.rasa_port, path)
    assert status_line.startswith("HTTP/1.1 404"), status_line
    assert content_type.startswith("application/json")
    assert json.loads(body) == {"error": CHINESE_ERRORS[404]}


def test_embed_js_carries_its_texts_and_cors_only_for_listed_sites(
    stack: Stack, embedding_site_port: int
) -> None:
    listed = f"http://localhost:{embedding_site_port}"
    embed = get(stack, "/chat/embed.js", Origin=listed)
    assert embed.status_code == 200 and texts.EMBED["open"] in embed.text and "{{texts}}" not in embed.text
    assert embed.headers["Access-Control-Allow-Origin"] == listed
    assert (
        "Access-Control-Allow-Origin"
        not in get(stack, "/chat/embed.js", Origin="https://evil.example").headers
    )


async def _polling_handshake(url: str, origin: str) -> str:
    client = socketio.AsyncClient(reconnection=False)
    try:
        await client.connect(url, headers={"Origin": origin}, transports=["polling"], wait_timeout=10)
        return "connected"
    except socketio.exceptions.ConnectionError:
        return "refused"
    finally:
        await client.disconnect()


def _websocket_handshake(url: str, origin: str) -> str:
    address = url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket"
    try:
        connection = websocket.create_connection(address, origin=origin, timeout=10)
    except websocket.WebSocketBadStatusException:
        return "refused"
    opened = connection.recv()
    connection.close()
    return "connected" if opened.startswith("0{") else "refused"


def test_socketio_accepts_the_bots_own_and_listed_origins_and_refuses_others(
    stack: Stack, embedding_site_port: int
) -> None:
    url = stack.settings.rasa_url
    expected = {
        url: "connected",  # the chat page itself
        f"http://localhost:{embedding_site_port}": "connected",  # WEB_CHAT_ORIGINS
        "https://evil.example": "refused",
        f"http://127.0.0.1:{embedding_site_port}": "refused",  # same port, another host: another origin
        "null": "refused",  # a sandboxed frame or a file
    }
    for origin, outcome in expected.items():
        assert asyncio.run(_polling_handshake(url, origin)) == outcome, ("polling", origin)
        assert _websocket_handshake(url, origin) == outcome, ("websocket", origin)
