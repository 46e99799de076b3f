"""The suite's own isolation (tests/isolation.py): a rolled-back outer transaction per test, and its loud refusals.

The tests of one module run in file order: the later ones check that the earlier ones left nothing behind.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from tasktrack import cache
from tasktrack.extensions import db
from tasktrack.models import Unit, UnitKind, User
from tasktrack.services.work_groups import default_work_group
from tests import isolation
from tests.conftest import HARNESS, login

MARK = "isolation-check@example.org"


def _users_named(address: str) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(User).where(User.email == address)) or 0


def test_a_commit_is_seen_by_the_requests_of_the_test(client: FlaskClient, seeded: None,
                                                      make_user: Callable[..., Any]) -> None:
    make_user("secretariat", email=MARK)  # committed: a RELEASE inside the test's outer transaction
    assert login(client, MARK).status_code == 302
    assert "省民政厅" in client.get("/admin/units").get_data(as_text=True)  # the seed is there
    assert db.session.scalar(sa.select(User.last_login_at).where(User.email == MARK)) is not None  # and its commit


def test_the_next_test_sees_the_seed_and_nothing_of_the_last(app: Flask, seeded: None) -> None:
    assert _users_named(MARK) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Unit)) == 28


def test_a_test_without_the_seed_sees_an_empty_database(app: Flask) -> None:
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Unit)) == 0


def test_an_empty_database_numbers_its_rows_from_one(app: Flask, now: dt.datetime) -> None:
    # The baseline's 28 units are deleted, not truncated (isolation.Harness._delete_all): ids still start at 1.
    group = default_work_group(now=now)
    assert group.id == 1
    unit = Unit(name="编号检查单位", kind=UnitKind.MEMBER, created_at=now, work_group_id=group.id)
    db.session.add(unit)
    db.session.flush()
    assert unit.id == 1


def test_a_rolled_back_request_leaves_the_tests_data(client: FlaskClient, seeded: None,
                                                     make_user: Callable[..., Any]) -> None:
    make_user("secretariat", email=MARK)
    assert login(client, MARK, password="wrong-password-1").status_code == 401  # refused
    assert _users_named(MARK) == 1


def test_a_page_cached_in_a_rolled_back_test(app: Flask, seeded: None) -> None:
    assert cache.current_version() is not None  # the cache is on
    assert cache.cached(("isolation-check",), lambda: "from the first test") == "from the first test"


def test_is_not_served_to_the_next_at_the_same_version(app: Flask, seeded: None) -> None:
    # The data version is the same number (the last test's writes, if any, were rolled back): only emptying the
    # render cache between tests keeps the last test's page from being served here.
    assert cache.cached(("isolation-check",), lambda: "from the second test") == "from the second test"


def _refusals(app: Flask) -> list[str]:
    """Take the harness's recorded refusals (so that this test, which provoked them on purpose, passes)."""
    harness: isolation.Harness = app.extensions["tests_isolation"]
    taken, harness._violations = harness._violations, []
    return taken


def test_a_thread_using_the_test_connection_is_refused(app: Flask) -> None:
    errors: list[BaseException] = []

    def other_thread() -> None:
        with app.app_context():
            try:
                db.session.execute(sa.text("SELECT 1"))
            except BaseException as exc:  # the refusal is what we look for
                errors.append(exc)

    thread = threading.Thread(target=other_thread)
    thread.start()
    thread.join(10)
    assert errors, "the other thread was not refused"
    assert "mark it @pytest.mark.committed" in str(errors[0])
    refusals = _refusals(app)
    assert refusals
    assert all("another thread" in r for r in refusals)


def test_another_connection_to_the_test_database_is_refused(app: Flask) -> None:
    engine = sa.create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    try:
        with pytest.raises(isolation.NeedsCommits, match=r"mark it @pytest\.mark\.committed"), engine.connect():
            pass
    finally:
        engine.dispose()
    assert _refusals(app) == ["another connection to the test database"]


SHARED = pytest.mark.shared_state("isolation-check")
SHARED_UNIT = "共享状态检查单位"


def _shared_unit(app: Flask, now: dt.datetime) -> int:
    def build() -> int:
        group = default_work_group(now=now)
        unit = Unit(name=SHARED_UNIT, kind=UnitKind.MEMBER, created_at=now, work_group_id=group.id)
        db.session.add(unit)
        db.session.commit()
        return unit.id

    harness: isolation.Harness = app.extensions["tests_isolation"]
    return int(harness.shared(build))


@SHARED
def test_a_group_builds_its_setup_in_its_first_test(app: Flask, seeded: None, client: FlaskClient,
                                                    make_user: Callable[..., Any], now: dt.datetime) -> None:
    unit_id = _shared_unit(app, now)
    make_user("secretariat", email=MARK)  # this test's own write, committed (RELEASE) after the group's SAVEPOINT
    assert login(client, MARK).status_code == 302
    assert db.session.get(Unit, unit_id) is not None


@SHARED
def test_the_groups_next_test_has_the_setup_and_nothing_of_the_last(app: Flask, seeded: None,
                                                                    now: dt.datetime) -> None:
    harness: isolation.Harness = app.extensions["tests_isolation"]
    unit_id = harness.shared(lambda: pytest.fail("the group's setup was built again"))
    assert db.session.get(Unit, unit_id).name == SHARED_UNIT
    assert _users_named(MARK) == 0


@SHARED
def test_a_request_commits_inside_the_group_and_is_taken_back(client: FlaskClient, seeded: None,
                                                               make_user: Callable[..., Any], now: dt.datetime) -> None:
    make_user("secretariat", email=MARK)
    assert login(client, MARK).status_code == 302
    assert db.session.scalar(sa.select(User.last_login_at).where(User.email == MARK)) is not None


def test_after_the_group_its_setup_is_gone(app: Flask, seeded: None) -> None:
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Unit).where(Unit.name == SHARED_UNIT)) == 0
    assert _users_named(MARK) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Unit)) == 28


TAIL = pytest.mark.shared_state("isolation-tail")


@TAIL
def test_a_group_opened_by_a_test_with_the_app(app: Flask, seeded: None, now: dt.datetime) -> None:
    assert _shared_unit(app, now)


@TAIL
def test_and_ended_by_one_without_it() -> None:
    pass


def test_the_group_ends_after_its_last_test_even_without_the_app(pytestconfig: pytest.Config) -> None:
    """This test asks for no app either: nothing closed the group before it but the last test's teardown (a split
    run may put any module after the group's, and a connection of its own to the test database would be refused)."""
    harness = pytestconfig.stash[HARNESS]
    assert harness._group is None
    assert harness._conn is None


@pytest.mark.committed
def test_a_committed_test_commits_for_real(app: Flask, seeded: None, make_user: Callable[..., Any]) -> None:
    make_user("secretariat", email=MARK)
    engine = sa.create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    try:
        with engine.connect() as conn:  # another connection sees it
            assert conn.execute(sa.select(sa.func.count()).select_from(User).where(User.email == MARK)).scalar() == 1
    finally:
        engine.dispose()


def test_committed_tests_run_last(request: pytest.FixtureRequest) -> None:
    items = request.session.items
    marked = [item.get_closest_marker(isolation.COMMITTED) is not None for item in items]
    assert marked == sorted(marked)  # every savepoint test before every committed one
