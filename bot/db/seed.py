"""The six demo applications of DESIGN.md, with their status history; seeding is idempotent.

Times are Beijing time (UTC+8) as a reviewer would note them, stored as UTC. An application that
already exists is left alone (a back-office change to a demo record survives `make run`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from bot.db import queries
from bot.db.models import Application, EntityType, ReasonCategory, RejectionReason, Status
from bot.db.types import BEIJING

SEED_SOURCE = "seed"


def _at(month_day_time: str) -> datetime:
    """'11-20 10:12' in Beijing time, November 2026."""
    return datetime.strptime(f"2026-{month_day_time}", "%Y-%m-%d %H:%M").replace(tzinfo=BEIJING)


@dataclass(frozen=True)
class DemoApplication:
    """One demo record: the application, the statuses it went through, and why it was rejected."""

    id: str
    company_name: str
    credit_code: str
    entity_type: EntityType
    industry: str
    steps: tuple[tuple[Status, str], ...]
    industry_license: str | None = None
    level: str | None = None
    reasons: tuple[tuple[ReasonCategory, str], ...] = ()


DEMO_APPLICATIONS: tuple[DemoApplication, ...] = (
    DemoApplication(
        id="RZ202611200001",
        company_name="北京云帆科技有限公司",
        credit_code="91110108MA01B2C344",
        entity_type=EntityType.ENTERPRISE,
        industry="软件和信息技术服务业",
        steps=((Status.FIRST_REVIEW, "11-20 10:12"),),
    ),
    DemoApplication(
        id="RZ202611180002",
        company_name="杭州青禾网络科技有限公司",
        credit_code="91330106MA2H7K4L6Q",
        entity_type=EntityType.ENTERPRISE,
        industry="互联网和相关服务",
        steps=((Status.FIRST_REVIEW, "11-18 09:40"), (Status.PAYMENT_VERIFICATION, "11-19 16:05")),
    ),
    DemoApplication(
        id="RZ202611150003",
        company_name="深圳市海川教育咨询有限公司",
        credit_code="91440305MA5D8N2P1D",
        entity_type=EntityType.ENTERPRISE,
        industry="教育",
        industry_license="办学许可证",
        steps=(
            (Status.FIRST_REVIEW, "11-15 20:31"),
            (Status.PAYMENT_VERIFICATION, "11-17 11:20"),
            (Status.SECOND_REVIEW, "11-19 14:45"),
        ),
    ),
    DemoApplication(
        id="RZ202611100004",
        company_name="上海星河医疗器械有限公司",
        credit_code="91310115MA1G6R9T4Q",
        entity_type=EntityType.ENTERPRISE,
        industry="医疗器械",
        level="中级",
        steps=(
            (Status.FIRST_REVIEW, "11-10 09:15"),
            (Status.PAYMENT_VERIFICATION, "11-11 15:30"),
            (Status.SECOND_REVIEW, "11-12 10:08"),
            (Status.APPROVED, "11-16 16:20"),
        ),
    ),
    DemoApplication(
        id="RZ202611120005",
        company_name="成都市武侯区老李小吃店",
        credit_code="92510107MA6C3E1Q2Q",
        entity_type=EntityType.INDIVIDUAL_BUSINESS,
        industry="餐饮",
        steps=((Status.FIRST_REVIEW, "11-12 14:02"), (Status.REJECTED, "11-13 17:30")),
        reasons=(
            (ReasonCategory.UNCLEAR, "营业执照照片模糊"),
            (ReasonCategory.EXPIRED, "经营者身份证已过期"),
        ),
    ),
    DemoApplication(
        id="RZ202611210006",
        company_name="天津（滨海）智造有限公司",
        credit_code="91120116MA07F5W298",
        entity_type=EntityType.ENTERPRISE,
        industry="制造业",
        steps=((Status.FIRST_REVIEW, "11-21 11:47"), (Status.REJECTED, "11-23 10:05")),
        reasons=((ReasonCategory.MISMATCH, "填写的企业名称与营业执照不一致（括号为半角）"),),
    ),
)


def _build(demo: DemoApplication, session: Session) -> Application:
    _, first_time = demo.steps[0]
    application = Application(
        id=demo.id,
        company_name=demo.company_name,
        credit_code=demo.credit_code,
        entity_type=demo.entity_type,
        industry=demo.industry,
        industry_license=demo.industry_license,
        level=demo.level,
        created_at=_at(first_time),
    )
    queries.add_application(session, application)
    for status, when in demo.steps:
        reasons = (
            [
                RejectionReason(position=index, category=category, detail=detail)
                for index, (category, detail) in enumerate(demo.reasons, start=1)
            ]
            if status is Status.REJECTED
            else []
        )
        queries.record_status(session, application, status, at=_at(when), source=SEED_SOURCE, reasons=reasons)
    return application


def seed_demo_applications(session: Session) -> list[str]:
    """Add the demo applications that are missing; return the IDs added (empty on a second run)."""
    existing = queries.applications_by_id(session, (demo.id for demo in DEMO_APPLICATIONS))
    added = [demo.id for demo in DEMO_APPLICATIONS if demo.id not in existing]
    for demo in DEMO_APPLICATIONS:
        if demo.id not in existing:
            _build(demo, session)
    return added
