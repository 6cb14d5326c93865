"""The satisfaction question an applicant gets when an agent ends their case, and a Telegram answer.

Asked once per case an agent held (claimed or answered): on Telegram a message with five buttons
(1 = 很不满意 … 5 = 非常满意) whose callback_data is the rating itself (`rate:12:5`, bot/ratings.py),
so a press never goes to Rasa; on the web page the same question with the same five buttons, whose
payload the socket.io channel keeps (bot/rasa_ext/handoff_turns.py). REST callers are not asked
(their next request would carry a typed answer to Rasa, not a button).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from bot import identity, ratings
from bot.db import gateway_queries
from bot.db.escalation_models import Escalation
from bot.gateway import texts
from bot.webchat.outbox import enqueue_web_message

PURPOSE = "satisfaction_question"
_ANSWERS = {
    ratings.Outcome.KEPT: texts.RATING_THANKS,
    ratings.Outcome.ALREADY: texts.RATING_ALREADY,
    ratings.Outcome.REFUSED: texts.BUTTON_EXPIRED,
}


def ask(session: Session, escalation: Escalation) -> bool:
    """Queue the question for the applicant of a case an agent held; whether it was queued."""
    if not ratings.was_asked(escalation):
        return False
    question = texts.RATING_QUESTION.format(id=escalation.id)
    channel = identity.channel_of(escalation.sender_id)
    if channel is identity.Channel.WEB:
        buttons = [
            {"title": texts.RATING_LABELS[s], "payload": ratings.payload(escalation.id, s)}
            for s in ratings.SCORES
        ]
        enqueue_web_message(session, escalation.sender_id, question, buttons=buttons)
        return True
    chat_id = identity.telegram_user_id(escalation.sender_id)
    if chat_id is None or gateway_queries.get_chat(session, chat_id) is None:
        return False
    row = [
        {"text": texts.RATING_LABELS[s], "callback_data": ratings.payload(escalation.id, s)}
        for s in ratings.SCORES
    ]
    gateway_queries.enqueue_message(session, chat_id, question, purpose=PURPOSE, buttons=[row])
    return True


def record(session: Session, chat_id: int, rating: ratings.Rating) -> str:
    """Keep a Telegram applicant's answer; return what their button press is answered with."""
    return _ANSWERS[ratings.record(session, identity.telegram(chat_id), rating)]
