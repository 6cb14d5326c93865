"""Rasa's REST channel hardened: validated bodies, capped and masked text, never an empty reply.

It also says so when a turn could not be stored (the conversation store is unreachable), and its
`GET /webhooks/rest/` health check reports the conversation store's counters.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.privacy import Masked, mask_personal_data
from bot.rasa_ext.tracker_store import UrlSQLTrackerStore

logger = logging.getLogger(__name__)

MAX_INPUT_CHARS = 2000
"""Longer messages are cut before they reach NLU (which runs on the event loop) or the tracker store."""
MAX_SENDER_CHARS = 128

# Replies of this channel are domain responses, so every fixed text stays in domain.yml.
EMPTY_MESSAGE = "utter_empty_message"
TOO_LONG = "utter_message_too_long"
PERSONAL_DATA = "utter_personal_data_hidden"
NO_REPLY = "utter_action_failed"
HANDED_OVER = "utter_handed_over"
NOT_STORED = "utter_storage_unavailable"
GREET = "utter_greet"
CONTROL_COMMAND = re.compile(r"\s*/(restart|session_start|back)\b")
"""Rasa's own commands: they reset or undo the conversation and say nothing; the greeting answers them."""


class BadRequest(ValueError):
    """The request body is not what the REST channel accepts; the message is for the client."""


def parse_body(body: Any) -> tuple[str, str]:
    """Return (sender, text) from a REST body, or raise BadRequest."""
    if not isinstance(body, dict):
        raise BadRequest("请求体必须是 JSON 对象，例如 {\"sender\": \"用户ID\", \"message\": \"你好\"}")
    sender, text = body.get("sender"), body.get("message")
    if isinstance(sender, int) and not isinstance(sender, bool):
        sender = str(sender)
    if not isinstance(sender, str) or not sender.strip() or len(sender) > MAX_SENDER_CHARS:
        raise BadRequest(f"缺少 sender（用户ID），或它不是 1-{MAX_SENDER_CHARS} 个字符的字符串")
    if text is None:
        text = ""
    if not isinstance(text, str):
        raise BadRequest("message 必须是字符串")
    return sender.strip(), text


class HardenedRestInput(RestInput):
    """The `rest` channel (`/webhooks/rest/webhook`) with input checks and a reply for every message."""

    @classmethod
    def name(cls) -> str:
        return "rest"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint(f"custom_webhook_{type(self).__name__}", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            store = _sql_store(request.app.ctx.agent)
            store_health = store.health() if store is not None else {"status": "ok"}
            return response.json({"status": store_health["status"], "tracker_store": store_health})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            try:
                sender, text = parse_body(_json_or_none(request))
            except BadRequest as error:
                return response.json({"error": str(error)}, status=400)
            agent = request.app.ctx.agent
            replies = await self._handle(agent, on_new_message, sender, text)
            return response.json(replies)

        return webhook

    async def _handle(
        self, agent: Any, on_new_message: Callable[[UserMessage], Awaitable[Any]], sender: str, text: str
    ) -> list[dict[str, Any]]:
        if not text.strip():
            return [domain_reply(agent, sender, EMPTY_MESSAGE)]
        _, masked, notices = screen_text(text)
        collector = CollectingOutputChannel()
        try:
            await on_new_message(UserMessage(masked.text, collector, sender, input_channel=self.name()))
        except Exception:  # noqa: BLE001 - the applicant gets an apology instead of silence
            logger.exception("turn failed for a REST message")
        replies = list(collector.messages) or [await silence_reply(agent, sender, masked.text)]
        store = _sql_store(agent)
        if store is not None and store.has_unsaved(sender):
            not_stored = domain_reply(agent, sender, NOT_STORED)
            if all(reply.get("text") != not_stored["text"] for reply in replies):
                replies.append(not_stored)
        return [domain_reply(agent, sender, name) for name in notices] + replies


def screen_text(text: str) -> tuple[str, Masked, list[str]]:
    """Cap an applicant's text and mask personal data in it (REST and socket.io alike).

    Returns the capped text, its masked form, and the domain responses to send before the answer.
    """
    notices: list[str] = []
    if len(text) > MAX_INPUT_CHARS:
        text = text[:MAX_INPUT_CHARS]
        notices.append(TOO_LONG)
    masked = mask_personal_data(text)
    if masked.kinds:
        notices.append(PERSONAL_DATA)
    return text, masked, notices


def _json_or_none(request: Request) -> Any:
    try:
        return request.json
    except Exception:  # noqa: BLE001 - sanic raises its own error types for malformed JSON
        return None


async def silence_reply(agent: Any, sender: str, text: str) -> dict[str, Any]:
    """What to answer when a turn produced no message: the greeting after a reset command,
    "handed over" when the conversation is paused, else an apology."""
    if CONTROL_COMMAND.match(text):
        return domain_reply(agent, sender, GREET)
    return domain_reply(agent, sender, HANDED_OVER if await _is_paused(agent, sender) else NO_REPLY)


def domain_reply(agent: Any, sender: str, response_name: str) -> dict[str, Any]:
    """The first text of a domain response, as a REST reply to `sender`."""
    variants = agent.domain.responses.get(response_name) or [{"text": "抱歉，系统暂时出了点问题，请稍后再试。"}]
    return {"recipient_id": sender, "text": variants[0]["text"].strip()}


def _sql_store(agent: Any) -> UrlSQLTrackerStore | None:
    """Our tracker store inside Rasa's FailSafeTrackerStore wrapper, if that is what is configured."""
    store = getattr(agent, "tracker_store", None)
    store = getattr(store, "_tracker_store", store)
    return store if isinstance(store, UrlSQLTrackerStore) else None


async def _is_paused(agent: Any, sender: str) -> bool:
    try:
        tracker = await agent.tracker_store.retrieve(sender)
    except Exception:  # noqa: BLE001 - an unreadable store means we cannot tell; apologise
        return False
    return bool(tracker and tracker.is_paused())
