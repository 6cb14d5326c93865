"""The router keeps each conversation on one worker and forwards requests and replies unchanged.

The workers are small real HTTP servers that say who they are and echo what they received.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from urllib.parse import quote

import httpx
import pytest
from aiohttp import WSMsgType, web

from bot.router import UNREACHABLE, create_app, sender_of, worker_index
from bot.settings import PROJECT_ROOT


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def echo_worker(number: int) -> web.Application:
    """A stand-in Rasa worker: answers with its number and what it received."""

    async def echo(request: web.Request) -> web.StreamResponse:
        if request.headers.get("Upgrade", "").lower() == "websocket":
            socket_ = web.WebSocketResponse()
            await socket_.prepare(request)
            async for message in socket_:
                if message.type == WSMsgType.TEXT:
                    await socket_.send_str(f"worker {number}: {message.data}")
            return socket_
        body = await request.read()
        status = 400 if body.startswith(b"{bad") else 200
        return web.json_response(
            {
                "worker": number,
                "method": request.method,
                "path": request.path,
                "query": request.query_string,
                "body": body.decode(),
                "token_header": request.headers.get("Authorization"),
            },
            status=status,
            headers={"X-Worker": str(number)},
        )

    app = web.Application()
    app.router.add_route("*", "/{path:.*}", echo)
    return app


@dataclass
class Running:
    router: str
    workers: list[str]


async def _start(app: web.Application, port: int) -> web.AppRunner:
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return runner


@pytest.fixture
async def running() -> AsyncIterator[Running]:
    ports = [free_port() for _ in range(3)]
    workers = [f"http://127.0.0.1:{port}" for port in ports]
    runners = [await _start(echo_worker(number), port) for number, port in enumerate(ports)]
    router_port = free_port()
    runners.append(await _start(create_app(workers), router_port))
    yield Running(f"http://127.0.0.1:{router_port}", workers)
    for runner in reversed(runners):
        await runner.cleanup()


async def post_message(
    client: httpx.AsyncClient, router: str, sender: object, text: str = "你好"
) -> httpx.Response:
    return await client.post(f"{router}/webhooks/rest/webhook", json={"sender": sender, "message": text})


async def test_a_conversation_always_reaches_the_same_worker_and_they_spread(running: Running) -> None:
    async with httpx.AsyncClient() as client:
        seen: dict[str, set[int]] = {}
        for round_ in range(3):
            for n in range(30):
                reply = await post_message(client, running.router, f"applicant-{n}", f"message {round_}")
                seen.setdefault(f"applicant-{n}", set()).add(reply.json()["worker"])

    assert all(len(workers) == 1 for workers in seen.values())
    assert set().union(*seen.values()) == {0, 1, 2}


async def test_the_body_and_the_reply_pass_through_unchanged(running: Running) -> None:
    async with httpx.AsyncClient() as client:
        reply = await post_message(client, running.router, "someone", "认证需要费用吗？")

    echoed = reply.json()
    assert reply.status_code == 200 and reply.headers["X-Worker"] == str(echoed["worker"])
    assert json.loads(echoed["body"]) == {"sender": "someone", "message": "认证需要费用吗？"}
    assert echoed["path"] == "/webhooks/rest/webhook" and echoed["method"] == "POST"


async def test_the_http_api_for_a_conversation_reaches_the_worker_of_its_messages(running: Running) -> None:
    sender = "tg-123456"
    async with httpx.AsyncClient() as client:
        chat = (await post_message(client, running.router, sender)).json()["worker"]
        conversation = f"{running.router}/conversations/{sender}"
        resume = await client.post(
            f"{conversation}/tracker/events?token=abc",
            json=[{"event": "resume"}],
            headers={"Authorization": "Bearer t"},
        )
        tracker = await client.get(f"{conversation}/tracker", params={"token": "abc"})

    assert resume.json()["worker"] == tracker.json()["worker"] == chat
    assert resume.json()["query"] == "token=abc" and resume.json()["token_header"] == "Bearer t"
    assert json.loads(resume.json()["body"]) == [{"event": "resume"}]


async def test_ids_with_slashes_or_chinese_reach_one_worker_by_api_and_by_message(running: Running) -> None:
    async with httpx.AsyncClient() as client:
        for sender in ("a/b", "用户 1", "x%y"):
            chat = (await post_message(client, running.router, sender)).json()
            api = await client.get(
                f"{running.router}/conversations/{quote('rest:' + sender, safe='')}/tracker"
            )
            assert api.json()["worker"] == chat["worker"] == worker_index(f"rest:{sender}", 3)


@pytest.mark.parametrize(("left", "right"), [(42, "42"), (" padded ", "padded")])
async def test_senders_are_read_as_the_rest_channel_reads_them(
    running: Running, left: object, right: str
) -> None:
    async with httpx.AsyncClient() as client:
        first = await post_message(client, running.router, left)
        second = await post_message(client, running.router, right)

    assert first.json()["worker"] == second.json()["worker"] == worker_index(f"rest:{right}", 3)


async def test_a_body_without_a_sender_goes_to_the_first_worker_which_answers_it(running: Running) -> None:
    async with httpx.AsyncClient() as client:
        reply = await client.post(f"{running.router}/webhooks/rest/webhook", content=b"{bad json")

    assert reply.status_code == 400 and reply.json()["worker"] == 0


async def test_socket_io_polling_and_websocket_go_to_the_first_worker(running: Running) -> None:
    import aiohttp

    async with httpx.AsyncClient() as client:
        params = {"EIO": "4", "transport": "polling"}
        polling = await client.get(f"{running.router}/socket.io/", params=params)
    async with aiohttp.ClientSession() as session:
        ws_url = running.router.replace("http", "ws") + "/socket.io/?EIO=4&transport=websocket"
        async with session.ws_connect(ws_url) as ws:
            await ws.send_str('42["user_uttered"]')
            echoed = await ws.receive_str(timeout=5)

    assert polling.json()["worker"] == 0 and polling.json()["query"] == "EIO=4&transport=polling"
    assert echoed == 'worker 0: 42["user_uttered"]'


async def test_an_unreachable_worker_gets_a_502_with_a_reason() -> None:
    router_port = free_port()
    runner = await _start(create_app([f"http://127.0.0.1:{free_port()}"]), router_port)
    try:
        async with httpx.AsyncClient() as client:
            reply = await post_message(client, f"http://127.0.0.1:{router_port}", "anyone")
    finally:
        await runner.cleanup()

    assert reply.status_code == 502 and reply.json() == {"error": UNREACHABLE}


def test_the_worker_of_a_conversation_never_changes_between_runs() -> None:
    in_another_process = subprocess.run(
        [sys.executable, "-c", "from bot.router import worker_index; print(worker_index('tg-123456', 7))"],
        env={**os.environ, "PYTHONHASHSEED": "1"},
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=True,
    )

    assert worker_index("tg-123456", 7) == int(in_another_process.stdout)


@pytest.mark.parametrize(
    ("body", "sender"),
    [
        (b'{"sender": "a", "message": "x"}', "a"),
        (b'{"sender": 7}', "7"),
        (b'{"sender": true}', None),
        (b"[]", None),
        (b"\xff", None),
        (b'{"sender": "  "}', None),
    ],
)
def test_sender_of(body: bytes, sender: str | None) -> None:
    assert sender_of(body) == sender


@pytest.fixture
def router_process() -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    port, absent = free_port(), f"http://127.0.0.1:{free_port()}"
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.router", "--port", str(port), "--worker", absent],
        cwd=PROJECT_ROOT,
    )
    yield f"http://127.0.0.1:{port}", process
    process.terminate()
    process.wait(10)


def test_the_router_runs_as_a_command(router_process: tuple[str, subprocess.Popen[bytes]]) -> None:
    url, process = router_process
    deadline = time.monotonic() + 20
    while True:
        try:
            reply = httpx.post(f"{url}/webhooks/rest/webhook", json={"sender": "a", "message": "x"})
            break
        except httpx.TransportError:
            assert process.poll() is None and time.monotonic() < deadline
            time.sleep(0.1)

    assert reply.status_code == 502  # it listens and forwards; its only worker is not running
