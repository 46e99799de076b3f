"""签收 on the pages and in the API: one click from 我的任务 or the assignment page, a repeat says 已签收, bad input
changes nothing, the state shows where the assignment's state shows, query counts stay flat."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from tasktrack.extensions import db
from tasktrack.models import Assignment, AuditEvent, Role, Unit
from tasktrack.services import acknowledgements, users
from tests.conftest import csrf_token, login
from tests.services.test_progress import assignment_of
from tests.web.test_api_assignments import _validate

PATH = "/assignments/{}/acknowledge"


@pytest.fixture
def liaison(seeded: None, login_as: Callable[..., Any]) -> Any:
    user = login_as("liaison", unit="省民政厅")
    db.session.commit()
    return user


def acks(a: Assignment) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "assignment.acknowledge", AuditEvent.object_id == a.id)) or 0


def fresh(a: Assignment) -> Assignment:
    db.session.rollback()
    return db.session.get(Assignment, a.id)


def pending_of(unit: str) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Assignment).join(Unit).where(
        Unit.name == unit, Assignment.acknowledged_at.is_(None), Assignment.closed_at.is_(None))) or 0


def test_one_click_from_my_tasks_then_a_repeat_says_already_signed(client: FlaskClient, liaison: Any) -> None:
    page = client.get("/my/tasks").get_data(as_text=True)
    assert page.count('data-ack-form="') == pending_of("省民政厅") > 0
    assert "填写承办人（可选）" in page
    a = assignment_of("省民政厅", 1)
    token = csrf_token(client, "/my/tasks")
    r = client.post(PATH.format(a.id), data={"csrf_token": token, "next": "my"})
    assert r.status_code == 302
    assert r.headers["Location"].endswith("/my/tasks")
    page = client.get("/my/tasks").get_data(as_text=True)
    assert f"已签收：任务 {a.task.number}" in page
    assert f'data-ack-form="{a.id}"' not in page
    first = fresh(a).acknowledged_at
    assert first is not None
    assert fresh(a).acknowledged_by_id == liaison.id

    again = client.post(PATH.format(a.id), data={"csrf_token": token, "next": "my"})  # a double submit
    assert again.status_code == 302
    assert "已签收，无需重复签收" in client.get("/my/tasks").get_data(as_text=True)
    assert fresh(a).acknowledged_at == first
    assert acks(a) == 1


def test_handler_rides_along_and_shows_on_the_assignment_page(client: FlaskClient, liaison: Any) -> None:
    a = assignment_of("省民政厅", 2)
    page = client.get(f"/assignments/{a.id}").get_data(as_text=True)
    assert 'data-ack="pending"' in page
    assert f'data-ack-form="{a.id}"' in page
    r = client.post(PATH.format(a.id), data={"csrf_token": csrf_token(client, f"/assignments/{a.id}"),
                                             "handler_name": "张三", "handler_phone": "0571-87654321"})
    assert r.headers["Location"].endswith(f"/assignments/{a.id}")
    page = client.get(f"/assignments/{a.id}").get_data(as_text=True)
    assert re.search(r"已签收 [^<·]+ · 承办人 张三 0571-87654321", page)
    assert liaison.name in page


@pytest.mark.parametrize(("data", "message"), [
    ({"handler_phone": "请打电话"}, "联系电话只能包含数字"),
    ({"handler_name": "张" * 51}, "承办人不能超过 50 字"),
])
def test_bad_handler_fields_are_refused_and_nothing_changes(client: FlaskClient, liaison: Any,
                                                            data: dict[str, str], message: str) -> None:
    a = assignment_of("省民政厅", 3)
    r = client.post(PATH.format(a.id), data={"csrf_token": csrf_token(client, "/my/tasks"), **data})
    assert r.status_code == 302
    assert message in client.get(r.headers["Location"]).get_data(as_text=True)
    assert fresh(a).acknowledged_at is None
    assert acks(a) == 0


def test_a_forged_token_changes_nothing(client: FlaskClient, liaison: Any) -> None:
    a = assignment_of("省民政厅", 4)
    r = client.post(PATH.format(a.id), data={"csrf_token": "forged"})
    assert r.status_code == 400
    assert fresh(a).acknowledged_at is None


def test_others_see_the_state_but_no_button(client: FlaskClient, seeded: None, make_user: Any) -> None:
    a = assignment_of("省民政厅", 1)
    for role, unit in ((Role.SECRETARIAT, None), (Role.VIEWER, None), (Role.LIAISON, "省教育厅")):
        c = client.application.test_client()
        login(c, make_user(role, unit=unit).email)
        page = c.get(f"/assignments/{a.id}").get_data(as_text=True)
        assert 'data-ack="pending"' in page, role
        assert "data-ack-form" not in page, role


def test_dashboard_counts_and_lists_unacknowledged(client: FlaskClient, seeded: None, login_as: Any,
                                                   make_user: Any, now: dt.datetime) -> None:
    login_as(Role.SECRETARIAT)
    a = assignment_of("省民政厅", 1)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(Assignment)
                              .where(Assignment.closed_at.is_(None))) or 0
    acknowledgements.acknowledge(a, actor=make_user(Role.LIAISON, unit="省民政厅"), now=now)
    db.session.commit()
    page = client.get(f"/dashboard?plan={a.task.plan_id}").get_data(as_text=True)
    assert re.search(r'待签收 <b data-count="unacknowledged">(\d+)</b>', page).group(1) == str(total - 1)
    listed = client.get(f"/dashboard/assignments?plan={a.task.plan_id}&reason=unacknowledged").get_data(as_text=True)
    assert listed.count('data-ack="pending"') > 0
    assert 'data-ack="done"' not in listed


def _statements(client: FlaskClient, path: str, count_queries: Callable[[], Any]) -> int:
    with count_queries() as q:
        assert client.get(path).status_code == 200
    return q.count


def test_query_counts_stay_flat_when_assignments_are_signed(client: FlaskClient, liaison: Any, now: dt.datetime,
                                                            count_queries: Callable[[], Any]) -> None:
    rows = db.session.scalars(sa.select(Assignment).join(Unit).where(Unit.name == "省民政厅")
                              .order_by(Assignment.id)).all()
    acknowledgements.acknowledge(rows[0], actor=liaison, now=now, handler_name="张三")
    db.session.commit()
    paths = ["/my/tasks", f"/assignments/{rows[0].id}", f"/assignments/{rows[1].id}"]
    small = [_statements(client, p, count_queries) for p in paths]
    for a in rows[1:]:
        acknowledgements.acknowledge(a, actor=liaison, now=now, handler_name="李四", handler_phone="13800000000")
    db.session.commit()
    assert [_statements(client, p, count_queries) for p in paths] == small


@pytest.fixture
def token(seeded: None, make_user: Any, now: dt.datetime) -> tuple[Any, dict[str, str]]:
    user = make_user(Role.LIAISON, unit="省民政厅")
    value = users.issue_token(user, actor=None, now=now)
    db.session.commit()
    return user, {"Authorization": f"Bearer {value}"}


def test_api_acknowledges_once_and_a_repeat_is_200_unchanged(client: FlaskClient, token: Any) -> None:
    _, headers = token
    a = assignment_of("省民政厅", 5)
    assert client.get(f"/api/v1/assignments/{a.id}", headers=headers).get_json()["assignment"][
        "acknowledged_at"] is None
    r = client.post(f"/api/v1/assignments/{a.id}/acknowledge", headers=headers,
                    json={"handler_name": "王五", "handler_phone": "+86 571 8765 4321"})
    assert r.status_code == 200, r.get_json()
    _validate(r, "/assignments/{assignment_id}/acknowledge", "post")
    body = r.get_json()
    assert body["id"] == a.id
    assert body["acknowledged_at"] is not None
    assert (body["handler_name"], body["handler_phone"]) == ("王五", "+86 571 8765 4321")
    again = client.post(f"/api/v1/assignments/{a.id}/acknowledge", headers=headers)  # no body at all: one click
    assert again.status_code == 200
    assert again.get_json() == body
    assert acks(a) == 1
    listed = client.get(f"/api/v1/assignments?plan={a.task.plan_id}&unit=省民政厅", headers=headers).get_json()
    assert next(x for x in listed["assignments"] if x["id"] == a.id)["acknowledged_at"] == body["acknowledged_at"]


@pytest.mark.parametrize(("body", "status", "field"), [
    ({"handler_phone": "abc"}, 422, "handler_phone"),
    ({"handler_name": 5}, 422, "handler_name"),
    ({"note": "x"}, 422, None),
    ([1], 422, None),
])
def test_api_refuses_bad_input_and_changes_nothing(client: FlaskClient, token: Any, body: Any, status: int,
                                                   field: str | None) -> None:
    _, headers = token
    a = assignment_of("省民政厅", 6)
    r = client.post(f"/api/v1/assignments/{a.id}/acknowledge", headers=headers, json=body)
    assert r.status_code == status
    assert r.get_json()["field"] == field
    _validate(r, "/assignments/{assignment_id}/acknowledge", "post")
    assert fresh(a).acknowledged_at is None


def test_api_refuses_another_units_and_a_missing_assignment(client: FlaskClient, token: Any) -> None:
    _, headers = token
    other = assignment_of("省教育厅", 1)
    assert client.post(f"/api/v1/assignments/{other.id}/acknowledge", headers=headers).status_code == 403
    assert client.post("/api/v1/assignments/999999/acknowledge", headers=headers).status_code == 404
    bad = client.post(f"/api/v1/assignments/{other.id}/acknowledge", headers={**headers,
                      "Content-Type": "application/json"}, data=b"{")
    assert bad.status_code in (400, 403)
    assert fresh(other).acknowledged_at is None
