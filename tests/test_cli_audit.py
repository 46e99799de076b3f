"""`flask --app wsgi audit list`: the page's filters and CSV on the command line; bad options exit non-zero."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
import sqlalchemy as sa

from tasktrack.extensions import db
from tasktrack.models import AssignmentStatus, AuditEvent, Role
from tasktrack.services import audit, progress, units
from tasktrack.services.read.overview import unit_rows


@pytest.fixture
def trail(seeded, make_user, now):
    """A formula-named liaison of 省民政厅 reports twice; the secretariat edits the unit a day later."""
    liaison = make_user(Role.LIAISON, unit="省民政厅", email="mzt@example.org", name="=李强")
    admin = make_user(Role.SECRETARIAT, email="office@example.org", name="王敏")
    assignment = unit_rows(units.find_unit("省民政厅").id, now.date())[0].assignment
    assignment.acknowledged_at = now  # signed already (as the migration marks old rows): no implicit 签收 event
    for percent, text in ((10, "-开始"), (20, "红字")):
        progress.submit_report(assignment, author=liaison, status=AssignmentStatus.IN_PROGRESS, percent=percent,
                               completed_on=None, narrative=text, now=now)
    # Text stored before control characters were refused (services/inputs.py) still sits in old events.
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.actor_id == liaison.id)
                               .order_by(AuditEvent.id.desc())).first()
    assert event is not None
    assert "红字" in str(event.after)
    event.after = {k: (v.replace("红字", "\x1b[31m红字\x1b[0m") if isinstance(v, str) else v)
                   for k, v in (event.after or {}).items()}
    audit.record(admin, "unit.update", units.find_unit("省民政厅"), now=now + dt.timedelta(days=1),
                 summary="+修改单位 省民政厅")
    db.session.commit()
    return {"assignment": assignment, "liaison": liaison}


def run(runner, *args):
    return runner.invoke(args=["audit", "list", *args])


def test_default_table_newest_first_in_chinese(runner, trail) -> None:
    result = run(runner, "--limit", "3")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split()[:5] == ["时间", "操作人", "单位", "操作", "对象"]
    assert "2024-07-19 10:00:00" in lines[1]
    assert "修改单位" in lines[1]
    assert "王敏 <office@example.org>" in lines[1]
    assert "报送进展" in lines[2]
    assert "省民政厅" in lines[2]
    assert lines[-1].startswith("共 ")
    assert "显示最新 3 条" in lines[-1]
    assert len(lines) == 5


def test_each_option(runner, trail) -> None:
    by_user = run(runner, "--user", "mzt@example.org")
    assert by_user.exit_code == 0, by_user.output
    assert "共 2 条" in by_user.output
    assert by_user.output.count("报送进展") == 2
    report_ids = [w for w in by_user.output.split() if w.startswith("#")]
    assert len(report_ids) == 2
    assert "共 2 条" in run(runner, "--unit", "省民政厅").output
    assert "共 2 条" in run(runner, "--action", "progress.report").output
    assert "共 2 条" in run(runner, "--action", "报送进展").output
    one = run(runner, "--object", f"ProgressReport:{report_ids[0][1:]}")
    assert "共 1 条" in one.output
    assert "共 2 条" in run(runner, "--object", "进展报送").output
    assert "共 1 条" in run(runner, "--from", "2024-07-19").output
    assert "共 1 条" in run(runner, "--action", "unit", "--from", "2024-07-19", "--to", "2024-07-19").output
    system = run(runner, "--user", "system", "--action", "assignment.open", "--limit", "2")
    assert "系统" in system.output
    assert "显示最新 2 条" in system.output


def test_stored_control_characters_cannot_drive_the_terminal(runner, trail) -> None:
    result = run(runner, "--user", "mzt@example.org", "--limit", "1")
    assert "\x1b" not in result.output


def test_csv_to_stdout_is_the_pages_csv(runner, trail, app, client, login_as) -> None:
    result = runner.invoke(args=["audit", "list", "--user", "mzt@example.org", "--csv"])
    assert result.exit_code == 0, result.output
    data = result.stdout_bytes
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert len(rows) == 3
    assert {r[1] for r in rows[1:]} == {"'=李强"}
    assert all(not c or c[0] not in "=+-@\t\r" for r in rows for c in r)
    login_as(Role.SECRETARIAT)
    page = client.get("/admin/audit.csv?user=mzt@example.org").get_data()
    assert page == data


def test_csv_to_a_file_with_a_limit(runner, trail, tmp_path) -> None:
    target = tmp_path / "日志.csv"
    result = run(runner, "--csv", "--limit", "2", "--output", str(target))
    assert result.exit_code == 0, result.output
    assert f"已导出 2 条到 {target}" in result.output
    rows = list(csv.reader(io.StringIO(target.read_bytes().decode("utf-8-sig"))))
    assert len(rows) == 3
    assert rows[1][8] == "'+修改单位 省民政厅"


@pytest.mark.parametrize(("args", "message"), [
    (["--user", "nobody@example.org"], "没有邮箱为“nobody@example.org”的账号"),
    (["--unit", "无此单位"], "没有名为“无此单位”的单位"),
    (["--from", "2024-02-30"], "不是有效日期"),
    (["--from", "2024-07-20", "--to", "2024-07-01"], "结束日期不能早于开始日期"),
    (["--object", "Assignment:abc"], "应为正整数"),
    (["--object", "Assignment:"], "冒号后应为对象编号"),
    (["--object", ":5"], "请同时选择对象类型"),
    (["--action", "DROP TABLE"], "无效"),
    (["--limit", "0"], "0"),
    (["--limit", "99999999999999999999"], "99999999999999999999"),
])
def test_bad_options_fail_with_a_message(runner, trail, args, message) -> None:
    result = run(runner, *args)
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output
