"""A request that only read ends with COMMIT on PostgreSQL, so psycopg keeps the statements it prepared; anything
else ends with ROLLBACK as before (db_engine.install_read_only_commit)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from tasktrack import create_app
from tasktrack.extensions import db
from tasktrack.models import DataVersion
from tests.conftest import TODAY, make_config

pytestmark = pytest.mark.postgresql_only

PROBE = "SELECT 41 + :one AS answer"


@pytest.fixture
def probe_app(tmp_path: Path) -> Iterator[Flask]:
    """A fresh app on the test database (no harness transaction) with a probe route and a record of how each
    transaction ended."""
    app = create_app(make_config(os.environ["DATABASE_URL"], str(tmp_path / "u")))
    app.config["PROPAGATE_EXCEPTIONS"] = True
    app.config["WTF_CSRF_ENABLED"] = False  # the POST probe is a write request that reads only
    ends: list[str] = []

    @app.route("/probe/<kind>", methods=["GET", "POST"])
    def probe(kind: str) -> str:
        db.session.execute(sa.text(PROBE), {"one": 1}).all()
        if kind == "set":
            db.session.execute(sa.text("SET LOCAL statement_timeout = 5000"))
        elif kind == "pending":
            db.session.add(DataVersion(id=-1, value=0))  # never flushed: a change the request left pending
        elif kind == "error":
            raise RuntimeError("the view failed")
        return "ok"

    with app.app_context():
        for name in ("commit", "rollback"):
            sa.event.listen(db.engine, name, lambda _conn, name=name: ends.append(name))
    app.extensions["test_ends"] = ends
    yield app
    with app.app_context():
        db.engine.dispose()


def _ends(app: Flask, method: str, kind: str) -> list[str]:
    ends: list[str] = app.extensions["test_ends"]
    ends.clear()
    client = app.test_client()
    if kind == "error":
        with pytest.raises(RuntimeError):
            client.open(f"/probe/{kind}", method=method)
    else:
        assert client.open(f"/probe/{kind}", method=method).status_code == 200
    return list(ends)


def test_a_read_only_get_commits_and_its_statements_stay_prepared(probe_app: Flask) -> None:
    for _ in range(6):  # psycopg prepares a statement the fifth time a connection runs it
        assert _ends(probe_app, "GET", "read") == ["commit"]
    with probe_app.app_context():
        prepared = db.session.scalars(sa.text("SELECT statement FROM pg_prepared_statements")).all()
        db.session.rollback()
    assert any("41 +" in s for s in prepared), prepared


@pytest.mark.parametrize(("method", "kind"), [("GET", "set"), ("GET", "pending"), ("GET", "error"),
                                              ("POST", "read")])
def test_anything_but_a_read_only_get_rolls_back(probe_app: Flask, method: str, kind: str) -> None:
    assert _ends(probe_app, method, kind) == ["rollback"]


def test_the_bench_floor_replays_a_read_only_page_as_the_app_ends_it() -> None:
    """bench.sql_floor measures a page's SQL the way the app runs it: a page that only reads keeps its prepared
    statements from one round to the next (COMMIT), so its floor is not its planning time over again."""
    from bench import sql_floor

    engine = sa.create_engine(os.environ["DATABASE_URL"], pool_size=1)
    try:
        sql_floor.replay(engine, [(PROBE.replace(":one", "%(one)s"), {"one": 1}, False)], 6)
        raw = engine.raw_connection()
        try:
            cursor = raw.cursor()
            cursor.execute("SELECT statement FROM pg_prepared_statements")
            prepared = [row[0] for row in cursor.fetchall()]
            raw.rollback()
        finally:
            raw.close()
    finally:
        engine.dispose()
    assert any("41 +" in s for s in prepared), prepared


def test_the_overdue_list_writes_its_day_and_page_into_its_sql(client: FlaskClient, seeded: None,
                                                               login_as: Callable[..., Any],
                                                               count_queries: Callable[[], Any]) -> None:
    """The overdue list's statement carries its day and page as literals (services/read/overdue.py), the values
    that decide its plan, so that once psycopg prepares it the server can reuse one generic plan of the right shape
    instead of planning it on every request (with them as parameters it planned each time)."""
    login_as("secretariat")
    with count_queries() as q:
        assert client.get("/dashboard/assignments?plan=all&light=red&page=2").status_code == 200
    listed = [s for s in q.statements if "count(*) OVER ()" in s]
    assert len(listed) == 1, q.statements
    assert "LIMIT 25 OFFSET 25" in listed[0]
    assert f"'{TODAY.isoformat()}'" in listed[0]
