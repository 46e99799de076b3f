"""Targets (指标) on the pages: the draft's review section, the report form's 当前值, the task page, the dashboard,
the xlsx 指标 sheet and the report API; and the task page's milestones with their lights."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from flask.testing import FlaskClient
from openpyxl import load_workbook

from tasktrack.extensions import db
from tasktrack.models import (
    Assignment,
    PlanImportTarget,
    ProgressReport,
    Role,
    TargetValue,
    Task,
    TaskMilestone,
    User,
)
from tasktrack.services import target_drafts, users
from tests.conftest import csrf_token
from tests.target_data import draft, published, target_named


def _lead(plan_id: int, number: int = 1) -> Assignment:
    found = db.session.scalar(sa.select(Assignment).join(Task).where(Task.plan_id == plan_id, Task.number == number,
                                                                      Assignment.is_lead.is_(True)))
    assert found is not None
    return found


def test_the_review_page_offers_the_targets_and_takes_a_typed_one(
        client: FlaskClient, seeded: None, login_as: Callable[..., User], now: Any) -> None:
    user = login_as(Role.SECRETARIAT)
    imp = draft(user, now)
    db.session.commit()
    page = f"/plans/import/{imp.id}"
    html = client.get(page).get_data(as_text=True)
    assert 'id="targets"' in html
    assert "指标（保留 4 项" in html
    assert "社会组织党建入章率 ≥ 98%" in html
    assert "原文：全省社会组织党建入章率达到98%以上" in html

    token = csrf_token(client, page)
    refused = client.post(f"{page}/targets/add", data={"csrf_token": token, "version": imp.version,
                                                       "text": "参评社会组织 30家", "row": ""})
    assert refused.status_code == 400
    body = refused.get_data(as_text=True)
    assert "指标缺少比较符号" in body
    assert 'value="参评社会组织 30家"' in body  # what was typed is kept
    row = imp.rows[2]
    added = client.post(f"{page}/targets/add", data={"csrf_token": token, "version": imp.version,
                                                     "text": "参评社会组织 ≥ 30 家", "row": str(row.id)})
    assert added.status_code == 302
    typed = db.session.scalar(sa.select(PlanImportTarget).where(PlanImportTarget.source == "手工"))
    assert typed is not None
    assert (typed.label, typed.row_id) == ("参评社会组织 ≥ 30 家", row.id)


def test_the_review_table_removes_and_moves_targets(
        client: FlaskClient, seeded: None, login_as: Callable[..., User], now: Any) -> None:
    user = login_as(Role.SECRETARIAT)
    imp = draft(user, now)
    db.session.commit()
    offered = target_drafts.draft_targets(imp)
    page = f"/plans/import/{imp.id}"
    data: dict[str, Any] = {"csrf_token": csrf_token(client, page), "version": imp.version}
    for t in offered:
        data[f"targets-{t.id}-row"] = str(t.row_id or "")
        data[f"targets-{t.id}-kept"] = "y"
    del data[f"targets-{offered[2].id}-kept"]  # removed
    data[f"targets-{offered[1].id}-row"] = str(imp.rows[0].id)  # moved to task 1
    response = client.post(f"{page}/targets", data=data)
    assert response.status_code == 302
    db.session.expire_all()
    got = {t.id: (t.is_kept, t.row_id) for t in target_drafts.draft_targets(imp)}
    assert got[offered[2].id] == (False, offered[2].row_id)
    assert got[offered[1].id] == (True, imp.rows[0].id)
    assert "指标（保留 3 项" in client.get(page).get_data(as_text=True)


def _report_form(a: Assignment, **fields: Any) -> dict[str, Any]:
    return {"status": "in_progress", "percent": "", "narrative": "推进中", "reason": "", "base_report_id": "",
            "supersedes_id": "", **fields}


def test_a_liaison_reports_current_values_and_every_page_sets_them_against_the_target(
        client: FlaskClient, seeded: None, login_as: Callable[..., User], now: Any) -> None:
    plan = published(None, now)
    login_as(Role.LIAISON, unit="省民政厅")
    db.session.commit()
    a = _lead(plan.id)
    rate, grow = target_named(plan, "社会组织党建入章率"), target_named(plan, "培育社区社会组织")
    form = f"/assignments/{a.id}/report"
    html = client.get(form).get_data(as_text=True)
    assert "培育社区社会组织（目标 ≥ 50 个）当前值" in html
    assert "社会组织党建入章率（目标 ≥ 98%）当前值" in html  # the plan's own target: 省民政厅 leads the task
    assert "全计划指标，由牵头单位填报" in html

    token = csrf_token(client, form)
    refused = client.post(form, data={**_report_form(a, **{f"target_{grow.id}": "五十多"}), "csrf_token": token})
    assert refused.status_code == 400
    assert "培育社区社会组织：当前值须为数字" in refused.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(ProgressReport.id)).where(ProgressReport.assignment_id == a.id)) \
        == 0
    done = client.post(form, data={**_report_form(a, **{f"target_{grow.id}": "52", f"target_{rate.id}": "97%"}),
                                   "csrf_token": token})
    assert done.status_code == 302, done.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(TargetValue.id))) == 2
    assert "上次填报：52 个" in client.get(form).get_data(as_text=True)

    task_page = client.get(f"/tasks/{a.task_id}").get_data(as_text=True)
    assert "培育社区社会组织 ≥ 50 个" in task_page
    assert "52 个" in task_page
    assert '<span class="target-met">达标</span>' in task_page
    assert "尚未填报" in task_page  # 省委组织部, the co-owner, has not reported
    board = client.get(f"/dashboard?plan={plan.id}").get_data(as_text=True)
    assert "指标完成情况" in board
    assert "97%" in board
    assert '<span class="target-unmet">未达标</span>' in board

    workbook = client.get(f"/plans/{plan.id}/export.xlsx").data
    sheet = load_workbook(io.BytesIO(workbook))["指标"]
    lines = [[c.value for c in row] for row in sheet.iter_rows()]
    assert lines[0][:3] == ["范围", "指标", "目标"]
    assert ["全计划", "社会组织党建入章率", "≥ 98%", "2024年", "全省社会组织党建入章率达到98%以上", "省民政厅", "97%",
            "2024-07-18", "未达标"] in lines
    assert ["任务 2", "年检率", "≥ 95%", None, "年检率不低于95%", None, "尚未填报", None, None] in lines
    assert all(c.data_type == "s" for row in sheet.iter_rows() for c in row if c.value is not None)
    with zipfile.ZipFile(io.BytesIO(workbook)) as z:
        assert all("<f>" not in z.read(name).decode() for name in z.namelist() if name.startswith("xl/worksheets/"))


def test_the_report_api_takes_target_values(
        client: FlaskClient, seeded: None, make_user: Callable[..., User], now: Any) -> None:
    plan = published(None, now)
    liaison = make_user(Role.LIAISON, unit="省民政厅")
    token = users.issue_token(liaison, actor=None, now=now)
    db.session.commit()
    a = _lead(plan.id)
    grow = target_named(plan, "培育社区社会组织")
    headers = {"Authorization": f"Bearer {token}"}
    path = f"/api/v1/assignments/{a.id}/reports"
    body = {"status": "in_progress", "narrative": "推进中"}
    bad = client.post(path, json={**body, "target_values": [{"target_id": grow.id, "value": "很多"}]}, headers=headers)
    assert bad.status_code == 422
    assert bad.get_json()["field"] == f"target_{grow.id}"
    shape = client.post(path, json={**body, "target_values": {"x": 1}}, headers=headers)
    assert shape.status_code == 422
    assert shape.get_json()["field"] == "target_values"
    ok = client.post(path, json={**body, "target_values": [{"target_id": grow.id, "value": 51.5}]}, headers=headers)
    assert ok.status_code == 201, ok.get_json()
    stored = db.session.scalars(sa.select(TargetValue)).all()
    assert [(v.target_id, float(v.value)) for v in stored] == [(grow.id, 51.5)]


def test_the_task_page_shows_each_milestone_with_its_light(
        client: FlaskClient, seeded: None, login_as: Callable[..., User]) -> None:
    login_as(Role.VIEWER)
    task = db.session.scalar(sa.select(Task).where(Task.number == 4))
    assert task is not None
    task.milestones.append(TaskMilestone(position=0, label="3月底前启动", due_date=dt.date(2024, 3, 31)))
    task.milestones.append(TaskMilestone(position=1, label="12月底前完成", due_date=dt.date(2024, 12, 31)))
    db.session.commit()
    html = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    start = html.index('data-milestone="0"')
    first, second = html[start:html.index("</li>", start)], html[html.index('data-milestone="1"'):]
    assert "3月底前启动 · 2024年3月31日" in first
    assert "light-red" in first  # 2024-07-18: the start stage passed with the work not completed
    assert "12月底前完成 · 2024年12月31日" in second
    assert "light-green" in second[:second.index("</li>")]


def _count(client: FlaskClient, count_queries: Callable[[], Any], path: str) -> int:
    with count_queries() as q:
        assert client.get(path).status_code == 200
    return q.count


def test_target_pages_make_the_same_number_of_queries_with_more_values(
        client: FlaskClient, seeded: None, login_as: Callable[..., User], make_user: Callable[..., User],
        now: Any, count_queries: Callable[[], Any]) -> None:
    from tasktrack.models import AssignmentStatus
    from tasktrack.services import progress

    plan = published(None, now)
    login_as(Role.VIEWER)
    author = make_user(Role.LIAISON, unit="省民政厅")
    a = _lead(plan.id)
    grow = target_named(plan, "培育社区社会组织")
    paths = [f"/tasks/{a.task_id}", f"/dashboard?plan={plan.id}"]

    def report(day: int) -> None:
        progress.submit_report(a, author=author, status=AssignmentStatus.IN_PROGRESS, percent=None,
                               completed_on=None, narrative="推进中", now=now + dt.timedelta(minutes=day),
                               target_values={grow.id: str(day)})
        db.session.commit()

    report(1)
    small = [_count(client, count_queries, p) for p in paths]
    for day in range(2, 12):
        report(day)
    assert [_count(client, count_queries, p) for p in paths] == small
