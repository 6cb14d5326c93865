"""`python -m bot.status import` and `set-status`: validate everything, write all or nothing, keep history."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.db import queries
from bot.db.models import Application, RejectionReason, Status, StatusChange
from bot.settings import PROJECT_ROOT, Settings
from bot.status.__main__ import main

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=timezone.utc)
HEADER = "application_id,company_name,credit_code,entity_type,industry,status,status_since,level,reasons"
GOOD_ROWS = [
    "RZ202611250101,北京示例科技有限公司,91110108MA01B2C344,企业,软件,初审中,2026-11-25 09:30,,",
    (
        "rz-2026-1125-0102,广州示例餐饮店,92510107MA6C3E1Q2Q,个体工商户,餐饮,已驳回,2026-11-25 15:00,,"
        "资料不清晰：营业执照照片模糊；资料过期：经营者身份证已过期"
    ),
    "RZ202611250103,上海示例有限公司,91310115ma1g6r9t4q,企业,,已通过,,,",
]


def write_csv(path: Path, *rows: str, header: str = HEADER, encoding: str = "utf-8") -> Path:
    path.write_text("\n".join([header, *rows]) + "\n", encoding=encoding)
    return path


def run(url: str, *argv: str) -> int:
    return main(list(argv), Settings.from_env({"DATABASE_URL": url}), clock=lambda: NOW)


def row_counts(sessions: sessionmaker[Session]) -> tuple[int, int, int]:
    with sessions() as session:
        return tuple(  # type: ignore[return-value]
            session.scalar(select(func.count()).select_from(model))
            for model in (Application, StatusChange, RejectionReason)
        )


def test_a_good_file_is_imported_with_history(database_url: str, sessions, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    path = write_csv(tmp_path / "good.csv", *GOOD_ROWS)

    assert run(database_url, "import", str(path)) == 0

    assert "已导入 3 条申请：新增 3 条，更新 0 条，记录状态变更 3 次" in capsys.readouterr().out
    with sessions() as session:
        rejected = queries.get_application(session, "RZ202611250102")
        assert rejected.status is Status.REJECTED
        assert [(r.category.value, r.detail) for r in rejected.rejection_reasons] == [
            ("资料不清晰", "营业执照照片模糊"),
            ("资料过期", "经营者身份证已过期"),
        ]
        assert rejected.status_since == datetime(2026, 11, 25, 7, 0, tzinfo=timezone.utc)
        approved = queries.get_application(session, "RZ202611250103")
        assert (approved.level, approved.credit_code, approved.status_since) == (
            "中级",
            "91310115MA1G6R9T4Q",
            NOW,
        )
        (change,) = queries.history_of(session, "RZ202611250102")
        assert (change.from_status, change.to_status, change.source) == (None, Status.REJECTED, "import")


def test_importing_again_changes_only_what_changed(database_url: str, sessions, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run(database_url, "import", str(write_csv(tmp_path / "first.csv", *GOOD_ROWS)))
    changed = GOOD_ROWS[0].replace("初审中,2026-11-25 09:30", "待打款验证,2026-11-26 10:00")

    assert run(database_url, "import", str(write_csv(tmp_path / "again.csv", changed, *GOOD_ROWS[1:]))) == 0

    with sessions() as session:
        history = queries.history_of(session, "RZ202611250101")
        assert [(c.from_status, c.to_status) for c in history] == [
            (None, Status.FIRST_REVIEW),
            (Status.FIRST_REVIEW, Status.PAYMENT_VERIFICATION),
        ]
        assert len(queries.history_of(session, "RZ202611250102")) == 1


def test_an_excel_gbk_file_is_read(database_url: str, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "gbk.csv", *GOOD_ROWS, encoding="gbk")
    assert run(database_url, "import", str(path)) == 0


BAD_ROWS = {
    "bad ID": (
        "RZ2026112501,北京示例科技有限公司,91110108MA01B2C344,企业,,初审中,,,",
        "申请编号「RZ2026112501」格式不正确",
    ),
    "check digit": ("RZ202611250201,北京示例科技有限公司,91110108MA01B2C345,企业,,初审中,,,", "校验位不正确"),
    "code length": ("RZ202611250202,北京示例科技有限公司,91110108MA01B2C3,企业,,初审中,,,", "应为 18 位"),
    "status": (
        "RZ202611250203,北京示例科技有限公司,91110108MA01B2C344,企业,,审核中,,,",
        "状态「审核中」无效",
    ),
    "no reasons": (
        "RZ202611250204,北京示例科技有限公司,91110108MA01B2C344,企业,,已驳回,,,",
        "必须填写驳回原因",
    ),
    "bad reason": (
        "RZ202611250205,北京示例科技有限公司,91110108MA01B2C344,企业,,已驳回,,,照片不好",
        "应写成「类别：说明」",
    ),
    "reasons not rejected": (
        "RZ202611250206,北京示例科技有限公司,91110108MA01B2C344,企业,,初审中,,,资料不清晰：模糊",
        "只有已驳回的申请可以填写驳回原因",
    ),
    "entity type": (
        "RZ202611250207,北京示例科技有限公司,91110108MA01B2C344,公司,,初审中,,,",
        "主体类型「公司」无效",
    ),
    "company": ("RZ202611250208,,91110108MA01B2C344,企业,,初审中,,,", "企业名称不能为空"),
    "time": (
        "RZ202611250209,北京示例科技有限公司,91110108MA01B2C344,企业,,初审中,昨天,,",
        "时间「昨天」无法识别",
    ),
    "level": (
        "RZ202611250210,北京示例科技有限公司,91110108MA01B2C344,企业,,初审中,,中级,",
        "只有已通过的申请可以填写认证等级",
    ),
}


@pytest.mark.parametrize("kind", sorted(BAD_ROWS))
def test_a_bad_row_is_reported_by_line_and_nothing_is_written(  # type: ignore[no-untyped-def]
    database_url: str, sessions, tmp_path: Path, capsys, kind: str
) -> None:
    bad_row, problem = BAD_ROWS[kind]
    path = write_csv(tmp_path / "bad.csv", GOOD_ROWS[0], bad_row, GOOD_ROWS[2])

    assert run(database_url, "import", str(path)) == 1

    err = capsys.readouterr().err
    assert "没有写入任何数据" in err
    assert "第 3 行：" in err and problem in err
    assert "第 2 行" not in err and "第 4 行" not in err
    assert row_counts(sessions) == (0, 0, 0)


def test_every_bad_row_is_reported_at_once(database_url: str, sessions, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    rows = [
        GOOD_ROWS[0],
        *(row for row, _ in BAD_ROWS.values()),
        GOOD_ROWS[0].replace("RZ202611250101", "RZ202611250101"),
    ]
    path = write_csv(tmp_path / "bad.csv", *rows)

    assert run(database_url, "import", str(path)) == 1

    err = capsys.readouterr().err
    for line, (_, problem) in enumerate(BAD_ROWS.values(), start=3):
        assert f"第 {line} 行：{problem}" in err or (f"第 {line} 行：" in err and problem in err)
    assert f"第 {len(rows) + 1} 行：申请编号 RZ202611250101 在文件中重复（第 2 行已出现）" in err
    assert row_counts(sessions) == (0, 0, 0)


def test_a_bad_header_is_refused(database_url: str, sessions, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    path = write_csv(tmp_path / "header.csv", GOOD_ROWS[0], header=HEADER.replace("credit_code", "code"))

    assert run(database_url, "import", str(path)) == 1

    err = capsys.readouterr().err
    assert "第 1 行：表头缺少这些列：credit_code" in err and "无法识别的列：code" in err
    assert row_counts(sessions) == (0, 0, 0)


def test_set_status_records_the_change_in_the_history(seeded_url: str, sessions, capsys) -> None:  # type: ignore[no-untyped-def]
    assert run(seeded_url, "set-status", "rz202611200001", "待打款验证", "--at", "2026-11-26 15:30") == 0
    assert (
        "已将 RZ202611200001 的状态改为「待打款验证」（自 2026年11月26日 15:30 起，北京时间）"
        in capsys.readouterr().out
    )

    assert (
        run(seeded_url, "set-status", "RZ202611200001", "已驳回", "--reason", "银行账户问题：开户行填写错误")
        == 0
    )

    with sessions() as session:
        application = queries.get_application(session, "RZ202611200001")
        assert application.status is Status.REJECTED and application.status_since == NOW
        assert [(r.category.value, r.detail) for r in application.rejection_reasons] == [
            ("银行账户问题", "开户行填写错误")
        ]
        history = queries.history_of(session, "RZ202611200001")
        assert [(c.from_status, c.to_status, c.source) for c in history] == [
            (None, Status.FIRST_REVIEW, "seed"),
            (Status.FIRST_REVIEW, Status.PAYMENT_VERIFICATION, "cli"),
            (Status.PAYMENT_VERIFICATION, Status.REJECTED, "cli"),
        ]
        assert history[-1].note == "银行账户问题：开户行填写错误"

    assert run(seeded_url, "set-status", "RZ202611200001", "初审中") == 0
    with sessions() as session:
        assert queries.get_application(session, "RZ202611200001").rejection_reasons == []


def test_set_status_to_the_same_status_writes_nothing(seeded_url: str, sessions, capsys) -> None:  # type: ignore[no-untyped-def]
    before = row_counts(sessions)
    assert run(seeded_url, "set-status", "RZ202611150003", "复审中") == 0
    assert "已经是「复审中」，没有修改" in capsys.readouterr().out
    assert row_counts(sessions) == before


@pytest.mark.parametrize(
    ("argv", "problem"),
    [
        (("RZ209912319999", "已通过"), "没有找到申请编号 RZ209912319999"),
        (("RZ2026112000", "已通过"), "格式不正确"),
        (("RZ202611200001", "通过了"), "状态「通过了」无效"),
        (("RZ202611200001", "已驳回"), "必须填写驳回原因"),
        (("RZ202611200001", "已驳回", "--reason", "其他：不知道"), "应写成「类别：说明」"),
        (("RZ202611200001", "复审中", "--at", "2099-01-01 00:00"), "晚于现在"),
    ],
)
def test_set_status_refuses_bad_input(seeded_url: str, sessions, capsys, argv, problem) -> None:  # type: ignore[no-untyped-def]
    before = row_counts(sessions)
    assert run(seeded_url, "set-status", *argv) == 1
    assert problem in capsys.readouterr().err
    assert row_counts(sessions) == before


def test_the_commands_run_as_a_module(database_url: str, tmp_path: Path) -> None:
    env = {**os.environ, "DATABASE_URL": database_url}
    path = write_csv(tmp_path / "good.csv", *GOOD_ROWS)
    result = subprocess.run(
        [sys.executable, "-m", "bot.status", "import", str(path)],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    result = subprocess.run(
        [sys.executable, "-m", "bot.status", "set-status", "RZ202611250101", "复审中"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "复审中" in result.stdout
