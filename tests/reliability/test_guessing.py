"""Guessing one application's credit code with a fresh sender id per guess, against the running bot over REST.

An attacker who can make up sender ids is not slowed by the per-sender limits; only the cap per
application ID holds. Each guess here is a new conversation (ID, then a code), sent by several
clients at once as fast as the bot answers. What counts is how many codes the bot actually
compared: every comparison writes a row to `verification_attempts`, a refused check writes none.
Runs on the session stack (SQLite) and on the private stack (PostgreSQL); figures go to
`make reliability` (section "guessing").
"""

from __future__ import annotations

import random
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from bot.db.engine import make_engine, make_session_factory
from bot.db.escalation_models import AgentAlert
from bot.db.models import Application, EntityType, Status, VerificationAttempt
from bot.db.types import utc_now
from bot.run import Stack
from bot.status.throttle import DEFAULT_LIMITS
from tests.reliability.figures import record
from tests.reliability.replies import response_text
from tests.support.private_stack import PrivatePostgres, PrivateStack
from tests.support.rest import RestClient

pytestmark = pytest.mark.servers

GUESSES = 150
CLIENTS = 8
SYMBOLS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
"""The 31 characters of a unified social credit code (GB 32100)."""
CREDIT_CODE = "91110108MA01Q7X5K3"


def add_application(database_url: str) -> str:
    """A real application nobody else's test touches; returns its ID."""
    application_id = f"RZ2030{random.randrange(10**8):08d}"
    engine = make_engine(database_url)
    try:
        with make_session_factory(engine)() as session, session.begin():
            session.add(
                Application(
                    id=application_id,
                    company_name="测试猜测有限公司",
                    credit_code=CREDIT_CODE,
                    entity_type=EntityType.ENTERPRISE,
                    status=Status.FIRST_REVIEW,
                    status_since=utc_now(),
                )
            )
    finally:
        engine.dispose()
    return application_id


def counted(database_url: str, application_id: str) -> tuple[int, int]:
    """(codes compared for the ID, alerts written about it)."""
    engine = make_engine(database_url)
    try:
        with make_session_factory(engine)() as session:
            compared = session.scalar(
                select(func.count())
                .select_from(VerificationAttempt)
                .where(VerificationAttempt.application_id == application_id)
            )
            alerts = session.scalar(
                select(func.count()).select_from(AgentAlert).where(AgentAlert.subject == application_id)
            )
    finally:
        engine.dispose()
    return int(compared), int(alerts)


def wrong_code(rng: random.Random) -> str:
    code = str(rng.randrange(10)) + "".join(rng.choice(SYMBOLS) for _ in range(5))  # a digit first: a code
    return code if code != CREDIT_CODE[-6:] else wrong_code(rng)


def hammer(rasa_url: str, application_id: str) -> tuple[float, list[str]]:
    """GUESSES guesses from CLIENTS clients at once, a fresh sender each; (seconds, last reply of each)."""

    def one_client(worker: int) -> list[str]:
        rng, client, last = random.Random(worker), RestClient(rasa_url), []
        try:
            for _ in range(worker, GUESSES, CLIENTS):
                sender = f"guess-{uuid.uuid4().hex}"
                asked = client.texts(sender, f"查询 {application_id} 的进度")
                last.append(client.texts(sender, wrong_code(rng)) if "后 6 位" in asked else asked)
        finally:
            client.close()
        return last

    started = time.monotonic()
    with ThreadPoolExecutor(CLIENTS) as pool:
        replies = [reply for replies in pool.map(one_client, range(CLIENTS)) for reply in replies]
    return time.monotonic() - started, replies


def guess_and_count(rasa_url: str, database_url: str, backend: str) -> None:
    application_id = add_application(database_url)

    elapsed, replies = hammer(rasa_url, application_id)
    compared, alerts = counted(database_url, application_id)
    owner = RestClient(rasa_url)
    try:
        owner_reply = owner.send(f"owner-{uuid.uuid4().hex}", f"查询 {application_id} 的进度")
    finally:
        owner.close()
    capped_at = response_text("utter_status_capped", minutes=0).split("请约")[0]

    cap = DEFAULT_LIMITS.per_application_all_senders
    per_hour_by_rule = cap * 3600 / DEFAULT_LIMITS.application_window.total_seconds()
    record(
        "guessing",
        backend=backend,
        guesses=GUESSES,
        clients=CLIENTS,
        seconds=round(elapsed, 1),
        sent_per_hour=round(GUESSES * 3600 / elapsed),
        compared=compared,
        compared_per_hour_by_rule=round(per_hour_by_rule),
        alerts=alerts,
    )
    assert compared == cap  # every other guess was refused before its code was compared
    assert alerts == 1  # the agents hear about the burst once
    assert sum(reply.startswith(capped_at) for reply in replies) == GUESSES - cap + 1
    assert owner_reply[0]["text"].startswith(capped_at)  # the real owner too: offered a person instead
    assert owner_reply[0]["buttons"] == [{"title": "转人工", "payload": "/request_human"}]


def test_fresh_senders_get_ten_codes_compared_per_application_sqlite(stack: Stack) -> None:
    guess_and_count(stack.settings.rasa_url, stack.settings.database_url, "sqlite")


def test_fresh_senders_get_ten_codes_compared_per_application_postgresql(
    private: tuple[PrivateStack, PrivatePostgres],
) -> None:
    stack, database = private
    guess_and_count(stack.settings.rasa_url, database.app_url, "postgresql")
