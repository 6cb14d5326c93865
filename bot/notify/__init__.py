"""Status notifications: applicants who verified an application hear when its status changes.

    subscriptions.py  the service the actions call: offer wanted?, subscribe (ownership checked in
                      the database), unsubscribe
    fanout.py         a back-office status change → one queued message per live subscriber
                      (Telegram outbox or web-chat queue), recorded so it is never queued twice
    message.py        the notification's text: the new status, reasons and fixes, next step and ETA
    texts.py          every Chinese text of notifications and of the back office's notification lines

Delivery is the channels' own: the gateway's outbox (bot/gateway/outbox.py) sends Telegram rows
within Telegram's limits and marks a subscription dead when the applicant blocked the bot; the web
chat's courier (bot/webchat/courier.py) shows web rows on an open page or when it comes back.
"""
