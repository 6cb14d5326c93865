"""The status report an applicant reads: status, since when, what happens next and how long."""

from __future__ import annotations

from datetime import date, datetime

from bot.clock import beijing_now
from bot.db.models import Application, EntityType, Status
from bot.db.types import BEIJING
from bot.status import texts
from bot.status.eta import estimate, render_eta

IN_REVIEW = (Status.FIRST_REVIEW, Status.PAYMENT_VERIFICATION, Status.SECOND_REVIEW)


def beijing_time(moment: datetime) -> str:
    """`moment` as applicants read it: Beijing time, to the minute."""
    local = moment.astimezone(BEIJING)
    return texts.TIME_FORMAT.format(
        year=local.year, month=local.month, day=local.day, hour=local.hour, minute=local.minute
    )


def reasons_text(application: Application) -> str:
    """The rejection reasons in order, each with its fix."""
    return "\n".join(
        texts.REASON_ITEM.format(
            number=number,
            detail=reason.detail,
            category=reason.category.value,
            fix=texts.REASON_FIXES[reason.category],
        )
        for number, reason in enumerate(application.rejection_reasons, start=1)
    )


def render_report(application: Application, today: date | None = None) -> str:
    """The whole reply for one application (its rejection reasons must be loaded), as seen on `today`."""
    status = Status(application.status)
    parts = [
        texts.REPORT_HEADER.format(
            application_id=application.id,
            company_name=application.company_name,
            status=status.value,
            since=beijing_time(application.status_since),
        )
    ]
    if status is Status.APPROVED and application.level:
        parts[0] += "\n" + texts.REPORT_LEVEL.format(level=application.level)
    if application.industry_license and status in IN_REVIEW:
        parts[0] += "\n" + texts.REPORT_LICENSE.format(license=application.industry_license)
    parts.append(texts.NEXT_STEPS[status].format(reasons=reasons_text(application)))
    eta = estimate(status, application.status_since, today or beijing_now().date())
    if eta is not None:
        parts.append(render_eta(eta))
    if status is Status.APPROVED and application.entity_type == EntityType.INDIVIDUAL_BUSINESS:
        parts.append(texts.INDIVIDUAL_BUSINESS_APPROVED_NOTE)
    if status in IN_REVIEW:
        parts.append(texts.REVIEW_FOOTER)
    return "\n\n".join(parts)
