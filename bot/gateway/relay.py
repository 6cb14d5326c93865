"""Messages between an applicant and the agents while a person handles the conversation.

Both ways go through the outbox: the applicant's messages (masked) into the escalation's thread,
an agent's reply into the applicant's chat, prefixed so the applicant sees who writes. Only a
Telegram applicant with a known chat can be written to; for others the agents are told so. The
first reply to an open escalation claims it for the agent who wrote it.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from bot import identity
from bot.db import escalation_queries, gateway_queries
from bot.db.escalation_models import Escalation, EscalationStatus
from bot.db.gateway_models import OutboxMessage
from bot.gateway import texts
from bot.gateway.agents_group import AgentsGroup
from bot.message_length import split_after_prefix
from bot.privacy import mask

TO_AGENTS = "relay_to_agents"
AGENT_REPLY = "agent_reply"
AGENT_NOTICE = "agent_notice"
"""The outbox purpose of the gateway's own notes in the agents group."""


class Relay:
    """Queues relayed messages; each method runs inside the caller's transaction."""

    def __init__(self, agents: AgentsGroup) -> None:
        self._agents = agents

    def to_agents(self, session: Session, escalation: Escalation, text: str | None) -> None:
        """Queue an applicant's message (masked, split at Telegram's limit) for the escalation's thread.

        None means non-text.
        """
        parts = (
            split_after_prefix(texts.APPLICANT_SAYS.format(id=escalation.id, text=""), mask(text))
            if text is not None
            else [texts.APPLICANT_SENT_MEDIA.format(id=escalation.id)]
        )
        for body in parts:
            gateway_queries.enqueue_message(
                session, self._agents.chat_id, body, purpose=TO_AGENTS, escalation_id=escalation.id
            )

    def tell_applicant(self, session: Session, escalation: Escalation, text: str, purpose: str) -> bool:
        """Queue `text` for the applicant; False when they cannot be written to here (not a known Telegram chat)."""
        chat_id = identity.telegram_user_id(escalation.sender_id)
        if chat_id is None or gateway_queries.get_chat(session, chat_id) is None:
            return False
        gateway_queries.enqueue_message(session, chat_id, text, purpose=purpose)
        return True

    def from_agent(
        self, session: Session, escalation_id: int, agent_id: int, agent_name: str, text: str
    ) -> None:
        """Queue an agent's reply (split at Telegram's limit) for the applicant; the agents hear why when it cannot go out."""
        escalation = escalation_queries.get_escalation(session, escalation_id)
        parts = split_after_prefix(texts.AGENT_REPLY.format(text=""), text)
        if escalation is None or escalation.status == EscalationStatus.RESOLVED:
            notice: str | None = texts.NOT_RELAYED_RESOLVED.format(id=escalation_id)
        elif not all(self.tell_applicant(session, escalation, part, AGENT_REPLY) for part in parts):
            notice = texts.NOT_TELEGRAM_USER.format(sender=mask(escalation.sender_id))
        else:
            notice = None
            if escalation.status == EscalationStatus.OPEN:  # the first reply claims it
                escalation_queries.claim_escalation(session, escalation_id, agent_id, agent_name)
        if notice is not None:
            gateway_queries.enqueue_message(
                session, self._agents.chat_id, notice, purpose=AGENT_NOTICE, escalation_id=escalation_id
            )

    def applicant_blocked(self, session: Session, chat_id: int) -> None:
        """Tell the agents when an applicant with an active escalation blocked the bot."""
        if chat_id <= 0:
            return  # a group, not an applicant's private chat
        escalation = escalation_queries.active_escalation(session, identity.telegram(chat_id))
        if escalation is not None:
            gateway_queries.enqueue_message(
                session,
                self._agents.chat_id,
                texts.APPLICANT_BLOCKED.format(id=escalation.id),
                purpose=AGENT_NOTICE,
                escalation_id=escalation.id,
            )

    def reply_failed(self, session: Session, row: OutboxMessage) -> None:
        """Tell the agents when Telegram refused an agent's reply to an applicant (nothing fails silently)."""
        if row.purpose != AGENT_REPLY or row.chat_id <= 0:
            return
        escalation = escalation_queries.active_escalation(session, identity.telegram(row.chat_id))
        if escalation is not None:
            gateway_queries.enqueue_message(
                session,
                self._agents.chat_id,
                texts.REPLY_NOT_DELIVERED.format(id=escalation.id),
                purpose=AGENT_NOTICE,
                escalation_id=escalation.id,
            )
