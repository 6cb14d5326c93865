"""A long conversation reads a bounded tail yet keeps its slots, form, pause, session and stored events."""

from __future__ import annotations

from pathlib import Path

import pytest
from rasa.shared.core.events import ActionExecuted, SessionStarted, UserUttered

from bot.rasa_ext.bounded_history import DEFAULT_MAX_TURNS, KEEP_TURNS, choose_cut
from bot.rasa_ext.tracker_store import UrlSQLTrackerStore
from tests.support.long_conversation import DOMAIN, SENDER, faq_turn, long_conversation, take_turn
from tests.support.rest import RestClient


def make_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, max_turns: int) -> UrlSQLTrackerStore:
    monkeypatch.setenv("TRACKER_MAX_TURNS", str(max_turns))
    return UrlSQLTrackerStore(DOMAIN, host=f"sqlite:///{tmp_path / 'tracker.db'}")


async def test_a_long_conversation_reads_a_bounded_tail_with_the_same_state(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = make_store(tmp_path, monkeypatch, DEFAULT_MAX_TURNS)
    started = await long_conversation(store, 60)

    bounded = await store.retrieve(SENDER)
    full = await store.retrieve_full_tracker(SENDER)

    assert bounded is not None and full is not None
    assert sum(isinstance(e, UserUttered) for e in bounded.events) <= DEFAULT_MAX_TURNS
    assert sum(isinstance(e, UserUttered) for e in full.events) == 60
    assert bounded.current_slot_values() == full.current_slot_values()
    assert bounded.current_slot_values()["application_id"] == "RZ202611200001"
    assert bounded.active_loop_name == full.active_loop_name == "status_lookup_form"
    assert bounded.is_paused() and full.is_paused()
    assert bounded.latest_message.text == full.latest_message.text
    session_start = next(e for e in bounded.events if isinstance(e, SessionStarted))
    assert session_start.timestamp == pytest.approx(started)


async def test_every_turn_is_stored_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = make_store(tmp_path, monkeypatch, DEFAULT_MAX_TURNS)
    await long_conversation(store, 40)

    full = await store.retrieve_full_tracker(SENDER)

    texts = [e.text for e in full.events if isinstance(e, UserUttered)]
    assert len(texts) == 40 and len(set(texts)) == 40
    assert sum(isinstance(e, SessionStarted) for e in full.events) == 1


async def test_a_fresh_process_reads_the_whole_session_once_then_bounded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = make_store(tmp_path, monkeypatch, DEFAULT_MAX_TURNS)
    await long_conversation(first, 30)
    expected = (await first.retrieve(SENDER)).current_slot_values()

    restarted = make_store(tmp_path, monkeypatch, DEFAULT_MAX_TURNS)  # no checkpoints in memory
    tracker = await restarted.retrieve(SENDER)

    assert tracker.current_slot_values() == expected
    assert sum(isinstance(e, UserUttered) for e in tracker.events) <= DEFAULT_MAX_TURNS


async def test_a_new_session_after_a_checkpoint_starts_clean(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = make_store(tmp_path, monkeypatch, DEFAULT_MAX_TURNS)
    await long_conversation(store, 30)
    await take_turn(
        store, [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")]
    )
    await take_turn(store, faq_turn("after the break"))

    tracker = await store.retrieve(SENDER)

    assert [e.text for e in tracker.events if isinstance(e, UserUttered)] == ["after the break"]
    assert tracker.current_slot_values()["application_id"] is None
    assert not tracker.is_paused()


async def test_zero_turns_switches_bounding_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = make_store(tmp_path, monkeypatch, 0)
    await long_conversation(store, 30)

    tracker = await store.retrieve(SENDER)

    assert sum(isinstance(e, UserUttered) for e in tracker.events) == 30


def test_the_cut_is_just_before_a_user_message_that_follows_action_listen() -> None:
    events = [{"event": "action", "name": "action_listen"}]
    for n in range(10):
        events += [
            {"event": "user", "text": str(n)},
            {"event": "action", "name": "utter_x"},
            {"event": "action", "name": "action_listen"},
        ]
    cut = choose_cut(events, KEEP_TURNS)

    assert events[cut]["event"] == "user" and events[cut - 1]["name"] == "action_listen"
    assert sum(e["event"] == "user" for e in events[cut:]) == KEEP_TURNS
    assert choose_cut(events[:7], KEEP_TURNS) is None


async def test_a_deleted_conversation_does_not_come_back_from_a_checkpoint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = make_store(tmp_path, monkeypatch, DEFAULT_MAX_TURNS)
    await long_conversation(store, 30)
    with store.session_scope() as session:  # what bot.retention does to an idle conversation
        session.query(store.SQLEvent).filter(store.SQLEvent.sender_id == SENDER).delete()
        session.commit()

    assert await store.retrieve(SENDER) is None


@pytest.mark.servers
def test_a_lookup_spanning_checkpoints_still_works_in_the_real_server(rest: RestClient, sender: str) -> None:
    for n in range(DEFAULT_MAX_TURNS + 2):
        rest.texts(sender, "认证需要费用吗？")
    ask_code = rest.texts(sender, "查询进度 RZ202611200001")
    during = [
        rest.texts(sender, "认证需要费用吗？") for _ in range(DEFAULT_MAX_TURNS + 2)
    ]  # the form stays open

    assert all(reply.endswith(ask_code) for reply in during)
    assert "当前状态：初审中" in rest.texts(sender, "B2C344")
    for n in range(DEFAULT_MAX_TURNS + 2):
        rest.texts(sender, "审核要多久")
    assert "当前状态：初审中" in rest.texts(
        sender, "再帮我查一下进度"
    )  # the verified ID outlived two checkpoints
