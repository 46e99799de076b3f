"""Every page and API call respects the work-group tree (issue 12): a city reads its own subtree, never a sibling
city's or the province's; the province reads both cities but administers only its own work group.

The first test is driven by the route matrix (tests/web/matrix_*.py): every row whose URL names an object is called
with the province's objects by each user of city A, and must be refused (403 for a role that may not use the route
at all, else 404), so a route added later is covered by its matrix row alone.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tasktrack.extensions import db
from tasktrack.models import User, WorkGroup
from tasktrack.services import users
from tests.conftest import csrf_token, login
from tests.web.matrix import Ctx, Route
from tests.web.scope_data import ROLES, City, build_city, build_tree
from tests.web.test_route_matrix import ROWS, build_context

GROUP = pytest.mark.shared_state("work-group-scope")
PASSWORD = "scope-password-1"


@dataclass(frozen=True)
class Tree:
    """The shared setup: the matrix's provincial context, the two cities and each signed-in session."""

    ctx: Ctx
    a: City
    b: City
    inbound_id: int
    tokens: dict[str, str]
    cookies: dict[str, dict[Any, Any]]
    csrf: dict[str, str]


def _tree(app: Flask, make_user: Callable[..., Any], now: Any) -> Tree:
    def build() -> Tree:
        ctx, _people = build_context(make_user, now)
        made = build_tree(now)
        a, b = made["a"], made["b"]
        people = {f"a-{role}": db.session.get(User, a.people[role]) for role in ROLES} | {"province": made["province"]}
        tokens = {key: users.issue_token(user, actor=None, now=now) for key, user in people.items()}
        db.session.commit()
        cookies, csrf = {}, {}
        for key, user in people.items():
            client = app.test_client()
            assert login(client, user.email, PASSWORD).status_code == 302
            csrf[key] = csrf_token(client, "/account/password")
            cookies[key] = dict(client._cookies or {})
        return Tree(ctx, a, b, made["inbound_id"], tokens, cookies, csrf)

    tree: Tree = app.extensions["tests_isolation"].shared(build)
    return tree


def _client(app: Flask, tree: Tree, who: str) -> FlaskClient:
    client = app.test_client()
    client._cookies = dict(tree.cookies[who])
    return client


def _get(app: Flask, tree: Tree, who: str, path: str) -> Any:
    if path.startswith("/api/"):
        return app.test_client().get(path, headers={"Authorization": f"Bearer {tree.tokens[who]}"})
    return _client(app, tree, who).get(path)


def _names_object(app: Flask, row: Route, ctx: Ctx) -> bool:
    """Whether the row's URL names an object (has an id among its route arguments)."""
    _endpoint, args = app.url_map.bind("localhost").match(row.path(ctx).split("?")[0], method=row.method)
    return any(value is not None for value in args.values())


OBJECT_ROWS = ROWS


@GROUP
@pytest.mark.parametrize("row", OBJECT_ROWS, ids=[f"{r.method} {r.endpoint} {i}" for i, r in enumerate(OBJECT_ROWS)])
def test_city_users_cannot_reach_the_provinces_objects(app: Flask, seeded: None, make_user: Callable[..., Any],
                                                       now: Any, row: Route) -> None:
    tree = _tree(app, make_user, now)
    if not _names_object(app, row, tree.ctx):
        pytest.skip("the route names no object")
    path = row.path(tree.ctx)
    for role in ROLES:
        who = f"a-{role}"
        data = dict(row.data(tree.ctx)) if row.data else {}
        if row.is_api:
            headers = {"Authorization": f"Bearer {tree.tokens[who]}"}
            response = app.test_client().open(path, method=row.method, headers=headers,
                                              **({} if row.method == "GET" else {"json": data}))
        else:
            if row.method != "GET":
                data["csrf_token"] = tree.csrf[who]
            response = _client(app, tree, who).open(path, method=row.method, data=data)
        where = f"city A {role} {row.method} {path} -> {response.status_code}"
        assert response.status_code in (403, 404), where
        if row.is_api:
            assert "error" in response.get_json(), where
        elif response.status_code == 404:
            assert "页面不存在" in response.get_data(as_text=True), where
        response.close()


def _own_paths(city: City) -> list[str]:
    return [f"/plans/{city.plan_id}", f"/tasks/{city.task_id}", f"/assignments/{city.assignment_id}",
            f"/units/{city.unit_id}", f"/attachments/{city.file_id}", f"/cases/{city.case_id}",
            f"/attachments/{city.case_file_id}", f"/attachments/{city.pilot_file_id}",
            f"/observation/points/{city.obs_unit_id}", f"/plans/{city.plan_id}/export.csv",
            f"/plans/{city.plan_id}/print",
            f"/api/v1/assignments/{city.assignment_id}", f"/api/v1/plans/{city.plan_id}/tasks",
            f"/api/v1/observation-points/{city.obs_unit_id}/focus-choices",
            f"/api/v1/observation-points/{city.obs_unit_id}/pilot-logs"]


@GROUP
def test_a_city_reads_its_own_objects_and_not_its_siblings(app: Flask, seeded: None, make_user: Callable[..., Any],
                                                          now: Any) -> None:
    tree = _tree(app, make_user, now)
    for role in ROLES:
        who = f"a-{role}"
        for path in _own_paths(tree.a):
            response = _get(app, tree, who, path)
            assert response.status_code == 200, f"{who} {path} -> {response.status_code}"
            response.close()
        for path in _own_paths(tree.b):
            response = _get(app, tree, who, path)
            assert response.status_code == 403, f"{who} {path} -> {response.status_code}"
            response.close()


@GROUP
def test_the_inbound_assignment_is_read_by_the_city_secretariat(app: Flask, seeded: None,
                                                                make_user: Callable[..., Any], now: Any) -> None:
    tree = _tree(app, make_user, now)
    for path in (f"/assignments/{tree.inbound_id}", f"/api/v1/assignments/{tree.inbound_id}"):
        assert _get(app, tree, "a-secretariat", path).status_code == 200, path
        # ... but not the provincial task and plan around it
    assert _get(app, tree, "a-secretariat", f"/plans/{tree.ctx.plan_id}").status_code == 403


@GROUP
def test_the_province_reads_both_cities_but_administers_neither(app: Flask, seeded: None,
                                                                 make_user: Callable[..., Any], now: Any) -> None:
    tree = _tree(app, make_user, now)
    for city in (tree.a, tree.b):
        for path in _own_paths(city):
            response = _get(app, tree, "province", path)
            assert response.status_code == 200, f"province {path} -> {response.status_code}"
            response.close()
    client = _client(app, tree, "province")
    token = tree.csrf["province"]
    a = tree.a
    refused = [
        ("GET", f"/admin/units/{a.unit_id}/edit", {}),
        ("POST", f"/admin/units/{a.unit_id}/edit", {"name": "改名", "kind": "member", "parent_id": "0"}),
        ("GET", f"/admin/users/{a.people['viewer']}/edit", {}),
        ("POST", f"/admin/users/{a.people['viewer']}/active", {"active": "0"}),
        ("POST", f"/plans/{a.plan_id}/next-year", {"year": "2025"}),
        ("GET", f"/plans/{a.plan_id}/carry-over", {}),
        ("POST", f"/assignments/{a.claimed_id}/confirm", {"note": ""}),
        ("POST", f"/assignments/{a.claimed_id}/send-back", {"note": "退回"}),
        ("POST", f"/extensions/{a.extension_id}/decide", {"decision": "approve", "note": ""}),
        ("POST", f"/cases/{a.case_id}/review", {"action": "feature", "comment": ""}),
        ("GET", f"/admin/reminders/assignments/{a.assignment_id}/urge", {}),
        ("POST", f"/observation/points/{a.obs_unit_id}/reopen", {"reason": "重开"}),
    ]
    for method, path, data in refused:
        response = client.open(path, method=method, data={**data, "csrf_token": token} if method == "POST" else None)
        assert response.status_code in (403, 404), f"province {method} {path} -> {response.status_code}"
        response.close()


def _text(app: Flask, tree: Tree, who: str, path: str) -> str:
    """The page's text, or the API's JSON with its Chinese unescaped."""
    response = _get(app, tree, who, path)
    assert response.status_code == 200, f"{who} {path} -> {response.status_code}"
    if path.startswith("/api/"):
        return json.dumps(response.get_json(), ensure_ascii=False)
    return response.get_data(as_text=True)


LISTS = ["/plans", "/cases/", "/observation/points", "/api/v1/plans", "/api/v1/cases",
         "/api/v1/observation-points", "/api/v1/assignments?plan=all&per_page=100",
         "/api/v1/assignments?plan=all&light=red&per_page=100"]
SECRETARIAT_LISTS = ["/admin/units", "/admin/users", "/review/completions", "/review/extensions",
                     "/observation/matrix", "/admin/audit", "/admin/audit.csv", "/admin/reminders/urges",
                     "/reports/"]


@GROUP
def test_lists_show_only_the_readers_part_of_the_tree(app: Flask, seeded: None, make_user: Callable[..., Any],
                                                      now: Any) -> None:
    tree = _tree(app, make_user, now)
    a, b = tree.a, tree.b
    for role in ROLES:
        for path in LISTS + (SECRETARIAT_LISTS if role == "secretariat" else []):
            body = _text(app, tree, f"a-{role}", path)
            for foreign in (b.unit_name, b.plan_title, b.case_title, "省民政厅", "宁波市鄞州区观察点"):
                assert foreign not in body, f"city A {role} {path} shows {foreign}"
    for path in ("/plans", "/api/v1/plans"):
        body = _text(app, tree, "a-viewer", path)
        assert a.plan_title in body, path
    for path in SECRETARIAT_LISTS[:4]:
        body = _text(app, tree, "a-secretariat", path)
        assert a.unit_name in body, f"{path} does not show the city's own rows"
    users_page = _text(app, tree, "province", "/admin/users")
    assert "a-viewer@example.org" not in users_page, "the province manages its own accounts only"
    plans = _text(app, tree, "province", "/plans")
    for title in (a.plan_title, b.plan_title):
        assert title in plans, "the province reads every city's plans"
    everything = _text(app, tree, "province", "/api/v1/assignments?plan=all&light=green&per_page=100")
    for name in (a.unit_name, b.unit_name):
        assert name in everything, "the province reads every city's assignments"
    own = _text(app, tree, "a-viewer", "/api/v1/assignments?plan=all&per_page=100")
    assert a.unit_name in own, "a city reads its own assignments"


@GROUP
def test_scoping_adds_no_query_per_row(app: Flask, seeded: None, make_user: Callable[..., Any], now: Any,
                                       count_queries: Callable[[], Any]) -> None:
    """The city's lists cost the same number of queries with one more plan of rows in its tree (filters in SQL,
    the visible work groups read once a request)."""
    tree = _tree(app, make_user, now)
    paths = ["/review/completions", "/review/extensions", "/admin/audit", "/admin/users", "/admin/units",
             "/cases/", "/plans", "/observation/points",
             f"/assignments/{tree.a.assignment_id}", f"/attachments/{tree.a.file_id}"]

    def counts() -> list[int]:
        found = []
        for path in paths:
            with count_queries() as q:
                response = _get(app, tree, "a-secretariat", path)
            assert response.status_code == 200, path
            response.close()
            found.append(q.count)
        return found

    before = counts()
    more = build_city("c", "丙县", now)  # a county below city A, with its own plan, reports, cases and files
    group = db.session.get(WorkGroup, more.group_id)
    assert group is not None
    group.parent_id = tree.a.group_id
    db.session.commit()
    assert counts() == before
