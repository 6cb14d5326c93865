"""Announcing to the agents group: cards while calm, ONE summary per burst, alerts once per burst.

The gateway runs as a process with the real python-telegram-bot client against the fake Bot API;
escalations and alerts are written into its database the way the actions write them.
"""

from __future__ import annotations

import datetime as dt
import re
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db import escalation_queries, gateway_queries
from bot.db.engine import shared_session_factory
from bot.db.escalation_models import Escalation
from bot.db.gateway_models import OutboxMessage
from bot.errors import ApplicationCapped, OwnershipNotProven
from bot.gateway import texts
from bot.gateway.announcer import MAX_WAIT_S, SETTLE_S, choose, settled
from bot.run import Stack
from bot.settings import PROJECT_ROOT
from bot.status.lookup import StatusLookup
from tests.bot.gateway.conftest import GatewayProcess, new_user_id
from tests.bot.gateway.fake_rasa import FakeRasa
from tests.bot.gateway.fake_telegram import FakeTelegram, user
from tests.bot.gateway.test_delivery import escalate, in_database
from tests.support.rest import RestClient

BURST = 40
CARD_HEADER = re.compile(r"^🆘 转人工 #(\d+)\n")
"""The first line of an escalation's own card (texts.ESCALATION_POST)."""


def listed_ids(text: str) -> list[int]:
    """The escalation ids a summary message lists, one line each."""
    return [int(found) for found in re.findall(r"^#(\d+) ", text, flags=re.MULTILINE)]


def response_text(name: str) -> str:
    """The first text variant of a domain response."""
    domain = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))
    return domain["responses"][name][0]["text"].strip()


def group_texts(telegram: FakeTelegram, group: int) -> list[str]:
    return telegram.texts(group)


def cards_in(telegram: FakeTelegram, group: int) -> list[dict[str, object]]:
    """The escalation cards posted in the group (not summaries or notices)."""
    return [message for message in telegram.sent(group) if CARD_HEADER.match(message["text"])]


def at_least(count: int, items: list[str]) -> list[str]:
    """`items` once there are `count` of them (for wait_for), else an empty list."""
    return items if len(items) >= count else []


def all_escalations(session: Session) -> list[Escalation]:
    return list(session.scalars(select(Escalation)))


def quiet_for(seconds: float) -> None:
    """Give the gateway time in which anything extra (a second summary, a card) would arrive."""
    time.sleep(seconds)


# --- the rule, as pure functions --------------------------------------------------------------


T0 = dt.datetime(2026, 11, 26, 9, 0, tzinfo=dt.timezone.utc)


def test_a_burst_is_announced_once_it_settles_or_has_waited_long_enough() -> None:
    newest = T0 + dt.timedelta(seconds=5)
    assert not settled(T0, newest, newest + dt.timedelta(seconds=SETTLE_S / 2))  # still arriving
    assert settled(T0, newest, newest + dt.timedelta(seconds=SETTLE_S))
    assert settled(T0, newest, T0 + dt.timedelta(seconds=MAX_WAIT_S))  # a steady trickle waits no longer


def test_cards_while_they_fit_the_budget_otherwise_one_summary() -> None:
    loud = [SimpleNamespace(id=n, quiet=False) for n in range(3)]
    quiet = SimpleNamespace(id=9, quiet=True)

    assert choose(loud, budget=5, summary_due=True) == (loud, [])
    assert choose(loud, budget=2, summary_due=True) == ([], loud)
    assert choose(loud, budget=2, summary_due=False) == ([], [])  # they wait for the next summary
    assert choose([*loud, quiet], budget=5, summary_due=True) == (loud, [quiet])  # quiet: never a card
    assert choose([*loud, quiet], budget=5, summary_due=False) == (loud, [])


# --- through the gateway ----------------------------------------------------------------------


def test_a_burst_of_escalations_is_one_summary_and_each_stays_claimable(
    telegram: FakeTelegram,
    agents_group: int,
    offline_env: dict[str, str],
    fake_rasa: FakeRasa,
    offline_gateway: GatewayProcess,
) -> None:
    agent = new_user_id()
    telegram.chats[agents_group].members[agent] = "member"
    as_agent = user(agent, "小王")
    applicants = [new_user_id() for _ in range(BURST)]
    with ThreadPoolExecutor(8) as pool:  # 40 requests for a person at once, each its own transaction
        ids = sorted(pool.map(lambda applicant: escalate(offline_env, applicant), applicants))

    [summary] = telegram.wait_for(lambda: group_texts(telegram, agents_group), what="the summary")
    quiet_for(SETTLE_S + 1.5)
    assert group_texts(telegram, agents_group) == [summary]  # one message for the whole burst, no cards
    assert sorted(listed_ids(summary)) == ids
    assert summary.startswith(texts.SUMMARY_HEADER.format(count=BURST))
    assert "138****5678" not in summary and "RZ202611200001" in summary
    assert telegram.calls_to("createForumTopic") == []

    owner = {e.id: int(e.sender_id.removeprefix("tg:")) for e in in_database(offline_env, all_escalations)}
    first = ids[0]
    telegram.send_text(agents_group, f"/claim {first}", sender=as_agent)
    card = telegram.wait_for(lambda: cards_in(telegram, agents_group), what="the claimed card")[0]
    assert CARD_HEADER.match(card["text"]).group(1) == str(first)  # type: ignore[union-attr]
    assert "138****5678" in card["text"]  # the masked transcript comes with the card
    assert telegram.wait_for_texts(owner[first], 1) == [texts.AGENT_CLAIMED]

    def card_recorded(session: Session) -> bool:
        sent = gateway_queries.escalation_of_sent_message(session, agents_group, card["message_id"])
        return sent == first

    # The gateway records the card's message id just after Telegram took it; a person reads it first.
    telegram.wait_for(lambda: in_database(offline_env, card_recorded), what="the card recorded as sent")
    telegram.send_text(agents_group, "您好，我来处理", sender=as_agent, reply_to=card["message_id"])
    assert telegram.wait_for_texts(owner[first], 2)[1] == texts.AGENT_REPLY.format(text="您好，我来处理")

    for escalation_id in ids[1:]:
        telegram.send_text(agents_group, f"/claim #{escalation_id}", sender=as_agent)
    for escalation_id in ids[1:]:
        assert telegram.wait_for_texts(owner[escalation_id], 1) == [texts.AGENT_CLAIMED]
    statuses = {e.id: (e.status, e.claimed_by) for e in in_database(offline_env, all_escalations)}
    assert statuses == {escalation_id: ("claimed", agent) for escalation_id in ids}

    telegram.send_text(agents_group, f"/resolve {ids[0]}-{ids[-1]}", sender=as_agent)
    for escalation_id in ids:
        assert telegram.wait_for_texts(owner[escalation_id], 3 if escalation_id == first else 2)[-1] == (
            texts.HANDOFF_RESOLVED
        )
    # Every conversation is resumed (the maintenance loop may resume one a second time: harmless).
    expected = {f"tg:{owner[escalation_id]}" for escalation_id in ids}
    telegram.wait_for(lambda: set(fake_rasa.resumed) == expected, what="every conversation resumed")
    assert in_database(offline_env, lambda s: escalation_queries.active_escalations(s)) == []
    notices = in_database(offline_env, lambda s: list(s.scalars(select(OutboxMessage.text))))
    ended = texts.RESOLVED_MANY.format(agent="小王", count=BURST, ids="")
    assert len([text for text in notices if text.startswith(ended)]) == 1  # one notice for the whole range


def test_a_few_at_a_time_get_cards_until_the_budget_is_spent(
    telegram: FakeTelegram,
    agents_group: int,
    offline_env: dict[str, str],
    offline_gateway: GatewayProcess,
) -> None:
    calm = [escalate(offline_env, new_user_id()) for _ in range(2)]
    cards = telegram.wait_for(lambda: at_least(2, group_texts(telegram, agents_group)), what="two cards")
    assert sorted(int(CARD_HEADER.match(text).group(1)) for text in cards) == calm  # type: ignore[union-attr]

    busy = [escalate(offline_env, new_user_id()) for _ in range(4)]  # 2 + 4 > 5 cards in a minute
    summary = telegram.wait_for(lambda: group_texts(telegram, agents_group)[2:], what="the summary")[0]
    assert sorted(listed_ids(summary)) == busy
    quiet_for(SETTLE_S + 1.5)
    assert len(group_texts(telegram, agents_group)) == 3


def test_a_quiet_escalation_is_listed_in_a_summary_not_carded(
    telegram: FakeTelegram,
    agents_group: int,
    offline_env: dict[str, str],
    offline_gateway: GatewayProcess,
) -> None:
    applicant = new_user_id()
    quiet_id = escalate(offline_env, applicant)
    in_database(offline_env, lambda s: setattr(escalation_queries.get_escalation(s, quiet_id), "quiet", True))

    [summary] = telegram.wait_for(lambda: group_texts(telegram, agents_group), what="the summary")
    assert listed_ids(summary) == [quiet_id] and texts.SUMMARY_QUIET in summary


def test_guessing_one_application_alerts_the_agents_once(
    telegram: FakeTelegram,
    agents_group: int,
    offline_env: dict[str, str],
    offline_gateway: GatewayProcess,
) -> None:
    lookup = StatusLookup(shared_session_factory(offline_env["DATABASE_URL"]))
    target = "RZ209912310042"
    outcomes = []
    for n in range(30):  # a fresh sender per guess
        try:
            lookup.check_code(f"attacker-{n}", target, f"{n:06d}")
        except (OwnershipNotProven, ApplicationCapped) as error:
            outcomes.append(type(error))
    # The tenth wrong code capped the ID; the twenty guesses after it were not compared.
    assert outcomes == [OwnershipNotProven] * 9 + [ApplicationCapped] * 21

    [alert] = telegram.wait_for(lambda: group_texts(telegram, agents_group), what="the alert")
    quiet_for(SETTLE_S + 1.5)
    assert group_texts(telegram, agents_group) == [alert]  # once for the burst, not once per guess
    assert alert.startswith(texts.ALERTS_HEADER) and target in alert
    assert "输错 10 次" in alert and "来自 10 个会话" in alert and texts.ALERT_UNKNOWN in alert


def test_a_long_open_list_comes_in_pages_that_list_every_case(
    telegram: FakeTelegram,
    agents_group: int,
    offline_env: dict[str, str],
    make_offline_gateway: Callable[..., GatewayProcess],
) -> None:
    agent = new_user_id()
    telegram.chats[agents_group].members[agent] = "member"

    def many(session: Session) -> list[int]:
        made = []
        for _ in range(120):
            applicant = new_user_id()
            gateway_queries.remember_chat(session, applicant, "一个名字很长的申请人" * 3 + f" id {applicant}")
            made.append(
                escalation_queries.open_escalation(
                    session, sender_id=f"tg:{applicant}", reason="asked", application_id=None, transcript=[]
                ).id
            )
        escalation_queries.mark_announced(session, made)
        return made

    ids = in_database(offline_env, many)
    make_offline_gateway().start()
    telegram.send_text(agents_group, "/open", sender=user(agent))
    pages = [telegram.wait_for_texts(agents_group, 1)[0]]
    while texts.OPEN_NEXT_PAGE.format(page=len(pages) + 1) in pages[-1]:
        telegram.send_text(agents_group, f"/open {len(pages) + 1}", sender=user(agent))
        pages.append(telegram.wait_for_texts(agents_group, len(pages) + 1)[-1])
    assert len(pages) == 8  # 120 cases, 15 a page
    assert [found for text in pages for found in listed_ids(text)] == ids
    assert all(len(text) <= 4096 for text in pages)


@pytest.mark.servers
def test_a_flood_of_requests_for_a_person_over_rest_reaches_the_agents_as_a_summary(
    telegram: FakeTelegram,
    agents_group: int,
    gateway: GatewayProcess,
    stack: Stack,
) -> None:
    """40 fresh REST senders ask for a person at once, through the real Rasa and action server."""
    database_url = stack.settings.database_url
    in_shared = {"DATABASE_URL": database_url}
    telegram.wait_for(
        lambda: in_database(in_shared, escalation_queries.waiting_escalations)[0] == 0, what="older ones"
    )
    before = len(group_texts(telegram, agents_group))
    senders = [f"flood-{uuid.uuid4().hex[:8]}-{n}" for n in range(BURST)]

    def ask(sender: str) -> str:
        client = RestClient(stack.settings.rasa_url)
        try:
            return client.texts(sender, "转人工")
        finally:
            client.close()

    started = time.monotonic()
    with ThreadPoolExecutor(BURST) as pool:
        replies = list(pool.map(ask, senders))
    sent_in = time.monotonic() - started
    assert (
        replies
        == [response_text("utter_handoff_started") + "\n" + response_text("utter_handoff_how_rest")] * BURST
    )

    def ours(session: Session) -> list[int]:
        return list(
            session.scalars(
                select(Escalation.id).where(
                    Escalation.sender_id.in_([f"rest:{sender}" for sender in senders])
                )
            )
        )

    ids = sorted(in_database(in_shared, ours))
    assert len(ids) == BURST  # every request recorded

    def listed_so_far() -> list[int]:
        return [found for text in group_texts(telegram, agents_group)[before:] for found in listed_ids(text)]

    telegram.wait_for(lambda: set(ids) <= set(listed_so_far()), timeout=90, what="all 40 in the summary")
    messages = group_texts(telegram, agents_group)[before:]
    print(
        f"\n[burst] {BURST} requests over REST in {sent_in:.1f} s reached the agents group as "
        f"{len(messages)} message(s)"
    )
    assert sorted(found for found in listed_so_far() if found in ids) == ids  # each listed exactly once
    cards = [int(match.group(1)) for text in messages if (match := CARD_HEADER.match(text))]
    assert not set(cards) & set(ids)  # no card of their own (earlier tests' cases may get theirs now)
    ours_listed = [text for text in messages if set(listed_ids(text)) & set(ids)]
    # one summary; a second only if the burst outlasted MAX_WAIT_S (earlier tests' cases sharing the
    # session's database may still get their own messages into the group meanwhile)
    assert len(ours_listed) <= 2


def test_a_huge_burst_is_one_message_that_still_lists_every_escalation() -> None:
    from bot.gateway.announcer import id_ranges

    assert id_ranges([7, 3, 4, 5, 9, 10, 12]) == "#3–#5, #7, #9–#10, #12"
    assert id_ranges([1]) == "#1"


def test_three_hundred_escalations_fit_one_summary_message(tmp_path: Path) -> None:
    """Found by an outside attack: 150 made-up REST senders made three summary messages."""
    from bot.gateway.announcer import summary_messages
    from tests.support.databases import scratch_database

    with (
        scratch_database("sqlite", tmp_path) as url,
        shared_session_factory(url)() as session,
        session.begin(),
    ):
        made = [
            escalation_queries.open_escalation(
                session, sender_id=f"rest:flood-{n}", reason="asked", application_id=None, transcript=[]
            )
            for n in range(300)
        ]
        [message] = summary_messages(session, made)
    listed = set(listed_ids(message))
    for part in re.findall(r"#(\d+)–#(\d+)", message):
        listed |= set(range(int(part[0]), int(part[1]) + 1))
    assert listed >= {escalation.id for escalation in made}
