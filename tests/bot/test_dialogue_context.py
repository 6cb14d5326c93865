"""Follow-ups refer to what was said a moment ago, never to something from long before."""

from __future__ import annotations

from typing import Any

from bot.dialogue_context import fresh_value, turns_since_set


def user(text: str = "…") -> dict[str, Any]:
    return {"event": "user", "text": text}


def slot(value: str | None) -> dict[str, Any]:
    return {"event": "slot", "name": "reported_application", "value": value}


def test_a_value_set_a_turn_ago_is_fresh_for_three_messages() -> None:
    events = [user("查进度"), slot("RZ202611120005"), user("下一步怎么弄")]
    slots = {"reported_application": "RZ202611120005"}
    assert turns_since_set(events, "reported_application") == 1
    assert fresh_value(events, slots, "reported_application") == "RZ202611120005"
    assert fresh_value([*events, user(), user()], slots, "reported_application") == "RZ202611120005"
    assert fresh_value([*events, user(), user(), user()], slots, "reported_application") is None


def test_a_cleared_value_or_a_new_session_is_not_context() -> None:
    slots = {"reported_application": "RZ202611120005"}
    assert fresh_value([slot("RZ202611120005"), slot(None), user()], slots, "reported_application") is None
    started = [slot("RZ202611120005"), {"event": "session_started"}, user()]
    assert fresh_value(started, slots, "reported_application") is None
    assert fresh_value([user()], slots, "reported_application") is None  # set before the history we see
