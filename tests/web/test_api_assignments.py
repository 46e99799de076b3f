"""The assignment and dashboard API, and the OpenAPI document: valid, complete, and true to real responses."""

from __future__ import annotations

import re
from typing import Any

import jsonschema
import pytest
from openapi_spec_validator import validate

from tasktrack.extensions import db
from tasktrack.models import ProgressReport
from tasktrack.services import users
from tasktrack.web.api.openapi import document
from tests.dashboard_data import NOW, mixed_plans, scaled_plan, small_plan


@pytest.fixture
def api(app, client):
    """Return (small plan, get, post) where get/post call the API as a user with a fresh token."""
    s = small_plan()

    def token_for(user) -> str:
        token = users.issue_token(user, actor=None, now=NOW)
        db.session.commit()
        return token

    tokens = {"a": token_for(s.liaison_a), "b": token_for(s.liaison_b)}

    def get(path: str, who: str = "a") -> Any:
        return client.get(f"/api/v1{path}", headers={"Authorization": f"Bearer {tokens[who]}"})

    def post(path: str, body: Any, who: str = "a") -> Any:
        return client.post(f"/api/v1{path}", json=body, headers={"Authorization": f"Bearer {tokens[who]}"})

    return s, get, post


def _validate(response: Any, path: str, method: str = "get") -> None:
    """Check a real response against the schema the document gives for its path, method and status."""
    doc = document()
    operation = doc["paths"][path][method]
    spec = operation["responses"][str(response.status_code)]["content"]["application/json"]["schema"]
    schema = {**spec, "components": doc["components"]}
    # OpenAPI 3.0 "nullable" is not JSON Schema: turn it into a type union before validating.
    jsonschema.validate(response.get_json(), _nullable_to_union(schema),
                        format_checker=jsonschema.FormatChecker())


def _nullable_to_union(node: Any) -> Any:
    if isinstance(node, dict):
        node = {k: _nullable_to_union(v) for k, v in node.items()}
        if node.pop("nullable", False):
            if "$ref" in node:
                return {"anyOf": [{"$ref": node.pop("$ref")}, {"type": "null"}], **node}
            node["type"] = [node["type"], "null"]
            if "enum" in node:
                node["enum"] = [*node["enum"], None]
        return node
    if isinstance(node, list):
        return [_nullable_to_union(v) for v in node]
    return node


def test_list_filters_by_unit_name_id_and_light(api) -> None:
    s, get, _ = api
    r = get(f"/assignments?plan={s.plan.id}")
    assert r.status_code == 200
    assert r.get_json()["total"] == 6
    _validate(r, "/assignments")
    assert get(f"/assignments?plan={s.plan.id}&unit=乙单位").get_json()["total"] == 3
    body = get(f"/assignments?plan={s.plan.id}&unit={s.unit_a.id}&light=red").get_json()
    assert [a["id"] for a in body["assignments"]] == [s.a1.id]
    assert body["assignments"][0]["light"] == "red"
    page = get(f"/assignments?plan={s.plan.id}&per_page=4&page=2").get_json()
    assert (page["total"], page["pages"], len(page["assignments"])) == (6, 2, 2)


@pytest.mark.parametrize(("query", "field"), [
    ("light=purple", "light"), ("per_page=101", "per_page"), ("page=0", "page"), ("unit=无此单位", "unit"),
])
def test_list_refuses_bad_parameters(api, query: str, field: str) -> None:
    s, get, _ = api
    r = get(f"/assignments?plan={s.plan.id}&{query}")
    assert r.status_code == 422
    assert r.get_json()["field"] == field
    _validate(r, "/assignments")


def test_detail_has_report_history(api) -> None:
    s, get, _ = api
    r = get(f"/assignments/{s.b1.id}")
    assert r.status_code == 200
    _validate(r, "/assignments/{assignment_id}")
    body = r.get_json()
    assert body["assignment"]["light"] == "done"
    assert [x["narrative"] for x in body["reports"]] == ["汇编已印发，共收录 36 个案例。", "已起草"]
    assert get("/assignments/99999").status_code == 404


def test_post_report_as_own_unit(api) -> None:
    s, get, post = api
    r = post(f"/assignments/{s.a2.id}/reports", {"status": "in_progress", "percent": 30, "narrative": "已部署检查"})
    assert r.status_code == 201, r.get_json()
    _validate(r, "/assignments/{assignment_id}/reports", "post")
    assert r.get_json()["report"]["narrative"] == "已部署检查"
    assert get(f"/assignments/{s.a2.id}").get_json()["assignment"]["percent"] == 30
    done = post(f"/assignments/{s.a1.id}/reports",
                {"status": "completed", "completed_on": "2024-07-10", "narrative": "汇编完成"})
    assert done.status_code == 201
    assert done.get_json()["assignment"]["light"] == "done"
    assert done.get_json()["assignment"]["reason"] == "completed_late"


def test_post_to_another_units_assignment_is_403(api) -> None:
    s, _, post = api
    before = db.session.query(ProgressReport).count()
    r = post(f"/assignments/{s.b4.id}/reports", {"status": "in_progress", "narrative": "越权"}, who="a")
    assert r.status_code == 403
    _validate(r, "/assignments/{assignment_id}/reports", "post")
    closed = post(f"/assignments/{s.a4_closed.id}/reports", {"status": "in_progress", "narrative": "x"})
    assert closed.status_code == 403
    assert db.session.query(ProgressReport).count() == before


@pytest.mark.parametrize(("body", "field"), [
    ({"status": "in_progress", "narrative": "  "}, "narrative"),
    ({"status": "done", "narrative": "x"}, "status"),
    ({"status": "in_progress", "percent": 101, "narrative": "x"}, "percent"),
    ({"status": "in_progress", "percent": "50", "narrative": "x"}, "percent"),
    ({"status": "completed", "narrative": "x"}, "completed_on"),
    ({"status": "completed", "completed_on": "2024-08-01", "narrative": "x"}, "completed_on"),
    ({"status": "completed", "completed_on": "昨天", "narrative": "x"}, "completed_on"),
    ([1, 2], None),
])
def test_post_refuses_bad_input_with_field(api, body: Any, field: str | None) -> None:
    s, _, post = api
    before = db.session.query(ProgressReport).count()
    r = post(f"/assignments/{s.a2.id}/reports", body)
    assert r.status_code == 422
    assert r.get_json()["field"] == field
    _validate(r, "/assignments/{assignment_id}/reports", "post")
    assert db.session.query(ProgressReport).count() == before


def test_dashboard_api_matches_the_page_numbers(api) -> None:
    s, get, _ = api
    r = get(f"/dashboard?plan={s.plan.id}")
    assert r.status_code == 200
    _validate(r, "/dashboard")
    body = r.get_json()
    assert body["totals"]["red"] == 1
    assert body["totals"]["stale"] == 1
    assert body["totals"]["total"] == 6
    assert [sec["done"] for sec in body["sections"]] == [1, 0]
    assert get("/dashboard?plan=abc").status_code == 422


def test_core_responses_match_the_document(api) -> None:
    s, get, _ = api
    for path, template in (("/me", "/me"), ("/plans", "/plans"),
                           (f"/plans/{s.plan.id}/tasks", "/plans/{plan_id}/tasks")):
        r = get(path)
        assert r.status_code == 200
        _validate(r, template)


def test_document_is_valid_openapi(api) -> None:
    _, get, _ = api
    r = get("/openapi.json")
    assert r.status_code == 200
    validate(r.get_json())


def test_document_lists_exactly_the_api_routes(app) -> None:
    rules = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/"):
            path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule[len("/api/v1"):])
            for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}:
                rules.add((path, method.lower()))
    http_methods = {"get", "put", "post", "delete", "patch", "options", "head", "trace"}
    documented = {(path, method) for path, item in document()["paths"].items() for method in item
                  if method in http_methods}
    assert rules == documented


def test_list_of_all_plans(api) -> None:
    s, get, _ = api
    m = mixed_plans()
    r = get("/assignments?plan=all&light=red&per_page=100")
    assert r.status_code == 200
    _validate(r, "/assignments")
    body = r.get_json()
    assert body["plan_id"] is None
    assert body["total"] == 1 + len(m.all_red)
    assert {a["id"] for a in body["assignments"]} == {s.a1.id} | m.all_red
    plans = {a["task"]["plan_id"] for a in body["assignments"]}
    assert plans == {s.plan.id, m.plans["province"].id, m.plans["city"].id, m.plans["last_year"].id}
    assert all(a["light"] == "red" for a in body["assignments"])
    second = get("/assignments?plan=all&light=red&per_page=10&page=2").get_json()
    assert [a["id"] for a in second["assignments"]] == [a["id"] for a in body["assignments"]][10:20]
    every = get("/assignments?plan=all&per_page=5")
    _validate(every, "/assignments")
    assert every.get_json()["plan_id"] is None
    assert every.get_json()["total"] > body["total"]
    assert get(f"/assignments?plan={s.plan.id}").get_json()["plan_id"] == s.plan.id


@pytest.mark.parametrize("value", ["foo", "0", "-1", "ALL", "1.5"])
def test_list_refuses_bad_plan_values(api, value: str) -> None:
    _, get, _ = api
    r = get(f"/assignments?plan={value}&light=red")
    assert r.status_code == 422
    assert r.get_json()["field"] == "plan"
    _validate(r, "/assignments")


def test_document_describes_the_plan_parameter(app) -> None:
    operation = document()["paths"]["/assignments"]["get"]
    plan = next(p for p in operation["parameters"] if p["name"] == "plan")
    assert {"type": "string", "enum": ["all"]} in plan["schema"]["oneOf"]
    assert document()["components"]["schemas"]["AssignmentPage"]["properties"]["plan_id"]["nullable"] is True


def test_overdue_list_of_all_plans_makes_the_same_number_of_queries_with_10x_data(client, make_user,
                                                                                   count_queries) -> None:
    scaled_plan(1)
    token = users.issue_token(make_user("viewer"), actor=None, now=NOW)
    db.session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    path = "/api/v1/assignments?plan=all&light=red&per_page=100"

    def count() -> int:
        with count_queries() as q:
            response = client.get(path, headers=headers)
        assert response.status_code == 200
        return q.count

    client.get("/api/v1/me", headers=headers)  # the token's first use is stamped, later ones within a minute not
    small = count()
    scaled_plan(9)  # 18 → 180 assignments
    db.session.rollback()
    assert count() == small
    body = client.get(path, headers=headers).get_json()
    assert len(body["assignments"]) == body["total"] > 50


def test_a_report_post_answers_what_a_read_shows_whatever_the_history(api, count_queries) -> None:
    """The POST answers from what it wrote (no read of the whole history): the same JSON a GET then shows, in as many
    statements with ten reports behind it as with one."""
    s, get, post = api
    path = f"/assignments/{s.a2.id}/reports"

    def report(n: int) -> tuple[Any, int]:
        with count_queries() as q:
            response = post(path, {"status": "in_progress", "percent": n, "narrative": f"第 {n} 次报送"})
        assert response.status_code == 201, response.get_json()
        return response.get_json(), q.count

    report(0)  # the token's first use is stamped; later ones within a minute are not
    body, first = report(1)
    for n in range(2, 11):
        body, last = report(n)
    assert last == first
    # The token; the assignment with its task and unit; its lock with the latest report's id; the scopes the report
    # moves; the assignment's update, the report, the latest-report pointer and the audit event (18 when the answer
    # was read back with the whole history).
    assert first <= 8
    shown = get(f"/assignments/{s.a2.id}").get_json()
    assert body["assignment"] == shown["assignment"]
    assert body["report"] == next(r for r in shown["reports"] if r["id"] == body["report"]["id"])
    assert body["report"]["narrative"] == "第 10 次报送"
