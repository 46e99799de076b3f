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


@pytest.mark.committed
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


def test_a_file_missing_on_disk_is_410_not_500(site: Site, app: Flask) -> None:
    """A row that outlived its file (restored database, cleaned disk) is said so, in Chinese."""
    from tasktrack.models import Attachment
    from tasktrack.services.attachments import storage

    attachment = db.session.get(Attachment, site.ctx.extra["evidence_id"])
    assert attachment is not None
    storage().path(attachment.storage_key).unlink()
    assert_page(site.page.get(f"/attachments/{attachment.id}"), 410, "文件已不存在")


@pytest.mark.committed
def test_a_write_that_never_gets_the_sqlite_lock_is_503_with_retry_after(app: Flask, seeded: None,
                                                                          make_user: Callable[..., Any],
                                                                          tmp_path: Path) -> None:
    """SQLite's write queue has a bound (SQLITE_WRITE_WAIT_SECONDS); past it the answer is 503, not a 500."""
    import sqlite3

    from tasktrack import create_app
    from tests.conftest import PASSWORD, csrf_token, login, make_config

    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if not url.startswith("sqlite"):
        pytest.skip("SQLite's write lock")
    make_user("secretariat", email="busy@example.org")
    other = create_app(make_config(url, app.config["UPLOAD_DIR"], PROPAGATE_EXCEPTIONS=False,
                                   SQLITE_WRITE_WAIT_SECONDS=0.2, SQLITE_BUSY_TIMEOUT_MS=50))
    client = other.test_client()
    assert login(client, "busy@example.org", PASSWORD).status_code == 302
    token = csrf_token(client, "/account/password")
    holder = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        response = client.post("/logout", data={"csrf_token": token})
        forged = client.post("/logout", data={"csrf_token": "forged"})
    finally:
        holder.execute("ROLLBACK")
        holder.close()
        with other.app_context():
            db.session.remove()
            db.engine.dispose()
    assert_page(response, 503, "系统正忙")
    assert response.headers["Retry-After"] == "5"
    assert_page(forged, 400, "安全校验未通过")  # the refusal page itself never waits for the write lock
