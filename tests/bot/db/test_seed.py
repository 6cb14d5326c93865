"""`python -m bot.db init` migrates and seeds exactly the six demo records, idempotently."""

from __future__ import annotations

import os
import subprocess
import sys

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.db import queries
from bot.db.__main__ import main
from bot.db.models import Application, EntityType, RejectionReason, Status, StatusChange
from bot.db.seed import DEMO_APPLICATIONS, seed_demo_applications
from bot.settings import PROJECT_ROOT, Settings

EXPECTED = {
    "RZ202611200001": ("北京云帆科技有限公司", "91110108MA01B2C344", Status.FIRST_REVIEW),
    "RZ202611180002": ("杭州青禾网络科技有限公司", "91330106MA2H7K4L6Q", Status.PAYMENT_VERIFICATION),
    "RZ202611150003": ("深圳市海川教育咨询有限公司", "91440305MA5D8N2P1D", Status.SECOND_REVIEW),
    "RZ202611100004": ("上海星河医疗器械有限公司", "91310115MA1G6R9T4Q", Status.APPROVED),
    "RZ202611120005": ("成都市武侯区老李小吃店", "92510107MA6C3E1Q2Q", Status.REJECTED),
    "RZ202611210006": ("天津（滨海）智造有限公司", "91120116MA07F5W298", Status.REJECTED),
}


def counts(sessions: sessionmaker[Session]) -> tuple[int, int, int]:
    with sessions() as session:
        return tuple(  # type: ignore[return-value]
            session.scalar(select(func.count()).select_from(model))
            for model in (Application, StatusChange, RejectionReason)
        )


def test_seed_writes_the_six_demo_records_of_the_design(sessions: sessionmaker[Session]) -> None:
    with sessions() as session, session.begin():
        added = seed_demo_applications(session)

    assert sorted(added) == sorted(EXPECTED)
    with sessions() as session:
        applications = queries.applications_by_id(session, EXPECTED)
        for application_id, (company, code, status) in EXPECTED.items():
            application = applications[application_id]
            assert (application.company_name, application.credit_code, application.status) == (
                company,
                code,
                status,
            )
            history = queries.history_of(session, application_id)
            assert history[0].from_status is None
            assert history[-1].to_status is status
            assert application.status_since == history[-1].changed_at
            assert application.status_since.utcoffset().total_seconds() == 0
            assert [change.changed_at for change in history] == sorted(
                change.changed_at for change in history
            )

        assert applications["RZ202611120005"].entity_type is EntityType.INDIVIDUAL_BUSINESS
        assert [r.detail for r in applications["RZ202611120005"].rejection_reasons] == [
            "营业执照照片模糊",
            "经营者身份证已过期",
        ]
        assert [r.detail for r in applications["RZ202611210006"].rejection_reasons] == [
            "填写的企业名称与营业执照不一致（括号为半角）"
        ]
        assert applications["RZ202611100004"].level == "中级"
        assert applications["RZ202611150003"].industry_license == "办学许可证"


def test_seeding_twice_changes_nothing(sessions: sessionmaker[Session]) -> None:
    with sessions() as session, session.begin():
        seed_demo_applications(session)
    first = counts(sessions)

    with sessions() as session, session.begin():
        added = seed_demo_applications(session)

    assert added == []
    assert counts(sessions) == first == (6, sum(len(demo.steps) for demo in DEMO_APPLICATIONS), 3)


def test_init_command_migrates_and_seeds_and_can_run_again(unmigrated_database_url: str, capsys) -> None:  # type: ignore[no-untyped-def]
    settings = Settings.from_env({"DATABASE_URL": unmigrated_database_url})

    assert main(["init"], settings) == 0
    assert "新写入 6 条演示申请" in capsys.readouterr().out
    assert main(["init"], settings) == 0
    assert "新写入 0 条演示申请" in capsys.readouterr().out


def test_init_runs_as_a_module(unmigrated_database_url: str) -> None:
    env = {**os.environ, "DATABASE_URL": unmigrated_database_url}
    result = subprocess.run(
        [sys.executable, "-m", "bot.db", "init"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "6 条演示申请" in result.stdout


def test_init_reports_an_unreachable_database_in_chinese(capsys) -> None:  # type: ignore[no-untyped-def]
    settings = Settings.from_env({"DATABASE_URL": "postgresql+psycopg2://postgres@127.0.0.1:9/test"})

    assert main(["init"], settings) == 3
    assert "数据库不可用，未做任何修改" in capsys.readouterr().err
