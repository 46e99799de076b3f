"""交办事项 beside the plan: the dashboard's own section, the xlsx export, and /matters in a flat number of queries."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from typing import Any

from flask.testing import FlaskClient
from openpyxl import load_workbook

from tasktrack.extensions import db
from tasktrack.models import AssignmentStatus, Matter, MatterSource, Role, User
from tasktrack.services import matters, progress
from tasktrack.services.work_groups import default_work_group
from tests.conftest import login


def _matter(office: User, now: dt.datetime, text: str, deadline: str, owners: str = "省民政厅牵头，省教育厅配合",
            source: MatterSource = MatterSource.INSTRUCTION) -> Matter:
    return matters.create_matter(default_work_group(), source=source, reference="批示", text=text,
                                 deadline_phrase=deadline, responsible_phrase=owners, actor=office, now=now)


def test_the_dashboard_has_a_matters_section_and_the_xlsx_lists_them(
        client: FlaskClient, seeded: None, make_user: Callable[..., Any], now: dt.datetime) -> None:
    office = make_user(Role.SECRETARIAT)
    late = _matter(office, now, "排查廉洁风险（已逾期）", "2024年7月10日前")
    _matter(office, now, "建立数据共享机制", "2024年10月底前", owners="省教育厅", source=MatterSource.MEETING)
    db.session.commit()
    assert login(client, office.email).status_code == 302
    page = client.get("/dashboard").get_data(as_text=True)
    assert 'id="matters"' in page
    assert "排查廉洁风险（已逾期）" in page
    assert "建立数据共享机制" in page
    assert 'data-matters="red">1<' in page
    assert f"/plans/{late.task.plan_id}/export.xlsx" in page
    # The plan's own figures are not mixed with the matters: the container is not the current plan.
    assert "2024年省清廉社会组织建设工作任务表" in page

    response = client.get(f"/plans/{late.task.plan_id}/export.xlsx")
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.data))
    cells = [str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value]
    assert any("排查廉洁风险（已逾期）" in c for c in cells)
    assert any("建立数据共享机制" in c for c in cells)
    assert any("领导批示" in c for c in cells)  # the sections are the sources

    liaison = client.application.test_client()
    assert login(liaison, make_user(Role.LIAISON, unit="省教育厅").email).status_code == 302
    assert "建立数据共享机制" in liaison.get("/dashboard").get_data(as_text=True)
    outsider = client.application.test_client()
    assert login(outsider, make_user(Role.LIAISON, unit="省财政厅").email).status_code == 302
    assert "建立数据共享机制" not in outsider.get("/dashboard").get_data(as_text=True)


def test_the_matters_list_makes_the_same_number_of_queries_with_more_data(
        client: FlaskClient, seeded: None, make_user: Callable[..., Any], now: dt.datetime,
        count_queries: Callable[[], Any]) -> None:
    office = make_user(Role.SECRETARIAT)
    liaison = make_user(Role.LIAISON, unit="省民政厅")
    _matter(office, now, "交办事项 0", "2024年9月底前")
    db.session.commit()
    assert login(client, office.email).status_code == 302

    def count(path: str) -> int:
        client.get(path)  # warm-up (session, user)
        with count_queries() as q:
            response = client.get(path)
        assert response.status_code == 200
        return q.count

    small = {path: count(path) for path in ("/matters", "/matters?source=instruction&state=green", "/dashboard")}
    for i in range(1, 12):
        m = _matter(office, now, f"交办事项 {i}", "2024年9月底前",
                    owners="省民政厅牵头，省教育厅、省财政厅、省科技厅配合",
                    source=MatterSource.MEETING if i % 2 else MatterSource.OTHER)
        lead = next(a for a in m.task.assignments if a.is_lead)
        progress.submit_report(lead, author=liaison, status=AssignmentStatus.IN_PROGRESS, percent=10,
                               completed_on=None, narrative="推进中", now=now)
    db.session.commit()
    for path, n in small.items():
        assert count(path) == n, path
    assert client.get("/matters").get_data(as_text=True).count('id="matter-') == 12
