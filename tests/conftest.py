"""Shared fixtures: the app on a real database (SQLite file or PostgreSQL), clients, factories, counters.

The schema is created and the seed committed once per session. Each test then runs inside an outer
transaction that is rolled back afterwards, its sessions (the test's and its requests') joined through
SAVEPOINTs; tests marked ``committed`` (live servers, threads, other processes or apps) commit for real on an
emptied database instead. See tests/isolation.py.
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
from tasktrack.extensions import db
from tasktrack.models import DataVersion, Role, User
from tasktrack.services import seeding, units, users
from tests import isolation

PASSWORD = "correct-horse-battery"
TODAY = dt.date(2024, 7, 18)
#: The suite's fixed instant (the ``now`` fixture): 2024-07-18 10:00 in Shanghai.
NOW = dt.datetime(2024, 7, 18, 2, 0, tzinfo=dt.UTC)
CSRF_RE = re.compile(r'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"')


#: Fixtures that serve the app to other threads: their tests commit for real.
_LIVE_FIXTURES = {"live_url", "_server"}


def pytest_itemcollected(item: pytest.Item) -> None:
    """Mark the tests that serve the app live (browser tests, live servers) as committed (before ``-m`` selects).

    The office-suite tests (``office``: LibreOffice opens our documents and prints them) check the files' layout,
    which does not depend on the database: they run in the SQLite pass only; the data in the documents is checked
    on both databases by the services' own tests. So do the ``sqlite_only`` tests (a SQLite database of their own
    whatever DATABASE_URL says: the same run twice would only cost CI time) and the browser journeys (the UI does
    not depend on the database; every view they drive is asked on both by the web tests). The ``postgresql_only``
    tests (the bench harness: its SQLite paths run in the SQLite pass's bench tests) run in the PostgreSQL pass.
    """
    if item.get_closest_marker("browser") or _LIVE_FIXTURES & set(getattr(item, "fixturenames", ())):
        item.add_marker(isolation.COMMITTED)
    on_postgresql = (os.environ.get("DATABASE_URL") or "").startswith("postgresql")
    if item.get_closest_marker("office") and on_postgresql:
        item.add_marker(pytest.mark.skip(reason="layout only: LibreOffice opens the documents in the SQLite pass"))
    if item.get_closest_marker("sqlite_only") and on_postgresql:
        item.add_marker(pytest.mark.skip(reason="its own SQLite database: the SQLite pass runs it"))
    if item.get_closest_marker("browser") and on_postgresql:
        item.add_marker(pytest.mark.skip(reason="a journey through the UI: the SQLite pass runs it (every view it "
                                                "drives is asked on PostgreSQL by the web tests)"))
    if item.get_closest_marker("postgresql_only") and not on_postgresql:
        item.add_marker(pytest.mark.skip(reason="CI's PostgreSQL pass runs it (DATABASE_URL to a PostgreSQL database)"))


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Bring the tests of one shared-state key in a module together; run every committed test after the others.

    A module may list the tests of one key apart (the route matrix's rows of an area, then its forged-token rows
    of the same area): they run together, where the first of them is, so the key's setup is built once.
    The savepoint tests share the seeded baseline; each committed test empties the database, so they come last
    and the baseline is seeded again only when a savepoint test follows one (running a selection of tests).
    """
    together: dict[tuple[str, str], list[pytest.Item]] = {}
    runs: list[list[pytest.Item]] = []
    for item in items:
        key = _group(item)
        if key is None:
            runs.append([item])
            continue
        where = (item.nodeid.split("::", 1)[0], key)
        if where in together:
            together[where].append(item)
        else:
            runs.append(together.setdefault(where, [item]))
    items[:] = [item for run in runs for item in run]
    items.sort(key=lambda item: item.get_closest_marker(isolation.COMMITTED) is not None)


#: The session's isolation harness, once the app is made.
HARNESS = pytest.StashKey[isolation.Harness]()


def _group(item: pytest.Item | None) -> str | None:
    """The item's shared-state key (tests/isolation.py), if it has one."""
    marker = item.get_closest_marker(isolation.SHARED_STATE) if item is not None else None
    return str(marker.args[0]) if marker is not None else None


@pytest.hookimpl(trylast=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> None:
    """End a shared-state group after its last test (its setup is rolled back), before anything else runs."""
    if _group(item) is not None and _group(nextitem) != _group(item):
        # The session's harness, not the test's app: a last test of the group that does not ask for the app
        # would leave the group open for whatever runs next (e.g. tests/test_migrations.py after test_reports.py).
        harness = item.config.stash.get(HARNESS, None)
        if harness is not None:
            harness.end_group()


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


def _baseline(application: Flask) -> None:
    """Load the real seed (categories, 28 units, focus items, the 2024 plan) and commit it."""
    with application.app_context():
        seeding.seed_base(now=NOW)
        db.session.commit()


@pytest.fixture(scope="session")
def app(tmp_path_factory: pytest.TempPathFactory, pytestconfig: pytest.Config) -> Iterator[Flask]:
    """The app, with the schema created once on the test database and the seed committed once (the baseline)."""
    tmp = tmp_path_factory.mktemp("app")
    application = create_app(make_config(database_url(tmp), str(tmp / "uploads")))
    application.test_client_class = IsolatedClient
    with application.app_context():
        db.drop_all()
        db.create_all()
        db.session.add(DataVersion(id=1, value=0))  # the migrations insert it; the render cache reads it
        db.session.commit()
        # Sessions join a test's outer transaction through a SAVEPOINT of their own (no effect on an Engine bind).
        db.session.session_factory.configure(join_transaction_mode="create_savepoint")
    harness = isolation.Harness(application, seed=_baseline)
    application.extensions["tests_isolation"] = harness
    pytestconfig.stash[HARNESS] = harness
    yield application
    del pytestconfig.stash[HARNESS]
    with application.app_context():
        db.session.remove()
        harness.close()
        db.drop_all()
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _isolate(request: pytest.FixtureRequest) -> Iterator[None]:
    """Give every test an app context on its own copy of the database; restore the pinned day afterwards.

    Ordinary tests run in an outer transaction that is rolled back (isolation.py); tests marked ``committed``
    commit for real on an emptied database. A test that does not ask for ``seeded`` sees an empty database.
    """
    if "app" not in request.fixturenames:
        # A request served in this context (an app of the test's own, a plain test client) marks its write intent
        # here: put it back, or the next tests' transactions would start DEFERRED (tests/test_db_engine.py).
        intent = db_engine.write_intent.set(db_engine.write_intent.get())
        try:
            yield
        finally:
            db_engine.write_intent.reset(intent)
        return
    application: Flask = request.getfixturevalue("app")
    harness: isolation.Harness = application.extensions["tests_isolation"]
    pinned = application.config["PINNED_TODAY"]
    committed = request.node.get_closest_marker(isolation.COMMITTED) is not None
    # The test's own session only reads between its commits; DEFERRED transactions keep it from holding
    # SQLite's write lock while the app (in other contexts) serves the test's requests.
    intent = db_engine.write_intent.set(False)
    try:
        with harness.test(committed=committed, seeded="seeded" in request.fixturenames,
                          group=_group(request.node)), \
                application.app_context():
            yield
    finally:
        db_engine.write_intent.reset(intent)
        application.config["PINNED_TODAY"] = pinned


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
    return NOW


@pytest.fixture
def seeded(app: Flask) -> None:
    """The real seed (categories, 28 units, focus items, the 2024 plan), loaded once per session (the baseline).

    In a ``committed`` test (an emptied database) it is loaded for the test and committed.
    """
    harness: isolation.Harness = app.extensions["tests_isolation"]
    if harness.committed:
        harness.seed_committed()


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
            if not statement.lstrip().upper().startswith(("BEGIN", "SAVEPOINT", "RELEASE", "ROLLBACK", "PRAGMA")):
                result.statements.append(statement)

        engine = app.extensions["tests_isolation"].engine  # db.engine is the test's connection in a savepoint test
        sa.event.listen(engine, "before_cursor_execute", listener)
        try:
            yield result
        finally:
            sa.event.remove(engine, "before_cursor_execute", listener)

    return counter
