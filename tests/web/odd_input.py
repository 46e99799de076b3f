"""Shared parts of the odd-input tests: signed-in clients of every role, and checks of our error answers."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from tasktrack.extensions import db
from tasktrack.services import users
from tests.conftest import csrf_token, login
from tests.web.matrix import Ctx
from tests.web.test_route_matrix import build_context


class Site:
    """Pages signed in as the secretariat and as the liaison; an API token of every role."""

    def __init__(self, app: Flask, ctx: Ctx, people: dict[str, Any], now: Any) -> None:
        self.app, self.ctx = app, ctx
        #: E-mails, not User objects: a site shared by a module's tests outlives the session that loaded them.
        self.emails = {role: user.email for role, user in people.items()}
        self.page = app.test_client()
        assert login(self.page, people["secretariat"].email).status_code == 302
        self.csrf = csrf_token(self.page, "/account/password")
        self.liaison = app.test_client()
        assert login(self.liaison, people["liaison"].email).status_code == 302
        self.liaison_csrf = csrf_token(self.liaison, "/account/password")
        self.tokens = {role: users.issue_token(people[role], actor=None, now=now) for role in people}
        db.session.commit()
        self.api_client = app.test_client()

    def signed_in(self, role: str) -> tuple[FlaskClient, str]:
        """Return a new client signed in as ``role`` and its CSRF token."""
        client = self.app.test_client()
        assert login(client, self.emails[role]).status_code == 302
        return client, csrf_token(client, "/account/password")

    def api(self, method: str, path: str, *, role: str = "secretariat", **kwargs: Any) -> Any:
        headers = {"Authorization": f"Bearer {self.tokens[role]}", **kwargs.pop("headers", {})}
        return self.api_client.open(f"/api/v1{path}", method=method, headers=headers, **kwargs)


def make_site(app: Flask, make_user: Callable[..., Any], now: Any) -> Site:
    """Seed the route matrix's context (users of every role, reports, cases, files) and sign in."""
    ctx, people = build_context(make_user, now)
    return Site(app, ctx, people, now)


def assert_page(response: Any, status: int, *words: str) -> str:
    """Assert our own Chinese error page (never Werkzeug's English one) with ``status``."""
    html = response.get_data(as_text=True)
    assert response.status_code == status, html[:300]
    assert response.mimetype == "text/html"
    assert 'lang="zh-CN"' in html
    assert "清廉社会组织建设任务督办" in html
    for english in ("Bad Request", "Not Found", "Method Not Allowed", "Internal Server Error", "The browser"):
        assert english not in html
    for word in words:
        assert word in html
    return html


def assert_json(response: Any, status: int, field: str | None = "-") -> dict[str, Any]:
    """Assert a JSON error ``{"error": <Chinese>}`` with ``status`` (and ``field`` when given)."""
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    body = response.get_json()
    assert isinstance(body, dict), response.get_data(as_text=True)[:300]
    assert re.search(r"[\u4e00-\u9fff]", body["error"]), body
    if field != "-":
        assert body.get("field") == field, body
    return body
