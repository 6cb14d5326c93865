"""What agents read about an escalation: who the applicant is, and the escalation's card.

A card is the message that introduces an escalation in the agents group (who, on which channel and
whether a reply reaches them there, why, application ID, masked last turns, how to reply); it
starts the escalation's thread (bot/gateway/threads.py).
Every name and id agents see has its personal data masked.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session
from telegram import User

from bot import identity
from bot.db import escalation_queries, gateway_queries, queries
from bot.db.escalation_models import Escalation
from bot.gateway import texts
from bot.handoff import Reach, parse_transcript, reach_of
from bot.privacy import mask

CARD = "escalation"
"""The outbox purpose of an escalation's card (a thread's first message)."""
VERIFIED_WITHIN = timedelta(hours=1)
"""An application counts as verified on a card when its conversation proved ownership this recently."""


def display_name(user: User) -> str:
    """How agents see a Telegram applicant: full name, @username (personal data masked) and id."""
    parts = [mask(user.full_name or "")]
    if user.username:
        parts.append(f"@{mask(user.username)}")
    parts.append(f"id {user.id}")
    return " ".join(part for part in parts if part)


_OTHER_CHANNELS = {identity.Channel.WEB: texts.WEB_APPLICANT, identity.Channel.REST: texts.REST_APPLICANT}


def applicant_label(session: Session, escalation: Escalation, *, short_sender: int | None = None) -> str:
    """Who asked, as agents see it; `short_sender` cuts a non-Telegram sender id for one-line lists."""
    chat_id = identity.telegram_user_id(escalation.sender_id)
    chat = gateway_queries.get_chat(session, chat_id) if chat_id is not None else None
    if chat is None:
        channel = identity.channel_of(escalation.sender_id)
        if channel in _OTHER_CHANNELS:
            sender = mask(escalation.sender_id)
            return _OTHER_CHANNELS[channel].format(sender=sender[:short_sender] if short_sender else sender)
        if chat_id is not None:  # a Telegram applicant the gateway has not seen yet
            return texts.UNKNOWN_APPLICANT.format(sender=mask(escalation.sender_id))
        if short_sender is not None:
            return texts.OTHER_CHANNEL_SHORT.format(sender=mask(escalation.sender_id)[:short_sender])
        return texts.NOT_TELEGRAM_USER.format(sender=mask(escalation.sender_id))
    return chat.display_name or texts.UNKNOWN_APPLICANT.format(sender=mask(escalation.sender_id))


def channel_line(escalation: Escalation) -> str:
    """The applicant's channel, and whether and when an agent's reply reaches them there."""
    if identity.channel_of(escalation.sender_id) is None:
        return texts.CHANNEL_UNKNOWN
    return {
        Reach.CHAT: texts.CHANNEL_TELEGRAM,
        Reach.PAGE: texts.CHANNEL_WEB,
        Reach.NEXT_REQUEST: texts.CHANNEL_REST,
    }[reach_of(escalation.sender_id)]


def reason_text(escalation: Escalation) -> str:
    """Why the conversation was handed over, in agents' words."""
    return texts.REASONS.get(escalation.reason, escalation.reason)


def transcript_line(role: str, text: str) -> str:
    """One line of a card's transcript: a role marker no applicant text can imitate.

    Line breaks inside a message are shown as ⏎, so every line of the transcript starts with the
    marker the bot wrote; the applicant's words are quoted.
    """
    flat = " ⏎ ".join(part.strip() for part in text.splitlines() if part.strip())
    template = texts.TRANSCRIPT_APPLICANT if role == "user" else texts.TRANSCRIPT_BOT
    return template.format(text=flat)


def application_line(session: Session, escalation: Escalation) -> str:
    """The application ID on a card, saying whether the conversation proved it owns the application."""
    if not escalation.application_id:
        return texts.NO_APPLICATION_ID
    verified = queries.has_verified_ownership(
        session, escalation.sender_id, escalation.application_id, escalation.created_at - VERIFIED_WITHIN
    )
    template = texts.APPLICATION_VERIFIED if verified else texts.APPLICATION_UNVERIFIED
    return template.format(application_id=escalation.application_id)


def escalation_post(session: Session, escalation: Escalation, *, forum: bool) -> str:
    """The card's text: who, why, application ID (verified or not), masked last turns, how to reply."""
    lines = [
        transcript_line(str(line.get("role", "")), str(line.get("text", "")))
        for line in parse_transcript(escalation.transcript)
    ]
    return texts.ESCALATION_POST.format(
        id=escalation.id,
        who=applicant_label(session, escalation),
        channel=channel_line(escalation),
        reason=reason_text(escalation),
        application_id=application_line(session, escalation),
        transcript="\n".join(lines) or texts.NO_TRANSCRIPT,
        how_to=texts.HOW_TO_REPLY_TOPIC if forum else texts.HOW_TO_REPLY_CHAIN,
    )


def queue_card(session: Session, agents_chat_id: int, escalation: Escalation, *, forum: bool) -> None:
    """Put the escalation's card in the outbox (the caller records the announcement)."""
    gateway_queries.enqueue_message(
        session,
        agents_chat_id,
        escalation_post(session, escalation, forum=forum),
        purpose=CARD,
        escalation_id=escalation.id,
    )


def has_card(session: Session, escalation_id: int) -> bool:
    """Whether the escalation's card was queued (it has a thread); a summary line is not a card."""
    return CARD in gateway_queries.thread_purposes(session, escalation_id)


def ensure_card(session: Session, agents_chat_id: int, escalation: Escalation, *, forum: bool) -> None:
    """Give an escalation its card if it has none yet (it was in a summary, or not announced yet)."""
    if has_card(session, escalation.id):
        return
    queue_card(session, agents_chat_id, escalation, forum=forum)
    if escalation.announced_at is None:
        escalation_queries.mark_announced(session, [escalation.id])
