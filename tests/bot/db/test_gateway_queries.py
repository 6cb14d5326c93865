"""The gateway's queries on SQLite and PostgreSQL: each update stored once, each chat's messages in order."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from bot.db import gateway_queries as queries
from bot.db.gateway_models import DeliveryStatus, OutboxMessage


def test_an_update_is_stored_once_and_its_payload_erased_when_processed(
    sessions: sessionmaker[Session],
) -> None:
    with sessions() as session, session.begin():
        assert queries.store_update(session, 10, '{"update_id": 10}')
        assert not queries.store_update(session, 10, '{"update_id": 10}')
        assert queries.store_update(session, 11, '{"update_id": 11}')
    with sessions() as session, session.begin():
        assert [update_id for update_id, _ in queries.unprocessed_updates(session)] == [10, 11]
        assert queries.finish_update(session, 10)
        assert not queries.finish_update(session, 10)
    with sessions() as session, session.begin():
        assert [update_id for update_id, _ in queries.unprocessed_updates(session)] == [11]
        assert queries.is_update_processed(session, 10)
        assert not queries.store_update(
            session, 10, "{}"
        )  # a re-delivery after processing is still a duplicate


def test_each_chat_sends_its_oldest_pending_message_first(sessions: sessionmaker[Session]) -> None:
    with sessions() as session, session.begin():
        first = queries.enqueue_message(session, 1, "a1", purpose="reply")
        queries.enqueue_message(session, 2, "b1", purpose="reply")
        queries.enqueue_message(session, 1, "a2", purpose="reply")
    with sessions() as session, session.begin():
        assert [m.text for m in queries.pending_heads(session)] == ["a1", "b1"]
        queries.mark_sent(session, first.id, 99)
    with sessions() as session, session.begin():
        assert [m.text for m in queries.pending_heads(session)] == ["b1", "a2"]
        assert queries.give_up_chat(session, 2, DeliveryStatus.BLOCKED, "blocked") == 1
        assert queries.retarget_chat(session, 1, -5) == 1
        assert [(m.chat_id, m.text) for m in queries.pending_heads(session)] == [(-5, "a2")]


def test_delivery_statuses_are_enums_stored_as_their_words(sessions: sessionmaker[Session]) -> None:
    with sessions() as session, session.begin():
        message = queries.enqueue_message(session, 3, "hello", purpose="reply")
        queries.give_up(session, message.id, DeliveryStatus.FAILED, "BadRequest")
    with sessions() as session, session.begin():
        assert session.get(OutboxMessage, message.id).status is DeliveryStatus.FAILED  # type: ignore[union-attr]
        stored = session.scalar(text("SELECT status FROM telegram_outbox WHERE id = :id"), {"id": message.id})
        assert stored == "failed"


def test_a_group_gets_agents_words_before_cards_but_a_thread_keeps_its_order(
    sessions: sessionmaker[Session],
) -> None:
    from bot.db import escalation_queries

    urgent = ("relay_to_agents", "agent_notice")
    with sessions() as session, session.begin():
        [first, second] = [
            escalation_queries.open_escalation(
                session, sender_id=f"tg:{n}", reason="asked", application_id=None, transcript=[]
            ).id
            for n in (901, 902)
        ]
        queries.enqueue_message(session, -5, "card 1", purpose="escalation", escalation_id=first)
        queries.enqueue_message(session, -5, "card 2", purpose="escalation", escalation_id=second)
        queries.enqueue_message(session, -5, "summary", purpose="escalation_summary")
        queries.enqueue_message(session, -5, "said in 2", purpose="relay_to_agents", escalation_id=second)
        queries.enqueue_message(session, -5, "/open answer", purpose="agent_notice")

    order = []
    for _ in range(5):
        with sessions() as session, session.begin():
            row = queries.next_pending(session, -5, urgent)
            assert row is not None
            order.append(row.text)
            queries.mark_sent(session, row.id, len(order))
    # The relay pulls its own card forward (its thread starts with the card); the answer follows.
    assert order == ["card 2", "said in 2", "/open answer", "card 1", "summary"]
