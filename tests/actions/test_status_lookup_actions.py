"""The status lookup actions, run as rasa-sdk runs them, on a real SQLite file and PostgreSQL.

Each test builds the tracker Rasa would send for one turn (the form's temporary tracker), runs
the action with a CollectingDispatcher and checks what the user would see and the events.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.events import ActiveLoop, ConversationPaused, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import Session

from actions.handoff import LOCKED_LOOKUP
from actions.status_lookup import (
    PROVEN,
    ActionEndStatusLookup,
    ActionStatusLookup,
    ValidateStatusLookupForm,
)
from bot.db import escalation_queries
from bot.db.engine import make_engine
from bot.settings import PROJECT_ROOT

SESSION_START = datetime(2026, 11, 26, 9, 0, tzinfo=timezone.utc)
DEMO = {
    "RZ202611200001": ("B2C344", "初审中", "1-2 个工作日"),
    "RZ202611180002": ("7K4L6Q", "待打款验证", "不能四舍五入"),
    "RZ202611150003": ("8N2P1D", "复审中", "2-3 个工作日"),
    "RZ202611100004": ("6R9T4Q", "已通过", "认证徽章"),
    "RZ202611120005": ("3E1Q2Q", "已驳回", "经营者身份证已过期"),
    "RZ202611210006": ("F5W298", "已驳回", "括号为半角"),
}
FORM = "status_lookup_form"
REQUIRED = ("application_id", "credit_code_suffix")


class Clock:
    def __init__(self) -> None:
        self.now = SESSION_START + timedelta(minutes=1)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


class Conversation:
    """One applicant's conversation: the slots carried between turns, as Rasa keeps them."""

    def __init__(self, sender: str, clock: Clock) -> None:
        self.sender = sender
        self.clock = clock
        self.slots: dict[str, Any] = {
            "application_id": None,
            "credit_code_suffix": None,
            "requested_slot": None,
        }
        self.form_active = False
        self.rejected = False

    def tracker(
        self,
        text: str,
        *,
        intent: str = "check_status",
        entities: list[dict[str, Any]] | None = None,
        after: str = "action_listen",
    ) -> Tracker:
        """The tracker the form hands to its validation action (or the submit action gets)."""
        stamp = SESSION_START.timestamp()
        user = {
            "event": "user",
            "text": text,
            "timestamp": stamp + 60,
            "parse_data": {"intent": {"name": intent, "confidence": 0.9}, "entities": entities or []},
        }
        events = [
            {"event": "action", "name": "action_session_start", "timestamp": stamp},
            {"event": "session_started", "timestamp": stamp},
            {"event": "action", "name": "action_listen", "timestamp": stamp},
            user,
        ]
        if after != "action_listen":
            events.append({"event": "action", "name": after, "timestamp": stamp + 61})
        events += [
            {"event": "slot", "name": "requested_slot", "value": self.slots["requested_slot"]},
            {"event": "action", "name": FORM, "timestamp": stamp + 62},
        ]
        return Tracker(
            sender_id=self.sender,
            slots=dict(self.slots),
            latest_message={"text": text, "intent": user["parse_data"]["intent"], "entities": entities or []},
            events=events,
            paused=False,
            followup_action=None,
            active_loop={"name": FORM} if self.form_active else {},
            latest_action_name=FORM,
        )

    def apply(self, events: list[dict[str, Any]]) -> None:
        for event in events:
            if event["event"] == "slot":
                self.slots[event["name"]] = event["value"]
            if event["event"] == "active_loop":
                self.form_active = event["name"] == FORM

    async def validate(self, text: str, **kwargs: Any) -> tuple[CollectingDispatcher, list[dict[str, Any]]]:
        """One user message while the form runs, then the form's next step as Rasa's FormAction takes it.

        Nothing validated on an active form = rejected (a rule answers instead); the last
        `requested_slot: null` ends the form; otherwise the first empty required slot is requested.
        """
        dispatcher = CollectingDispatcher()
        events = await ValidateStatusLookupForm(clock=self.clock).run(
            dispatcher, self.tracker(text, **kwargs), {}
        )
        self.apply(events)
        activating, self.form_active = not self.form_active, True
        self.rejected = not activating and not any(
            event["event"] == "slot" and event["name"] != "requested_slot" for event in events
        )
        if self.rejected:
            return dispatcher, events
        requests = [
            event["value"]
            for event in events
            if event["event"] == "slot" and event["name"] == "requested_slot"
        ]
        missing = next((name for name in REQUIRED if self.slots[name] is None), None)
        self.slots["requested_slot"] = None if requests and requests[-1] is None else missing
        self.form_active = self.slots["requested_slot"] is not None
        return dispatcher, events

    async def submit(self) -> tuple[CollectingDispatcher, list[dict[str, Any]]]:
        """The form finished: the rule runs action_status_lookup."""
        dispatcher = CollectingDispatcher()
        events = await ActionStatusLookup(clock=self.clock).run(
            dispatcher, self.tracker("", intent="check_status"), {}
        )
        self.apply(events)
        return dispatcher, events

    async def lookup(self, *messages: str) -> list[str]:
        """Send messages until the form is done; return what the user saw (texts or response names)."""
        seen: list[str] = []
        for message in messages:
            dispatcher, _ = await self.validate(message)
            seen += shown(dispatcher)
            if not self.form_active:
                dispatcher, _ = await self.submit()
                seen += shown(dispatcher)
                break
            if not self.rejected:
                seen.append(f"utter_ask_{self.slots['requested_slot']}")
        return seen


def shown(dispatcher: CollectingDispatcher) -> list[str]:
    return [message.get("text") or message.get("response") for message in dispatcher.messages]


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def database(seeded_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("DATABASE_URL", seeded_url)
    return seeded_url


LOCKED = ["utter_status_locked", "utter_handoff_locked_lookup", "utter_handoff_how_rest"]
"""A locked lookup says so and hands the conversation to a person (these ids name no channel that can
be pushed to, so the applicant hears the reply comes with their next message)."""
LOCKED_AGAIN = ["utter_status_locked", "utter_handoff_already_open", "utter_handoff_how_rest"]
"""The same conversation locked again while its escalation is still open: the request joins it."""


def conversation(clock: Clock, sender: str = "alice") -> Conversation:
    return Conversation(sender, clock)


@pytest.mark.parametrize("application_id", sorted(DEMO))
async def test_each_demo_record_is_reported_after_the_code(
    database: str, clock: Clock, application_id: str
) -> None:
    code, status, detail = DEMO[application_id]
    chat = conversation(clock)

    seen = await chat.lookup(f"帮我查下 {application_id.lower()} 的进度", code.lower())

    assert seen[0] == "utter_ask_credit_code_suffix"
    report = seen[1]
    assert f"申请编号：{application_id}" in report and f"当前状态：{status}" in report and detail in report
    assert chat.slots == {
        "application_id": application_id,
        "credit_code_suffix": None,
        "requested_slot": None,
        "reported_application": application_id,  # follow-ups are about it for a few turns
    }


async def test_the_bot_asks_for_the_id_when_it_is_not_in_the_message(database: str, clock: Clock) -> None:
    chat = conversation(clock)

    seen = await chat.lookup("查询进度", "ＲＺ－２０２６－１１１８－０００２", "91330106MA2H7K4L6Q")

    assert seen[:2] == ["utter_ask_application_id", "utter_ask_credit_code_suffix"]
    assert "当前状态：待打款验证" in seen[2]


async def test_an_application_id_entity_is_used(database: str, clock: Clock) -> None:
    chat = conversation(clock)
    entity = [{"entity": "application_id", "value": "RZ202611150003", "start": 0, "end": 14}]

    _, events = await chat.validate("RZ202611150003 到哪了", entities=entity)

    assert SlotSet("application_id", "RZ202611150003") in events


async def test_a_malformed_id_is_explained_and_asked_again(database: str, clock: Clock) -> None:
    chat = conversation(clock)

    seen = await chat.lookup("查询进度", "RZ2026111800", "RZ202611180002")

    assert seen[:3] == ["utter_ask_application_id", "utter_status_id_malformed", "utter_ask_application_id"]
    assert seen[3] == "utter_ask_credit_code_suffix"


async def test_unknown_id_and_wrong_code_get_the_same_reply(database: str, clock: Clock) -> None:
    unknown = conversation(clock, "alice")
    wrong = conversation(clock, "bob")

    seen_unknown = await unknown.lookup("RZ209912319999 现在什么状态", "B2C344")
    seen_wrong = await wrong.lookup("RZ202611200001 现在什么状态", "B2C345")

    assert (
        seen_unknown
        == seen_wrong
        == [
            "utter_ask_credit_code_suffix",
            "utter_status_mismatch",
            "utter_ask_credit_code_suffix",
        ]
    )
    _, unknown_events = await unknown.validate("000000", intent="nlu_fallback")
    _, wrong_events = await wrong.validate("000000", intent="nlu_fallback")
    assert unknown_events == wrong_events == [SlotSet("credit_code_suffix", None)]


async def test_the_mismatch_reply_says_how_many_tries_are_left(database: str, clock: Clock) -> None:
    chat = conversation(clock)
    await chat.validate("RZ202611200001")

    dispatcher, _ = await chat.validate("000000", intent="nlu_fallback")

    assert dispatcher.messages[0]["response"] == "utter_status_mismatch"
    assert dispatcher.messages[0]["remaining"] == 2


async def test_three_wrong_codes_lock_the_lookup_and_hand_over_to_a_person(
    database: str, clock: Clock
) -> None:
    chat = conversation(clock)

    seen = await chat.lookup("查询 RZ202611200001 的进度", "111111", "222222", "333333")

    assert seen[1::2][:2] == ["utter_status_mismatch", "utter_status_mismatch"]
    assert seen[-3:] == LOCKED
    assert chat.slots == {"application_id": None, "credit_code_suffix": None, "requested_slot": None}
    engine = make_engine(database)
    with Session(engine) as session:
        escalation = escalation_queries.active_escalation(session, "alice")
        assert escalation is not None and escalation.reason == LOCKED_LOOKUP
        assert escalation.application_id == "RZ202611200001"
    engine.dispose()

    # A new lookup of the same ID is refused at once, even with the right code in hand.
    again = conversation(clock)
    dispatcher, events = await again.validate("RZ202611200001")
    assert [message["response"] for message in dispatcher.messages] == LOCKED_AGAIN
    assert dispatcher.messages[0]["minutes"] == 30
    assert SlotSet("requested_slot", None) in events and ConversationPaused() in events


async def test_the_lock_lifts_after_thirty_minutes(database: str, clock: Clock) -> None:
    await conversation(clock).lookup("RZ202611200001", "111111", "222222", "333333")

    clock.advance(minutes=29)
    assert await conversation(clock).lookup("RZ202611200001") == LOCKED_AGAIN

    clock.advance(minutes=1)
    seen = await conversation(clock).lookup("RZ202611200001", "B2C344")
    assert "当前状态：初审中" in seen[-1]


async def test_a_sender_trying_many_ids_is_capped(database: str, clock: Clock) -> None:
    chat = conversation(clock, "mallory")
    for n in range(4):
        await chat.lookup(f"RZ2099123100{n:02d}", "111111", "222222", "333333")
        chat = conversation(clock, "mallory")

    seen = await chat.lookup("RZ202611200001")

    assert seen == LOCKED_AGAIN  # its first lock already handed the conversation to a person


CAPPED = "utter_status_capped"


async def guess_from_fresh_senders(clock: Clock, application_id: str, count: int) -> list[list[str]]:
    """`count` guesses, each from a new conversation (ID, then one wrong code); what each one saw."""
    seen = []
    for n in range(count):
        fresh = conversation(clock, f"fresh-{application_id}-{n}")
        seen.append(await fresh.lookup(application_id, f"{n:06d}"))
        clock.advance(seconds=20)
    return seen


@pytest.mark.parametrize("application_id", ["RZ202611200001", "RZ209912310777"])
async def test_guessing_from_fresh_senders_is_capped_per_application(
    database: str, clock: Clock, application_id: str
) -> None:
    seen = await guess_from_fresh_senders(clock, application_id, 12)

    assert [s[1] for s in seen[:9]] == ["utter_status_mismatch"] * 9
    assert seen[9][1] == CAPPED  # the tenth wrong code caps the ID
    assert seen[10] == seen[11] == [CAPPED]  # refused at the ID already: no code is even asked for

    owner = conversation(clock, "owner")
    dispatcher, events = await owner.validate(application_id)
    assert shown(dispatcher) == [CAPPED]  # the same reply, known ID or not; no escalation by itself
    assert dispatcher.messages[0]["minutes"] == 56  # 4 minutes after the first wrong code
    assert ConversationPaused() not in events and SlotSet("application_id", None) in events
    engine = make_engine(database)
    with Session(engine) as session:
        assert escalation_queries.active_escalations(session) == []
    engine.dispose()


async def test_the_cap_reply_offers_a_person(database: str, clock: Clock) -> None:
    await guess_from_fresh_senders(clock, "RZ202611200001", 10)
    chat = conversation(clock, "owner")
    dispatcher, _ = await chat.validate("RZ202611200001")
    domain = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))

    [variant] = domain["responses"][dispatcher.messages[0]["response"]]
    assert variant["buttons"] == [{"title": "转人工", "payload": "/request_human"}]
    assert "转人工" in variant["text"] and "{minutes}" in variant["text"]


async def test_a_verified_sender_asks_again_without_a_code(database: str, clock: Clock) -> None:
    chat = conversation(clock)
    await chat.lookup("帮我查下 RZ202611150003 的进度", "8n2p1d")
    clock.advance(minutes=10)

    seen = await chat.lookup("再帮我查一下进度")  # the ID is remembered; the database says verified

    assert len(seen) == 1 and "当前状态：复审中" in seen[0]
    seen = await conversation(clock).lookup("RZ202611150003 呢")  # a new form, same conversation
    assert len(seen) == 1 and "当前状态：复审中" in seen[0]


async def test_a_forged_slot_proves_nothing(database: str, clock: Clock) -> None:
    # `/check_status{"application_id": ...}` and any slot value: the report still asks the database.
    chat = conversation(clock, "mallory")
    chat.slots.update(application_id="RZ202611150003", credit_code_suffix=PROVEN)

    seen = [m.get("response") for m in (await chat.submit())[0].messages]

    assert seen == ["utter_status_not_verified"]
    assert chat.slots["application_id"] is None


async def test_a_faq_question_in_the_middle_is_left_to_the_faq_rule(database: str, clock: Clock) -> None:
    chat = conversation(clock)
    await chat.validate("RZ202611120005")

    dispatcher, events = await chat.validate("打款验证的金额在哪里看", intent="faq")
    assert (dispatcher.messages, events) == ([], [])  # the form rejects; the FAQ rule answers

    dispatcher, events = await chat.validate(
        "打款验证的金额在哪里看", intent="faq", after="action_answer_faq"
    )
    assert (dispatcher.messages, events) == ([], [])  # resuming after the answer: nothing re-read

    seen = await chat.lookup("3E1Q2Q")
    assert "当前状态：已驳回" in seen[0]


async def test_something_else_during_the_lookup_gets_a_hint(database: str, clock: Clock) -> None:
    chat = conversation(clock)
    await chat.validate("查询进度")

    dispatcher, events = await chat.validate("你好", intent="greet")

    assert shown(dispatcher) == ["utter_status_lookup_hint"]
    assert events == [SlotSet("application_id", None)]


async def test_cancel_ends_the_lookup_and_forgets_the_slots(database: str, clock: Clock) -> None:
    chat = conversation(clock)
    await chat.validate("RZ202611200001")

    dispatcher, events = await chat.validate("算了", intent="cancel")
    assert events == []  # rejected: the cancel rule takes over

    dispatcher = CollectingDispatcher()
    events = await ActionEndStatusLookup().run(dispatcher, chat.tracker("算了", intent="cancel"), {})
    assert events == [
        ActiveLoop(None),
        SlotSet("application_id", None),
        SlotSet("credit_code_suffix", None),
        SlotSet("requested_slot", None),
    ]
    assert dispatcher.messages == []


async def test_a_code_that_cannot_be_one_is_explained_without_counting(database: str, clock: Clock) -> None:
    chat = conversation(clock)
    await chat.validate("RZ202611200001")

    for _ in range(4):
        dispatcher, _ = await chat.validate("B2C3S4", intent="nlu_fallback")
        assert shown(dispatcher) == ["utter_status_code_malformed"]

    seen = await chat.lookup("B2C344")
    assert "当前状态：初审中" in seen[0]


@pytest.mark.parametrize(
    "url",
    [
        "postgresql+psycopg2://postgres@127.0.0.1:9/test",  # nothing listens on port 9
        "sqlite:////proc/no-such-dir/bot.db",  # the folder cannot be created
    ],
)
async def test_an_unreachable_database_gets_an_apology_and_ends_the_lookup(
    url: str, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", url)
    chat = conversation(clock)

    seen = await chat.lookup("帮我查下 RZ202611200001 的进度")

    assert seen == ["utter_storage_unavailable"]
    assert chat.slots == {"application_id": None, "credit_code_suffix": None, "requested_slot": None}

    chat.slots.update(application_id="RZ202611200001", credit_code_suffix=PROVEN)
    dispatcher, events = await chat.submit()
    assert shown(dispatcher) == ["utter_storage_unavailable"]
    assert SlotSet("application_id", None) in events


async def test_a_code_that_met_an_unreachable_database_can_be_sent_again(
    database: str, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Seen under attack: the apology ended the lookup, and the same code sent again met a topic menu."""
    chat = conversation(clock)
    assert await chat.lookup("帮我查下 RZ202611200001 的进度") == ["utter_ask_credit_code_suffix"]

    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg2://postgres@127.0.0.1:9/test")  # gone
    assert await chat.lookup("B2C344") == ["utter_storage_unavailable", "utter_ask_credit_code_suffix"]
    assert chat.slots["application_id"] == "RZ202611200001" and chat.form_active

    monkeypatch.setenv("DATABASE_URL", database)  # back: nothing was counted, the same code works
    seen = await chat.lookup("B2C344")
    assert "当前状态：初审中" in seen[0]


# --- codes as people type them -------------------------------------------------------------------


async def test_a_four_character_answer_gets_a_length_hint_and_costs_no_try(
    database: str, clock: Clock
) -> None:
    chat = conversation(clock)
    await chat.validate("RZ202611180002")

    dispatcher, _ = await chat.validate("K4L6", intent="nlu_fallback")

    assert dispatcher.messages[0]["response"] == "utter_status_code_length"
    assert dispatcher.messages[0]["length"] == 4
    assert chat.form_active  # asked again, not sent to the FAQ fallback
    dispatcher, _ = await chat.validate("000000", intent="nlu_fallback")
    assert dispatcher.messages[0]["remaining"] == 2  # the hint counted nothing


async def test_a_letters_only_answer_counts_as_a_try(database: str, clock: Clock) -> None:
    chat = conversation(clock)
    await chat.validate("RZ202611180002")

    dispatcher, _ = await chat.validate("ABCDEF", intent="nlu_fallback")

    assert dispatcher.messages[0]["response"] == "utter_status_mismatch"
    assert dispatcher.messages[0]["remaining"] == 2


async def test_a_longer_suffix_is_accepted_when_its_last_six_match(database: str, clock: Clock) -> None:
    seen = await conversation(clock).lookup("RZ202611180002", "MA2H7K4L6Q")

    assert "当前状态：待打款验证" in seen[1]


async def test_a_wrong_longer_suffix_says_which_characters_were_compared(database: str, clock: Clock) -> None:
    chat = conversation(clock)
    await chat.validate("RZ202611180002")

    dispatcher, _ = await chat.validate("MA2H7K4L6X", intent="nlu_fallback")

    assert [m["response"] for m in dispatcher.messages] == [
        "utter_status_mismatch",
        "utter_status_code_longer",
    ]
    assert dispatcher.messages[1]["length"] == 10


@pytest.mark.parametrize(
    "message",
    ["RZ202611180002 7k4l6q", "查 rz-2026-1118-0002，代码 9133 0106 MA2H 7K4L 6Q"],
)
async def test_an_id_and_a_code_in_one_message_give_the_report_at_once(
    database: str, clock: Clock, message: str
) -> None:
    seen = await conversation(clock).lookup(message)

    assert len(seen) == 1 and "当前状态：待打款验证" in seen[0]


@pytest.mark.parametrize(("word", "intent"), [("cancel", "cancel"), ("thanks", "thank")])
async def test_a_word_the_nlu_understood_is_not_a_code(
    database: str, clock: Clock, word: str, intent: str
) -> None:
    chat = conversation(clock)
    await chat.validate("RZ202611180002")

    dispatcher, _ = await chat.validate(word, intent=intent)

    assert "utter_status_mismatch" not in shown(dispatcher)
    chat.form_active = True
    chat.slots["requested_slot"] = "credit_code_suffix"
    dispatcher, _ = await chat.validate("000000", intent="nlu_fallback")
    assert dispatcher.messages[0]["remaining"] == 2  # the word cost no try
