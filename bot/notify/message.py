"""The notification an applicant reads when their application's status changes.

It is the status report (bot/status/report.py) under a heading: the new status and since when; for
已驳回 every reason with how to fix it; for 待打款验证 what to do; the next step and how many working
days it usually takes (the guide's ranges). The ETA is the report's: when the report learns to
count working days to a date (issue #12), notifications say the same without a change here.
"""

from __future__ import annotations

from bot.db.models import Application
from bot.message_length import TELEGRAM_TEXT_LIMIT, split_text
from bot.notify import texts
from bot.status.report import render_report


def notification_text(application: Application) -> str:
    """The whole notification for the application's current status (its reasons must be loaded)."""
    return texts.NOTIFICATION.format(report=render_report(application))


def notification_parts(application: Application, limit: int = TELEGRAM_TEXT_LIMIT) -> list[str]:
    """The notification cut into messages Telegram accepts (one, unless reasons run very long)."""
    return split_text(notification_text(application), limit)
