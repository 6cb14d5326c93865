"""The cached replacements behave exactly as Rasa's own functions."""

from __future__ import annotations

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.events import Event, SessionStarted, SlotSet, UserUttered

from bot.rasa_ext.speedups import install


@pytest.fixture(scope="module", autouse=True)
def installed() -> None:
    install()


def test_a_valid_action_server_reply_passes() -> None:
    reply = {"events": [{"event": "slot", "name": "a", "value": "b"}], "responses": [{"text": "你好"}]}

    assert RemoteAction("action_x", None)._validate_action_result(reply) is True


def test_an_invalid_reply_is_refused_with_rasas_message() -> None:
    with pytest.raises(ValidationError, match="Failed to validate Action server response"):
        RemoteAction("action_x", None)._validate_action_result({"events": [{"event": 3}]})


def test_events_resolve_to_the_same_classes() -> None:
    assert Event.resolve_by_type("slot") is SlotSet
    assert Event.resolve_by_type("user") is UserUttered
    assert Event.from_parameters({"event": "session_started"}) == SessionStarted()


def test_unknown_event_names_still_fail_or_fall_back_as_in_rasa() -> None:
    with pytest.raises(ValueError, match="Unknown event name"):
        Event.resolve_by_type("no_such_event")
    assert Event.resolve_by_type("no_such_event", default=SlotSet) is SlotSet
    assert Event.resolve_by_type("topic") is None


async def test_action_server_calls_share_one_connection_and_keep_rasas_headers() -> None:
    from aiohttp import web
    from rasa.utils.endpoints import EndpointConfig

    seen: list[tuple[object, str | None]] = []

    async def webhook(request: web.Request) -> web.Response:
        peer = request.transport.get_extra_info("peername") if request.transport else None
        seen.append((peer, request.headers.get("X-Action-Secret")))
        return web.json_response({"events": [], "responses": []})

    app = web.Application()
    app.router.add_post("/webhook", webhook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        endpoint = EndpointConfig(f"http://127.0.0.1:{port}/webhook", headers={"X-Action-Secret": "s"})
        replies = [await endpoint.request(json={"next_action": "a"}, method="post") for _ in range(3)]
    finally:
        await runner.cleanup()

    assert replies == [{"events": [], "responses": []}] * 3
    assert len({peer for peer, _ in seen}) == 1
    assert [secret for _, secret in seen] == ["s"] * 3


def test_actions_are_called_without_the_domain_only_form_validation_gets_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.trackers import DialogueStateTracker
    from rasa.utils.endpoints import read_endpoint_config

    from bot.settings import PROJECT_ROOT

    monkeypatch.setenv("ACTION_PORT", "5055")
    monkeypatch.setenv("ACTION_SERVER_SECRET", "s" * 32)
    monkeypatch.setenv("TRACKER_STORE_URL", "sqlite:///unused.db")
    endpoint = read_endpoint_config(str(PROJECT_ROOT / "endpoints.yml"), "action_endpoint")
    domain = Domain.load(PROJECT_ROOT / "domain.yml")
    tracker = DialogueStateTracker("someone", domain.slots)

    sent = {
        name: "domain" in RemoteAction(name, endpoint)._action_call_format(tracker, domain)
        for name in domain.user_actions
    }

    assert sent.pop("action_answer_faq") is False  # 48 KB less to write and read on every FAQ turn
    assert {name for name, with_domain in sent.items() if with_domain} == {"validate_status_lookup_form"}


RESULTS = [
    {"events": [], "responses": []},
    {"events": [{"event": "slot", "name": "faq_topic", "value": "fees"}], "responses": [{"text": "免费"}]},
    {"events": [{"event": "action", "name": "action_listen", "policy": None, "confidence": 1.0}]},
    {
        "events": [
            {"event": "user", "text": "你好", "parse_data": {"intent": {"name": "greet", "confidence": 1}}}
        ]
    },
    {"events": [{"event": "bot", "text": "您好", "data": {"buttons": []}, "metadata": {}}]},
    {"events": [{"event": "active_loop", "name": None}, {"event": "followup", "name": "action_x"}]},
    {"events": [{"event": "session_started", "timestamp": 1.5}, {"event": "restart"}]},
    {"events": [{"event": "slot", "name": "faq_topic"}]},  # no value
    {"events": [{"event": "slot", "name": 3, "value": "x"}]},
    {"events": [{"event": "no_such_event"}]},
    {"events": [{"name": "faq_topic", "value": "x"}]},  # no event name
    {"events": [{"event": 7}]},
    {"events": ["slot"]},
    {"events": {"event": "slot"}},
    {"events": [{"event": "user", "parse_data": {"intent": {"name": 5}}}]},
    {"events": [{"event": "entities", "entities": [{"entity": "application_id"}]}]},
    {"events": [{"event": "action", "hide_rule_turn": "yes"}]},
    {"events": [{"event": "bot", "timestamp": "now"}]},
    {"responses": [{"text": "x"}, "y"]},
    [],
]


@pytest.mark.parametrize("result", RESULTS)
def test_action_results_are_accepted_and_refused_exactly_as_by_the_full_schema(result: object) -> None:
    import jsonschema

    try:
        jsonschema.validate(result, RemoteAction.action_response_format_spec())
        expected = None
    except ValidationError as error:
        expected = error.message
    try:
        RemoteAction("action_x", None)._validate_action_result(result)  # type: ignore[arg-type]
        got = None
    except ValidationError as error:
        got = error.message.split(". Failed to validate Action server response")[0]

    assert got == expected


def test_events_are_told_apart_by_their_name_only_where_that_is_exact() -> None:
    from bot.rasa_ext.speedups import event_validators

    schema = RemoteAction.action_response_format_spec()
    validators = event_validators(schema)
    assert validators is not None and len(validators[1]) == 23  # one per alternative: nothing left out
    alternatives = schema["properties"]["events"]["items"]["oneOf"]
    twice = {
        "type": "object",
        "properties": {"events": {"items": {"required": ["event"], "oneOf": alternatives * 2}}},
    }
    assert event_validators(twice) is None  # two alternatives with one name: the full schema decides
