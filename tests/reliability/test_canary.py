"""Canary: personal data and secrets sent through every path never show up in a log, a table or the agents group.

Canary values (a valid 身份证号, a mobile number, a Luhn-valid bank card, an account number) go in
through the REST channel (plain text, `/intent{…}` payloads, the status lookup, an unanswered
question, a handoff and messages while it is open), socket.io (text and metadata), Rasa's HTTP API
and the Telegram gateway (private chat, handoff, relayed messages). The private stack logs at
DEBUG, so Rasa and rasa-sdk write messages, slots and trackers into their logs. Then every log
file, every row of every table of both databases and every message the agents group received is
scanned for the canaries and for the secrets (Telegram token, Rasa API token, action secret).
"""

from __future__ import annotations

import asyncio
import json
import random
import re
import time
import unicodedata
from collections.abc import Iterable
from datetime import date, timedelta

import httpx
import pytest
from sqlalchemy import MetaData

from bot.privacy import is_resident_id, passes_luhn
from tests.bot.gateway.conftest import GatewayProcess, new_group_id, new_user_id, telegram_env
from tests.bot.gateway.fake_telegram import TOKEN, FakeTelegram, user
from tests.reliability.figures import record
from tests.support.private_stack import PrivatePostgres, PrivateStack
from tests.support.rest import RestClient
from tests.support.socketio_client import one_session

pytestmark = [pytest.mark.servers, pytest.mark.postgres]

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def canary_resident_id(rng: random.Random) -> str:
    """A valid 身份证号 (GB 11643 check character, real birth date) nobody else uses."""
    born = date(1960, 1, 1) + timedelta(days=rng.randrange(15_000))
    body = f"{rng.choice(['110105', '330106', '440305'])}{born:%Y%m%d}{rng.randrange(1000):03d}"
    check = "10X98765432"[sum(int(d) * w for d, w in zip(body, _WEIGHTS)) % 11]
    assert is_resident_id(body + check)
    return body + check


def canary_card(rng: random.Random) -> str:
    """A Luhn-valid 16-digit bank card number."""
    while True:
        card = "6222" + "".join(str(rng.randrange(10)) for _ in range(12))
        if passes_luhn(card):
            return card


def _compact(text: str) -> str:
    return re.sub(r"[\s\-]", "", unicodedata.normalize("NFKC", text)).upper()


class Scanner:
    """Looks for every canary in text, ignoring separators and JSON escaping."""

    def __init__(self, canaries: dict[str, str]) -> None:
        self.canaries = {name: _compact(value) for name, value in canaries.items()}
        self.hits: list[tuple[str, str]] = []
        self.places = 0

    def scan(self, where: str, text: str) -> None:
        self.places += 1
        forms = {_compact(text)}
        try:
            forms.add(_compact(json.dumps(json.loads(text), ensure_ascii=False)))
        except (ValueError, TypeError):
            pass
        for name, canary in self.canaries.items():
            if any(canary in form for form in forms):
                self.hits.append((name, where))

    def scan_rows(self, where: str, rows: Iterable[Iterable[object]]) -> None:
        for number, row in enumerate(rows):
            for cell in row:
                if cell is not None:
                    self.scan(f"{where} row {number}", str(cell))


def test_canaries_never_reach_logs_tables_or_agents(private: tuple[PrivateStack, PrivatePostgres]) -> None:
    stack, database = private
    rng = random.Random()
    resident_id, card = canary_resident_id(rng), canary_card(rng)
    phone = f"139{rng.randrange(10**8):08d}"
    account = f"{rng.randrange(10**13):013d}"
    personal = f"我的身份证号是{resident_id}，手机 {phone[:3]}-{phone[3:7]}-{phone[7:]}，银行卡 {card}，对公账号：{account}"
    canaries = {
        "resident_id": resident_id,
        "phone": phone,
        "card": card,
        "account": account,
        "telegram token": TOKEN,
        "telegram token secret": TOKEN.split(":")[1],
        "rasa token": stack.auth_token,
        "action secret": stack.stack.action_secret,
    }
    paths: list[str] = []

    # --- REST: plain text, /intent payloads, status lookup, unanswered, handoff and paused turns ---
    rest = RestClient(stack.settings.rasa_url)
    first, second = f"canary-rest-{rng.randrange(10**6)}", f"canary-handoff-{rng.randrange(10**6)}"
    for message in (
        personal + " 认证要多久？",
        f'/check_status{{"application_id": "{resident_id}", "phone": "{phone}"}}',
        "查询 RZ202611200001",
        resident_id,
        "b2c344",
        f"再查 RZ202611200001，电话 {phone}",
        f"今天天气怎么样 {personal}",
        f'/greet{{"faq_key": "{card}"}}',
    ):
        assert rest.send(first, message)
    paths.append("rest text, /intent payloads, status lookup, unanswered")
    for message in (personal, f"转人工，我的卡号 {card}", f"客服你好，身份证 {resident_id}"):
        assert rest.send(second, message)
    rest.close()
    paths.append("rest handoff + paused turn")

    # --- socket.io and Rasa's HTTP API (both bypass the REST channel's masking) ---
    answers = asyncio.run(
        one_session(stack.settings.rasa_url, [personal, f"转人工 {phone}"], metadata={"phone": phone})
    )
    assert all(answers), answers
    paths.append("socket.io text + metadata")
    api = httpx.post(
        f"{stack.settings.rasa_url}/conversations/canary-api/tracker/events",
        params={"token": stack.auth_token},
        timeout=30,
        json=[
            {
                "event": "user",
                "text": personal,
                "parse_data": {"text": personal, "intent": {"name": "greet"}},
            },
            {"event": "slot", "name": "application_id", "value": resident_id},
        ],
    )
    assert api.status_code == 200
    paths.append("rasa http api")

    # --- the Telegram gateway: private chat, handoff announcement, relayed messages, a dropped send ---
    telegram = FakeTelegram().start()
    agents = new_group_id()
    telegram.add_chat(agents, title="客服群")
    gateway = GatewayProcess({**stack.env, **telegram_env(telegram, agents)}, stack.log_dir / "gateway.log")
    try:
        gateway.start()
        applicant = new_user_id()
        telegram.fail(
            "sendMessage", "drop", chat_id=applicant, times=1
        )  # an error path with the token in URLs
        telegram.send_text(applicant, personal + " 认证需要多久", sender=user(applicant, "张三"))
        telegram.wait_for_texts(applicant, 1)
        telegram.send_text(applicant, "/human", sender=user(applicant, "张三"))
        telegram.wait_for(lambda: telegram.sent(agents), what="the escalation post")
        telegram.send_text(applicant, f"补充：卡号 {card}，手机 {phone}", sender=user(applicant, "张三"))
        telegram.wait_for(lambda: len(telegram.sent(agents)) >= 2, what="the relayed message")
        time.sleep(2)  # let the inbox mark everything processed (payloads erased)
    finally:
        gateway.stop()
        telegram.stop()
    paths.append("telegram private chat, escalation, relay")

    # --- scan (the scanner first proves it finds each canary where one is) ---
    control = Scanner(canaries)
    control.scan("control", personal + json.dumps(canaries))
    assert {name for name, _ in control.hits} == set(canaries)
    scanner = Scanner(canaries)
    masked_in_logs = 0
    for log in sorted(stack.log_dir.glob("*.log")):
        content = log.read_text(encoding="utf-8", errors="replace")
        masked_in_logs += content.count(f"{phone[:3]}****{phone[-4:]}")
        scanner.scan(f"log {log.name}", content)
    tables = 0
    for url in (stack.settings.database_url, stack.settings.tracker_store_url):
        engine = database.engine(url)
        try:
            metadata = MetaData()
            metadata.reflect(engine)
            with engine.connect() as connection:
                for table in metadata.sorted_tables:
                    tables += 1
                    scanner.scan_rows(
                        f"{engine.url.database}.{table.name}", connection.execute(table.select())
                    )
        finally:
            engine.dispose()
    agent_messages = [call.params for call in telegram.calls if call.params.get("chat_id") == agents]
    for message in agent_messages:
        scanner.scan("agents group", json.dumps(message, ensure_ascii=False))

    record(
        "canary",
        paths=len(paths),
        log_files=len(list(stack.log_dir.glob("*.log"))),
        tables=tables,
        places_scanned=scanner.places,
        agent_messages=len(agent_messages),
        masked_phone_in_logs=masked_in_logs,
        leaks=len(scanner.hits),
    )
    assert len(agent_messages) >= 2 and tables >= 10
    assert scanner.hits == []
