"""The real gateway keeps polling and answers every message once while its PostgreSQL connections are cut."""

from __future__ import annotations

import functools
import random
import threading
import time
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import create_engine, text

from bot.db.migrate import upgrade
from tests.bot.gateway.conftest import GatewayProcess, new_user_id
from tests.bot.gateway.fake_telegram import FakeTelegram
from tests.support.databases import POSTGRES_URL
from tests.support.private_stack import PrivatePostgres

CHATS = 6
MESSAGES = 5


class BackendKiller:
    """Terminates every backend connected to one database every 50–300 ms, in a thread."""

    def __init__(self, database: str) -> None:
        self._database = database
        self._engine = create_engine(POSTGRES_URL, future=True, isolation_level="AUTOCOMMIT")
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="backend-killer", daemon=True)
        self.killed = 0

    def start(self) -> None:
        """Begin terminating."""
        self._thread.start()

    def stop(self) -> None:
        """Stop terminating."""
        self._stop.set()
        self._thread.join(5)
        self._engine.dispose()

    def _run(self) -> None:
        query = text(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = :db AND pid <> pg_backend_pid()"
        )
        with self._engine.connect() as connection:
            while not self._stop.wait(random.uniform(0.05, 0.3)):
                self.killed += connection.execute(query, {"db": self._database}).scalar_one()


@pytest.fixture
def private_postgres() -> Iterator[PrivatePostgres]:
    """A fresh PostgreSQL database of the gateway's schema, dropped afterwards."""
    postgres = PrivatePostgres().create()
    upgrade(postgres.app_url)
    yield postgres
    postgres.drop()


def test_cut_database_connections_never_stop_polling_nor_lose_or_repeat_a_message(
    telegram: FakeTelegram,
    make_offline_gateway: Callable[..., GatewayProcess],
    private_postgres: PrivatePostgres,
) -> None:
    gateway = make_offline_gateway(DATABASE_URL=private_postgres.app_url).start()
    chats = [new_user_id() for _ in range(CHATS)]
    killer = BackendKiller(private_postgres.databases[0])
    killer.start()
    try:
        for number in range(MESSAGES):
            for chat in chats:
                telegram.send_text(chat, f"问题{number}")
            time.sleep(0.2)
        for chat in chats:
            telegram.wait_for_texts(chat, MESSAGES, timeout=25)
    finally:
        killer.stop()
    assert killer.killed > 0
    time.sleep(1.0)  # anything answered twice would have arrived by now
    for chat in chats:
        assert telegram.texts(chat) == [f"收到：问题{number}" for number in range(MESSAGES)]
    polls = len(telegram.calls_to("getUpdates"))
    late = new_user_id()
    telegram.send_text(late, "还在吗")
    assert telegram.wait_for_texts(late, 1, timeout=10) == ["收到：还在吗"]
    assert len(telegram.calls_to("getUpdates")) > polls
    assert gateway.process is not None and gateway.process.poll() is None


def test_messages_sent_while_the_database_is_down_are_answered_once_it_is_back(
    telegram: FakeTelegram,
    make_offline_gateway: Callable[..., GatewayProcess],
    private_postgres: PrivatePostgres,
) -> None:
    gateway = make_offline_gateway(DATABASE_URL=private_postgres.app_url).start()
    chats = [new_user_id() for _ in range(3)]
    private_postgres.block()
    for chat in chats:
        telegram.send_text(chat, "数据库停了吗")
    telegram.wait_for(lambda: "cannot store update" in gateway.log(), timeout=10, what="a failed write")
    time.sleep(1.5)
    private_postgres.unblock()
    for chat in chats:
        assert telegram.wait_for_texts(chat, 1, timeout=15) == ["收到：数据库停了吗"]
    polls = len(telegram.calls_to("getUpdates"))
    telegram.send_text(chats[0], "好了")
    assert telegram.wait_for_texts(chats[0], 2, timeout=10)[1] == "收到：好了"
    assert len(telegram.calls_to("getUpdates")) > polls
    time.sleep(0.5)
    assert [len(telegram.texts(chat)) for chat in chats] == [2, 1, 1]
    gateway.stop()  # an ordinary stop is not mistaken for polling that ended by itself
    assert gateway.process is not None and gateway.process.returncode == 0
    assert "no longer polls Telegram" not in gateway.log()


def test_a_gateway_that_gives_up_storing_exits_and_its_restart_answers(
    telegram: FakeTelegram,
    make_offline_gateway: Callable[..., GatewayProcess],
    private_postgres: PrivatePostgres,
) -> None:
    make = functools.partial(
        make_offline_gateway, DATABASE_URL=private_postgres.app_url, GATEWAY_STORE_GIVE_UP_SECONDS="1"
    )
    gateway = make().start()
    chat = new_user_id()
    private_postgres.block()
    telegram.send_text(chat, "还在吗")
    assert gateway.process is not None
    assert gateway.process.wait(15) == 1
    assert "no longer polls Telegram" in gateway.log()
    private_postgres.unblock()
    make().start()
    assert telegram.wait_for_texts(chat, 1, timeout=15) == ["收到：还在吗"]
    time.sleep(0.5)
    assert telegram.texts(chat) == ["收到：还在吗"]
