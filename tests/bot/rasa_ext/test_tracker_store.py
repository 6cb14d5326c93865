"""The SQL tracker store masks personal data before writing and never writes a turn out of order."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from rasa.core.tracker_store import FailSafeTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered

from bot.errors import StorageUnavailable
from bot.rasa_ext.tracker_store import UrlSQLTrackerStore, refuse_turns_without_history

RESIDENT_ID = "11010519491231002X"
PHONE = "13812345678"
CARD = "6222021234567890128"


def _stored_rows(path: Path) -> list[str]:
    with sqlite3.connect(path) as connection:
        return [row[0] for row in connection.execute("SELECT data FROM events ORDER BY id")]


def _user_texts(path: Path) -> list[str]:
    import json

    return [json.loads(data)["text"] for data in _stored_rows(path) if json.loads(data)["event"] == "user"]


@pytest.fixture
def database(tmp_path: Path) -> Path:
    return tmp_path / "tracker.db"


@pytest.fixture
def store(database: Path) -> UrlSQLTrackerStore:
    return UrlSQLTrackerStore(domain=Domain.empty(), host=f"sqlite:///{database}")


async def test_personal_data_is_masked_in_every_stored_string(
    store: UrlSQLTrackerStore, database: Path
) -> None:
    tracker = await store.get_or_create_tracker("someone")
    text = f'/check_status{{"application_id": "{RESIDENT_ID}"}} 电话 {PHONE}'
    tracker.update(
        UserUttered(
            text,
            parse_data={
                "text": text,
                "intent": {"name": "check_status", "confidence": 1.0},
                "entities": [{"entity": "application_id", "value": RESIDENT_ID, "start": 0, "end": 1}],
            },
        )
    )
    tracker.update(SlotSet("application_id", CARD))
    tracker.update(BotUttered("认证需要费用吗？（全角括号保持不变）"))
    await store.save(tracker)

    raw = "\n".join(_stored_rows(database))
    for secret in (RESIDENT_ID, PHONE, CARD):
        assert secret not in raw
    assert "138****5678" in raw and "**************002X" in raw
    again = await store.retrieve("someone")
    assert again is not None and again.get_slot("application_id") is None  # not in the (empty) domain
    assert [event.text for event in again.events if isinstance(event, BotUttered)] == [
        "认证需要费用吗？（全角括号保持不变）"  # strings without personal data are left exactly as they were
    ]


async def test_an_outage_refuses_reads_and_drops_failed_saves_never_writing_them_later(
    store: UrlSQLTrackerStore, database: Path
) -> None:
    refuse_turns_without_history()  # as bot.rasa_server installs it
    rasa_view = FailSafeTrackerStore(store)  # what Rasa wraps every tracker store in
    tracker = await rasa_view.get_or_create_tracker("applicant")
    tracker.update(UserUttered("第一句"))
    tracker.update(ActionExecuted("action_listen"))
    await rasa_view.save(tracker)
    assert store.health()["status"] == "ok"
    tracker.update(UserUttered(f"第二句 {PHONE}"))
    tracker.update(BotUttered("好的"))

    moved = database.with_suffix(".away")
    shutil.move(database, moved)
    database.mkdir()  # the database file cannot be opened: a real outage for SQLite ...
    store.engine.dispose()  # ... and the connections open before it are gone
    try:
        with pytest.raises(StorageUnavailable):  # no fresh conversation over the history
            await rasa_view.get_or_create_tracker("applicant")
        await rasa_view.save(tracker)  # a turn whose read had worked: its save fails
        health = store.health()
        assert store.not_stored("applicant")  # the channel tells the applicant
        assert health["status"] == "degraded" and health["failed_reads"] == 1 and health["failed_writes"] == 1
    finally:
        database.rmdir()
        shutil.move(moved, database)
        store.engine.dispose()

    after = await rasa_view.get_or_create_tracker("applicant")
    after.update(UserUttered("第三句"))
    await rasa_view.save(after)
    assert not store.not_stored("applicant") and store.health()["status"] == "ok"
    assert _user_texts(database) == ["第一句", "第三句"]  # the lost turn is not written out of order
    assert PHONE not in "\n".join(_stored_rows(database))


async def test_saving_twice_in_a_turn_writes_each_event_once(
    store: UrlSQLTrackerStore, database: Path
) -> None:
    tracker = await store.get_or_create_tracker("twice")  # creating it saves it once already
    tracker.update(UserUttered("你好"))
    await store.save(tracker)
    await store.save(tracker)
    assert _user_texts(database) == ["你好"]
    assert len(_stored_rows(database)) == len(tracker.events)
