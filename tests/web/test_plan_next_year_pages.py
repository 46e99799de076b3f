"""新建年度计划 and 结转 pages: the plan page's button, the draft it makes, the 结转 form (CSRF, refusals, bulk)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from flask import Flask

from tasktrack.extensions import db
from tasktrack.models import Assignment, AuditEvent, ImportStatus, Plan, PlanImport, Task
from tasktrack.services import plan_imports, units
from tasktrack.services import plan_next_year as ny
from tests.conftest import csrf_token


def old_plan() -> Plan:
    plan = db.session.scalar(sa.select(Plan).where(Plan.year == 2024))
    assert plan is not None
    return plan


def drafts() -> list[PlanImport]:
    return list(db.session.scalars(sa.select(PlanImport).where(PlanImport.status == ImportStatus.DRAFT)))


def published_next_year(now: dt.datetime) -> Plan:
    db.session.commit()  # end the test's read snapshot before writing beside the client's requests
    plan = plan_imports.publish(ny.next_year_draft(old_plan(), actor=None, now=now), actor=None, now=now,
                                allow_empty_categories=True)
    db.session.commit()
    return plan


def old_assignment(number: int, unit_name: str) -> Assignment:
    unit = units.find_unit(unit_name)
    assert unit is not None
    found = db.session.scalar(sa.select(Assignment).join(Task).where(
        Task.plan_id == old_plan().id, Task.number == number, Assignment.unit_id == unit.id))
    assert found is not None
    return found


# -- 新建年度计划 ------------------------------------------------------------------------------------


def test_the_plan_page_offers_next_year_to_the_secretariat_only(app: Flask, seeded: None, client: Any,
                                                                login_as: Any) -> None:
    login_as("liaison", unit="省民政厅")
    html = client.get(f"/plans/{old_plan().id}").get_data(as_text=True)
    assert "新建年度计划" not in html
    client.post("/logout", data={"csrf_token": csrf_token(client, f"/plans/{old_plan().id}")})
    login_as("secretariat")
    html = client.get(f"/plans/{old_plan().id}").get_data(as_text=True)
    assert "新建年度计划" in html
    assert f'action="/plans/{old_plan().id}/next-year"' in html
    assert 'name="year" value="2025"' in html
    assert "结转上年度未完成任务" not in html  # the 2024 plan was not copied from another


def test_next_year_button_makes_the_draft_and_opens_its_review(app: Flask, seeded: None, client: Any,
                                                              login_as: Any) -> None:
    login_as("secretariat")
    plan_id = old_plan().id
    token = csrf_token(client, f"/plans/{plan_id}")
    response = client.post(f"/plans/{plan_id}/next-year", data={"csrf_token": token, "year": "2025"})
    assert response.status_code == 302
    [draft] = drafts()
    assert response.headers["Location"].endswith(f"/plans/import/{draft.id}")
    assert (draft.year, draft.derived_from_id) == (2025, plan_id)
    page = client.get(response.headers["Location"])
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "已由《" in html  # the flash
    assert draft.source_name in html
    assert "2025 年 7 月底前" in html
    assert client.get(f"/plans/import/{draft.id}/source").get_data(as_text=True).startswith("主要任务\t序号")


def test_next_year_refusals_come_back_to_the_plan_page(app: Flask, seeded: None, client: Any,
                                                       login_as: Any) -> None:
    login_as("secretariat")
    plan_id = old_plan().id
    token = csrf_token(client, f"/plans/{plan_id}")
    assert client.post(f"/plans/{plan_id}/next-year", data={"csrf_token": token}).status_code == 302
    for year, message in [("", "已有 2025 年的草稿"), ("二〇二五", "四位数字"), ("2024", "晚于原计划")]:
        response = client.post(f"/plans/{plan_id}/next-year", data={"csrf_token": token, "year": year},
                               follow_redirects=True)
        assert response.request.path == f"/plans/{plan_id}", year
        assert message in response.get_data(as_text=True), year
    assert len(drafts()) == 1


def test_next_year_without_a_valid_token_makes_nothing(app: Flask, seeded: None, client: Any,
                                                       login_as: Any) -> None:
    login_as("secretariat")
    response = client.post(f"/plans/{old_plan().id}/next-year", data={"csrf_token": "forged"})
    assert response.status_code == 400
    assert drafts() == []


def test_next_year_of_an_unknown_plan_is_404(app: Flask, seeded: None, client: Any, login_as: Any) -> None:
    login_as("secretariat")
    token = csrf_token(client, f"/plans/{old_plan().id}")
    assert client.post("/plans/999999/next-year", data={"csrf_token": token}).status_code == 404


# -- 结转 ----------------------------------------------------------------------------------------------


def test_carry_over_page_lists_by_unit_with_the_matching_task_chosen(app: Flask, seeded: None, client: Any,
                                                                    login_as: Any, now: dt.datetime) -> None:
    new = published_next_year(now)
    login_as("secretariat")
    plan_page = client.get(f"/plans/{new.id}").get_data(as_text=True)
    assert f'href="/plans/{new.id}/carry-over"' in plan_page
    imp = db.session.scalar(sa.select(PlanImport).where(PlanImport.plan_id == new.id))
    assert imp is not None
    assert f'href="/plans/{new.id}/carry-over"' in client.get(f"/plans/import/{imp.id}").get_data(as_text=True)
    response = client.get(f"/plans/{new.id}/carry-over")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    a = old_assignment(3, "省民政厅")
    target = db.session.scalar(sa.select(Task).where(Task.plan_id == new.id, Task.number == 3))
    assert target is not None
    assert f'name="picked" value="{a.id}"' in html
    row = html[html.index(f'name="target-{a.id}"'):]
    row = row[:row.index("</select>")]
    assert f'<option value="{target.id}" selected>' in row
    assert "<h2>省民政厅" in html
    assert client.get(f"/plans/{old_plan().id}/carry-over").status_code == 404


def test_carry_and_close_in_bulk(app: Flask, seeded: None, client: Any, login_as: Any, now: dt.datetime) -> None:
    new = published_next_year(now)
    login_as("secretariat")
    tasks = {t.number: t.id for t in db.session.scalars(sa.select(Task).where(Task.plan_id == new.id))}
    carried = [old_assignment(3, "省民政厅"), old_assignment(3, "省教育厅")]
    token = csrf_token(client, f"/plans/{new.id}/carry-over")
    data: dict[str, Any] = {"csrf_token": token, "action": "carry", "picked": [str(a.id) for a in carried],
                            **{f"target-{a.id}": str(tasks[3]) for a in carried}}
    response = client.post(f"/plans/{new.id}/carry-over", data=data, follow_redirects=True)
    assert response.request.path == f"/plans/{new.id}/carry-over"
    assert "已结转 2 项任务" in response.get_data(as_text=True)
    again = client.post(f"/plans/{new.id}/carry-over", data=data, follow_redirects=True)  # the same page twice
    assert "另有 2 项此前已处理" in again.get_data(as_text=True)
    db.session.expire_all()
    assert all(a.closed_reason == f"结转至《{new.title}》任务3" for a in carried)
    assert "已结转的任务（2）" in again.get_data(as_text=True)

    closed = old_assignment(4, "省民政厅")
    response = client.post(f"/plans/{new.id}/carry-over", data={
        "csrf_token": token, "action": "close", "picked": [str(closed.id)], "reason": "不再开展"})
    assert response.status_code == 302
    db.session.expire_all()
    assert closed.closed_reason == "不再开展"
    events = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(
        AuditEvent.action.in_(["assignment.carry_over", "assignment.close"])))
    assert events == 5  # 2 carried (2 events each), 1 closed


def test_a_refused_submit_keeps_what_was_chosen(app: Flask, seeded: None, client: Any, login_as: Any,
                                                now: dt.datetime) -> None:
    new = published_next_year(now)
    login_as("secretariat")
    a = old_assignment(5, "省民政厅")
    token = csrf_token(client, f"/plans/{new.id}/carry-over")
    response = client.post(f"/plans/{new.id}/carry-over", data={
        "csrf_token": token, "action": "close", "picked": [str(a.id)], "reason": "  "})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "关闭时请填写原因" in html
    assert f'value="{a.id}" id="pick-{a.id}" checked' in html
    response = client.post(f"/plans/{new.id}/carry-over", data={
        "csrf_token": token, "action": "close", "picked": [str(a.id)], "reason": "很" * 301})
    assert response.status_code == 400
    assert "关闭原因不能超过 300 字" in response.get_data(as_text=True)
    response = client.post(f"/plans/{new.id}/carry-over", data={"csrf_token": token, "action": "carry"})
    assert response.status_code == 400
    assert "请先勾选要处理的任务" in response.get_data(as_text=True)
    response = client.post(f"/plans/{new.id}/carry-over", data={
        "csrf_token": "forged", "action": "close", "picked": [str(a.id)], "reason": "不再开展"})
    assert response.status_code == 400
    assert "安全校验未通过" in response.get_data(as_text=True)
    db.session.expire_all()
    assert a.closed_at is None


def test_carry_over_is_the_secretariats(app: Flask, seeded: None, client: Any, login_as: Any,
                                        now: dt.datetime) -> None:
    new = published_next_year(now)
    login_as("liaison", unit="省民政厅")
    assert client.get(f"/plans/{new.id}/carry-over").status_code == 403
    assert "结转上年度未完成任务" not in client.get(f"/plans/{new.id}").get_data(as_text=True)
