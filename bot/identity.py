"""Conversation ids: each names its channel, has one maximum length, and cannot be chosen across channels.

    tg:<user id>       a Telegram applicant (the private chat's id, which is the user's id)
    web:<token id>     a web-chat browser session; the server issues it, signed (`WebSessions`)
    rest:<sender>      an integrator's user on the REST channel (their own id for the user)

Every channel builds its ids here, after `check_sender` (REST) or signature checks (web), so
nothing a client sends can name another channel's conversation: a REST sender `tg:1` becomes
`rest:tg:1`. Every column that stores a conversation id is `CONVERSATION_ID_LENGTH` long.
"""

from __future__ import annotations

import base64
import enum
import hashlib
import hmac
import secrets
import time
import unicodedata
from collections.abc import Callable
from datetime import timedelta

from bot.errors import InvalidRequest


class Channel(str, enum.Enum):
    """Where an applicant talks to the bot; the value is the conversation id's prefix."""

    TELEGRAM = "tg"
    WEB = "web"
    REST = "rest"


MAX_LOCAL_ID = {Channel.TELEGRAM: 20, Channel.WEB: 24, Channel.REST: 64}
"""The longest id after the prefix, per channel (Telegram ids fit in 20 digits; web ids are 24 chars)."""
CONVERSATION_ID_LENGTH = max(len(channel.value) + 1 + length for channel, length in MAX_LOCAL_ID.items())
"""The longest conversation id of any channel: the length of every column that stores one."""

_ALLOWED_SENDER_CATEGORIES = ("L", "N", "P", "S")
"""A REST sender may hold letters, numbers, punctuation and symbols, plus inner spaces."""


def conversation_id(channel: Channel, local_id: str) -> str:
    """`<prefix>:<local id>` for an id already checked for its channel."""
    return f"{channel.value}:{local_id}"


def telegram(user_id: int) -> str:
    """The conversation id of a Telegram applicant."""
    if isinstance(user_id, bool) or not isinstance(user_id, int) or user_id <= 0:
        raise ValueError(f"not a Telegram user id: {user_id!r}")
    return conversation_id(Channel.TELEGRAM, str(user_id))


def check_sender(sender: object) -> str:
    """A REST body's `sender` as a clean local id; raises InvalidRequest when it cannot be one.

    Whole numbers are accepted as their decimal text. Nothing is silently changed: an id with
    control, format or surrogate characters or with a space at either end is refused (`" a"` is
    not `"a"`), as is one that is empty or longer than MAX_LOCAL_ID[REST].
    """
    if isinstance(sender, int) and not isinstance(sender, bool):
        sender = str(sender)
    if not isinstance(sender, str):
        raise InvalidRequest("utter_request_bad_sender")
    if not sender or sender != sender.strip() or len(sender) > MAX_LOCAL_ID[Channel.REST]:
        raise InvalidRequest("utter_request_bad_sender")
    for char in sender:
        if char != " " and not unicodedata.category(char).startswith(_ALLOWED_SENDER_CATEGORIES):
            raise InvalidRequest("utter_request_bad_sender")
    return sender


def rest(sender: object) -> str:
    """The conversation id of a REST sender (checked by `check_sender`)."""
    return conversation_id(Channel.REST, check_sender(sender))


def channel_of(conversation: str) -> Channel | None:
    """The channel a conversation id belongs to, or None for an id of no known channel."""
    prefix, _, local = conversation.partition(":")
    try:
        channel = Channel(prefix)
    except ValueError:
        return None
    return channel if local else None


def telegram_user_id(conversation: str) -> int | None:
    """The Telegram user (= private chat) id of a `tg:` conversation, else None."""
    prefix, _, local = conversation.partition(":")
    if prefix != Channel.TELEGRAM.value or not local.isascii() or not local.isdigit():
        return None
    return int(local)


class WebSessions:
    """Issues and checks web-chat session tokens: `<id>.<issued>.<signature>`, signed with a server secret.

    The browser keeps the token (sessionStorage) and presents it on reconnect; the server
    honours it only when the signature is its own and it was issued less than `max_age` ago, so
    a client can resume its own session but cannot name anyone else's, and a token copied out of
    a browser stops working. Every reconnect renews the token (same conversation, new time), so
    only sessions idle for `max_age` end. The conversation id is `web:<id>`; the token never is.
    """

    ID_BYTES = 18  # 24 base64url characters: MAX_LOCAL_ID[WEB]
    SIGNATURE_CHARS = 32
    DEFAULT_MAX_AGE = timedelta(days=7)

    def __init__(
        self, secret: str, *, max_age: timedelta = DEFAULT_MAX_AGE, clock: Callable[[], float] = time.time
    ) -> None:
        if len(secret) < 16:
            raise ValueError("the web session secret must be at least 16 characters")
        self._key = hashlib.sha256(("web-session:" + secret).encode("utf-8")).digest()
        self._max_age = max_age.total_seconds()
        self._clock = clock

    def issue(self) -> tuple[str, str]:
        """A new (token, conversation id) pair."""
        local = base64.urlsafe_b64encode(secrets.token_bytes(self.ID_BYTES)).decode("ascii")
        conversation = conversation_id(Channel.WEB, local)
        return self.renew(conversation), conversation

    def renew(self, conversation: str) -> str:
        """A fresh token for a web conversation this server issued."""
        local = conversation.removeprefix(f"{Channel.WEB.value}:")
        issued = format(int(self._clock()), "x")
        return f"{local}.{issued}.{self._sign(local, issued)}"

    def conversation_of(self, token: object) -> str | None:
        """The conversation id a token was issued for, or None for anything not issued by us (or too old)."""
        if not isinstance(token, str) or len(token) > 100 or not token.isascii():
            return None
        local, issued, signature = (token.split(".") + ["", ""])[:3]
        if len(local) != MAX_LOCAL_ID[Channel.WEB] or not issued or token.count(".") != 2:
            return None
        if not hmac.compare_digest(signature, self._sign(local, issued)):
            return None
        try:
            age = self._clock() - int(issued, 16)
        except ValueError:
            return None
        if not 0 <= age <= self._max_age:
            return None
        return conversation_id(Channel.WEB, local)

    def _sign(self, local: str, issued: str) -> str:
        digest = hmac.new(self._key, f"{local}.{issued}".encode("ascii"), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode("ascii")[: self.SIGNATURE_CHARS]
