"""Messages waiting for a web-chat page: the table and its queries (enqueue, lease, mark delivered).

    web_messages    one message for one web conversation (`web:<id>`) that did not come from the
                    page's own turn (an agent's reply, a notification), or a turn reply the page
                    never confirmed; also an agent's reply for a REST caller (`rest:<sender>`),
                    which has no push and gets it with its next request (`take_undelivered`). `key` is the id the page sees and deduplicates on;
                    `delivered_at` is set when a page acknowledged it; until then a Rasa process
                    may hold it for LEASE while it offers it to its sockets (`lease`, `lease_until`).

Any process adds rows (`enqueue`); the Rasa processes deliver them (bot/webchat/courier.py).
The schema is created by the Alembic revision `0006_web_messages`; keep both in step.
"""

from __future__ import annotations

import enum
import json
import uuid
from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Column,
    Enum,
    Index,
    String,
    Text,
    UniqueConstraint,
    bindparam,
    exists,
    or_,
    select,
    update,
)
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapped, Session

from bot.db.base import Base
from bot.db.models import BigId
from bot.db.types import UtcDateTime, utc_now
from bot.identity import CONVERSATION_ID_LENGTH

KEY_LENGTH = 32
LEASE_LENGTH = 64
CLAIM_BATCH = 100
"""At most this many messages are leased at once (the rest go on the next round)."""
_IN_LIST_CHUNK = 500


class Author(str, enum.Enum):
    """Who a web message is from; the page labels an agent's messages."""

    BOT = "bot"
    AGENT = "agent"


class WebMessage(Base):
    """One message for a web conversation, pending until a page acknowledges it."""

    __tablename__ = "web_messages"
    __table_args__ = (
        UniqueConstraint("key", name="uq_web_messages_key"),
        Index("ix_web_messages_conversation_delivered", "conversation_id", "delivered_at"),
    )

    id: Mapped[int] = Column(BigId, primary_key=True)
    key: Mapped[str] = Column(String(KEY_LENGTH), nullable=False)
    conversation_id: Mapped[str] = Column(String(CONVERSATION_ID_LENGTH), nullable=False)
    author: Mapped[Author] = Column(
        Enum(
            Author,
            name="ck_web_messages_author",
            native_enum=False,
            create_constraint=True,
            length=10,
            values_callable=lambda members: [member.value for member in members],
            validate_strings=True,
        ),
        nullable=False,
    )
    text: Mapped[str] = Column(Text, nullable=False)
    buttons: Mapped[str] = Column(Text, nullable=False, default="[]")
    """JSON list of {"title", "payload"}."""
    created_at: Mapped[datetime] = Column(UtcDateTime, nullable=False)
    delivered_at: Mapped[datetime | None] = Column(UtcDateTime)
    lease: Mapped[str | None] = Column(String(LEASE_LENGTH))
    """`<process>/<claim>` of the Rasa process offering it now; NULL when nobody is."""
    lease_until: Mapped[datetime | None] = Column(UtcDateTime)

    def payload(self) -> dict[str, Any]:
        """What the page receives (the `web_message` event)."""
        return {
            "id": self.key,
            "author": self.author.value,
            "text": self.text,
            "buttons": json.loads(self.buttons),
        }


def new_key() -> str:
    """A fresh message key (also used for turn replies before they ever reach this table)."""
    return uuid.uuid4().hex


def enqueue(
    session: Session,
    conversation_id: str,
    text: str,
    *,
    author: Author,
    buttons: Sequence[dict[str, str]] = (),
    key: str | None = None,
    now: datetime | None = None,
) -> WebMessage:
    """Add one pending message (checked by the caller: bot/webchat/outbox.py)."""
    message = WebMessage(
        key=key or new_key(),
        conversation_id=conversation_id,
        author=author,
        text=text,
        buttons=json.dumps(list(buttons), ensure_ascii=False),
        created_at=now or utc_now(),
    )
    session.add(message)
    session.flush()
    return message


def claim(
    session: Session,
    conversations: Collection[str],
    *,
    lease: str,
    until: datetime,
    now: datetime | None = None,
    reclaim_prefix: str | None = None,
) -> list[WebMessage]:
    """Lease the undelivered messages of `conversations` nobody holds (oldest first) and return them.

    One UPDATE takes each message only if it is still free, so two processes never both get it.
    `reclaim_prefix` also takes back messages whose lease starts with it (this process's own).
    """
    now = now or utc_now()
    free = or_(WebMessage.lease_until.is_(None), WebMessage.lease_until < now)
    if reclaim_prefix is not None:
        free = or_(free, WebMessage.lease.startswith(reclaim_prefix, autoescape=True))
    wanted = sorted(set(conversations))
    for start in range(0, len(wanted), _IN_LIST_CHUNK):
        chunk = wanted[start : start + _IN_LIST_CHUNK]
        ids = list(
            session.scalars(
                select(WebMessage.id)
                .where(WebMessage.delivered_at.is_(None), WebMessage.conversation_id.in_(chunk), free)
                .order_by(WebMessage.id)
                .limit(CLAIM_BATCH)
            )
        )
        if ids:
            session.execute(
                update(WebMessage)
                .where(WebMessage.id.in_(ids), WebMessage.delivered_at.is_(None), free)
                .values(lease=lease, lease_until=until)
                .execution_options(synchronize_session=False)
            )
    return list(session.scalars(select(WebMessage).where(WebMessage.lease == lease).order_by(WebMessage.id)))


def mark_delivered(session: Session, key: str, *, now: datetime | None = None) -> bool:
    """Record that a page showed the message `key`; False when it was already (or is unknown)."""
    result = session.execute(
        update(WebMessage)
        .where(WebMessage.key == key, WebMessage.delivered_at.is_(None))
        .values(delivered_at=now or utc_now(), lease=None, lease_until=None)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)


def undelivered(session: Session, conversation_id: str) -> list[WebMessage]:
    """The conversation's messages no page has acknowledged yet, oldest first."""
    query = (
        select(WebMessage)
        .where(WebMessage.conversation_id == conversation_id, WebMessage.delivered_at.is_(None))
        .order_by(WebMessage.id)
    )
    return list(session.scalars(query))


_ANY_UNDELIVERED = select(
    exists().where(
        WebMessage.conversation_id == bindparam("conversation_id"), WebMessage.delivered_at.is_(None)
    )
)
"""Built once: building the statement cost more than running it (asked on every REST turn)."""


def has_undelivered(connection: Connection, conversation_id: str) -> bool:
    """Whether the conversation has messages no page has acknowledged (one indexed read, no ORM)."""
    return bool(connection.execute(_ANY_UNDELIVERED, {"conversation_id": conversation_id}).scalar())


def take_undelivered(
    session: Session, conversation_id: str, *, now: datetime | None = None
) -> list[WebMessage]:
    """The conversation's undelivered messages, oldest first, marked delivered (a REST caller's replies:
    they go out with the response being built, in the caller's transaction)."""
    messages = undelivered(session, conversation_id)
    for message in messages:
        message.delivered_at = now or utc_now()
        message.lease = message.lease_until = None
    return messages


def by_key(session: Session, key: str) -> WebMessage | None:
    """The message with this key, if any."""
    return session.scalars(select(WebMessage).where(WebMessage.key == key)).first()


WEB_TABLES = (WebMessage.__table__,)
"""The tables this module owns (migration 0006_web_messages creates them)."""
