"""Every error any route returns is our own Chinese page, or JSON under /api (issue 10 item 3).

Unknown paths and methods, oversized bodies, and unexpected exceptions (logged; the answer survives even a
database that is gone).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from tasktrack.extensions import db
from tests.web.odd_input import Site, assert_json, assert_page, make_site

HUGE = "99999999999999999999"


@pytest.fixture
def site(app: Flask, seeded: None, make_user: Callable[..., Any], now: Any) -> Site:
    return make_site(app, make_user, now)


def test_unknown_paths_and_methods_get_our_page_or_json(site: Site) -> None:
    assert_page(site.page.get("/no/such/page"), 404, "页面不存在")
    response = site.page.delete("/dashboard")
    assert_page(response, 405, "请求方式不允许")
    assert "GET" in response.headers["Allow"]
    assert site.page.head("/no/such/page").status_code == 404
    assert site.page.options("/dashboard").status_code == 200
    assert_json(site.api("GET", "/no/such/thing"), 404)
    assert_json(site.api_client.get("/api/no-version"), 404)
    response = site.api("DELETE", "/me")
    assert_json(response, 405)
    assert "GET" in response.headers["Allow"]
    assert site.api("HEAD", "/no/such/thing").status_code == 404
    assert_page(site.page.get(f"/cases/{HUGE}/revise"), 404)


def test_oversized_bodies_get_413_in_chinese(site: Site, app: Flask) -> None:
    limit = app.config["MAX_CONTENT_LENGTH"]
    big = b"x" * (limit + 1)
    response = site.api("POST", f"/assignments/{site.ctx.own_assignment_id}/reports", role="liaison", data=big,
                        headers={"Content-Type": "application/json"})
    assert_json(response, 413)
    response = site.page.post("/cases/new", data=big, content_type="application/x-www-form-urlencoded")
    assert_page(response, 413, "文件过大")


def _crashing_app(url: str, upload_dir: str) -> Flask:
    """An app that handles exceptions as production does, with routes that fail."""
    from tasktrack import create_app
    from tests.conftest import make_config

    other = create_app(make_config(url, upload_dir, PROPAGATE_EXCEPTIONS=False))

    @other.route("/boom")
    def boom() -> str:
        raise RuntimeError("boom")

    @other.route("/api/v1/boom")
    def api_boom() -> str:
        raise OverflowError("Python int too large to convert to SQLite INTEGER")

    return other


@pytest.fixture
def crashing_app(app: Flask) -> Iterator[Flask]:
    """A second app on the test database whose routes fail."""
    other = _crashing_app(app.config["SQLALCHEMY_DATABASE_URI"], app.config["UPLOAD_DIR"])
    yield other
    with other.app_context():
        db.session.remove()
        db.engine.dispose()


def test_unexpected_exceptions_are_logged_and_answered_in_chinese(crashing_app: Flask,
                                                                 caplog: pytest.LogCaptureFixture) -> None:
    client = crashing_app.test_client()
    with caplog.at_level("ERROR"):
        assert_page(client.get("/boom"), 500, "服务器出错")
    assert any("boom" in str(r.exc_info and r.exc_info[1]) for r in caplog.records)
    assert_json(client.get("/api/v1/boom"), 500)


def test_the_500_page_survives_a_dead_database(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """Rendering the error page needs the signed-in user; with the database gone it still answers in Chinese."""
    dead = _crashing_app(f"sqlite:///{tmp_path}/missing/dir/x.db", str(tmp_path / "uploads"))
    client = dead.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = "1:token"
    with caplog.at_level("ERROR"):
        response = client.get("/boom")
    assert response.status_code == 500
    assert "服务器出错" in response.get_data(as_text=True)
    assert any("error page itself failed" in r.getMessage() for r in caplog.records)
    with dead.app_context():
        db.session.remove()
        db.engine.dispose()
