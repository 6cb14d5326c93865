"""A fake Telegram Bot API on 127.0.0.1 for the gateway's tests, driven by the real python-telegram-bot client.

It runs in its own thread and event loop, so tests stay synchronous. It implements what the
gateway calls (getMe, deleteWebhook, getUpdates with offset semantics and long polling,
sendMessage, sendChatAction, editMessageReplyMarkup, answerCallbackQuery, getChat,
getChatMember, createForumTopic, editForumTopic, closeForumTopic, reopenForumTopic,
editMessageText, copyMessage) and can be told to fail: 429 with retry_after,
403, a group migrated to a supergroup, a dropped connection, or a slow answer (the message is
accepted at once, the answer comes `retry_after` seconds later). Like Telegram, it refuses a text
over 4096 UTF-16 units and an edit that changes nothing; group messages can come from an anonymous
admin (GroupAnonymousBot writing as the group), and buttons can be pressed in groups. Users can edit a
message (an `edited_message` update) and send
photos (several sizes, each with its file_size) and documents (file_name, mime_type, file_size)
with captions; copyMessage copies only a message the fake knows, refuses a caption over 1024
UTF-16 units and answers with a MessageId, as Telegram does.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.support.threaded_server import ThreadedServer

BOT_ID = 7_000_001
BOT_USERNAME = "dingtalk_cert_test_bot"
TOKEN = f"{BOT_ID}:AAE_fake-token-for-tests_0123456789abcdef"
_JSON_PARAMETERS = {"reply_markup", "reply_parameters", "allowed_updates", "link_preview_options"}
ANONYMOUS_ADMIN_BOT = {
    "id": 1087968824,
    "is_bot": True,
    "first_name": "Group",
    "username": "GroupAnonymousBot",
}
TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
_ADMIN_RIGHTS = [
    "can_be_edited",
    "can_manage_chat",
    "can_delete_messages",
    "can_manage_video_chats",
    "can_restrict_members",
    "can_promote_members",
    "can_change_info",
    "can_invite_users",
    "can_post_stories",
    "can_edit_stories",
    "can_delete_stories",
]
_RESTRICTIONS = [
    "can_change_info",
    "can_invite_users",
    "can_pin_messages",
    "can_send_messages",
    "can_send_polls",
    "can_send_other_messages",
    "can_add_web_page_previews",
    "can_manage_topics",
    "can_send_audios",
    "can_send_documents",
    "can_send_photos",
    "can_send_videos",
    "can_send_video_notes",
    "can_send_voice_notes",
    "can_edit_tag",
]
_MEMBER_FIELDS: dict[str, dict[str, Any]] = {
    "creator": {"is_anonymous": False},
    "administrator": {"is_anonymous": False, **dict.fromkeys(_ADMIN_RIGHTS, False), "can_manage_chat": True},
    "restricted": {"is_member": True, "until_date": 0, **dict.fromkeys(_RESTRICTIONS, False)},
    "kicked": {"until_date": 0},
}
"""What getChatMember returns beside status and user, per status (as Telegram does)."""
# Update ids must never repeat within a test session: every gateway shares one database.
_update_ids = itertools.count(int(time.time() * 1000) % 1_000_000_000 * 100)


@dataclass
class Failure:
    """Answer `method` (optionally only for `chat_id`) with an error `times` times (None: always)."""

    method: str
    kind: str  # "retry_after" | "forbidden" | "drop" | "migrate" | "bad_request" | "slow"
    chat_id: int | None = None
    times: int | None = 1
    retry_after: int = 1
    migrate_to: int | None = None
    description: str = "something is wrong"
    """What a `bad_request` says after "Bad Request: " (e.g. "message is too long", "chat not found")."""


@dataclass
class Call:
    """One request the fake received."""

    method: str
    params: dict[str, Any]
    at: float
    outcome: str = "ok"


@dataclass
class Chat:
    """What the fake knows about a chat."""

    chat_id: int
    type: str = "private"
    title: str = ""
    is_forum: bool = False
    members: dict[int, str] = field(default_factory=dict)  # user id → status


def user(user_id: int, first_name: str = "测试", username: str | None = None) -> dict[str, Any]:
    """A Telegram User object."""
    data: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
    if username:
        data["username"] = username
    return data


class FakeTelegram(ThreadedServer):
    """The fake Bot API server; `base_url` goes into TELEGRAM_API_BASE_URL."""

    def __init__(self) -> None:
        super().__init__("fake-telegram")
        self.calls: list[Call] = []
        self.failures: list[Failure] = []
        self.chats: dict[int, Chat] = {}
        self._pending: list[dict[str, Any]] = []
        self.delivered: dict[int, int] = {}  # update id → times handed out by getUpdates
        self._message_ids: dict[int, itertools.count[int]] = {}
        self._topic_ids = itertools.count(500)
        self._lock = threading.Lock()
        self._delivered_to: dict[int, list[dict[str, Any]]] = {}  # chat id → accepted sendMessage params
        self.message_ids: dict[int, int] = {}  # update id → id of the message a user wrote
        self.edits: list[dict[str, Any]] = []
        self.topics: dict[
            int, dict[str, Any]
        ] = {}  # topic id → {"name": …, "closed": bool}  # accepted editMessageText params, oldest first
        self._texts: dict[tuple[int, int], tuple[str, Any]] = {}  # (chat, message) → (text, markup)
        self._originals: dict[tuple[int, int], dict[str, Any]] = {}  # (chat, message) → what a user sent
        self._sent_changed = threading.Condition(self._lock)
        self._new_update: asyncio.Event | None = None

    # --- lifecycle ---------------------------------------------------------------------------

    async def build_app(self) -> web.Application:
        self._new_update = asyncio.Event()
        app = web.Application()
        app.router.add_route("POST", "/bot{token}/{method}", self._handle)
        app.router.add_route("GET", "/bot{token}/{method}", self._handle)
        return app

    @property
    def base_url(self) -> str:
        """python-telegram-bot's base_url form (the token is appended)."""
        return f"http://127.0.0.1:{self.port}/bot"

    # --- driving it from a test --------------------------------------------------------------

    def add_chat(
        self,
        chat_id: int,
        *,
        type: str = "supergroup",
        title: str = "",
        is_forum: bool = False,
        members: dict[int, str] | None = None,
    ) -> Chat:
        """Declare a group (its members and whether it has topics)."""
        chat = Chat(chat_id, type, title or f"group {chat_id}", is_forum, dict(members or {}))
        with self._lock:
            self.chats[chat_id] = chat
        return chat

    def _push(self, update: dict[str, Any]) -> int:
        # The id is taken under the lock that queues the update, as Telegram does: ids must reach
        # the queue in increasing order, or a confirmed higher offset would silently drop a lower id.
        with self._lock:
            update_id = next(_update_ids)
            update["update_id"] = update_id
            self._pending.append(update)
        self._loop.call_soon_threadsafe(self._notify)
        return update_id

    def _notify(self) -> None:
        assert self._new_update is not None
        self._new_update.set()

    def _chat_json(self, chat_id: int) -> dict[str, Any]:
        chat = self.chats.get(chat_id)
        if chat is None or chat.type == "private":
            return {"id": chat_id, "type": "private", "first_name": "测试"}
        data: dict[str, Any] = {"id": chat_id, "type": chat.type, "title": chat.title}
        if chat.is_forum:
            data["is_forum"] = True
        return data

    def send_text(
        self,
        chat_id: int,
        text: str,
        *,
        sender: dict[str, Any] | None = None,
        reply_to: int | None = None,
        thread_id: int | None = None,
        anonymous: bool = False,
        reply_to_sender: dict[str, Any] | None = None,
        entities: list[dict[str, Any]] | None = None,
    ) -> int:
        """A user writes `text` in `chat_id` (private chat: chat id = user id); return the update id.

        `anonymous`: an anonymous admin of the group writes it; `reply_to_sender`: the author of the
        message replied to (the bot when not given); `entities`: extra message entities (mentions).
        """
        message = self._message(chat_id, sender, reply_to, thread_id, text=text, replied_from=reply_to_sender)
        if anonymous:
            message["from"] = ANONYMOUS_ADMIN_BOT
            message["sender_chat"] = self._chat_json(chat_id)
        if entities:
            message["entities"] = [*message.get("entities", []), *entities]
        update_id = self._push({"message": message})
        self.message_ids[update_id] = message["message_id"]
        return update_id

    def edit_text(
        self,
        chat_id: int,
        message_id: int,
        text: str,
        *,
        sender: dict[str, Any] | None = None,
        reply_to: int | None = None,
    ) -> int:
        """The user edits their message `message_id` to read `text` (an `edited_message` update)."""
        message = self._message(chat_id, sender, reply_to, None, text=text)
        self._message_ids[chat_id] = itertools.count(message["message_id"])  # an edit takes no new id
        message.update(message_id=message_id, edit_date=int(time.time()))
        return self._push({"edited_message": message})

    def text_update(self, chat_id: int, text: str) -> dict[str, Any]:
        """An update for `text` in a private chat, not queued (for webhook tests)."""
        return {
            "update_id": next(_update_ids),
            "message": self._message(chat_id, None, None, None, text=text),
        }

    def send_photo(
        self,
        chat_id: int,
        *,
        sender: dict[str, Any] | None = None,
        caption: str | None = None,
        file_size: int = 48_000,
        reply_to: int | None = None,
        thread_id: int | None = None,
    ) -> int:
        """A user sends a photo (Telegram lists it in three sizes; `file_size` is the largest one's)."""
        photo = [
            {
                "file_id": f"AgAD{side}",
                "file_unique_id": f"AQAD{side}",
                "width": side,
                "height": side,
                "file_size": max(1, file_size * side * side // (1280 * 1280)),
            }
            for side in (90, 320, 1280)
        ]
        return self._media(chat_id, sender, reply_to, thread_id, caption, photo=photo)

    def send_document(
        self,
        chat_id: int,
        *,
        file_name: str,
        mime_type: str | None,
        file_size: int,
        caption: str | None = None,
        sender: dict[str, Any] | None = None,
        reply_to: int | None = None,
        thread_id: int | None = None,
    ) -> int:
        """A user sends a file (Telegram fills in mime_type from the name when the client gave none)."""
        document: dict[str, Any] = {
            "file_id": "BQAD",
            "file_unique_id": "AgAD",
            "file_name": file_name,
            "file_size": file_size,
        }
        if mime_type is not None:
            document["mime_type"] = mime_type
        return self._media(chat_id, sender, reply_to, thread_id, caption, document=document)

    def _media(
        self,
        chat_id: int,
        sender: dict[str, Any] | None,
        reply_to: int | None,
        thread_id: int | None,
        caption: str | None,
        **content: Any,
    ) -> int:
        if caption:
            content["caption"] = caption
        message = self._message(chat_id, sender, reply_to, thread_id, **content)
        update_id = self._push({"message": message})
        self.message_ids[update_id] = message["message_id"]
        return update_id

    def _message(
        self,
        chat_id: int,
        sender: dict[str, Any] | None,
        reply_to: int | None,
        thread_id: int | None,
        replied_from: dict[str, Any] | None = None,
        **content: Any,
    ) -> dict[str, Any]:
        message: dict[str, Any] = {
            "message_id": self._next_message_id(chat_id),
            "date": int(time.time()),
            "chat": self._chat_json(chat_id),
            "from": sender or user(chat_id),
            **content,
        }
        text = content.get("text") or ""
        self._texts[(chat_id, message["message_id"])] = (text, None)
        self._originals[(chat_id, message["message_id"])] = message
        if text.startswith("/"):
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        if reply_to is not None:
            original = self._texts.get((chat_id, reply_to))
            message["reply_to_message"] = {
                "message_id": reply_to,
                "date": int(time.time()),
                "chat": self._chat_json(chat_id),
                "from": replied_from
                or {"id": BOT_ID, "is_bot": True, "first_name": "Bot", "username": BOT_USERNAME},
                "text": original[0] if original else "…",
            }
        if thread_id is not None:
            message["message_thread_id"] = thread_id
            message["is_topic_message"] = True
        return message

    def press_button(
        self, chat_id: int, message_id: int, data: str, *, sender: dict[str, Any] | None = None
    ) -> int:
        """The user (in a group: `sender`) presses an inline button of message `message_id`."""
        message = {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": self._chat_json(chat_id),
            "text": "…",
            "from": {"id": BOT_ID, "is_bot": True, "first_name": "Bot"},
        }
        query = {
            "id": str(next(_update_ids)),
            "from": sender or user(chat_id),
            "chat_instance": "ci",
            "message": message,
            "data": data,
        }
        return self._push({"callback_query": query})

    def fail(self, method: str, kind: str, **options: Any) -> Failure:
        """Make the next matching call(s) fail; see Failure."""
        failure = Failure(method, kind, **options)
        with self._lock:
            self.failures.append(failure)
        return failure

    def clear_failures(self) -> None:
        """Stop failing."""
        with self._lock:
            self.failures.clear()

    def sent(self, chat_id: int | None = None) -> list[dict[str, Any]]:
        """sendMessage calls Telegram accepted (optionally for one chat), oldest first."""
        with self._lock:
            if chat_id is not None:
                return list(self._delivered_to.get(chat_id, []))
            return [c.params for c in self.calls if c.method == "sendMessage" and c.outcome == "ok"]

    def texts(self, chat_id: int) -> list[str]:
        """Texts delivered to a chat, oldest first."""
        with self._lock:
            return [message["text"] for message in self._delivered_to.get(chat_id, [])]

    def calls_to(self, method: str) -> list[Call]:
        """Every call of `method`."""
        with self._lock:
            return [call for call in self.calls if call.method == method]

    def wait_for(self, condition: Callable[[], Any], timeout: float = 30.0, what: str = "condition") -> Any:
        """Poll `condition` until it is truthy; fail the test after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            result = condition()
            if result:
                return result
            time.sleep(0.05)
        raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")

    def wait_for_texts(self, chat_id: int, count: int, timeout: float = 30.0) -> list[str]:
        """Wait until `chat_id` received at least `count` messages; return them all."""
        with self._sent_changed:
            arrived = self._sent_changed.wait_for(
                lambda: len(self._delivered_to.get(chat_id, [])) >= count, timeout
            )
            texts = [message["text"] for message in self._delivered_to.get(chat_id, [])]
        if not arrived:
            raise AssertionError(
                f"timed out after {timeout:.0f} s waiting for {count} message(s) to chat {chat_id}; "
                f"got {texts}"
            )
        return texts

    # --- the Bot API -------------------------------------------------------------------------

    async def _params(self, request: web.Request) -> dict[str, Any]:
        if request.content_type == "application/json":
            raw = await request.json()
        else:
            raw = dict(await request.post())
        params: dict[str, Any] = {}
        for key, value in raw.items():
            if isinstance(value, str) and key in _JSON_PARAMETERS:
                value = json.loads(value)
            elif isinstance(value, str) and key in {
                "chat_id",
                "message_id",
                "from_chat_id",
                "user_id",
                "offset",
                "limit",
                "message_thread_id",
            }:
                value = int(value)
            elif isinstance(value, str) and key == "timeout":
                value = float(value)
            params[key] = value
        return params

    def _failure_for(self, method: str, params: dict[str, Any]) -> Failure | None:
        with self._lock:
            for failure in self.failures:
                if failure.method == method and (
                    failure.chat_id is None or failure.chat_id == params.get("chat_id")
                ):
                    if failure.times is not None:
                        failure.times -= 1
                        if failure.times <= 0:
                            self.failures.remove(failure)
                    return failure
        return None

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        method = request.match_info["method"]
        if request.match_info["token"] != TOKEN:
            return web.json_response(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401
            )
        params = await self._params(request)
        call = Call(method, params, time.monotonic())
        with self._lock:
            self.calls.append(call)
        failure = self._failure_for(method, params)
        if failure is not None:
            call.outcome = failure.kind
            return await self._fail(request, failure, params)
        handler = getattr(self, f"_api_{method}", None)
        if handler is None:
            call.outcome = "unknown"
            return web.json_response({"ok": False, "error_code": 404, "description": "Not Found"}, status=404)
        result = await handler(params)
        if isinstance(result, web.Response):
            call.outcome = "bad_request"
            return result
        return web.json_response({"ok": True, "result": result})

    async def _fail(
        self, request: web.Request, failure: Failure, params: dict[str, Any]
    ) -> web.StreamResponse:
        if failure.kind == "drop":
            assert request.transport is not None
            request.transport.close()
            raise asyncio.CancelledError
        if failure.kind == "retry_after":
            body = {
                "ok": False,
                "error_code": 429,
                "description": f"Too Many Requests: retry after {failure.retry_after}",
                "parameters": {"retry_after": failure.retry_after},
            }
            return web.json_response(body, status=429)
        if failure.kind == "forbidden":
            body = {"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked by the user"}
            return web.json_response(body, status=403)
        if failure.kind == "slow":
            result = await getattr(self, f"_api_{failure.method}")(params)
            await asyncio.sleep(failure.retry_after)
            if isinstance(result, web.Response):
                return result
            return web.json_response({"ok": True, "result": result})
        if failure.kind == "migrate":
            body = {
                "ok": False,
                "error_code": 400,
                "description": "Bad Request: group chat was upgraded to a supergroup chat",
                "parameters": {"migrate_to_chat_id": failure.migrate_to},
            }
            return web.json_response(body, status=400)
        return _bad_request(failure.description)

    def _next_message_id(self, chat_id: int) -> int:
        counter = self._message_ids.setdefault(chat_id, itertools.count(1))
        return next(counter)

    async def _api_getMe(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": BOT_ID,
            "is_bot": True,
            "first_name": "认证助手",
            "username": BOT_USERNAME,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    async def _api_deleteWebhook(self, params: dict[str, Any]) -> bool:
        return True

    async def _api_setWebhook(self, params: dict[str, Any]) -> bool:
        return True

    async def _api_getUpdates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        limit = int(params.get("limit") or 100)
        deadline = time.monotonic() + float(params.get("timeout") or 0)
        assert self._new_update is not None
        while True:
            with self._lock:
                if offset:
                    self._pending = [u for u in self._pending if u["update_id"] >= offset]
                batch = [u for u in self._pending if u["update_id"] >= offset][:limit]
                for update in batch:
                    self.delivered[update["update_id"]] = self.delivered.get(update["update_id"], 0) + 1
            remaining = deadline - time.monotonic()
            if batch or remaining <= 0:
                return batch
            self._new_update.clear()
            try:
                await asyncio.wait_for(self._new_update.wait(), timeout=remaining)
            except asyncio.TimeoutError:
                pass

    def unconfirmed(self) -> list[int]:
        """Update ids Telegram would still deliver (not confirmed by a later offset)."""
        with self._lock:
            return [u["update_id"] for u in self._pending]

    def _too_long(self, text: str) -> bool:
        return not 1 <= len(text.encode("utf-16-le")) // 2 <= TEXT_LIMIT

    def copies(self, chat_id: int) -> list[dict[str, Any]]:
        """copyMessage calls Telegram accepted for a chat (each with the copied message's content), oldest first."""
        with self._lock:
            return [
                c.params
                for c in self.calls
                if c.method == "copyMessage" and c.outcome == "ok" and c.params["chat_id"] == chat_id
            ]

    async def _api_copyMessage(self, params: dict[str, Any]) -> dict[str, Any] | web.Response:
        chat_id, source = params["chat_id"], (int(params["from_chat_id"]), int(params["message_id"]))
        caption = params.get("caption") or ""
        if len(caption.encode("utf-16-le")) // 2 > CAPTION_LIMIT:
            return _bad_request("message caption is too long")
        topic = self.topics.get(int(params.get("message_thread_id") or 0))
        if topic is not None and topic["closed"]:
            return _bad_request("TOPIC_CLOSED")
        with self._sent_changed:
            original = self._originals.get(source)
            if original is None:
                return _bad_request("message to copy not found")
            message_id = self._next_message_id(chat_id)
            params["message_id_copied"] = source[1]
            params["copied"] = {key: original[key] for key in ("photo", "document") if key in original}
            self._texts[(chat_id, message_id)] = (caption, None)
            self._sent_changed.notify_all()
        return {"message_id": message_id}

    async def _api_sendMessage(self, params: dict[str, Any]) -> dict[str, Any] | web.Response:
        chat_id = params["chat_id"]
        if self._too_long(params.get("text", "")):
            return _bad_request("message is too long")
        topic = self.topics.get(int(params.get("message_thread_id") or 0))
        if topic is not None and topic["closed"]:
            return _bad_request("TOPIC_CLOSED")
        message_id = self._next_message_id(chat_id)
        params["message_id"] = message_id
        with self._sent_changed:
            self._delivered_to.setdefault(chat_id, []).append(params)
            self._texts[(chat_id, message_id)] = (params.get("text", ""), params.get("reply_markup"))
            self._sent_changed.notify_all()
        message: dict[str, Any] = {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": self._chat_json(chat_id),
            "from": {"id": BOT_ID, "is_bot": True, "first_name": "认证助手", "username": BOT_USERNAME},
            "text": params.get("text", ""),
        }
        if "message_thread_id" in params:
            message["message_thread_id"] = params["message_thread_id"]
            message["is_topic_message"] = True
        return message

    async def _api_sendChatAction(self, params: dict[str, Any]) -> bool:
        return True

    async def _api_answerCallbackQuery(self, params: dict[str, Any]) -> bool:
        return True

    async def _api_editMessageReplyMarkup(self, params: dict[str, Any]) -> bool:
        return True

    async def _api_editMessageText(self, params: dict[str, Any]) -> dict[str, Any] | web.Response:
        key = (params["chat_id"], params["message_id"])
        text, markup = params.get("text", ""), params.get("reply_markup")
        if self._too_long(text):
            return _bad_request("message is too long")
        with self._sent_changed:
            if key not in self._texts:
                return _bad_request("message to edit not found")
            if self._texts[key] == (text, markup):
                return _bad_request(
                    "message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message"
                )
            self._texts[key] = (text, markup)
            self.edits.append(params)
            self._sent_changed.notify_all()
        return {
            "message_id": params["message_id"],
            "date": int(time.time()),
            "edit_date": int(time.time()),
            "chat": self._chat_json(params["chat_id"]),
            "from": {"id": BOT_ID, "is_bot": True, "first_name": "认证助手", "username": BOT_USERNAME},
            "text": text,
        }

    def current(self, chat_id: int, message_id: int) -> tuple[str, Any]:
        """A message's text and keyboard as they are now (after edits)."""
        with self._lock:
            return self._texts[(chat_id, message_id)]

    async def _api_getChat(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat_json(params["chat_id"])
        return {
            **chat,
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }

    async def _api_getChatMember(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self.chats.get(params["chat_id"])
        status = chat.members.get(params["user_id"], "left") if chat else "left"
        member: dict[str, Any] = {"status": status, "user": user(params["user_id"])}
        return {**member, **_MEMBER_FIELDS.get(status, {})}

    async def _api_createForumTopic(self, params: dict[str, Any]) -> dict[str, Any]:
        topic_id = next(self._topic_ids)
        self.topics[topic_id] = {"name": params.get("name", ""), "closed": False}
        return {"message_thread_id": topic_id, "name": params.get("name", ""), "icon_color": 7322096}

    def _topic_change(self, params: dict[str, Any], **change: Any) -> bool | web.Response:
        topic = self.topics.get(int(params["message_thread_id"]))
        if topic is None:
            return _bad_request("TOPIC_ID_INVALID")
        if all(topic[key] == value for key, value in change.items()):
            return _bad_request("TOPIC_NOT_MODIFIED")
        topic.update(change)
        return True

    async def _api_editForumTopic(self, params: dict[str, Any]) -> bool | web.Response:
        return self._topic_change(params, name=params.get("name", ""))

    async def _api_closeForumTopic(self, params: dict[str, Any]) -> bool | web.Response:
        return self._topic_change(params, closed=True)

    async def _api_reopenForumTopic(self, params: dict[str, Any]) -> bool | web.Response:
        return self._topic_change(params, closed=False)


def _bad_request(description: str) -> web.Response:
    body = {"ok": False, "error_code": 400, "description": f"Bad Request: {description}"}
    return web.json_response(body, status=400)
