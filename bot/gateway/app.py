"""`build_application()`: the python-telegram-bot Application with every handler of the gateway."""

from __future__ import annotations

import datetime as dt
import logging
from urllib.parse import urlsplit

from telegram import Update
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.errors import PollingStopped
from bot.gateway import handlers
from bot.gateway.inbox import ChatOrderedProcessor, InboxQueue, replay_unprocessed
from bot.gateway.services import Services
from bot.gateway.settings import GatewaySettings
from bot.gateway.store import Store
from bot.gateway.updates import SafeUpdatesRequest
from bot.gateway.watchdog import PollingWatchdog

logger = logging.getLogger(__name__)

ALLOWED_UPDATES = [Update.MESSAGE, Update.EDITED_MESSAGE, Update.CALLBACK_QUERY]
MAX_CONCURRENT_UPDATES = 256


def build_application(settings: GatewaySettings) -> Application:
    """The Application: inbox queue, per-chat ordered processing, handlers, start-up and shutdown hooks."""
    store = Store(settings.database_url)
    queue = InboxQueue(store, give_up_after=settings.store_give_up)

    async def post_init(application: Application) -> None:
        gateway = await Services.create(application.bot, settings, store)
        application.bot_data["services"] = gateway
        await replay_unprocessed(queue, store, application.bot)
        gateway.start()
        if not settings.uses_webhook:
            watchdog = PollingWatchdog(application)
            application.bot_data["watchdog"] = watchdog
            watchdog.start()
        username, agents = application.bot.username, gateway.agents.chat_id
        logger.info("gateway started as @%s; agents group %s", username, agents)

    async def post_stop(application: Application) -> None:
        watchdog: PollingWatchdog | None = application.bot_data.get("watchdog")
        if watchdog is not None:
            await watchdog.stop()
        await application.bot_data["services"].stop()

    async def post_shutdown(application: Application) -> None:
        gateway: Services | None = application.bot_data.get("services")
        if gateway is not None:
            await gateway.close()
        store.dispose()

    application = (
        ApplicationBuilder()
        .token(settings.bot_token)
        .base_url(settings.api_base_url)
        .update_queue(queue)
        .job_queue(None)  # background work lives in Services (outbox sender, handoff maintenance)
        .concurrent_updates(ChatOrderedProcessor(store, MAX_CONCURRENT_UPDATES))
        .get_updates_request(SafeUpdatesRequest(read_timeout=settings.poll_timeout + 10))
        .post_init(post_init)
        .post_stop(post_stop)
        .post_shutdown(post_shutdown)
        .build()
    )
    private = filters.ChatType.PRIVATE
    application.add_handlers(
        [
            CallbackQueryHandler(handlers.button_pressed),
            MessageHandler(filters.UpdateType.EDITED, handlers.edited_message),  # before any other
            MessageHandler(filters.ChatType.GROUPS, handlers.group_message),
            CommandHandler("start", handlers.start, filters=private),
            CommandHandler("help", handlers.help_command, filters=private),
            CommandHandler("human", handlers.human, filters=private),
            CommandHandler("unsubscribe", handlers.unsubscribe, filters=private),
            MessageHandler(private & filters.TEXT, handlers.applicant_text),
            MessageHandler(private, handlers.applicant_media),
        ]
    )
    application.add_error_handler(handlers.on_error)
    return application


def run(settings: GatewaySettings) -> None:
    """Serve until stopped: long polling by default, a webhook when TELEGRAM_WEBHOOK_URL is set.

    Raises PollingStopped when polling ended by itself (bot/gateway/watchdog.py).
    """
    application = build_application(settings)
    if settings.uses_webhook:
        assert settings.webhook_url is not None
        application.run_webhook(
            listen=settings.webhook_listen,
            port=settings.webhook_port,
            url_path=urlsplit(settings.webhook_url).path.lstrip("/"),
            webhook_url=settings.webhook_url,
            secret_token=settings.webhook_secret,
            allowed_updates=ALLOWED_UPDATES,
            drop_pending_updates=False,
            bootstrap_retries=-1,
        )
    else:
        application.run_polling(
            allowed_updates=ALLOWED_UPDATES,
            timeout=dt.timedelta(seconds=settings.poll_timeout),
            drop_pending_updates=False,
            bootstrap_retries=-1,
        )
        watchdog: PollingWatchdog | None = application.bot_data.get("watchdog")
        if watchdog is not None and watchdog.tripped:
            raise PollingStopped("the gateway stopped polling Telegram")
