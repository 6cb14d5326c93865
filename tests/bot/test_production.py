"""The production profile end to end: HAProxy on the public port, two stateless Rasa workers, PostgreSQL and Redis.

One stack for the module (it is slow to start); the killed-worker test runs last because it ends a worker.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import time
import uuid
from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path

import httpx
import pytest
import socketio
from sqlalchemy import create_engine, select

from bot.haproxy import ERROR_TEXTS, server_stats
from bot.rasa_ext.bounded_history import DEFAULT_MAX_TURNS
from bot.rasa_ext.shared_checkpoints import CHECKPOINTS
from bot.run import Stack, child_environment, running_stack
from tests.bot.gateway.conftest import GatewayProcess, new_user_id, telegram_env
from tests.bot.gateway.fake_telegram import FakeTelegram
from tests.bot.gateway.test_end_to_end import FEES_QUESTION, all_recorded_as_sent
from tests.conftest import (
    TEST_AGENT_CHAT_ID,
    TEST_MESSAGES_PER_MINUTE,
    TEST_NOW,
    free_port,
    prepare_database,
    stack_settings,
)
from tests.support.private_stack import PrivatePostgres
from tests.support.socketio_client import WebChat
from tests.test_status_lookup_rest import response_text

pytestmark = pytest.mark.servers

REDIS_URL = "redis://127.0.0.1:6379/0"
WORKERS = ("worker1", "worker2")
ASK_CODE = response_text("utter_ask_credit_code_suffix")
REQUEST_TIMEOUT_S = 2
"""HAProxy's `timeout http-request` in this stack (HAPROXY_REQUEST_TIMEOUT; 10 s by default)."""
PUBLIC_HOST = "bot.example.com"


@pytest.fixture(scope="module")
def production(model_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """HAProxy in front of 2 Rasa workers, one action server, private PostgreSQL databases, the local Redis."""
    var_dir = tmp_path_factory.mktemp("production")
    os.environ.setdefault("BOT_TEST_NOW", TEST_NOW)
    database = PrivatePostgres().create()
    try:
        settings = stack_settings(
            var_dir,
            DATABASE_URL=database.app_url,
            TRACKER_STORE_URL=database.tracker_url,
            RASA_WORKERS="2",
            RASA_WORKER_PORTS=f"{free_port()},{free_port()}",
            REDIS_URL=REDIS_URL,
            HAPROXY_MONITOR_PORT=str(free_port()),
            HAPROXY_REQUEST_TIMEOUT=str(REQUEST_TIMEOUT_S),
            BOT_PUBLIC_HOSTS=PUBLIC_HOST,
        )
        prepare_database(settings)
        with running_stack(settings, model_path, log_dir=var_dir / "logs") as stack:
            yield stack
    finally:
        database.drop()


def served(stack: Stack) -> dict[str, int]:
    """How many REST/API requests each worker answered so far (HAProxy's count of 2xx responses)."""
    stats = server_stats(stack.settings.var_dir / "haproxy.sock")
    return {worker: int(stats["rasa", worker]["hrsp_2xx"]) for worker in WORKERS}


def user_texts(stack: Stack, conversation: str) -> list[str]:
    """The applicant's messages stored in a conversation's tracker (read through HAProxy)."""
    response = httpx.get(
        f"{stack.settings.rasa_url}/conversations/{conversation}/tracker",
        params={"token": stack.auth_token},
        timeout=30,
    )
    response.raise_for_status()
    return [event["text"] for event in response.json()["events"] if event["event"] == "user"]


def exchange(stack: Stack, raw: bytes, wait: float = 30) -> bytes:
    """Send `raw` to HAProxy's public port and read everything it answers until it closes."""
    with socket.create_connection(("127.0.0.1", stack.settings.rasa_port), timeout=wait) as connection:
        connection.sendall(raw)
        return b"".join(iter(lambda: connection.recv(65536), b""))


def haproxy_answer(raw: bytes) -> tuple[int, dict[str, str], dict[str, str]]:
    """An answer HAProxy made itself: its status, headers (lower-case names) and JSON body."""
    head, _, body = raw.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {name.lower(): value.strip() for name, _, value in (line.partition(":") for line in lines)}
    return int(status_line.split()[1]), headers, json.loads(body.decode("utf-8"))


def test_rest_turns_move_between_workers_and_conversations_stay_intact(production: Stack) -> None:
    url = f"{production.settings.rasa_url}/webhooks/rest/webhook"
    before = served(production)
    alice, bob = f"alice-{uuid.uuid4().hex[:8]}", f"bob-{uuid.uuid4().hex[:8]}"
    with httpx.Client(timeout=60) as client:

        def say(sender: str, text: str) -> str:
            response = client.post(url, json={"sender": sender, "message": text})
            response.raise_for_status()
            return "\n".join(message.get("text", "") for message in response.json())

        # interleaved: with round robin each conversation's next turn lands on the other worker
        assert ASK_CODE in say(alice, "帮我查下 RZ202611200001 的进度")
        assert ASK_CODE in say(bob, "RZ202611180002 到哪一步了")
        faq = say(alice, "认证需要费用吗？")  # a question meanwhile; the lookup still waits for the code
        assert "免费" in faq and faq.endswith(ASK_CODE)
        assert "当前状态：待打款验证" in say(bob, "91330106MA2H7K4L6Q")
        assert "当前状态：初审中" in say(
            alice, "b2c344"
        )  # the question asked two turns ago, on the other worker
    after = served(production)
    assert {worker: after[worker] - before[worker] for worker in WORKERS} == {"worker1": 3, "worker2": 2} or {
        worker: after[worker] - before[worker] for worker in WORKERS
    } == {"worker1": 2, "worker2": 3}
    assert user_texts(production, f"rest:{bob}") == ["RZ202611180002 到哪一步了", "91330106MA2H7K4L6Q"]


def test_one_rest_sender_gets_the_message_limit_once_across_both_workers(production: Stack) -> None:
    """Round robin spreads one sender's messages over both workers; the limit is counted in Redis for both
    (each worker alone would have let it send twice as many)."""
    url = f"{production.settings.rasa_url}/webhooks/rest/webhook"
    flooder, calm = f"flood-{uuid.uuid4().hex[:8]}", f"calm-{uuid.uuid4().hex[:8]}"
    before = served(production)
    with httpx.Client(timeout=60) as client:
        first = client.post(url, json={"sender": flooder, "message": "认证需要费用吗？"})
        assert first.status_code == 200 and "免费" in first.json()[0]["text"]
        statuses = [  # an empty message only fetches waiting replies: cheap, and counted like any other
            client.post(url, json={"sender": flooder, "message": ""}).status_code
            for _ in range(TEST_MESSAGES_PER_MINUTE - 1)
        ]
        after = served(production)
        refused = [client.post(url, json={"sender": flooder, "message": "你好"}) for _ in WORKERS]
        other = client.post(url, json={"sender": calm, "message": "认证需要费用吗？"})
    assert statuses == [200] * (TEST_MESSAGES_PER_MINUTE - 1)
    half = TEST_MESSAGES_PER_MINUTE // 2
    assert {worker: after[worker] - before[worker] for worker in WORKERS} == {
        "worker1": half,
        "worker2": half,
    }
    for answer in refused:  # message limit + 1 and + 2: one on each worker
        assert answer.status_code == 429
        assert 1 <= int(answer.headers["Retry-After"]) <= 60
        text = answer.json()[0]["text"]
        assert text == response_text("utter_too_many_messages", seconds=answer.headers["Retry-After"])
    assert other.status_code == 200 and "免费" in other.json()[0]["text"]  # nobody else is affected
    assert user_texts(production, f"rest:{flooder}") == [
        "认证需要费用吗？"
    ]  # refused ones never reached Rasa


def test_a_long_lookup_on_alternating_workers_keeps_its_state_through_shared_checkpoints(
    production: Stack,
) -> None:
    url = f"{production.settings.rasa_url}/webhooks/rest/webhook"
    sender = f"long-{uuid.uuid4().hex[:8]}"
    with httpx.Client(timeout=60) as client:

        def say(text: str) -> str:
            response = client.post(url, json={"sender": sender, "message": text})
            response.raise_for_status()
            return "\n".join(message.get("text", "") for message in response.json())

        # round robin: every turn lands on the other worker, which starts from the checkpoint
        # the first one shared (or its own older one) — never from the whole session
        assert ASK_CODE in say("帮我查下 RZ202611200001 的进度")
        for _ in range(2 * DEFAULT_MAX_TURNS):
            assert say("认证需要费用吗？").endswith(ASK_CODE)  # the lookup still waits for the code
        assert "当前状态：初审中" in say("b2c344")
    engine = create_engine(production.settings.tracker_store_url)
    try:
        with engine.connect() as connection:
            shared = connection.scalar(
                select(CHECKPOINTS.c.last_id).where(CHECKPOINTS.c.sender_id == f"rest:{sender}")
            )
    finally:
        engine.dispose()
    assert shared is not None  # in PostgreSQL, for every worker
    assert len(user_texts(production, f"rest:{sender}")) == 2 * DEFAULT_MAX_TURNS + 2


async def test_socketio_through_haproxy_and_a_room_message_from_another_process(production: Stack) -> None:
    chat = WebChat(production.settings.rasa_url)
    await chat.connect()
    try:
        reply = await chat.say("认证需要费用吗？")
        assert any("免费" in message.get("text", "") for message in reply)
        # any process on the Redis (another worker, a back-office job) reaches the worker holding the socket
        elsewhere = socketio.AsyncRedisManager(REDIS_URL, channel="dingtalk_bot:socketio", write_only=True)
        await elsewhere.emit("bot_uttered", {"text": "来自另一个进程"}, room=chat.client.get_sid())
        for _ in range(200):
            if any(message.get("text") == "来自另一个进程" for message in chat.received):
                break
            await asyncio.sleep(0.05)
        assert chat.received[-1] == {"text": "来自另一个进程"}
    finally:
        await chat.close()


def test_a_slow_body_is_cut_off_in_chinese_and_forwarded_host_headers_are_not_trusted(
    production: Stack,
) -> None:
    started = time.monotonic()
    answer = exchange(  # the attacker's slowloris body
        production,
        b"POST /webhooks/rest/webhook HTTP/1.1\r\nHost: bot.example.com\r\nContent-Type: application/json\r\n"
        b'Content-Length: 100000\r\n\r\n{"sender": "slow", ',
    )
    assert time.monotonic() - started < REQUEST_TIMEOUT_S + 5  # HAProxy's timeout http-request
    status, headers, body = haproxy_answer(answer)
    assert (status, headers["content-type"]) == (408, "application/json; charset=utf-8")
    assert body == {"error": "请求发送得太慢，已断开，请重新发送。"}

    handshake = httpx.get(  # an origin the bot does not list, dressed up by forwarded-host headers
        f"{production.settings.rasa_url}/socket.io/",
        params={"EIO": "4", "transport": "polling"},
        headers={
            "Origin": "https://evil.example",
            "X-Forwarded-Host": "evil.example",
            "X-Forwarded-Proto": "https",
        },
        timeout=30,
    )
    assert handshake.status_code == 400
    for spelling in ("X_Forwarded_Host", "X-Forwarded_Host", "X_Forwarded-Host"):  # read as the same header
        sneaked = httpx.get(
            f"{production.settings.rasa_url}/socket.io/",
            params={"EIO": "4", "transport": "polling"},
            headers={"Origin": "http://evil.example", spelling: "evil.example"},
            timeout=30,
        )
        assert sneaked.status_code == 400, spelling


@pytest.mark.parametrize(
    "request_bytes",
    [
        pytest.param(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nBad Header\r\n\r\n", id="header without colon"),
        pytest.param(b"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", id="two hosts"),
        pytest.param(b"GET /" + b"a" * 20000 + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", id="URI over 16 kB"),
        pytest.param(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-A: b", id="headers never finished"),
        pytest.param(b"", id="nothing sent"),
    ],
)
def test_what_haproxys_parser_refuses_gets_no_english_page(production: Stack, request_bytes: bytes) -> None:
    """HAProxy 2.6 answers these from its HTTP/1 parser, which only knows its built-in English pages
    (no http-error, errorfile or errorfiles reaches it): the connection is closed without an answer."""
    started = time.monotonic()
    assert exchange(production, request_bytes) == b""
    assert time.monotonic() - started < REQUEST_TIMEOUT_S + 5


def test_only_the_bots_host_names_and_addresses_are_served(production: Stack) -> None:
    url = f"{production.settings.rasa_url}/webhooks/rest/webhook"
    for host in (
        "evil.example",
        f"evil.example:{production.settings.rasa_port}",
        "127.0.0.1.evil.example",
        f"{PUBLIC_HOST}.evil.example.",
    ):
        status, headers, body = haproxy_answer(
            exchange(production, f"GET / HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
        )
        assert (status, headers["content-type"]) == (421, "application/json; charset=utf-8"), host
        assert body == {"error": "抱歉，这个网址不是本机器人的地址，请通过官方公布的网址访问。"}
    no_host = exchange(production, b"GET / HTTP/1.0\r\n\r\n")
    assert haproxy_answer(no_host)[0] == 421
    for host in (
        PUBLIC_HOST.upper(),
        f"{PUBLIC_HOST}:443",
        f"{PUBLIC_HOST}.",
        "localhost.",
        "127.0.0.1",
        "[::1]:5005",
    ):
        response = httpx.post(
            url,
            json={"sender": f"host-{uuid.uuid4().hex[:6]}", "message": "认证需要费用吗？"},
            headers={"Host": host},
            timeout=60,
        )
        assert response.status_code == 200 and "免费" in response.json()[0]["text"], host


def test_readiness_is_answered_on_the_monitor_listener_only(production: Stack) -> None:
    monitor = f"http://127.0.0.1:{production.settings.haproxy_monitor_port}"
    ready = httpx.get(f"{monitor}/haproxy/ready", timeout=10)
    assert (ready.status_code, ready.text) == (200, "ready")
    elsewhere = httpx.get(f"{monitor}/webhooks/rest/", timeout=10)  # nothing else there, said in Chinese
    assert elsewhere.status_code == 404 and "没有这个地址" in elsewhere.json()["error"]
    public = httpx.get(f"{production.settings.rasa_url}/haproxy/ready", timeout=10)
    assert public.status_code == 404 and public.text != "ready"  # a worker's 404: HAProxy keeps no path here


def test_the_telegram_gateway_resumes_through_haproxy_every_answer_once(
    production: Stack, tmp_path: Path
) -> None:
    """The gateway talks to Rasa through HAProxy and is SIGKILLed while its turns are in flight there
    (HAProxy's stats show them); the next gateway replays what it stored: every applicant
    gets every answer, once."""
    telegram = FakeTelegram().start()
    telegram.add_chat(int(TEST_AGENT_CHAT_ID), title="客服群")
    env = {
        **child_environment(production.settings, production.auth_token),
        **telegram_env(telegram, int(TEST_AGENT_CHAT_ID)),
    }
    assert env["RASA_URL"] == f"http://127.0.0.1:{production.settings.rasa_port}"  # HAProxy
    stats_socket = production.settings.var_dir / "haproxy.sock"
    gateways = [GatewayProcess(env, tmp_path / f"gateway-{n}.log") for n in (1, 2)]
    try:
        first = gateways[0].start()
        applicants = [new_user_id() for _ in range(4)]
        telegram.send_text(applicants[0], "你好")
        telegram.wait_for_texts(applicants[0], 1)
        telegram.wait_for(
            lambda: all_recorded_as_sent(first, applicants[0]), what="the greeting to be recorded"
        )

        telegram.fail("sendMessage", "drop", times=None)  # nothing reaches the applicants before the kill
        for applicant in applicants:
            telegram.send_text(applicant, FEES_QUESTION)
            telegram.send_text(applicant, "谢谢")
        deadline = time.monotonic() + 30
        while not (in_flight := int(server_stats(stats_socket)["rasa", "BACKEND"]["scur"])):
            assert time.monotonic() < deadline, "no turn reached HAProxy"
        first.kill()  # while HAProxy holds `in_flight` of its turns
        telegram.clear_failures()
        assert sum(len(telegram.texts(applicant)) for applicant in applicants) == 1

        second = gateways[1].start()
        for applicant in applicants:
            telegram.wait_for_texts(applicant, 3 if applicant == applicants[0] else 2, timeout=90)
        time.sleep(1.5)  # anything doubled would arrive now
        for applicant in applicants:
            replies = telegram.texts(applicant)
            assert len(replies) == (3 if applicant == applicants[0] else 2), replies
            assert "免费" in replies[-2] and "不客气" in replies[-1], replies
        stored = {applicant: user_texts(production, f"tg:{applicant}") for applicant in applicants}
        print(
            f"\n[gateway through HAProxy] turns in flight at the kill: {in_flight}; stored: {stored}; "
            f"replayed from the inbox: {'replaying' in second.log()}"
        )
    finally:
        for gateway in gateways:
            gateway.stop()
        telegram.stop()


async def test_a_killed_worker_is_taken_out_and_its_conversations_go_on(production: Stack) -> None:
    """SIGKILL worker 1 while 4 conversations talk; a turn in flight there fails (502 or a closed connection)
    and the client sends it again.

    Rasa saves a turn when it ends. A turn cut off before that left nothing in the tracker, and sending
    it again runs it once; a turn saved whose reply was lost with the worker runs again when sent again
    (it is then stored twice, one after the other). Its actions' side effects are safe to repeat.
    """
    url = f"{production.settings.rasa_url}/webhooks/rest/webhook"
    senders = [f"kill-{i}-{uuid.uuid4().hex[:6]}" for i in range(4)]
    messages = ["你好", "认证需要费用吗？", "需要准备哪些材料", "审核要多久", "打款验证是什么", "谢谢"]
    killed = asyncio.Event()
    retried: dict[str, list[str]] = {sender: [] for sender in senders}

    async def talk(client: httpx.AsyncClient, sender: str) -> None:
        for number, text in enumerate(messages):
            if number == 2 and sender == senders[0]:
                killed.set()
            while True:
                try:
                    response = await client.post(url, json={"sender": sender, "message": text})
                except httpx.TransportError:  # HAProxy closed the connection the cut-off turn came on
                    retried[sender].append(text)
                    continue
                if response.status_code != 502:
                    break
                assert response.json() == {"error": ERROR_TEXTS[502]}  # HAProxy's, in Chinese
                retried[sender].append(text)  # the turn in flight on the killed worker
            response.raise_for_status()
            assert response.json(), f"{sender}: no reply to {text}"

    async def kill_worker() -> None:
        await killed.wait()
        os.killpg(production.processes["rasa worker 1"].pid, signal.SIGKILL)

    async with httpx.AsyncClient(timeout=60) as client:
        await asyncio.gather(kill_worker(), *(talk(client, sender) for sender in senders))
        for _ in range(100):  # the health checks notice within about two seconds
            if (
                server_stats(production.settings.var_dir / "haproxy.sock")["rasa", "worker1"]["status"]
                == "DOWN"
            ):
                break
            await asyncio.sleep(0.1)
    assert server_stats(production.settings.var_dir / "haproxy.sock")["rasa", "worker1"]["status"] == "DOWN"
    for sender in senders:
        assert len(retried[sender]) <= 1  # only the turn it had in flight at the kill
        stored = user_texts(production, f"rest:{sender}")
        repeated = [text for before, text in pairwise(stored) if text == before]
        assert set(repeated) <= set(retried[sender])  # a turn stored twice is one that was sent twice
        assert [
            text for number, text in enumerate(stored) if stored[number - 1 : number] != [text]
        ] == messages
