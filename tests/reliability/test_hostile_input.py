"""Hostile input in every field of every channel, on SQLite and PostgreSQL: the bot keeps serving.

All of Unicode is generated, lone surrogates and control characters included (Hypothesis leaves
surrogates out unless asked). After every hostile request a normal question from another
identity must still be answered: one request once stopped the whole Rasa server.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.run import child_environment
from tests.reliability.figures import record
from tests.reliability.replies import disclosed, has_chinese, is_silent
from tests.support.socketio_client import WebChat

pytestmark = pytest.mark.servers

REST_EXAMPLES = 120
SOCKET_EXAMPLES = 60
TELEGRAM_UPDATES = 30
CANARY_QUESTION, CANARY_ANSWER = "认证需要费用吗", "免费"

HOSTILE_CHARS = st.one_of(
    st.characters(),
    st.characters(categories=["Cs"]),  # lone surrogates
    st.characters(categories=["Cc", "Cf", "Co", "Cn", "Zl", "Zp"]),
)
HOSTILE_TEXT = st.text(alphabet=HOSTILE_CHARS, max_size=60)
SPECIAL_IDS = [
    "\ud800",
    "a\udfffb",
    "\x00",
    "a\x00b",
    "tg:1",
    "web:abc",
    "rest:x",
    "x" * 64,
    "x" * 65,
    "x" * 200,
    " ",
    "",
    "\u200b",
    "\u202e",
    "../..",
    "%00",
    "default",
]
HOSTILE_IDS = st.one_of(HOSTILE_TEXT, st.sampled_from(SPECIAL_IDS), st.integers(), st.none(), st.booleans())
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | HOSTILE_TEXT,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(HOSTILE_TEXT, children, max_size=3),
    max_leaves=6,
)
REST_BODIES = st.fixed_dictionaries(
    {"sender": HOSTILE_IDS, "message": HOSTILE_TEXT | JSON_VALUES}, optional={"metadata": JSON_VALUES}
)


class Served:
    """A running bot (session stack on SQLite, or the private one on PostgreSQL)."""

    def __init__(
        self, backend: str, rasa_url: str, check_alive: Callable[[], None], env: dict[str, str]
    ) -> None:
        self.backend = backend
        self.rasa_url = rasa_url
        self.check_alive = check_alive
        self.env = env


@pytest.fixture(params=["sqlite", "postgresql"])
def served(request: pytest.FixtureRequest) -> Iterator[Served]:
    """The bot on each backend."""
    if request.param == "sqlite":
        stack = request.getfixturevalue("stack")
        env = child_environment(stack.settings, stack.auth_token)
        yield Served("sqlite", stack.settings.rasa_url, stack.check_alive, env)
    else:
        private, _ = request.getfixturevalue("private")
        yield Served("postgresql", private.settings.rasa_url, private.stack.check_alive, private.env)


class Tally:
    """What hostile requests did, and whether the bot still answered a normal question after each."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.failures: list[Any] = []

    def fail(self, kind: str, example: Any) -> None:
        self.counts[kind] += 1
        self.failures.append((kind, repr(example)[:300]))


def _canary_rest(client: httpx.Client, served: Served, tally: Tally) -> None:
    try:
        served.check_alive()
    except Exception as error:  # a stopped server is the failure being counted
        tally.fail("stop", str(error))
        raise
    answer = client.post(
        f"{served.rasa_url}/webhooks/rest/webhook",
        json={"sender": f"canary-{uuid.uuid4().hex[:8]}", "message": CANARY_QUESTION},
    )
    if answer.status_code != 200 or CANARY_ANSWER not in json.dumps(answer.json(), ensure_ascii=False):
        tally.fail("canary_unanswered", answer.text[:200])


def test_hostile_rest_bodies(served: Served) -> None:
    tally = Tally()
    client = httpx.Client(timeout=60)
    url = f"{served.rasa_url}/webhooks/rest/webhook"

    @settings(
        max_examples=REST_EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(body=REST_BODIES)
    def post(body: dict[str, Any]) -> None:
        tally.counts["tried"] += 1
        answer = client.post(
            url, content=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
        )
        if answer.status_code >= 500:
            tally.fail("crash", body)
        elif answer.status_code in (400, 429):
            if not has_chinese([{"text": json.dumps(answer.json(), ensure_ascii=False)}]):
                tally.fail("unexplained", body)
        elif answer.status_code != 200 or is_silent(answer.json()):
            tally.fail("silent", (body, answer.status_code))
        _canary_rest(client, served, tally)

    post()
    client.close()
    record(
        "hostile",
        path="rest",
        backend=served.backend,
        tried=tally.counts["tried"],
        crashes=tally.counts["crash"],
        stops=tally.counts["stop"],
        canaries_unanswered=tally.counts["canary_unanswered"],
    )
    assert tally.failures == []


SOCKET_EVENTS = st.one_of(
    JSON_VALUES,
    st.fixed_dictionaries(
        {"message": HOSTILE_TEXT},
        optional={"session_id": HOSTILE_IDS, "metadata": JSON_VALUES, "customData": JSON_VALUES},
    ),
)


def test_hostile_socketio_events(served: Served) -> None:
    tally = Tally()
    loop = asyncio.new_event_loop()
    http = httpx.Client(timeout=60)

    canary = WebChat(served.rasa_url)
    loop.run_until_complete(canary.connect())

    async def one(session_request: Any, event: Any) -> None:
        chat = WebChat(served.rasa_url)
        await chat.connect(request=session_request)
        replies = await chat.say(None, raw=event)
        if not replies and not chat.errors:
            tally.fail("silent", event)
        await chat.close()
        answer = await canary.say(CANARY_QUESTION)  # another web user is still served
        if CANARY_ANSWER not in json.dumps(answer, ensure_ascii=False):
            tally.fail("canary_unanswered", (session_request, event))

    @settings(
        max_examples=SOCKET_EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(
        session_request=JSON_VALUES | st.fixed_dictionaries({"session_id": HOSTILE_IDS}), event=SOCKET_EVENTS
    )
    def emit(session_request: Any, event: Any) -> None:
        tally.counts["tried"] += 1
        loop.run_until_complete(one(session_request, event))
        _canary_rest(http, served, tally)

    try:
        emit()
    finally:
        loop.run_until_complete(canary.close())
        loop.close()
        http.close()
    record(
        "hostile",
        path="socket.io",
        backend=served.backend,
        tried=tally.counts["tried"],
        crashes=tally.counts["crash"],
        stops=tally.counts["stop"],
        canaries_unanswered=tally.counts["canary_unanswered"],
    )
    assert tally.failures == []


def _hostile_strings(count: int) -> list[str]:
    found: list[str] = []

    @settings(max_examples=count, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(HOSTILE_TEXT.filter(lambda text: bool(text.strip())))
    def collect(text: str) -> None:
        found.append(text)

    collect()
    return [*SPECIAL_IDS[:4], *found][:count]


def test_hostile_telegram_updates(served: Served, tmp_path: Path) -> None:
    """Texts, names and usernames full of surrogates and controls: every applicant is answered."""
    from tests.bot.gateway.conftest import GatewayProcess, new_group_id, new_user_id, telegram_env
    from tests.bot.gateway.fake_telegram import FakeTelegram

    telegram = FakeTelegram().start()
    agents = new_group_id()
    telegram.add_chat(agents, title="客服群")
    gateway = GatewayProcess({**served.env, **telegram_env(telegram, agents)}, tmp_path / "gateway.log")
    tally = Tally()
    strings = _hostile_strings(TELEGRAM_UPDATES)
    try:
        gateway.start()
        chats = {}
        for index, text in enumerate(strings):
            chat = new_user_id()
            name = strings[(index + 1) % len(strings)]
            sender = {
                "id": chat,
                "is_bot": False,
                "first_name": name or "x",
                "last_name": text,
                "username": strings[(index + 2) % len(strings)],
            }
            telegram.send_text(chat, text, sender=sender)
            chats[chat] = text
        canary = new_user_id()
        telegram.send_text(canary, CANARY_QUESTION)
        for chat, text in chats.items():
            tally.counts["tried"] += 1
            try:
                telegram.wait_for_texts(chat, 1, timeout=60)
            except AssertionError:
                tally.fail("silent", text)
        if not any(CANARY_ANSWER in reply for reply in telegram.wait_for_texts(canary, 1, timeout=60)):
            tally.fail("canary_unanswered", "telegram")
        if gateway.process is None or gateway.process.poll() is not None:
            tally.fail("stop", "gateway")
        served.check_alive()
    finally:
        gateway.stop()
        telegram.stop()
    record(
        "hostile",
        path="telegram",
        backend=served.backend,
        tried=tally.counts["tried"],
        crashes=tally.counts["crash"],
        stops=tally.counts["stop"],
        canaries_unanswered=tally.counts["canary_unanswered"],
    )
    assert tally.failures == []


def test_no_conversation_can_be_borrowed_across_channels(served: Served) -> None:
    """A verified conversation on each channel; every other channel's id for it gets nothing."""
    victim_id, victim_code = "RZ202611200001", "B2C344"
    client = httpx.Client(timeout=60)
    url = f"{served.rasa_url}/webhooks/rest/webhook"
    victim = f"victim-{uuid.uuid4().hex[:8]}"
    client.post(url, json={"sender": victim, "message": f"查询 {victim_id}"})
    assert disclosed(client.post(url, json={"sender": victim, "message": victim_code}).json())

    async def web_victim() -> str:
        chat = WebChat(served.rasa_url)
        await chat.connect()
        await chat.say(f"查询 {victim_id}")
        assert disclosed(await chat.say(victim_code))
        await chat.close()
        assert chat.token is not None
        return chat.token

    token = asyncio.run(web_victim())
    local = token.split(".")[0]
    attempts = [
        f"rest:{victim}",
        f"tg:{victim}",
        f"web:{local}",
        local,
        token,
        f"{victim}\u200b",
        victim.upper(),
    ]
    borrowed = 0
    for sender in attempts:
        for message in ("再查一下", victim_id):
            answer = client.post(url, json={"sender": sender, "message": message})
            borrowed += bool(answer.status_code == 200 and disclosed(answer.json()))
    client.close()
    record("hostile", path="borrowing", backend=served.backend, tried=len(attempts) * 2, borrowed=borrowed)
    assert borrowed == 0


def test_the_longest_accepted_sender_can_reach_a_person(served: Served) -> None:
    """One length per id kind: what the channel accepts, every column stores (tested on PostgreSQL too)."""
    from sqlalchemy import create_engine, select

    from bot.db.escalation_models import Escalation
    from bot.identity import MAX_LOCAL_ID, Channel

    sender = "长" * (MAX_LOCAL_ID[Channel.REST] - 8) + uuid.uuid4().hex[:8]
    url = f"{served.rasa_url}/webhooks/rest/webhook"
    answer = httpx.post(url, json={"sender": sender, "message": "转人工"}, timeout=60)
    assert answer.status_code == 200 and "人工" in answer.json()[0]["text"]
    assert httpx.post(url, json={"sender": sender + "x", "message": "转人工"}, timeout=60).status_code == 400
    engine = create_engine(served.env["DATABASE_URL"], future=True)
    try:
        with engine.connect() as connection:
            stored = connection.scalars(
                select(Escalation.sender_id).where(Escalation.sender_id == f"rest:{sender}")
            )
            assert list(stored) == [f"rest:{sender}"]
    finally:
        engine.dispose()
