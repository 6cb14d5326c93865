"""The web chat: a page served by the Rasa server at `/chat`, an embed for other sites, and delivery to open pages.

    page.py       `/chat` (a Rasa input channel, credentials.yml): the page, embed.js, assets, their headers
    texts.py      every text of the page and the embed button
    origins.py    which sites may embed the chat and talk to socket.io (WEB_CHAT_ORIGINS)
    outbox.py     `enqueue_web_message`: any process queues a message for a web conversation
    courier.py    in the Rasa process: queued messages to open pages, once; turn replies a page missed
    static/       index.html, chat.js (the widget), chat.css, embed.js, vendor/socket.io-client (MIT)

The socket.io channel itself is bot/rasa_ext/socketio_channel.py.
"""
