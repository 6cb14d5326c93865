"""The Telegram gateway: applicants ⇄ Rasa, escalations ⇄ the agents group (`python -m bot.gateway`).

Layered: a module imports only modules listed below it (tests/bot/gateway/test_layers.py checks).

    __main__.py        `python -m bot.gateway`: settings, logging, run
    app.py             build_application(): handlers, hooks; run() polls or serves a webhook
    handlers.py        the Telegram handlers (thin)
    services.py        the long-lived parts, created in post_init, each built from the ones below it
    updates.py         getUpdates read update by update: a malformed one is skipped, never stalls the rest
    inbox.py           updates stored before they are confirmed (a failed write retried); per-chat ordered processing
    watchdog.py        a gateway whose polling ended exits non-zero, so the supervisor restarts it
    conversation.py    an applicant's turn: Rasa, typing, apologies, relays during a handoff
    desk.py            the agents group's messages and card buttons: a command, a reply to relay, or chatter
    reminders.py       an escalation nobody claimed in AGENT_REMINDER_MINUTES is named again, once
    agent_commands.py  /claim /takeover /assign /resolve /mine /open /reply /report /help: parsed and carried out
    silence.py         a case silent for AUTO_RESOLVE_MINUTES ends, with a note to the applicant and the agents
    report.py          /report: per agent and week, cases ended, satisfaction, median first response
    announcer.py       escalations and alerts written by the actions → cards, or one summary per burst
    waiting.py         an escalation nobody took in HANDOFF_WAIT_MINUTES: its applicant is told, once
    endings.py         ending a case the same way whoever ends it: credit, applicant told and asked, card
    relay.py           applicant ⇄ agent messages while a person handles the conversation, on every channel
    threads.py         an escalation's thread in the agents group: a forum topic or a reply chain
    cards.py           what agents read about an escalation: who the applicant is, its card, its topic's name
    satisfaction.py    the satisfaction question on a case's end (buttons rate:12:5) and the answer kept
    resume.py          the conversation goes back to Rasa once its escalation is resolved
    notifications.py   status notifications: a blocked chat's subscriptions end; progress in the log
    outbox.py          every outgoing message is a row; one worker per chat delivers them in order
                       (a group's: agents' words and command answers first)
    delivery.py        sending one row to Telegram: its limits, its errors, thread placement
    media.py           photos and documents in a handoff: the guide's file rules; copies in the outbox
    agents_group.py    the agents group: its id (across a supergroup migration), topics, members (TELEGRAM_AGENT_IDS)
    limits.py          Telegram's sending limits
    replies.py         Rasa messages → Telegram messages (splitting, buttons)
    rasa_client.py     Rasa's gateway channel: one turn, and resuming a paused conversation
    settings.py        GatewaySettings from the environment
    store.py           database access from async code
    texts.py           every Chinese text the gateway sends
    saved_replies.py   the agents' saved replies (/reply 文件格式), data the editors keep in data/saved_replies.yml
    purposes.py        the outbox purposes several parts act on (cards, card edits, topic renames)
    logs.py            logging with secrets redacted
"""
