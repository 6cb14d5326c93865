"""Answers about the application the bot just reported: what to do now, when it will be done, why it is slow.

Each function takes an application whose ownership was proven (with its rejection reasons loaded)
and the day it is read on; `None` means the question has no application-specific answer (the
generic FAQ answer is then right), e.g. "how to fix it" for an application that was not rejected.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from datetime import date

from bot.db.models import Application, EntityType, Status
from bot.status import texts
from bot.status.eta import estimate, render_eta
from bot.status.report import IN_REVIEW, reasons_text


class Kind(enum.Enum):
    """What a follow-up asks about the reported application."""

    NEXT_STEP = "next_step"
    TIMING = "timing"
    SLOW = "slow"
    MATERIALS = "materials"


TOPIC_KINDS = {
    "rejection_reasons": Kind.NEXT_STEP,
    "resubmit": Kind.NEXT_STEP,
    "total_time": Kind.TIMING,
    "submit_first_review": Kind.TIMING,
    "second_review": Kind.TIMING,
    "materials_list": Kind.MATERIALS,
}
"""FAQ topics that, right after a status report, are about that application."""


def _header(application: Application) -> str:
    return texts.FOLLOW_UP_HEADER.format(
        application_id=application.id, status=Status(application.status).value
    )


def _materials(application: Application) -> str:
    if application.entity_type == EntityType.INDIVIDUAL_BUSINESS:
        return texts.MATERIALS_INDIVIDUAL_BUSINESS
    return texts.MATERIALS_ENTERPRISE


def _eta(application: Application, today: date) -> str | None:
    eta = estimate(Status(application.status), application.status_since, today)
    return render_eta(eta) if eta is not None else None


def next_step(application: Application, today: date) -> str | None:
    """What the applicant should do now: fixes of its own rejection reasons in order, the payment, or wait."""
    status = Status(application.status)
    if status is Status.REJECTED:
        body = texts.NEXT_STEP_REJECTED.format(
            reasons=reasons_text(application), materials=_materials(application)
        )
    elif status in IN_REVIEW and status is not Status.PAYMENT_VERIFICATION:
        body = texts.NEXT_STEP_WAIT.format(eta=_eta(application, today) or "")
    else:
        body = texts.NEXT_STEPS[status].format(reasons="")
    return _header(application) + "\n" + body


def timing(application: Application, today: date) -> str | None:
    """When it will be done: the dated ETA, or what it waits for."""
    status = Status(application.status)
    eta = _eta(application, today)
    if eta is not None:
        return _header(application) + "\n" + eta
    return _header(application) + "\n" + texts.TIMING_WITHOUT_ETA[status]


def slow(application: Application, today: date) -> str | None:
    """A complaint about the pace: an apology, where the application stands against its range, a person."""
    eta = estimate(Status(application.status), application.status_since, today)
    if eta is not None and eta.overdue:  # the ETA text apologises and offers a person itself
        return _header(application) + "\n" + render_eta(eta)
    return (
        texts.SLOW_APOLOGY
        + _header(application)
        + "\n"
        + (_eta(application, today) or texts.TIMING_WITHOUT_ETA[Status(application.status)])
        + "\n"
        + texts.SLOW_OFFER
    )


def materials(application: Application, today: date) -> str | None:
    """The materials for the application's entity type (个体工商户 or 企业)."""
    return _header(application) + "\n" + _materials(application)


RENDERERS: dict[Kind, Callable[[Application, date], str | None]] = {
    Kind.NEXT_STEP: next_step,
    Kind.TIMING: timing,
    Kind.SLOW: slow,
    Kind.MATERIALS: materials,
}


def answer(kind: Kind, application: Application, today: date) -> str | None:
    """The reply to a follow-up of `kind` about `application`."""
    return RENDERERS[kind](application, today)


def answer_for_topic(topic: str, application: Application, today: date) -> str | None:
    """The application's own answer to FAQ `topic` asked right after its report, or None for the generic one.

    Rejection topics are about this application only when it was rejected.
    """
    kind = TOPIC_KINDS.get(topic)
    if kind is None:
        return None
    if kind is Kind.NEXT_STEP and Status(application.status) is not Status.REJECTED:
        return None
    return answer(kind, application, today)
