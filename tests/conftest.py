"""Shared fixtures: the app on a real database (SQLite file or PostgreSQL), clients, factories, counters.

The schema is created once per session; after every test all rows are deleted, so tests (and the live
server of the browser tests) see committed data exactly as production would.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from config import TestConfig
from tasktrack import create_app, db_engine
from tasktrack.cache import BUMP_SQL
from tasktrack.extensions import db
from tasktrack.models import DataVersion, Role, User
from tasktrack.services import seeding, units, users

PASSWORD = "correct-horse-battery"
TODAY = dt.date(2024, 7, 18)
CSRF_RE = re.compile(r'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"')


def database_url(tmp_dir: Any) -> str:
    """Return the test database: DATABASE_URL (PostgreSQL in CI) or a fresh SQLite file."""
    return os.environ.get("DATABASE_URL") or f"sqlite:///{tmp_dir / 'test.db'}"


class IsolatedClient(FlaskClient):
    """A test client whose requests run in a fresh context, as in production.

    Tests hold an app context for direct service calls; without this, Flask would reuse it for the
    requests, sharing ``g`` (the signed-in user) and the database session between them.
    """

    def open(self, *args: Any, **kwargs: Any) -> Any:
        self._end_test_snapshot()
        response = contextvars.Context().run(super().open, *args, **kwargs)
        self._end_test_snapshot()
        return response

    @staticmethod
    def _end_test_snapshot() -> None:
        """End the test's own read transaction so it sees what the request committed (like READ COMMITTED)."""
        from flask import has_app_context

        if has_app_context() and not (db.session.new or db.session.dirty or db.session.deleted):
            db.session.rollback()


def make_config(url: str, upload_dir: str, **overrides: Any) -> type[TestConfig]:
    """Return a TestConfig subclass bound to a database and an upload folder."""
    attrs = {"SQLALCHEMY_DATABASE_URI": url, "UPLOAD_DIR": upload_dir, "TASKTRACK_TODAY": TODAY.isoformat()}
    attrs.update(overrides)
    return type("SuiteConfig", (TestConfig,), attrs)


@pytest.fixture(scope="session")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """The app, with the schema created once on the test database."""
    tmp = tmp_path_factory.mktemp("app")
    application = create_app(make_config(database_url(tmp), str(tmp / "uploads")))
    application.test_client_class = IsolatedClient
    with application.app_context():
        db.drop_all()
        db.create_all()
        db.session.add(DataVersion(id=1, value=0))  # the migrations insert it; the render cache reads it
        db.session.commit()
    yield application
    with application.app_context():
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


def _wipe(application: Flask) -> None:
    with application.app_context():
        db.session.remove()
        # data_version survives (and moves on), so no cached page of an earlier test can match a later one.
        tables = [t for t in reversed(db.metadata.sorted_tables) if t.name != "data_version"]
        with db.engine.begin() as conn:
            conn.exec_driver_sql(BUMP_SQL)
            if conn.dialect.name == "postgresql":
                names = ", ".join(f'"{t.name}"' for t in tables)
                conn.exec_driver_sql(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
            else:
                for table in tables:
                    conn.execute(table.delete())


@pytest.fixture(autouse=True)
def _isolate(request: pytest.FixtureRequest) -> Iterator[None]:
    """Give every test an app context and an empty database afterwards; restore the pinned day."""
    if "app" not in request.fixturenames:
        yield
        return
    application: Flask = request.getfixturevalue("app")
    pinned = application.config["PINNED_TODAY"]
    # The test's own session only reads between its commits; DEFERRED transactions keep it from holding
    # SQLite's write lock while the app (in other contexts) serves the test's requests.
    intent = db_engine.write_intent.set(False)
    with application.app_context():
        yield
    db_engine.write_intent.reset(intent)
    application.config["PINNED_TODAY"] = pinned
    _wipe(application)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client with cookies."""
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> Any:
    """A CLI runner."""
    return app.test_cli_runner()


@pytest.fixture
def now() -> dt.datetime:
    """The suite's fixed instant: 2024-07-18 10:00 in Shanghai."""
    return dt.datetime(2024, 7, 18, 2, 0, tzinfo=dt.UTC)


@pytest.fixture
def seeded(app: Flask, now: dt.datetime) -> None:
    """Load the real seed (categories, 28 units, focus items, the 2024 plan)."""
    seeding.seed_base(now=now)
    db.session.commit()


@pytest.fixture
def make_user(app: Flask, now: dt.datetime) -> Callable[..., User]:
    """Return a factory of committed users: make_user("liaison", unit="省民政厅")."""
    counter = iter(range(1, 10_000))

    def factory(role: str | Role = Role.SECRETARIAT, *, unit: str | None = None, email: str | None = None,
                password: str = PASSWORD, name: str | None = None) -> User:
        role = Role(role)
        unit_obj = units.find_unit(unit) if unit else None
        if unit and unit_obj is None:
            raise AssertionError(f"no unit {unit}")
        address = email or f"{role.value}{next(counter)}@example.org"
        user = users.create_user(actor=None, email=address, name=name or address.split("@")[0], role=role,
                                 unit=unit_obj, password=password, now=now, fast_hash=True)
        db.session.commit()
        return user

    return factory


def csrf_token(client: FlaskClient, path: str = "/login") -> str:
    """Fetch a page and return the CSRF token of its form."""
    html = client.get(path).get_data(as_text=True)
    match = CSRF_RE.search(html)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def login(client: FlaskClient, email: str, password: str = PASSWORD, **extra: Any) -> Any:
    """Sign in through the real form (with its CSRF token)."""
    token = csrf_token(client, "/login")
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token, **extra})


@pytest.fixture
def login_as(client: FlaskClient, make_user: Callable[..., User]) -> Callable[..., User]:
    """Return a helper that creates a user of a role and signs the client in as them."""

    def helper(role: str | Role = Role.SECRETARIAT, *, unit: str | None = None) -> User:
        user = make_user(role, unit=unit)
        response = login(client, user.email)
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return user

    return helper


class QueryCounter:
    """Counts the SQL statements run while it is active."""

    def __init__(self) -> None:
        self.statements: list[str] = []

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_queries(app: Flask) -> Callable[[], Any]:
    """Return a context manager that counts SQL statements: `with count_queries() as q: …; q.count`."""

    @contextmanager
    def counter() -> Iterator[QueryCounter]:
        result = QueryCounter()

        def listener(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
            if not statement.lstrip().upper().startswith(("BEGIN", "SAVEPOINT", "RELEASE", "PRAGMA")):
                result.statements.append(statement)

        engine = db.engine
        sa.event.listen(engine, "before_cursor_execute", listener)
        try:
            yield result
        finally:
            sa.event.remove(engine, "before_cursor_execute", listener)

    return counter
