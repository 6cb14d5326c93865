"""What agents read about an escalation: who the applicant is, and the escalation's card.

A card is the message that introduces an escalation in the agents group (who, on which channel and
whether a reply reaches them there, why, application ID with its latest status and when it changed,
masked last turns, how to reply); it starts the escalation's thread (bot/gateway/threads.py). Every
name and id agents see has its personal data masked. A card ends with the escalation's status
(waiting, who holds it, ended) and carries 接手 / 结束 buttons; it is edited in place when that
changes (`queue_card_update`), and in a forum the topic's name follows (`topic_name`).
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session
from telegram import User

from bot import identity
from bot.db import escalation_queries, gateway_queries, queries
from bot.db.escalation_models import Escalation, EscalationStatus
from bot.db.types import BEIJING
from bot.gateway import texts
from bot.gateway.purposes import CARD, CARD_UPDATE, TOPIC_UPDATE
from bot.handoff import Reach, parse_transcript, reach_of
from bot.privacy import mask
from bot.status.report import beijing_time

TOPIC_NAME_LIMIT = 128
BUTTON_PREFIX = "desk:"
"""callback_data of the card's buttons: `desk:claim:12`, `desk:takeover:12`, `desk:resolve:12`."""
VERIFIED_WITHIN = timedelta(hours=1)
PREVIOUS_TRANSCRIPT_LINES = 6
"""How many of the previous handoff's last messages a new card of the same applicant shows."""
TRANSCRIPT_CHARS = 200
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
    """The application ID on a card, whether the conversation proved it owns it, its latest status and when."""
    if not escalation.application_id:
        return texts.NO_APPLICATION_ID
    verified = queries.has_verified_ownership(
        session, escalation.sender_id, escalation.application_id, escalation.created_at - VERIFIED_WITHIN
    )
    template = texts.APPLICATION_VERIFIED if verified else texts.APPLICATION_UNVERIFIED
    line = template.format(application_id=escalation.application_id)
    application = queries.get_application(session, escalation.application_id)
    if application is None:  # an ID the applicant typed that names no application
        return line
    return line + texts.APPLICATION_LATEST_STATUS.format(
        status=application.status.value, since=beijing_time(application.status_since)
    )


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
        card_text(session, escalation, forum=forum),
        purpose=CARD,
        escalation_id=escalation.id,
        buttons=card_buttons(escalation),
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


def card_status(escalation: Escalation) -> str:
    """The card's status line: waiting, who holds it, or ended."""
    if escalation.status == EscalationStatus.CLAIMED:
        return texts.CARD_STATUS_CLAIMED.format(agent=escalation.claimed_by_name or "")
    if escalation.status == EscalationStatus.RESOLVED:
        return texts.CARD_STATUS_RESOLVED
    return texts.CARD_STATUS_OPEN


def handoff_lines(session: Session, escalation_id: int, last: int = PREVIOUS_TRANSCRIPT_LINES) -> list[str]:
    """The last messages of an escalation's handoff, both ways: the applicant's quoted, agents' named."""
    lines = []
    for message in escalation_queries.handoff_messages(session, escalation_id, last):
        text = (
            message.text
            if len(message.text) <= TRANSCRIPT_CHARS
            else message.text[: TRANSCRIPT_CHARS - 1] + "…"
        )
        if message.agent_name is None:
            lines.append(transcript_line("user", text))
        else:
            flat = " ⏎ ".join(part.strip() for part in text.splitlines() if part.strip())
            lines.append(texts.TRANSCRIPT_AGENT.format(agent=message.agent_name, text=flat))
    return lines


def previous_case_line(session: Session, escalation: Escalation) -> str | None:
    """A link to the applicant's previous escalation, if there was one, with the end of its handoff."""
    previous = escalation_queries.previous_escalation(session, escalation)
    if previous is None:
        return None
    link = texts.PREVIOUS_CASE.format(
        id=previous.id,
        when=previous.created_at.astimezone(BEIJING).strftime("%m-%d %H:%M"),
        status=card_status(previous).removeprefix("状态："),
    )
    said = handoff_lines(session, previous.id)
    return "\n".join([link, texts.PREVIOUS_TRANSCRIPT_HEADER, *said]) if said else link


def card_text(session: Session, escalation: Escalation, *, forum: bool) -> str:
    """The card as agents see it now: the post, a link to the previous case, and its status."""
    lines = [escalation_post(session, escalation, forum=forum)]
    previous = previous_case_line(session, escalation)
    if previous is not None:
        lines.append(previous)
    lines.append(card_status(escalation))
    return "\n".join(lines)


def card_buttons(escalation: Escalation) -> list[list[dict[str, str]]] | None:
    """The card's buttons: 接手 (or 改由我接手 once claimed) and 结束; none once ended."""
    if escalation.status == EscalationStatus.RESOLVED:
        return None
    first = (
        (texts.BUTTON_TAKEOVER, "takeover")
        if escalation.status == EscalationStatus.CLAIMED
        else (texts.BUTTON_CLAIM, "claim")
    )
    return [
        [
            {"text": first[0], "callback_data": f"{BUTTON_PREFIX}{first[1]}:{escalation.id}"},
            {"text": texts.BUTTON_RESOLVE, "callback_data": f"{BUTTON_PREFIX}resolve:{escalation.id}"},
        ]
    ]


def topic_name(session: Session, escalation: Escalation) -> str:
    """A forum topic's name: number, status, applicant, reason (Telegram allows 128 characters)."""
    if escalation.status == EscalationStatus.CLAIMED:
        status = texts.TOPIC_CLAIMED.format(agent=escalation.claimed_by_name or "")
    elif escalation.status == EscalationStatus.RESOLVED:
        status = texts.TOPIC_RESOLVED
    else:
        status = texts.TOPIC_OPEN
    name = texts.TOPIC_TITLE.format(
        id=escalation.id,
        status=status,
        who=applicant_label(session, escalation, short_sender=24)[:40],
        reason=reason_text(escalation),
    )
    return name[:TOPIC_NAME_LIMIT]


def queue_topic_update(session: Session, agents_chat_id: int, escalation: Escalation) -> None:
    """Rename the escalation's forum topic to its status now (and close it once ended), after what is queued."""
    gateway_queries.drop_pending(session, agents_chat_id, escalation.id, TOPIC_UPDATE)
    gateway_queries.enqueue_message(
        session,
        agents_chat_id,
        topic_name(session, escalation),
        purpose=TOPIC_UPDATE,
        escalation_id=escalation.id,
    )


def queue_card_update(session: Session, agents_chat_id: int, escalation: Escalation, *, forum: bool) -> None:
    """Edit the posted card to show the escalation as it is now (a pending older edit is dropped).

    In a forum the topic's name follows (bot/gateway/delivery.py renames it; closes it once ended).
    """
    if not has_card(session, escalation.id):
        return
    if forum:
        queue_topic_update(session, agents_chat_id, escalation)
    gateway_queries.drop_pending(session, agents_chat_id, escalation.id, CARD_UPDATE)
    gateway_queries.enqueue_message(
        session,
        agents_chat_id,
        card_text(session, escalation, forum=forum),
        purpose=CARD_UPDATE,
        escalation_id=escalation.id,
        buttons=card_buttons(escalation),
    )
