"""上级下达任务 pages: the city secretariat decomposes a provincial task, its units report, the province reads the
drill-down, the city claims completion when all is done and the province confirms it; refusals (404 / 403)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from tasktrack.extensions import db
from tasktrack.models import Assignment, AssignmentStatus, CompletionState, Task, TaskLink, User
from tasktrack.services import progress
from tests.conftest import CSRF_RE, csrf_token, login
from tests.levels import PASSWORD, Levels, shared_levels

#: One two-level setup for the module (tests/isolation.py, shared state): each test's writes are rolled back.
pytestmark = pytest.mark.shared_state("inbound_pages")


@pytest.fixture
def lv(app: Flask, seeded: None, now: dt.datetime) -> Levels:
    return shared_levels(app, now)


def _client(app: Flask, user: User) -> FlaskClient:
    client = app.test_client()
    assert login(client, user.email, PASSWORD).status_code == 302
    return client


def _links() -> int:
    return int(db.session.scalar(sa.select(sa.func.count()).select_from(TaskLink)) or 0)


def _decompose(client: FlaskClient, lv: Levels, **data: str) -> Any:
    path = f"/inbound/{lv.inbound.id}"
    form = {"csrf_token": csrf_token(client, path), "plan": str(lv.city_plan.id), "text": "全市清廉社会组织专项行动",
            "deadline_phrase": "2024年6月底前", "responsible_phrase": "市民政局、市财政局", **data}
    return client.post(f"{path}/decompose", data=form)


def test_the_list_shows_undecomposed_inbound_tasks(app: Flask, lv: Levels) -> None:
    client = _client(app, lv.city_secretariat)
    html = client.get("/inbound").get_data(as_text=True)
    assert "各设区市组织开展清廉社会组织建设专项行动" in html
    assert "未分解" in html
    assert f'id="inbound-{lv.inbound.id}"' in html
    assert f'id="inbound-{lv.sibling_inbound.id}"' not in html  # 湖州's
    assert "上级下达任务</a>" in client.get("/inbound").get_data(as_text=True)  # the nav link


def test_decompose_form_creates_the_task_and_link(app: Flask, lv: Levels) -> None:
    client = _client(app, lv.city_secretariat)
    response = _decompose(client, lv)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    db.session.expire_all()
    link = db.session.scalar(sa.select(TaskLink).where(TaskLink.parent_assignment_id == lv.inbound.id))
    assert link is not None
    assert {a.unit.name for a in link.task.assignments} == {"市民政局", "市财政局"}
    html = client.get(f"/inbound/{lv.inbound.id}").get_data(as_text=True)
    assert "全市清廉社会组织专项行动" in html
    assert "市财政局" in html
    assert "逾期单位：市民政局、市财政局" in html


def test_decompose_refuses_a_name_outside_the_group_on_its_field(app: Flask, lv: Levels) -> None:
    client = _client(app, lv.city_secretariat)
    response = _decompose(client, lv, responsible_phrase="省民政厅")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "省民政厅" in html
    assert 'class="field has-error"' in html
    assert _links() == 0


def test_decompose_without_csrf_changes_nothing(app: Flask, lv: Levels) -> None:
    client = _client(app, lv.city_secretariat)
    response = client.post(f"/inbound/{lv.inbound.id}/decompose",
                           data={"plan": str(lv.city_plan.id), "text": "x", "deadline_phrase": "2024年9月底前",
                                 "responsible_phrase": "市民政局"})
    assert response.status_code == 400
    assert "安全校验未通过" in response.get_data(as_text=True)
    assert _links() == 0


def test_link_and_unlink_through_the_page(app: Flask, lv: Levels) -> None:
    client = _client(app, lv.city_secretariat)
    existing = db.session.scalar(sa.select(Task).where(Task.plan_id == lv.city_plan.id))
    path = f"/inbound/{lv.inbound.id}"
    token = csrf_token(client, path)
    assert client.post(f"{path}/link", data={"csrf_token": token, "task_id": str(existing.id)}).status_code == 302
    assert _links() == 1
    provincial = db.session.scalar(sa.select(Task).where(Task.plan_id == lv.province_plan.id))
    refused = client.post(f"{path}/link", data={"csrf_token": token, "task_id": str(provincial.id)})
    assert refused.status_code == 400
    assert "只能关联本专班工作计划中的任务" in refused.get_data(as_text=True)
    assert client.post(f"{path}/unlink", data={"csrf_token": token, "task_id": str(existing.id)}).status_code == 302
    assert _links() == 0
    assert client.post(f"{path}/unlink", data={"csrf_token": token, "task_id": str(existing.id)}).status_code == 404


def test_other_groups_and_other_roles_are_refused(app: Flask, lv: Levels) -> None:
    city = _client(app, lv.city_secretariat)
    assert city.get(f"/inbound/{lv.sibling_inbound.id}").status_code == 403  # 湖州's inbound task
    token = csrf_token(city, "/inbound")
    assert city.post(f"/inbound/{lv.sibling_inbound.id}/decompose",
                     data={"csrf_token": token, "plan": str(lv.city_plan.id)}).status_code == 403
    plain = db.session.scalar(sa.select(Assignment).where(Assignment.unit_id == lv.mz.id))
    assert city.get(f"/inbound/{plain.id}").status_code == 404  # not an inbound assignment
    province = _client(app, lv.province_secretariat)
    assert province.get(f"/inbound/{lv.inbound.id}").status_code == 403  # 杭州's to decompose; the province reads
    # it on the assignment page
    liaison = _client(app, lv.mz_liaison)
    assert liaison.get("/inbound").status_code == 403
    assert liaison.get(f"/inbound/{lv.inbound.id}").status_code == 403


def test_journey_red_drill_down_then_claim_and_confirm(app: Flask, lv: Levels, now: dt.datetime) -> None:
    city = _client(app, lv.city_secretariat)
    assert _decompose(city, lv).status_code == 302
    db.session.expire_all()
    task = db.session.scalar(sa.select(TaskLink).where(TaskLink.parent_assignment_id == lv.inbound.id)).task
    by_unit = {a.unit.name: a for a in task.assignments}
    progress.submit_report(by_unit["市民政局"], author=lv.mz_liaison, status=AssignmentStatus.COMPLETED, percent=None,
                           completed_on=dt.date(2024, 6, 28), narrative="民政局已完成检查", now=now)
    db.session.commit()

    province = _client(app, lv.province_secretariat)
    html = province.get(f"/assignments/{lv.inbound.id}").get_data(as_text=True)
    assert "分解落实情况" in html
    assert "逾期单位：市财政局" in html
    assert "民政局已完成检查" in html
    assert "分解与汇总报送" not in html  # the province reads; the city decomposes

    path = f"/inbound/{lv.inbound.id}"
    page = city.get(path).get_data(as_text=True)
    assert 'value="completed"' not in page  # 已完成 is not offered yet
    token = csrf_token(city, path)
    early = city.post(f"{path}/report", data={"csrf_token": token, "status": "completed", "completed_on": "2024-07-18",
                                              "narrative": "全部完成"})
    assert early.status_code == 400
    assert "已完成 1/2" in early.get_data(as_text=True)

    progress.submit_report(by_unit["市财政局"], author=lv.cz_liaison, status=AssignmentStatus.COMPLETED, percent=None,
                           completed_on=dt.date(2024, 7, 16), narrative="财政局已完成", now=now)
    db.session.commit()
    page = city.get(path).get_data(as_text=True)
    assert 'value="completed"' in page
    claim = city.post(f"{path}/report", data={"csrf_token": csrf_token(city, path), "status": "completed",
                                              "completed_on": "2024-07-18", "narrative": "杭州市已全部完成"})
    assert claim.status_code == 302, claim.get_data(as_text=True)[:2000]
    db.session.expire_all()
    inbound = db.session.get(Assignment, lv.inbound.id)
    assert inbound.completion_state is CompletionState.CLAIMED

    token = csrf_token(province, f"/assignments/{lv.inbound.id}")
    assert province.post(f"/assignments/{lv.inbound.id}/confirm", data={"csrf_token": token}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Assignment, lv.inbound.id).completion_state is CompletionState.CONFIRMED
    assert "已确认办结" in city.get(path).get_data(as_text=True)


def _page(client: FlaskClient) -> str:
    """/inbound without the frame's CSRF token: the token is signed with the second it is made, so two requests a
    second apart differ there whatever the page."""
    return CSRF_RE.sub("<csrf>", client.get("/inbound").get_data(as_text=True))


def test_the_list_is_cached_until_what_it_shows_changes(app: Flask, lv: Levels, now: dt.datetime,
                                                        count_queries: Any) -> None:
    city = _client(app, lv.city_secretariat)
    assert _decompose(city, lv).status_code == 302
    city.get("/inbound")  # shows the decomposition's flash once
    first = _page(city)
    assert "已完成 0/2" in first
    with count_queries() as built_again:
        assert _page(city) == first
    # 湖州's summary report on its own inbound task changes nothing 杭州's list shows: still from the cache.
    progress.submit_report(lv.sibling_inbound, author=lv.sibling_secretariat, status=AssignmentStatus.IN_PROGRESS,
                           percent=None, completed_on=None, narrative="湖州推进中", now=now)
    db.session.commit()
    with count_queries() as unrelated:
        assert _page(city) == first
    assert unrelated.count == built_again.count
    # A report on one of 杭州's sub-assignments rolls up into the row: rebuilt at once, never stale.
    db.session.expire_all()
    task = db.session.scalar(sa.select(TaskLink).where(TaskLink.parent_assignment_id == lv.inbound.id)).task
    done = next(a for a in task.assignments if a.unit.name == "市民政局")
    progress.submit_report(done, author=lv.mz_liaison, status=AssignmentStatus.COMPLETED, percent=None,
                           completed_on=dt.date(2024, 7, 1), narrative="民政局已完成", now=now)
    db.session.commit()
    with count_queries() as rebuilt:
        after = city.get("/inbound").get_data(as_text=True)
    assert "已完成 1/2" in after
    assert rebuilt.count > built_again.count
