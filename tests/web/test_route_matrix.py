"""Role × route matrix over every route and API call (R6), and the meta-test that it covers them all."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

import tests.web as web_tests
from tasktrack.extensions import db
from tasktrack.models import AssignmentStatus, Category, Role, Unit, UnitKind
from tasktrack.services import attachments, progress, units, users
from tasktrack.services.read.overview import unit_rows
from tests.conftest import csrf_token, login
from tests.web.matrix import ALL, ROLES, Ctx, Route

MODULES = [
    importlib.import_module(f"tests.web.{m.name}")
    for m in pkgutil.iter_modules(web_tests.__path__)
    if m.name.startswith("matrix_")
]
ROWS: list[Route] = [row for module in MODULES for row in module.ROUTES]
#: The area module each row comes from: a row needs only its own area's setup (see build_context).
MODULE_OF: dict[int, ModuleType] = {id(row): module for module in MODULES for row in module.ROUTES}
EXEMPT: set[tuple[str, str]] = set().union(*(getattr(m, "EXEMPT", set()) for m in MODULES))

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def build_context(make_user: Callable[..., Any], now: Any,
                  areas: list[ModuleType] | None = None) -> tuple[Ctx, dict[str, Any]]:
    """Seed users of every role, an observation point and one evidence file; return ids and users."""
    category = db.session.scalar(sa.select(Category).where(Category.name == "观察点"))
    obs_unit, _ = units.save_unit(None, actor=None, name="宁波市鄞州区观察点", kind=UnitKind.OBSERVATION_POINT,
                                  categories=[category], contact_emails="", leader_email=None, now=now)
    db.session.commit()
    people = {
        "secretariat": make_user(Role.SECRETARIAT),
        "liaison": make_user(Role.LIAISON, unit="省民政厅"),
        "observation_point": make_user(Role.OBSERVATION_POINT, unit="宁波市鄞州区观察点"),
        "viewer": make_user(Role.VIEWER),
    }
    own_unit = units.find_unit("省民政厅")
    other_unit = units.find_unit("省教育厅")
    assert isinstance(own_unit, Unit)
    assert isinstance(other_unit, Unit)
    today = now.date()
    own = unit_rows(own_unit.id, today)[0].assignment
    other = unit_rows(other_unit.id, today)[0].assignment
    report = progress.submit_report(own, author=people["liaison"], status=AssignmentStatus.IN_PROGRESS,
                                    percent=10, completed_on=None, narrative="矩阵测试报送", now=now)
    evidence = attachments.attach("progress_report", report.id, [attachments.Upload("证明.pdf", PDF)],
                                  actor=people["liaison"], now=now)[0]
    db.session.commit()
    ctx = Ctx(plan_id=own.task.plan_id, task_id=own.task_id, own_assignment_id=own.id,
              other_assignment_id=other.id, own_unit_id=own_unit.id, other_unit_id=other_unit.id,
              obs_unit_id=obs_unit.id,
              user_ids={**{k: u.id for k, u in people.items()}, "target": make_user(Role.VIEWER).id},
              extra={"evidence_id": evidence.id, "report_id": report.id})
    for module in MODULES if areas is None else areas:
        setup = getattr(module, "setup", None)
        if setup is not None:
            setup(ctx, people, now)
            db.session.commit()
    return ctx, people


def _areas(row: Route) -> list[ModuleType]:
    """Return the setups a row needs: its own area's (the shared context serves every area)."""
    module = MODULE_OF.get(id(row))
    if module is None:
        return []
    uses = getattr(module, "USES", ())  # areas whose setup this area's rows also read (their ctx.extra ids)
    return [m for m in MODULES if m is module or m.__name__ in uses]


@dataclass(frozen=True)
class Shared:
    """What the rows of one area share (built once per area, see tests/isolation.py): the context, each role's
    e-mail, API token, signed-in cookies and CSRF token."""

    ctx: Ctx
    emails: dict[str, str]
    tokens: dict[str, str]
    cookies: dict[str, dict[Any, Any]]
    csrf: dict[str, str]


def _shared(app: Flask, make_user: Callable[..., Any], now: Any, row: Route) -> Shared:
    def build() -> Shared:
        ctx, people = build_context(make_user, now, _areas(row))
        tokens = {role: users.issue_token(user, actor=None, now=now) for role, user in people.items()}
        db.session.commit()
        cookies, csrf = {}, {}
        for role in ROLES:
            client = app.test_client()
            assert login(client, people[role].email).status_code == 302
            csrf[role] = csrf_token(client, "/account/password")
            cookies[role] = dict(client._cookies or {})  # werkzeug keeps them here; copied into each row's client
        return Shared(ctx, {role: user.email for role, user in people.items()}, tokens, cookies, csrf)

    shared: Shared = app.extensions["tests_isolation"].shared(build)
    return shared


def _signed_in(app: Flask, shared: Shared, role: str) -> FlaskClient:
    """A fresh client with the role's cookies as they were right after signing in."""
    client = app.test_client()
    client._cookies = dict(shared.cookies[role])
    return client


def _call(client: FlaskClient, row: Route, ctx: Ctx, *, token: str | None, csrf: str | None) -> Any:
    path = row.path(ctx)
    data = dict(row.data(ctx)) if row.data else {}
    if row.endpoint.startswith("api."):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        if row.method == "GET":
            return client.get(path, headers=headers)
        return client.open(path, method=row.method, json=data, headers=headers)
    if row.method == "GET":
        return client.get(path)
    if csrf:
        data["csrf_token"] = csrf
    return client.open(path, method=row.method, data=data)


def _group(row: Route) -> str:
    """The shared-state key of a row: its area's (the role matrix's rows and the forged-token rows of one area
    share one setup, built once: tests/conftest.py runs them together)."""
    module = MODULE_OF.get(id(row))
    return f"route-matrix:{module.__name__ if module else 'sign-in'}"


@pytest.mark.parametrize("row", [pytest.param(r, marks=pytest.mark.shared_state(_group(r))) for r in ROWS],
                         ids=[f"{r.method} {r.endpoint} {i}" for i, r in enumerate(ROWS)])
def test_route_as_every_role(app: Flask, seeded: None, make_user: Callable[..., Any], now: Any, row: Route) -> None:
    shared = _shared(app, make_user, now, row)
    ctx = shared.ctx

    anonymous = app.test_client()
    response = _call(anonymous, row, ctx, token=None, csrf=None)
    response.close()
    if row.endpoint.startswith("api."):
        assert response.status_code == 401, f"anonymous {row.method} {row.path(ctx)}"
        assert "error" in response.get_json()
    elif row.method == "GET":
        assert response.status_code == 302, row.path(ctx)
        assert "/login" in response.headers["Location"], row.path(ctx)
    else:
        assert response.status_code in (302, 400), row.path(ctx)

    for role in ROLES:
        api = row.endpoint.startswith("api.")
        client = app.test_client() if api else _signed_in(app, shared, role)
        response = _call(client, row, ctx, token=shared.tokens[role], csrf=None if api else shared.csrf[role])
        where = f"{role} {row.method} {row.path(ctx)} -> {response.status_code}"
        assert response.status_code < 500, where
        if role in row.allowed:
            assert response.status_code == row.expected(), where
        else:
            assert response.status_code in row.refused, where
        if api and response.status_code >= 400:
            assert "error" in response.get_json(), where
        response.close()


def _forged_rows() -> list[Route]:
    """One row per page route written to (not the API, whose bearer token is its CSRF defence), with a role
    allowed to use it, so the forged token is refused by the CSRF check and not by the role check."""
    rows: dict[tuple[str, str], Route] = {}
    for row in [*ROWS, *SIGN_IN_OUT]:
        if row.method != "GET" and not row.is_api and row.allowed:
            known = rows.get((row.endpoint, row.method))
            if known is None or (known.expected() >= 400 > row.expected()):  # rather a post that would succeed
                rows[(row.endpoint, row.method)] = row
    return list(rows.values())


#: The sign-in pages are exempt from the role matrix (anyone reaches them) but not from the forged-token test.
SIGN_IN_OUT = [
    Route("auth.login", "POST", lambda c: "/login", ALL, data=lambda c: {"email": "x@example.org", "password": "x"}),
    Route("auth.logout", "POST", lambda c: "/logout", ALL),
]
FORGED = _forged_rows()


def _data_version() -> int:
    db.session.rollback()
    return int(db.session.scalar(sa.text("SELECT value FROM data_version WHERE id = 1")) or 0)


@pytest.mark.parametrize("row", [pytest.param(r, marks=pytest.mark.shared_state(_group(r)))
                                 for r in FORGED], ids=[f"{r.method} {r.endpoint}" for r in FORGED])
@pytest.mark.parametrize("token", ["forged-token", None])
def test_forged_csrf_token_is_refused_and_changes_nothing(app: Flask, seeded: None, make_user: Callable[..., Any],
                                                        now: Any, row: Route, token: str | None) -> None:
    shared = _shared(app, make_user, now, row)
    ctx = shared.ctx
    role = sorted(row.allowed)[0]
    client = _signed_in(app, shared, role)
    before = _data_version()
    data = dict(row.data(ctx)) if row.data else {}
    if token is not None:
        data["csrf_token"] = token
    response = client.open(row.path(ctx), method=row.method, data=data)
    where = f"{role} {row.method} {row.path(ctx)} -> {response.status_code}"
    assert response.status_code == 400, where
    assert "安全校验未通过" in response.get_data(as_text=True), where
    assert _data_version() == before, where + " wrote something"
    response.close()


def test_every_page_write_has_a_forged_token_row(app: Flask) -> None:
    """Every page route that takes a POST is covered by the forged-token test (a row some role may use)."""
    forged = {(r.endpoint, r.method) for r in FORGED}
    missing = [f"{method} {rule.rule} ({rule.endpoint})" for rule in app.url_map.iter_rules()
               for method in sorted((rule.methods or set()) - {"GET", "HEAD", "OPTIONS"})
               if not rule.endpoint.startswith("api.") and (rule.endpoint, method) not in forged]
    assert not missing, "page writes without a row an allowed role can post: " + ", ".join(missing)


def test_every_route_has_a_row(app: Flask) -> None:
    covered = {(r.endpoint, r.method) for r in ROWS} | EXEMPT
    missing = []
    for rule in app.url_map.iter_rules():
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            if (rule.endpoint, method) not in covered:
                missing.append(f"{method} {rule.rule} ({rule.endpoint})")
    assert not missing, "routes without a row in tests/web/matrix_*.py: " + ", ".join(missing)
