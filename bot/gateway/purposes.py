"""The outbox purposes several parts of the gateway act on (an outbox row's `purpose` says what it is)."""

from __future__ import annotations

CARD = "escalation"
"""An escalation's card (a thread's first message)."""
CARD_UPDATE = "card_update"
"""A new text for a card already posted: edited in place (owner, buttons), not sent anew."""
REPLY = "reply"
"""The bot's (Rasa's) answer to an applicant's message."""
REPLY_NOT_SHOWN = "reply_not_shown"
"""The apology sent once when Telegram refused to show an applicant the bot's answer (never apologised for)."""
TOPIC_UPDATE = "topic_update"
"""A new name for an escalation's forum topic (closed too once the escalation ended)."""
