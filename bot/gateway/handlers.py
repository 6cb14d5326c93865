"""Telegram update handlers: small functions that hand the work to the gateway's services."""

from __future__ import annotations

import logging

from telegram import Message, Update
from telegram.ext import ContextTypes

from bot import ratings
from bot.db import gateway_queries
from bot.gateway import texts
from bot.gateway.agent_commands import AGENT_COMMANDS, parse_command
from bot.gateway.cards import display_name
from bot.gateway.conversation import callback_id
from bot.gateway.notifications import UNSUBSCRIBE_PAYLOAD
from bot.gateway.services import Services

logger = logging.getLogger(__name__)

Context = ContextTypes.DEFAULT_TYPE


def services(context: Context) -> Services:
    """The gateway's services, created in post_init."""
    return context.application.bot_data["services"]


def applicant(update: Update) -> tuple[int, str]:
    """The private chat an applicant's update came from, and how agents see the applicant.

    The applicant handlers are registered for private chats only (app.py), where both exist.
    """
    chat, user = update.effective_chat, update.effective_user
    assert chat is not None and user is not None
    return chat.id, display_name(user)


def text_of(update: Update) -> tuple[Message, str]:
    """The message of a text update and its text (registered with filters.TEXT in app.py)."""
    message = update.effective_message
    assert message is not None and message.text is not None
    return message, message.text


async def start(update: Update, context: Context) -> None:
    """/start: welcome and what the bot can do."""
    chat_id, _ = applicant(update)
    await services(context).conversations.reply(update.update_id, chat_id, texts.WELCOME)


async def help_command(update: Update, context: Context) -> None:
    """/help: how to use the bot."""
    chat_id, _ = applicant(update)
    await services(context).conversations.reply(update.update_id, chat_id, texts.HELP)


async def human(update: Update, context: Context) -> None:
    """/human: hand the conversation to a person (through Rasa, which records the escalation)."""
    gateway = services(context)
    chat_id, name = applicant(update)
    if await gateway.conversations.active_escalation(chat_id, name) is not None:
        await gateway.conversations.reply(update.update_id, chat_id, texts.ALREADY_WITH_AGENT)
        return
    await gateway.conversations.message(update.update_id, chat_id, name, "/human", payload="/request_human")


async def unsubscribe(update: Update, context: Context) -> None:
    """/unsubscribe: stop status notifications (through Rasa, whose action ends the subscriptions)."""
    chat_id, name = applicant(update)
    await services(context).conversations.message(
        update.update_id, chat_id, name, "/unsubscribe", payload=UNSUBSCRIBE_PAYLOAD
    )


async def applicant_text(update: Update, context: Context) -> None:
    """A text message in a private chat goes to Rasa (or to the agent handling the chat)."""
    gateway = services(context)
    chat_id, name = applicant(update)
    _, text = text_of(update)
    command = parse_command(text, context.bot.username)
    if command is not None and command.name in AGENT_COMMANDS and command.name != "help":
        await gateway.conversations.reply(update.update_id, chat_id, texts.AGENTS_ONLY)
        return
    await gateway.conversations.message(update.update_id, chat_id, name, text)


async def applicant_media(update: Update, context: Context) -> None:
    """Photos, files, voice, stickers…: to the agent during a handoff (within the guide's file rules), else
    say what the bot can handle."""
    chat_id, name = applicant(update)
    message = update.effective_message
    assert message is not None  # a MessageHandler's update has one
    await services(context).conversations.media(update.update_id, chat_id, name, message)


async def button_pressed(update: Update, context: Context) -> None:
    """An inline button: a card's in the agents group goes to the desk; an applicant's is acknowledged,
    its keyboard removed and its payload sent to Rasa."""
    gateway = services(context)
    query = update.callback_query
    assert query is not None  # registered as a CallbackQueryHandler (app.py)
    chat = update.effective_chat
    if chat is not None and chat.id == gateway.agents.chat_id:
        await gateway.desk.button(update.update_id, query)  # a card's 接手 / 结束
        return
    rating = ratings.parse(query.data)
    if rating is not None and chat is not None and chat.type == chat.PRIVATE:
        await gateway.conversations.rate(update.update_id, chat.id, query, rating)  # never goes to Rasa
        return
    key = callback_id(query.data)
    stored = (
        await gateway.store.run(gateway_queries.get_callback, key, chat.id)
        if key is not None and chat
        else None
    )
    await gateway.telegram_best_effort(query.answer(text=None if stored else texts.BUTTON_EXPIRED))
    if stored is None or chat is None or chat.type != chat.PRIVATE:
        return
    await gateway.telegram_best_effort(query.edit_message_reply_markup(reply_markup=None))
    _, name = applicant(update)
    await gateway.conversations.message(update.update_id, chat.id, name, stored.title, payload=stored.payload)


async def group_message(update: Update, context: Context) -> None:
    """The agents group is served; every other group is ignored."""
    gateway = services(context)
    message = update.effective_message
    chat = update.effective_chat
    if message is None or chat is None:
        return
    if message.migrate_to_chat_id and chat.id == gateway.agents.chat_id:
        await gateway.agents_group_migrated(message.migrate_to_chat_id)
        return
    if chat.id != gateway.agents.chat_id:
        logger.info("ignored an update from group %s (not the agents group)", chat.id)
        return
    await gateway.desk.handle(update.update_id, message, context.bot.username)


async def edited_message(update: Update, context: Context) -> None:
    """An edit is never handled as a new message (a command would run twice, a relayed text would
    change nowhere): the applicant is asked to send the correction; an agent editing in a case's
    thread is told the applicant still has the first version."""
    gateway = services(context)
    message = update.edited_message
    chat = update.effective_chat
    if message is None or chat is None:
        return
    if chat.type == chat.PRIVATE:
        await gateway.conversations.reply(update.update_id, chat.id, texts.EDIT_NOT_READ)
    elif chat.id == gateway.agents.chat_id:
        await gateway.desk.edited(update.update_id, message)


async def on_error(update: object, context: Context) -> None:
    """The one error handler: log first, then make sure an applicant is not left in silence."""
    update_id = update.update_id if isinstance(update, Update) else None
    logger.error("error while handling update %s", update_id, exc_info=context.error)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    if update.effective_chat.type != update.effective_chat.PRIVATE:
        return
    try:
        await services(context).conversations.reply(
            update.update_id, update.effective_chat.id, texts.RASA_FAILED
        )
    except Exception:  # noqa: BLE001 - the database may be what failed; nothing more to do here
        logger.error("could not queue the apology for update %s", update_id)
