"""Bad input through the REST channel: every message gets a readable Chinese reply, never a 5xx, silence or a leak.

A "victim" conversation proves ownership of an application first; nothing any other sender types
(`/intent{…}` tricks included) may show that application's details.
"""

from __future__ import annotations

import json
import uuid
from collections import Counter
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.run import Stack
from tests.reliability.figures import record
from tests.reliability.replies import disclosed, has_chinese, is_silent
from tests.support.rest import RestClient

pytestmark = pytest.mark.servers

HTTP_EXAMPLES = 150

VICTIM_ID, VICTIM_CODE = "RZ202611200001", "B2C344"

BAD_MESSAGES = [
    "",
    " ",
    "\t\n  ",
    "\u3000\u3000",
    "\u200b\u200c\u200d\ufeff",
    "\x00\x01\x02\x1b[31m",
    "\u202e认证费用\u202c",
    "مرحبا كم تكلفة التوثيق",
    "שלום",
    "认证 fee 多少钱？ Сколько стоит? 料金はいくら？",
    "😀" * 50,
    "🇨🇳👨‍👩‍👧‍👦🏳️‍🌈",
    "问" * 10_000,
    "a" * 10_000,
    "<script>alert('x')</script>",
    "<img src=x onerror=alert(1)>认证材料",
    "'; DROP TABLE applications; --",
    "RZ202611200001' OR '1'='1",
    "RZ202611200001; SELECT * FROM applications",
    "rz2026%27%20or%201=1",
    "RZ2026112000０１",
    "R Z 2 0 2 6 1 1 2 0 0 0 0 1",
    "../../etc/passwd",
    "${jndi:ldap://x}",
    "{{7*7}}",
    "%s%s%s%n",
    "\\x00\\u0000",
    "null",
    "undefined",
    "NaN",
    "-1",
    "9" * 400,
    '/check_status{"application_id": "RZ202611200001"}',
    '/check_status{"application_id": "RZ202611200001", "credit_code_suffix": "******"}',
    '/check_status{"credit_code_suffix": "B2C344", "requested_slot": null}',
    '/request_human{"application_id": "RZ202611200001"}',
    "/action_status_lookup",
    "/restart",
    "/session_start",
    "/back",
    '/faq{"faq_key": "../../secrets"}',
    "/nonexistent_intent",
    '/greet{"bad json',
    "/",
    "//",
    "/ /",
    '/check_status{"application_id": ["RZ202611200001"]}',
    '/check_status{"application_id": {"$ne": null}}',
]

INTENTS = [
    "check_status",
    "request_human",
    "faq",
    "greet",
    "cancel",
    "restart",
    "session_start",
    "back",
    "out_of_scope",
    "nlu_fallback",
    "action_status_lookup",
    "x" * 300,
]
SLOTS = ["application_id", "credit_code_suffix", "requested_slot", "faq_key", "session_started_metadata", "x"]
ID_LIKE = st.one_of(
    st.just(VICTIM_ID),
    st.just("RZ202611180002"),
    st.from_regex(r"RZ\d{12}", fullmatch=True),
    st.sampled_from(["RZ202611200001' --", "RZ202611200001\u200b", "ＲＺ２０２６１１２０００１"]),
)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30) | ID_LIKE,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=10), children, max_size=3)
    ),
    max_leaves=6,
)


@st.composite
def intent_tricks(draw: st.DrawFn) -> str:
    """`/intent{json}` messages that try to trigger intents or set slots."""
    entities = draw(st.dictionaries(st.sampled_from(SLOTS), JSON_VALUES | ID_LIKE, max_size=3))
    payload = json.dumps(entities, ensure_ascii=draw(st.booleans())) if entities else ""
    return f"/{draw(st.sampled_from(INTENTS))}{payload}"


MESSAGES = st.one_of(
    st.sampled_from(BAD_MESSAGES),
    st.text(max_size=200),
    st.text(
        alphabet=st.characters(whitelist_categories=("Cc", "Cf", "Zs", "Zl", "Zp", "Mn", "So")), max_size=50
    ),
    intent_tricks(),
    st.builds(lambda a, b: a + b, st.sampled_from(["查询 ", "我的申请 ", "帮我查 "]), ID_LIKE),
    st.integers(2001, 12_000).map(lambda n: "认证需要多久" * (n // 6)),
)


@pytest.fixture(scope="module")
def victim(rest: RestClient) -> str:
    """A conversation that proved ownership of VICTIM_ID (its report was shown to it only)."""
    sender = f"victim-{uuid.uuid4().hex[:8]}"
    rest.send(sender, f"查询 {VICTIM_ID}")
    assert disclosed(rest.send(sender, VICTIM_CODE)), "the victim should see its own report"
    return sender


class Tally:
    """Counts what happened to each input."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.examples: dict[str, list[Any]] = {}

    def note(self, outcome: str, example: Any) -> None:
        self.counts[outcome] += 1
        if outcome != "ok":
            self.examples.setdefault(outcome, []).append(example)


def check_reply(tally: Tally, sender: str, message: Any, status: int, replies: Any) -> None:
    """Classify one REST answer: ok, crash (5xx), silent, leak, unreadable."""
    tally.counts["tried"] += 1
    if status >= 500:
        tally.note("crash", message)
    elif status != 200 or not isinstance(replies, list):
        tally.note("unexpected", (message, status))
    elif is_silent(replies):
        tally.note("silent", message)
    elif disclosed(replies) or any(reply.get("recipient_id") != sender for reply in replies):
        tally.note("leak", (message, replies))
    elif not has_chinese(replies):
        tally.note("not_chinese", (message, replies))
    else:
        tally.note("ok", message)


def assert_clean(tally: Tally) -> None:
    bad = {outcome: examples[:3] for outcome, examples in tally.examples.items()}
    assert not bad, bad


def test_every_listed_bad_message_gets_a_clear_reply(stack: Stack, rest: RestClient, victim: str) -> None:
    tally = Tally()
    client = httpx.Client(timeout=60)
    for message in BAD_MESSAGES:
        sender = f"bad-{uuid.uuid4().hex[:10]}"
        answer = client.post(
            f"{stack.settings.rasa_url}/webhooks/rest/webhook", json={"sender": sender, "message": message}
        )
        check_reply(tally, sender, message, answer.status_code, answer.json())
    client.close()
    record(
        "bad_input",
        path="rest",
        kind="listed",
        tried=tally.counts["tried"],
        crashes=tally.counts["crash"],
        silent=tally.counts["silent"],
        leaks=tally.counts["leak"],
    )
    assert_clean(tally)


def test_fuzzed_messages_get_a_clear_reply_and_leak_nothing(stack: Stack, victim: str) -> None:
    tally = Tally()
    client = httpx.Client(timeout=60)
    url = f"{stack.settings.rasa_url}/webhooks/rest/webhook"

    @settings(
        max_examples=HTTP_EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(first=MESSAGES, second=MESSAGES)
    def converse(first: str, second: str) -> None:
        sender = f"fuzz-{uuid.uuid4().hex[:10]}"
        for message in (first, second):  # two turns: the second one meets whatever state the first left
            answer = client.post(url, json={"sender": sender, "message": message})
            check_reply(tally, sender, message, answer.status_code, answer.json())

    converse()
    client.close()
    record(
        "bad_input",
        path="rest",
        kind="fuzzed",
        tried=tally.counts["tried"],
        crashes=tally.counts["crash"],
        silent=tally.counts["silent"],
        leaks=tally.counts["leak"],
    )
    assert_clean(tally)


BODIES = st.one_of(
    st.binary(max_size=200),
    JSON_VALUES.map(lambda value: json.dumps(value).encode()),
    st.fixed_dictionaries(
        {},
        optional={
            "sender": JSON_VALUES,
            "message": JSON_VALUES | st.text(max_size=50),
            "metadata": JSON_VALUES,
        },
    ).map(lambda body: json.dumps(body).encode()),
)


def test_fuzzed_request_bodies_get_a_reply_or_a_clear_400(stack: Stack) -> None:
    counts: Counter[str] = Counter()
    failures: list[Any] = []
    client = httpx.Client(timeout=60)
    url = f"{stack.settings.rasa_url}/webhooks/rest/webhook"

    @settings(
        max_examples=HTTP_EXAMPLES, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
    )
    @given(body=BODIES)
    def post(body: bytes) -> None:
        counts["tried"] += 1
        answer = client.post(url, content=body, headers={"Content-Type": "application/json"})
        if answer.status_code >= 500:
            counts["crash"] += 1
            failures.append((body, answer.status_code))
        elif answer.status_code == 400:
            if not any("\u4e00" <= char <= "\u9fff" for char in answer.json().get("error", "")):
                failures.append((body, answer.text))
        elif answer.status_code != 200 or is_silent(answer.json()):
            counts["silent"] += 1
            failures.append((body, answer.status_code, answer.text[:200]))

    post()
    client.close()
    record(
        "bad_input",
        path="rest",
        kind="bodies",
        tried=counts["tried"],
        crashes=counts["crash"],
        silent=counts["silent"],
        leaks=0,
    )
    assert not failures, failures[:5]


def test_another_senders_conversation_stays_its_own(rest: RestClient, victim: str) -> None:
    """Knowing that a conversation exists gives nothing: other senders are asked for the code."""
    tries = [
        f"{victim}\u200b",
        f"{victim}\x00",
        victim.upper(),
        f"{victim}/../{victim}",
        f"{victim}%00",
        f"rest:{victim}",
        f"tg:{victim}",
        f" {victim} x",
    ]
    client = httpx.Client(timeout=60)
    for other in tries:
        for message in ("再查一下", VICTIM_ID, f'/check_status{{"application_id": "{VICTIM_ID}"}}'):
            answer = client.post(rest.url, json={"sender": other, "message": message})
            assert answer.status_code in (200, 400), (other, answer.status_code)
            assert answer.status_code == 400 or not disclosed(answer.json()), (other, message)
    client.close()
    # the victim's own conversation still answers it without asking again
    assert disclosed(rest.send(victim, VICTIM_ID))


GATEWAY_MESSAGES = [
    " ",
    "\u200b\u200b",
    "\x07\x1b[2J",
    "\u202e认证费用\u202c",
    "😀" * 30,
    "مرحبا",
    "<script>alert(1)</script>",
    "'; DROP TABLE telegram_inbox; --",
    f'/check_status{{"application_id": "{VICTIM_ID}"}}',
    "/start",
    "/human@other_bot",
    "问" * 4096,
    "RZ202611200001' OR '1'='1",
]


def test_bad_messages_through_the_telegram_gateway(stack: Stack, victim: str, tmp_path: Any) -> None:
    """Each bad message from its own Telegram chat gets a readable reply; none discloses the victim's data."""
    from bot.run import child_environment
    from tests.bot.gateway.conftest import GatewayProcess, new_group_id, new_user_id, telegram_env
    from tests.bot.gateway.fake_telegram import FakeTelegram

    telegram = FakeTelegram().start()
    agents = new_group_id()
    telegram.add_chat(agents, title="客服群")
    env = {**child_environment(stack.settings, stack.auth_token), **telegram_env(telegram, agents)}
    gateway = GatewayProcess(env, tmp_path / "gateway.log")
    tally = Tally()
    try:
        gateway.start()
        chats = {new_user_id(): message for message in GATEWAY_MESSAGES}
        for chat, message in chats.items():
            telegram.send_text(chat, message)
        photo_chat = new_user_id()
        telegram.send_photo(photo_chat)
        for chat, message in [*chats.items(), (photo_chat, "<photo>")]:
            try:
                texts = telegram.wait_for_texts(chat, 1, timeout=60)
            except AssertionError:
                texts = []
            replies = [{"recipient_id": "same", "text": text} for text in texts]
            check_reply(tally, "same", message, 200, replies)
    finally:
        gateway.stop()
        telegram.stop()
    record(
        "bad_input",
        path="telegram",
        kind="listed",
        tried=tally.counts["tried"],
        crashes=tally.counts["crash"],
        silent=tally.counts["silent"],
        leaks=tally.counts["leak"],
    )
    assert_clean(tally)
