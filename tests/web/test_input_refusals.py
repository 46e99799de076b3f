"""Control characters, invisible "required" text and impossible dates are refused on the page (the field's Chinese
message, what was typed kept) and in the API (422 with ``field``), nothing stored, never a 500 — on SQLite and
PostgreSQL, where a NUL used to fail the INSERT (issue 10 items 2 and 5).
"""

from __future__ import annotations

import datetime as dt
import html
import re
from typing import Any

import pytest
import sqlalchemy as sa

from tasktrack.extensions import db
from tasktrack.models import CaseReport, FocusChoice, PilotLog, Plan, ProgressReport, Role, UnitKind
from tasktrack.services import observations, units, users
from tests.conftest import csrf_token, login
from tests.dashboard_data import NOW, small_plan

INVISIBLE = "\u200b\u200b\ufeff"


def count(model: Any) -> int:
    db.session.rollback()
    return db.session.scalar(sa.select(sa.func.count()).select_from(model)) or 0


@pytest.fixture
def api(app: Any, client: Any) -> Any:
    s = small_plan()
    token = users.issue_token(s.liaison_a, actor=None, now=NOW)
    db.session.commit()

    def post(body: Any) -> Any:
        return client.post(f"/api/v1/assignments/{s.a2.id}/reports", json=body,
                           headers={"Authorization": f"Bearer {token}"})

    return post


@pytest.mark.parametrize(("body", "field", "message"), [
    ({"status": "in_progress", "narrative": "进展\x00"}, "narrative", "控制字符 U+0000"),
    ({"status": "in_progress", "narrative": "\x00"}, "narrative", "控制字符 U+0000"),
    ({"status": "in_progress", "narrative": "前\x01后"}, "narrative", "控制字符 U+0001"),
    ({"status": "in_progress", "narrative": "前\x0b后"}, "narrative", "控制字符 U+000B"),
    ({"status": "in_progress", "narrative": INVISIBLE}, "narrative", "请填写进展情况说明"),
    ({"status": "completed", "completed_on": "0001-01-01", "narrative": "完成"}, "completed_on", "不能早于"),
    ({"status": "completed", "completed_on": "2023-12-31", "narrative": "完成"}, "completed_on", "不能早于"),
    ({"status": "completed", "completed_on": "9999-12-31", "narrative": "完成"}, "completed_on", "不能晚于今天"),
])
def test_api_refuses_with_422_on_the_field(api: Any, body: dict[str, Any], field: str, message: str) -> None:
    before = count(ProgressReport)
    response = api(body)
    assert response.status_code == 422, response.get_data(as_text=True)
    assert response.get_json()["field"] == field
    assert message in response.get_json()["error"]
    assert count(ProgressReport) == before


def test_api_accepts_tab_newline_and_a_date_in_the_window(api: Any) -> None:
    response = api({"status": "completed", "completed_on": "2024-01-01", "narrative": "第一行\n\t第二行"})
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["report"]["narrative"] == "第一行\n\t第二行"


@pytest.fixture
def liaison(seeded: None, login_as: Any) -> Any:
    user = login_as("liaison", unit="省民政厅")
    db.session.commit()
    return user


def _assignment_id() -> int:
    from tests.services.test_progress import assignment_of

    return assignment_of("省民政厅", 1).id


@pytest.mark.parametrize(("fields", "message"), [
    ({"narrative": "前\x01后"}, "进展情况说明中含有不能保存的控制字符 U+0001"),
    ({"narrative": "进展\x00"}, "控制字符 U+0000"),
    ({"narrative": INVISIBLE}, "请填写进展情况说明（所填内容只有空白或不可见的字符）"),
    ({"status": "completed", "percent": "", "completed_on": "0001-01-01"}, "完成日期不能早于 2024年1月1日"),
    ({"status": "completed", "percent": "", "completed_on": "9999-12-31"}, "完成日期不能晚于今天"),
])
def test_report_page_shows_the_message_on_the_field(client: Any, liaison: Any, fields: dict[str, str],
                                                    message: str) -> None:
    aid = _assignment_id()
    path = f"/assignments/{aid}/report"
    data = {"csrf_token": csrf_token(client, path), "status": "in_progress", "percent": "30",
            "narrative": "按计划推进", "reason": "", "base_report_id": "", "supersedes_id": "", **fields}
    response = client.post(path, data=data, content_type="multipart/form-data")
    assert response.status_code == 400
    page = html.unescape(response.get_data(as_text=True))
    assert message in page
    # The message sits with its field (the field's error list), not only in a flash.
    name = "completed_on" if "completed_on" in fields else "narrative"
    assert re.search(rf'name="{name}".{{0,600}}{re.escape(message)}|{re.escape(message)}.{{0,600}}name="{name}"',
                     page, re.S)
    assert count(ProgressReport) == 0


def test_case_page_and_api_refuse_control_characters(client: Any, app: Any, seeded: None, make_user: Any) -> None:
    user = make_user(Role.LIAISON, unit="省民政厅")
    assert login(client, user.email).status_code == 302
    token = csrf_token(client, "/cases/new")
    response = client.post("/cases/new", content_type="multipart/form-data", data={
        "csrf_token": token, "kind": "positive", "title": "案例", "summary": "摘要", "body": "正文\x00",
        "task_id": "0", "focus_item_id": "0"})
    assert response.status_code == 422
    assert "正文中含有不能保存的控制字符 U+0000" in response.get_data(as_text=True)
    api_token = users.issue_token(user, actor=None, now=NOW)
    db.session.commit()
    refused = client.post("/api/v1/cases", headers={"Authorization": f"Bearer {api_token}"}, data={
        "kind": "positive", "title": INVISIBLE, "summary": "s", "body": "b"}, content_type="multipart/form-data")
    assert refused.status_code == 422
    assert refused.get_json()["field"] == "title"
    assert count(CaseReport) == 0


def test_focus_choice_api_and_pilot_log_page(client: Any, seeded: None, make_user: Any, now: dt.datetime) -> None:
    point, _ = units.save_unit(None, actor=None, name="测试观察点", kind=UnitKind.OBSERVATION_POINT, categories=[],
                               contact_emails="", leader_email=None, now=now)
    db.session.commit()
    user = make_user(Role.OBSERVATION_POINT, unit=point.name)
    plan = db.session.scalar(sa.select(Plan))
    plan.focus_choice_deadline = dt.date(2024, 12, 31)
    api_token = users.issue_token(user, actor=None, now=now)
    db.session.commit()
    item = observations.list_focus_items()[0]
    url = f"/api/v1/observation-points/{point.id}/focus-choices"
    bad = client.put(url, json={"items": [item.id], "plans": {str(item.id): "计划\x00"}},
                     headers={"Authorization": f"Bearer {api_token}"})
    assert bad.status_code == 422
    assert bad.get_json()["field"] == "plans"
    assert count(FocusChoice) == 0
    observations.save_choice(plan, point, actor=user, items=[item.id], plans={item.id: "计划"}, now=now)
    db.session.commit()
    assert login(client, user.email).status_code == 302
    path = f"/observation/points/{point.id}"
    for date, note, message in (("0001-01-01", "进展", "日期不能早于 2024年1月1日"),
                                ("2024-07-01", "进展\x01", "试点进展中含有不能保存的控制字符 U+0001"),
                                ("2024-07-01", INVISIBLE, "请填写试点进展")):
        response = client.post(f"{path}/logs", content_type="multipart/form-data", data={
            "csrf_token": csrf_token(client, path), "focus_item_id": str(item.id), "log_date": date, "note": note})
        assert response.status_code == 422
        assert message in response.get_data(as_text=True)
    assert count(PilotLog) == 0


def test_unit_and_user_forms_refuse_control_characters(client: Any, seeded: None, login_as: Any) -> None:
    login_as("secretariat")
    db.session.commit()
    response = client.post("/admin/units/new", data={
        "csrf_token": csrf_token(client, "/admin/units/new"), "name": "新单位\x00", "kind": "member",
        "parent_id": "0", "is_active": "y"})
    assert response.status_code in (400, 422)
    assert "单位名称中含有不能保存的控制字符 U+0000" in response.get_data(as_text=True)
    assert units.find_unit("新单位") is None
