"""Security of the running servers: loopback only, the API token, the action server's secret, no enumeration."""

from __future__ import annotations

import json
import os
import random
import re
import socket
import subprocess
import sys

import httpx
import pytest

from bot.action_server import SECRET_HEADER
from bot.run import Stack
from bot.settings import PROJECT_ROOT
from tests.reliability.figures import record
from tests.reliability.replies import DEMO_APPLICATIONS, disclosed, response_text
from tests.support.rest import RestClient

pytestmark = pytest.mark.servers

GUESSES = 200
GUESSES_PER_SENDER = 10


def listening(pids: set[int]) -> list[tuple[str, int, int]]:
    """(address, port, pid) of every TCP socket these processes listen on, from `ss -ltnp`."""
    output = subprocess.run(["ss", "-ltnpH"], capture_output=True, text=True, check=True).stdout
    sockets = []
    for line in output.splitlines():
        fields = line.split()
        address, _, port = fields[3].rpartition(":")
        for pid in map(int, re.findall(r"pid=(\d+)", line)):
            if pid in pids:
                sockets.append((address.strip("[]"), int(port), pid))
    return sockets


def outward_address() -> str | None:
    """This machine's address on its default route (no packet is sent), or None."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))
            address = probe.getsockname()[0]
        except OSError:
            return None
    return None if address.startswith("127.") else address


def test_servers_listen_on_loopback_only(stack: Stack) -> None:
    pids = {process.pid for process in stack.processes.values()}
    sockets = listening(pids)
    ports = {port for _, port, _ in sockets}
    assert {stack.settings.rasa_port, stack.settings.action_port} <= ports, sockets
    assert all(address in ("127.0.0.1", "::1") for address, _, _ in sockets), sockets
    address = outward_address()
    if address is None:
        return
    for port in (stack.settings.rasa_port, stack.settings.action_port):
        with pytest.raises(OSError):
            socket.create_connection((address, port), timeout=3).close()


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/status"),
        ("GET", "/conversations/someone/tracker"),
        ("POST", "/conversations/someone/tracker/events"),
        ("POST", "/conversations/someone/messages"),
        ("POST", "/model/parse"),
        ("PUT", "/model"),
        ("DELETE", "/model"),
        ("GET", "/domain"),
    ],
)
def test_rasa_api_refuses_calls_without_the_token(stack: Stack, method: str, path: str) -> None:
    url = stack.settings.rasa_url + path
    assert httpx.request(method, url, json={}, timeout=30).status_code == 401
    assert httpx.request(method, url, params={"token": "wrong-token"}, json={}, timeout=30).status_code == 401


def test_rasa_api_answers_with_the_token(stack: Stack) -> None:
    reply = httpx.get(f"{stack.settings.rasa_url}/status", params={"token": stack.auth_token}, timeout=30)
    assert reply.status_code == 200


def _action_call(action: str) -> dict[str, object]:
    return {
        "next_action": action,
        "sender_id": "security-test",
        "version": "3.6.2",
        "domain": {},
        "tracker": {
            "sender_id": "security-test",
            "slots": {},
            "latest_message": {},
            "events": [],
            "paused": False,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": None,
        },
    }


def test_action_server_needs_the_shared_secret(stack: Stack) -> None:
    base = f"http://127.0.0.1:{stack.settings.action_port}"
    call = _action_call("action_end_status_lookup")
    assert httpx.post(f"{base}/webhook", json=call, timeout=30).status_code == 401
    wrong = {SECRET_HEADER: "x" * 32}
    assert httpx.post(f"{base}/webhook", json=call, headers=wrong, timeout=30).status_code == 401
    assert httpx.get(f"{base}/actions", timeout=30).status_code == 401
    assert httpx.get(f"{base}/health", timeout=30).status_code == 200
    right = {SECRET_HEADER: stack.action_secret}
    answered = httpx.post(f"{base}/webhook", json=call, headers=right, timeout=30)
    assert answered.status_code == 200 and "events" in answered.json()
    preflight = httpx.options(
        f"{base}/webhook", headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"}
    )
    assert preflight.headers.get("access-control-allow-origin") in (None, "")


def test_action_server_does_not_start_without_a_secret() -> None:
    env = {key: value for key, value in os.environ.items() if key != "ACTION_SERVER_SECRET"}
    result = subprocess.run(
        [sys.executable, "-m", "bot.action_server", "--port", "9"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 2 and "ACTION_SERVER_SECRET" in result.stderr


def _guesses(count: int, rng: random.Random) -> list[str]:
    """`count` application IDs: every real one, the rest made up (never real)."""
    fake = set()
    while len(fake) < count - len(DEMO_APPLICATIONS):
        candidate = f"RZ2026{rng.randrange(10**8):08d}"
        if candidate not in DEMO_APPLICATIONS:
            fake.add(candidate)
    guesses = sorted(fake)
    rng.shuffle(guesses)
    for position, real in zip(rng.sample(range(count), len(DEMO_APPLICATIONS)), DEMO_APPLICATIONS):
        guesses.insert(position, real)
    return guesses[:count]


def test_guessed_application_ids_reveal_nothing(rest: RestClient, sender: str) -> None:
    """200 guesses from 20 senders (10 each): same replies for real and made-up IDs, no record disclosed."""
    rng = random.Random(7)
    guesses = _guesses(GUESSES, rng)
    replies_by_position: dict[int, dict[bool, set[str]]] = {}
    disclosures: list[str] = []
    for start in range(0, GUESSES, GUESSES_PER_SENDER):
        attacker = f"{sender}-{start}"
        for position, guess in enumerate(guesses[start : start + GUESSES_PER_SENDER]):
            # a digit first: an all-letter reply may be read as a question rather than a code
            code = str(rng.randrange(10)) + "".join(
                rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(5)
            )
            asked = rest.send(attacker, f"查询 {guess} 的进度")
            answered = rest.send(attacker, code)
            disclosures += disclosed(asked + answered)
            texts = " | ".join(reply.get("text", "") for reply in asked + answered)
            replies_by_position.setdefault(position, {}).setdefault(guess in DEMO_APPLICATIONS, set()).add(
                texts
            )
    record("enumeration", attempts=GUESSES, senders=GUESSES // GUESSES_PER_SENDER, disclosed=len(disclosures))
    assert disclosures == []
    for position, by_kind in replies_by_position.items():
        if True in by_kind:  # a real ID was guessed at this position: its reply equals the made-up IDs'
            assert by_kind[True] <= by_kind[False], (position, by_kind)
    # the per-sender cap: the 10th wrong code locked every lookup of the sender
    assert response_text("utter_status_locked", minutes=30) in next(iter(replies_by_position[9][False]))


def test_a_locked_sender_cannot_go_on_with_another_id(rest: RestClient, sender: str) -> None:
    for guess in range(10):
        rest.send(sender, f"RZ20991231{guess:04d}")
        rest.send(sender, f"{guess:06d}")
    after = rest.send(sender, "RZ202611200001")
    assert not disclosed(after)
    assert after[0]["text"] in (  # still locked, or already handed to a person because of the lock
        response_text("utter_status_locked", minutes=30),
        response_text("utter_handed_over_rest"),
    )


def _command_lines(pid: int) -> list[str]:
    """The argv of `pid` and all its descendants, as `ps` shows them."""
    output = subprocess.run(
        ["ps", "-eo", "pid=,ppid=,args="], capture_output=True, text=True, check=True
    ).stdout
    children: dict[int, list[int]] = {}
    args: dict[int, str] = {}
    for line in output.splitlines():
        fields = line.split(None, 2)
        if len(fields) == 3:
            children.setdefault(int(fields[1]), []).append(int(fields[0]))
            args[int(fields[0])] = fields[2]
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(args.get(current, ""))
        todo.extend(children.get(current, []))
    return found


def test_no_secret_appears_on_any_command_line(stack: Stack) -> None:
    lines = [line for process in stack.processes.values() for line in _command_lines(process.pid)]
    assert any("bot.rasa_server" in line for line in lines), lines
    from bot.run import web_session_secret

    secrets = [stack.auth_token, stack.action_secret, web_session_secret(stack.settings)]
    assert [line for line in lines if any(secret in line for secret in secrets)] == []
    # and the API still needs the token, which reached Rasa through its environment
    assert (
        httpx.get(
            f"{stack.settings.rasa_url}/status", params={"token": stack.auth_token}, timeout=30
        ).status_code
        == 200
    )


def test_the_gateway_channel_takes_telegram_ids_only_with_the_token(stack: Stack) -> None:
    url = f"{stack.settings.rasa_url}/webhooks/gateway/webhook"
    body = {"sender": "tg:4242", "message": "认证需要费用吗"}
    assert httpx.post(url, json=body, timeout=30).status_code == 401
    assert (
        httpx.post(url, json=body, headers={"Authorization": "Bearer wrong"}, timeout=30).status_code == 401
    )
    token = {"Authorization": f"Bearer {stack.auth_token}"}
    assert httpx.post(url, json={**body, "sender": "rest:x"}, headers=token, timeout=30).status_code == 400
    answer = httpx.post(url, json=body, headers=token, timeout=30)
    assert answer.status_code == 200 and "免费" in answer.json()[0]["text"]


def test_a_flood_from_one_sender_is_refused_politely_and_others_are_served(stack: Stack) -> None:
    from tests.conftest import TEST_MESSAGES_PER_MINUTE

    url = f"{stack.settings.rasa_url}/webhooks/rest/webhook"
    flooder = f"flood-{random.randrange(10**9)}"
    with httpx.Client(timeout=30) as client:
        answers = [
            client.post(url, json={"sender": flooder, "message": ""})
            for _ in range(TEST_MESSAGES_PER_MINUTE + 5)
        ]
        statuses = [answer.status_code for answer in answers]
        assert statuses[:TEST_MESSAGES_PER_MINUTE] == [200] * TEST_MESSAGES_PER_MINUTE
        assert statuses[TEST_MESSAGES_PER_MINUTE:] == [429] * 5
        refused = answers[-1]
        assert int(refused.headers["Retry-After"]) >= 1
        assert refused.json()[0]["recipient_id"] == flooder and "秒后再发送" in refused.json()[0]["text"]
        other = client.post(
            url, json={"sender": f"calm-{random.randrange(10**9)}", "message": "认证需要费用吗"}
        )
        assert other.status_code == 200 and "免费" in other.json()[0]["text"]


@pytest.mark.parametrize("length", ["-1", "-100", "-0x10"])
def test_a_negative_content_length_is_refused_and_the_server_keeps_serving(stack: Stack, length: str) -> None:
    """Sanic 21.12 looped forever on `Content-Length: -1`: one request hung the whole bot."""
    for port in (stack.settings.rasa_port, stack.settings.action_port):
        with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
            raw.sendall(
                b"POST /webhooks/rest/webhook HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                + f"Content-Length: {length}\r\nConnection: close\r\n\r\n{{}}".encode()
            )
            raw.settimeout(10)
            status_line = raw.recv(200).split(b"\r\n", 1)[0]
        # 400 (the action server may refuse the missing secret first: 401); never a hang
        assert status_line.startswith((b"HTTP/1.1 400", b"HTTP/1.1 401")), (port, status_line)
    assert httpx.get(f"http://127.0.0.1:{stack.settings.action_port}/health", timeout=10).status_code == 200
    reply = httpx.post(
        f"{stack.settings.rasa_url}/webhooks/rest/webhook",
        json={"sender": f"after-{random.randrange(10**9)}", "message": "认证需要费用吗"},
        timeout=30,
    )
    assert "免费" in reply.json()[0]["text"]


def _raw_request(port: int, request: bytes) -> tuple[str, str]:
    """Send one raw HTTP request; the status line and the body of the answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
        raw.sendall(request)
        raw.settimeout(10)
        answer = b""
        while chunk := raw.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    return head.split(b"\r\n", 1)[0].decode(), body.decode("utf-8")


@pytest.mark.parametrize(
    ("request_bytes", "status", "words"),
    [
        pytest.param(
            b"POST /webhooks/rest/webhook HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: 2000000\r\nConnection: close\r\n\r\n{}",
            "413",
            "消息太大",
            id="body over 1 MB",
        ),
        pytest.param(
            b"GET /no-such-page HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
            "404",
            "没有这个地址",
            id="path",
        ),
        pytest.param(
            b"DELETE /webhooks/rest/webhook HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
            "405",
            "不支持这种请求方法",
            id="method",
        ),
        pytest.param(
            b"GET /model HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
            "405",
            "这个地址不支持这种请求方法。",
            id="method of a Rasa API path",
        ),
        pytest.param(
            b"POST /webhooks/rest/webhook HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\nConnection: close\r\n\r\n",
            "400",
            "请求格式不正确",
            id="content-length",
        ),
    ],
)
def test_errors_the_web_server_raises_itself_are_chinese_json(
    stack: Stack, request_bytes: bytes, status: str, words: str
) -> None:
    status_line, body = _raw_request(stack.settings.rasa_port, request_bytes)
    assert status_line.startswith(f"HTTP/1.1 {status}"), status_line
    error = json.loads(body)["error"]
    assert words in error
    assert status != "405" or "POST" not in error  # no advice that is wrong for the path asked for
