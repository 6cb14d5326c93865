"""Messages between an applicant and the agents while a person handles the conversation.

Both ways go through a queue. The applicant's messages (masked) go into the escalation's thread:
a Telegram applicant's from the gateway's own turn (`to_agents`), a web or REST applicant's from
the alerts the Rasa channels leave (`relay_applicant_alerts`, with "the applicant left"). What
reaches the applicant depends on their channel (bot.handoff.Reach), and each gets it the only way
it can:

    tg:    the gateway's outbox, into their chat, prefixed so the applicant sees who writes
    web:   `web_messages`: pushed to the open page, or shown when the page returns (author agent)
    rest:  `web_messages` too, returned with the caller's next request (prefixed like Telegram)

Only a conversation of another channel, or a Telegram applicant whose chat is unknown, cannot be
written to; the agents are told so. The first reply to an open escalation claims it for the agent
who wrote it. Long messages are split at Telegram's limit (UTF-16), each part with its prefix.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy.orm import Session

from bot import identity
from bot.db import escalation_queries, gateway_queries, web_messages
from bot.db.escalation_models import AlertKind, Escalation, EscalationStatus
from bot.db.gateway_models import OutboxMessage
from bot.db.types import utc_now
from bot.db.web_messages import Author
from bot.gateway import texts
from bot.gateway.agents_group import AgentsGroup
from bot.gateway.cards import applicant_label, has_card, queue_card_update, reason_text
from bot.gateway.media import AGENT_MEDIA, APPLICANT_MEDIA, copy_payload, fits_caption
from bot.gateway.replies import CALLBACK_PREFIX
from bot.handoff import LEAVE_PHRASE
from bot.message_length import split_after_prefix, split_text
from bot.privacy import mask
from bot.webchat.outbox import MAX_TEXT_CHARS, enqueue_web_message

TO_AGENTS = "relay_to_agents"
AGENT_REPLY = "agent_reply"
AGENT_NOTICE = "agent_notice"
"""The outbox purpose of the gateway's own notes in the agents group."""
ALERTS_PER_PASS = 200


class Relay:
    """Queues relayed messages; each method runs inside the caller's transaction."""

    def __init__(self, agents: AgentsGroup) -> None:
        self._agents = agents

    def to_agents(self, session: Session, escalation: Escalation, text: str | None) -> None:
        """Queue an applicant's message (masked, split at Telegram's limit) for the escalation's thread.

        None means non-text. While the escalation is not announced yet (or earlier messages still
        wait), the message is kept as an alert and relayed after its card (`relay_applicant_alerts`).
        """
        now = utc_now()
        escalation_queries.add_handoff_message(
            session, escalation.id, mask(text) if text is not None else texts.TRANSCRIPT_MEDIA, now
        )
        if escalation.announced_at is None or escalation_queries.has_held_applicant_alerts(
            session, escalation.id
        ):
            detail = {"text": mask(text)} if text is not None else {"media": True}
            escalation_queries.add_alert(
                session, AlertKind.APPLICANT_SAID, str(escalation.id), detail, utc_now()
            )
            escalation_queries.note_applicant_said(session, escalation.id, utc_now())
            return
        escalation_queries.note_applicant_said(session, escalation.id, utc_now())
        self._enqueue_said(session, escalation.id, mask(text) if text is not None else None)

    def media_to_agents(
        self, session: Session, escalation: Escalation, chat_id: int, message_id: int, caption: str
    ) -> None:
        """Queue a copy of an applicant's photo or document (its caption masked) for the escalation's
        thread; held like words while the escalation is not announced."""
        masked = mask(caption) if caption else ""
        now = utc_now()
        escalation_queries.add_handoff_message(
            session, escalation.id, f"{texts.TRANSCRIPT_MEDIA}{masked}", now
        )
        escalation_queries.note_applicant_said(session, escalation.id, now)
        copy = {"from_chat_id": chat_id, "message_id": message_id, "caption": masked}
        if escalation.announced_at is None or escalation_queries.has_held_applicant_alerts(
            session, escalation.id
        ):
            escalation_queries.add_alert(
                session, AlertKind.APPLICANT_SAID, str(escalation.id), {"copy": copy}, now
            )
            return
        self._enqueue_copy(session, escalation.id, copy)

    def _enqueue_copy(self, session: Session, escalation_id: int, copy: dict[str, Any]) -> None:
        caption = str(copy.get("caption") or "")
        if not caption:
            shown, rest = texts.APPLICANT_MEDIA_NO_CAPTION.format(id=escalation_id), ""
        elif fits_caption(texts.APPLICANT_MEDIA_CAPTION.format(id=escalation_id, caption=caption)):
            shown, rest = texts.APPLICANT_MEDIA_CAPTION.format(id=escalation_id, caption=caption), ""
        else:  # too long for a caption: the words follow as text, never cut
            shown = texts.APPLICANT_MEDIA_CAPTION.format(id=escalation_id, caption=texts.MEDIA_CAPTION_BELOW)
            rest = caption
        payload = copy_payload(int(copy["from_chat_id"]), int(copy["message_id"]), shown)
        gateway_queries.enqueue_message(
            session, self._agents.chat_id, payload, purpose=APPLICANT_MEDIA, escalation_id=escalation_id
        )
        if rest:
            self._enqueue_said(session, escalation_id, rest)

    def media_from_agent(
        self,
        session: Session,
        escalation_id: int,
        agent_id: int,
        agent_name: str,
        message_id: int,
        caption: str,
    ) -> bool:
        """Queue a copy of an agent's photo or document for a Telegram applicant (caption prefixed like a
        reply); the agents hear why when it cannot go out (then False)."""
        escalation = escalation_queries.get_escalation(session, escalation_id)
        chat_id = identity.telegram_user_id(escalation.sender_id) if escalation is not None else None
        if escalation is None or escalation.status == EscalationStatus.RESOLVED:
            notice = texts.NOT_RELAYED_RESOLVED.format(id=escalation_id)
        elif chat_id is None:
            notice = texts.AGENT_MEDIA_ONLY_TELEGRAM.format(id=escalation_id)
        elif gateway_queries.get_chat(session, chat_id) is None:
            notice = texts.NOT_TELEGRAM_USER.format(sender=mask(escalation.sender_id))
        else:
            labelled = (
                texts.AGENT_REPLY.format(text=caption) if caption else texts.AGENT_REPLY.format(text="")
            )
            shown = (
                labelled
                if fits_caption(labelled)
                else texts.AGENT_REPLY.format(text=texts.MEDIA_CAPTION_BELOW)
            )
            gateway_queries.enqueue_message(
                session, chat_id, copy_payload(self._agents.chat_id, message_id, shown), purpose=AGENT_MEDIA
            )
            if shown != labelled:
                for part in split_after_prefix(texts.AGENT_REPLY.format(text=""), caption):
                    gateway_queries.enqueue_message(session, chat_id, part, purpose=AGENT_REPLY)
            now = utc_now()
            escalation_queries.note_agent_reply(session, escalation_id, now)
            escalation_queries.add_handoff_message(
                session, escalation_id, f"{texts.TRANSCRIPT_MEDIA}{mask(caption)}", now, agent_name=agent_name
            )
            if escalation.status == EscalationStatus.OPEN:  # the first reply claims it
                escalation_queries.claim_escalation(session, escalation_id, agent_id, agent_name)
            return True
        gateway_queries.enqueue_message(
            session, self._agents.chat_id, notice, purpose=AGENT_NOTICE, escalation_id=escalation_id
        )
        return False

    def _enqueue_said(self, session: Session, escalation_id: int, masked: str | None) -> None:
        parts = (
            split_after_prefix(texts.APPLICANT_SAYS.format(id=escalation_id, text=""), masked)
            if masked is not None
            else [texts.APPLICANT_SENT_MEDIA.format(id=escalation_id)]
        )
        for body in parts:
            gateway_queries.enqueue_message(
                session, self._agents.chat_id, body, purpose=TO_AGENTS, escalation_id=escalation_id
            )

    def tell_applicant(
        self,
        session: Session,
        escalation: Escalation,
        text: str,
        purpose: str,
        *,
        from_agent: bool = False,
        leave_button: bool = False,
    ) -> bool:
        """Queue `text` (an agent's words when `from_agent`) for the applicant on their channel, with a
        「返回机器人」 button when asked; False when they cannot be written to (see the module docstring)."""
        conversation = escalation.sender_id
        channel = identity.channel_of(conversation)
        prefixed = texts.AGENT_REPLY.format(text=text) if from_agent else text
        buttons = [{"title": texts.LEAVE_BUTTON, "payload": LEAVE_PHRASE}] if leave_button else []
        if channel is identity.Channel.TELEGRAM:
            chat_id = identity.telegram_user_id(conversation)
            if chat_id is None or gateway_queries.get_chat(session, chat_id) is None:
                return False
            keyboard = [
                [
                    {
                        "text": b["title"],
                        "callback_data": f"{CALLBACK_PREFIX}{self._callback(session, chat_id, b)}",
                    }
                ]
                for b in buttons
            ]
            prefix = texts.AGENT_REPLY.format(text="") if from_agent else ""
            parts = split_after_prefix(prefix, text)
            for number, part in enumerate(parts, start=1):
                markup = keyboard if number == len(parts) else []
                gateway_queries.enqueue_message(
                    session, chat_id, part, purpose=purpose, buttons=markup or None
                )
            return True
        author = Author.AGENT if from_agent else Author.BOT
        parts = split_text(text if channel is identity.Channel.WEB else prefixed, MAX_TEXT_CHARS)
        for number, part in enumerate(parts, start=1):
            last = buttons if number == len(parts) else []
            if channel is identity.Channel.WEB:
                enqueue_web_message(session, conversation, part, author=author, buttons=last)
            elif channel is identity.Channel.REST:
                web_messages.enqueue(session, conversation, part, author=author, buttons=last)
            else:
                return False
        return bool(parts)

    @staticmethod
    def _callback(session: Session, chat_id: int, button: dict[str, str]) -> int:
        return gateway_queries.store_callback(session, chat_id, button["payload"], button["title"])

    def from_agent(
        self, session: Session, escalation_id: int, agent_id: int, agent_name: str, text: str
    ) -> bool:
        """Queue an agent's reply (split at Telegram's limit) for the applicant; the agents hear why when it
        cannot go out (then False)."""
        escalation = escalation_queries.get_escalation(session, escalation_id)
        if escalation is None or escalation.status == EscalationStatus.RESOLVED:
            notice: str | None = texts.NOT_RELAYED_RESOLVED.format(id=escalation_id)
        elif not self.tell_applicant(session, escalation, text, AGENT_REPLY, from_agent=True):
            notice = texts.NOT_TELEGRAM_USER.format(sender=mask(escalation.sender_id))
        else:
            notice = None
            escalation_queries.note_agent_reply(session, escalation_id, utc_now())
            escalation_queries.add_handoff_message(
                session, escalation_id, mask(text), utc_now(), agent_name=agent_name
            )
            if escalation.status == EscalationStatus.OPEN:  # the first reply claims it
                escalation_queries.claim_escalation(session, escalation_id, agent_id, agent_name)
        if notice is not None:
            gateway_queries.enqueue_message(
                session, self._agents.chat_id, notice, purpose=AGENT_NOTICE, escalation_id=escalation_id
            )
        return notice is None

    def relay_applicant_alerts(self, session: Session) -> int:
        """Post what applicants wrote during their handoff, and that they left, each in its escalation's
        thread, once the escalation is announced (its card or summary line goes first); return how many.

        Leaving ends the case: its card is edited to ended. An escalation without a card gets the
        notice in the group, naming who asked and why, so it does not stand alone.
        """
        alerts = escalation_queries.relayable_applicant_alerts(session, limit=ALERTS_PER_PASS)
        for alert in alerts:
            escalation = escalation_queries.get_escalation(session, int(alert.subject))
            if escalation is None:
                continue
            if alert.kind == AlertKind.APPLICANT_SAID.value:
                detail = json.loads(alert.detail or "{}")
                if isinstance(detail.get("copy"), dict):  # a Telegram applicant's file, held for the card
                    self._enqueue_copy(session, escalation.id, detail["copy"])
                    continue
                said = None if detail.get("media") else mask(str(detail.get("text", "")))
                self._enqueue_said(session, escalation.id, said)
                escalation_queries.note_applicant_said(session, escalation.id, alert.created_at)
                if identity.channel_of(escalation.sender_id) is not identity.Channel.TELEGRAM:
                    # a web or REST applicant's words (a Telegram applicant's were kept by to_agents)
                    escalation_queries.add_handoff_message(
                        session, escalation.id, said or texts.TRANSCRIPT_MEDIA, alert.created_at
                    )
            else:
                self._applicant_left(session, escalation)
        escalation_queries.mark_alerts_announced(session, [alert.id for alert in alerts])
        return len(alerts)

    def _applicant_left(self, session: Session, escalation: Escalation) -> None:
        if has_card(session, escalation.id):
            gateway_queries.enqueue_message(
                session,
                self._agents.chat_id,
                texts.APPLICANT_LEFT.format(id=escalation.id),
                purpose=TO_AGENTS,
                escalation_id=escalation.id,
            )
            queue_card_update(session, self._agents.chat_id, escalation, forum=bool(self._agents.is_forum))
            return
        body = texts.APPLICANT_LEFT_NO_CARD.format(
            id=escalation.id,
            who=applicant_label(session, escalation),
            reason=reason_text(escalation),
        )
        gateway_queries.enqueue_message(session, self._agents.chat_id, body, purpose=TO_AGENTS)

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
        if row.purpose not in (AGENT_REPLY, AGENT_MEDIA) or row.chat_id <= 0:
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
