"""Rasa's REST channel hardened: checked bodies, `rest:` conversation ids, limits, never an empty reply.

- The body is checked before anything else: a JSON object whose `sender` is a valid REST id
  (`bot.identity.check_sender`) and whose `message` is a string; anything else gets HTTP 400 with a
  Chinese reason and nothing is stored. The conversation is `rest:<sender>`, so a REST client can
  never name a Telegram or web conversation; replies carry the client's own `sender` back.
- Text is cleaned, capped and masked once (`bot.inbound.screen`); each sender may send
  MESSAGES_PER_MINUTE messages a minute, counted across all workers (HTTP 429 with a polite reply
  and `Retry-After` beyond; bot/rate_limit.py).
- No exception in a turn ends the server (Rasa turns some errors into `SystemExit`): the turn is
  answered with an apology. A turn that produced no message gets the apology too ("handed over"
  when the conversation is paused), and the applicant is told when the turn could not be stored.
  A turn whose conversation could not be read (bot/rasa_ext/tracker_store.py) ran nothing: it is
  answered with the storage apology alone.
- `GET /webhooks/rest/` reports the conversation store's counters.
- During a handoff (bot/rasa_ext/handoff_turns.py): 「返回机器人」 ends it, messages are left for
  the agents, and an agent's replies come back before the replies of the sender's next request
  (REST cannot push; an empty `message` only fetches them).

`GatewayInput` (`/webhooks/gateway/webhook`) is the same channel for the Telegram gateway: it
takes `tg:` conversation ids as they are, and only with the Rasa API token in `Authorization`.
Its `/webhooks/gateway/resume` gives a paused conversation of any channel back to the bot: the id
travels in the JSON body (Rasa's `/conversations/<id>/…` API does not unquote its path, so an id
with `:` or any character a URL must escape named another conversation there).
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import identity
from bot.cli import describe
from bot.errors import BotError, InvalidRequest, TooManyMessages
from bot.handoff import is_leave_request
from bot.inbound import screen
from bot.rasa_ext.handoff_turns import HandoffTurns, resume_conversation
from bot.rasa_ext.tracker_store import UrlSQLTrackerStore
from bot.rate_limit import SharedMessageLimiter
from bot.settings import Settings

logger = logging.getLogger(__name__)

# Replies of this channel are domain responses, so every fixed text stays in domain.yml.
EMPTY_MESSAGE = "utter_empty_message"
NO_REPLY_YET = "utter_handoff_no_reply_yet"
"""An empty message during a handoff fetches an agent's replies; this says none has come yet."""
NO_REPLY = "utter_action_failed"
HANDED_OVER = "utter_handed_over"
NOT_STORED = "utter_storage_unavailable"
GREET = "utter_greet"
BAD_BODY = "utter_request_bad_body"
BAD_MESSAGE = "utter_request_bad_message"
FALLBACK_TEXT = "抱歉，系统暂时出了点问题，请稍后再试。"
CONTROL_COMMAND = re.compile(r"\s*/(restart|session_start|back)\b")
"""Rasa's own commands: they reset or undo the conversation and say nothing; the greeting answers them."""

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]


def parse_body(body: Any) -> tuple[str, str]:
    """Return (conversation id, text) from a REST body, or raise InvalidRequest."""
    if not isinstance(body, dict):
        raise InvalidRequest(BAD_BODY)
    conversation = identity.rest(body.get("sender"))
    text = body.get("message")
    if text is None:
        text = ""
    if not isinstance(text, str):
        raise InvalidRequest(BAD_MESSAGE)
    return conversation, text


async def run_turn(on_new_message: OnNewMessage, message: UserMessage, channel: str) -> str | None:
    """Run one turn; every failure, `SystemExit` from inside Rasa included, is logged and survived.

    Returns the response that answers a turn a BotError ended (StorageUnavailable: the conversation
    could not be read, so nothing ran and nothing was written), else None.
    """
    try:
        await on_new_message(message)
    except asyncio.CancelledError:
        raise
    except BotError as error:
        logger.error("turn refused for a %s message: %s", channel, describe(error))
        return error.response
    except (Exception, SystemExit):  # the applicant gets an apology; the server goes on
        logger.exception("turn failed for a %s message", channel)
    return None


class HardenedRestInput(RestInput):
    """The `rest` channel (`/webhooks/rest/webhook`) with input checks and a reply for every message."""

    handoff: HandoffTurns | None = None
    """Set by `blueprint`: leaving a handoff, messages during one, an agent's replies waiting."""
    returns_waiting_replies = True
    """REST callers get an agent's waiting replies with their next request (the gateway pushes its own)."""

    @classmethod
    def name(cls) -> str:
        return "rest"

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        webhook = Blueprint(f"custom_webhook_{type(self).__name__}", __name__)
        settings = Settings.from_env()
        limiter = SharedMessageLimiter(settings.messages_per_minute, settings.redis_url)
        self.handoff = HandoffTurns(settings.database_url)

        @webhook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            store = _sql_store(request.app.ctx.agent)
            store_health = store.health() if store is not None else {"status": "ok"}
            return response.json({"status": store_health["status"], "tracker_store": store_health})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            agent = request.app.ctx.agent
            body = _json_or_none(request)
            try:
                conversation, text = parse_body(body)
                await limiter.check(conversation)
            except InvalidRequest as error:
                return response.json({"error": response_text(agent, error.response)}, status=400)
            except TooManyMessages as error:
                reply = domain_reply(agent, body["sender"], error.response, seconds=error.seconds)
                return response.json([reply], status=429, headers={"Retry-After": str(error.seconds)})
            replies = await self._handle(agent, on_new_message, conversation, text)
            for reply in replies:
                reply["recipient_id"] = str(body["sender"])
            return response.json(replies)

        return webhook

    async def _handle(
        self, agent: Any, on_new_message: OnNewMessage, conversation: str, text: str
    ) -> list[dict[str, Any]]:
        screened = screen(text)
        handoff = self.handoff or HandoffTurns(Settings.from_env().database_url)
        if is_leave_request(screened.text):
            left = domain_reply(agent, conversation, await handoff.leave(agent, conversation))
            return await self._waiting(handoff, conversation) + [left]
        if not screened.text.strip():
            waiting = await self._waiting(handoff, conversation)
            if waiting:
                return waiting
            nothing_yet = self.returns_waiting_replies and await handoff.is_active(conversation)
            return [domain_reply(agent, conversation, NO_REPLY_YET if nothing_yet else EMPTY_MESSAGE)]
        collector = CollectingOutputChannel()
        message = UserMessage(screened.text, collector, conversation, input_channel=self.name())
        refused = await run_turn(on_new_message, message, "REST")
        if refused is not None:
            replies = [domain_reply(agent, conversation, refused)]
        else:
            replies = list(collector.messages) or [
                await silence_reply(
                    agent, conversation, screened.text, handoff if self.returns_waiting_replies else None
                )
            ]
        store = _sql_store(agent)
        if store is not None and store.not_stored(conversation):
            not_stored = domain_reply(agent, conversation, NOT_STORED)
            if all(reply.get("text") != not_stored["text"] for reply in replies):
                replies.append(not_stored)
        notices = [domain_reply(agent, conversation, name) for name in screened.notices]
        return await self._waiting(handoff, conversation) + notices + replies

    async def _waiting(self, handoff: HandoffTurns, conversation: str) -> list[dict[str, Any]]:
        """Replies that waited for this caller (taken after the turn: a cancelled turn takes none)."""
        return await handoff.take_replies(conversation) if self.returns_waiting_replies else []


class GatewayInput(HardenedRestInput):
    """The Telegram gateway's channel: `{"sender": "tg:<user id>", "message": …}` behind the API token."""

    returns_waiting_replies = False
    """The gateway relays a Telegram applicant's messages and pushes the agents' replies itself."""

    @classmethod
    def name(cls) -> str:
        return "gateway"

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        webhook = Blueprint(f"custom_webhook_{type(self).__name__}", __name__)
        settings = Settings.from_env()
        token = settings.rasa_auth_token
        self.handoff = HandoffTurns(settings.database_url)

        def authorized(request: Request) -> bool:
            offered = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
            return bool(token) and hmac.compare_digest(offered.encode(), str(token).encode())

        @webhook.route("/resume", methods=["POST"])
        async def resume(request: Request) -> HTTPResponse:
            if not authorized(request):
                return response.json({"error": "unauthorized"}, status=401)
            body = _json_or_none(request)
            conversation = body.get("sender") if isinstance(body, dict) else None
            if not isinstance(conversation, str) or identity.channel_of(conversation) is None:
                return response.json({"error": "sender must be a conversation id"}, status=400)
            await resume_conversation(request.app.ctx.agent, conversation)
            return response.json({"resumed": conversation})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            agent = request.app.ctx.agent
            if not authorized(request):
                return response.json({"error": "unauthorized"}, status=401)
            body = _json_or_none(request)
            sender = body.get("sender") if isinstance(body, dict) else None
            text = body.get("message") if isinstance(body, dict) else None
            if (
                not isinstance(sender, str)
                or identity.telegram_user_id(sender) is None
                or not isinstance(text, str)
            ):
                return response.json({"error": response_text(agent, BAD_BODY)}, status=400)
            return response.json(await self._handle(agent, on_new_message, sender, text))

        return webhook


def _json_or_none(request: Request) -> Any:
    try:
        return request.json
    except Exception:  # noqa: BLE001 - sanic raises its own error types for malformed JSON
        return None


async def silence_reply(
    agent: Any, conversation: str, text: str, handoff: HandoffTurns | None = None
) -> dict[str, Any]:
    """What to answer when a turn produced no message: the greeting after a reset command,
    "handed over" when the conversation is paused (the text left for the agents when `handoff`
    is given), else an apology."""
    if CONTROL_COMMAND.match(text):
        return domain_reply(agent, conversation, GREET)
    if not await _is_paused(agent, conversation):
        return domain_reply(agent, conversation, NO_REPLY)
    if handoff is None:
        return domain_reply(agent, conversation, HANDED_OVER)
    return domain_reply(agent, conversation, await handoff.paused(conversation, text))


def response_text(agent: Any, response_name: str, **values: Any) -> str:
    """The first text of a domain response, with `{placeholders}` filled in."""
    variants = agent.domain.responses.get(response_name) or [{"text": FALLBACK_TEXT}]
    text = variants[0]["text"].strip()
    for key, value in values.items():
        text = text.replace("{" + key + "}", str(value))
    return text


def domain_reply(agent: Any, recipient: str, response_name: str, **values: Any) -> dict[str, Any]:
    """A domain response as a REST reply to `recipient`."""
    return {"recipient_id": recipient, "text": response_text(agent, response_name, **values)}


def _sql_store(agent: Any) -> UrlSQLTrackerStore | None:
    """Our tracker store inside Rasa's FailSafeTrackerStore wrapper, if that is what is configured."""
    store = getattr(agent, "tracker_store", None)
    store = getattr(store, "_tracker_store", store)
    return store if isinstance(store, UrlSQLTrackerStore) else None


async def _is_paused(agent: Any, conversation: str) -> bool:
    try:
        tracker = await agent.tracker_store.retrieve(conversation)
    except Exception:  # noqa: BLE001 - an unreadable store means we cannot tell; apologise
        return False
    return bool(tracker and tracker.is_paused())
