"""The Telegram gateway: applicants ⇄ Rasa, escalations ⇄ the agents group (`python -m bot.gateway`).

    settings.py      GatewaySettings from the environment
    app.py           build_application(): handlers, hooks; run() polls or serves a webhook
    handlers.py      the Telegram handlers (thin)
    services.py      the long-lived parts, created in post_init
    inbox.py         updates stored before they are confirmed; per-chat ordered processing
    outbox.py        every outgoing message is a row; delivery with retries and Telegram's errors
    limits.py        Telegram's sending limits
    conversation.py  an applicant's turn: Rasa, typing, apologies, relays during a handoff
    handoff.py       the agents group: threads, relays, /claim /resolve /open
    announcer.py     escalations and alerts written by the actions → cards, or one summary per burst
    replies.py       Rasa messages → Telegram messages (splitting, buttons)
    rasa_client.py   Rasa's REST channel and tracker events API
    store.py         database access from async code
    texts.py         every Chinese text the gateway sends
    logs.py          logging with secrets redacted
"""
