"""The Alembic migrations build exactly the models' schema (R16), on SQLite and on PostgreSQL."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from tasktrack import create_app
from tasktrack.extensions import db
from tests.conftest import make_config

MIGRATIONS = str(Path(__file__).resolve().parents[1] / "migrations")


@pytest.fixture
def empty_database_url(tmp_path: Path) -> Iterator[str]:
    """An empty database of the suite's backend: a new SQLite file, or a new PostgreSQL database."""
    base = os.environ.get("DATABASE_URL")
    if not base or not base.startswith("postgresql"):
        yield f"sqlite:///{tmp_path / 'migrations.db'}"
        return
    url = sa.make_url(base)
    name = f"{url.database}_mig"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}"')
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    yield url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


def test_upgrade_builds_the_models_and_downgrade_removes_them(empty_database_url: str, tmp_path: Path) -> None:
    app = create_app(make_config(empty_database_url, str(tmp_path / "uploads")))
    with app.app_context():
        upgrade(directory=MIGRATIONS)
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), db.metadata)
        assert diff == [], f"migrations differ from the models: {diff}"

        downgrade(directory=MIGRATIONS, revision="base")
        with db.engine.connect() as conn:
            left = set(sa.inspect(conn).get_table_names()) - {"alembic_version"}
        assert left == set()

        upgrade(directory=MIGRATIONS)
        with db.engine.connect() as conn:
            assert set(sa.inspect(conn).get_table_names()) >= set(db.metadata.tables)
        db.session.remove()
        db.engine.dispose()


def test_single_head() -> None:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config(str(Path(MIGRATIONS) / "alembic.ini"))
    config.set_main_option("script_location", MIGRATIONS)
    assert len(ScriptDirectory.from_config(config).get_heads()) == 1


def test_audit_events_get_their_actors_unit(empty_database_url: str, tmp_path: Path) -> None:
    """0009/0010 (audit reader): events written before them take the unit their actor has when migrating."""
    app = create_app(make_config(empty_database_url, str(tmp_path / "uploads")))
    with app.app_context():
        upgrade(directory=MIGRATIONS, revision="0007_reports_created")
        with db.engine.begin() as conn:
            conn.exec_driver_sql(
                "INSERT INTO units (id, name, kind, contact_emails, sort_order, is_active, created_at) "
                "VALUES (1, '省民政厅', 'member', '', 1, true, '2024-07-18 02:00:00')")
            conn.exec_driver_sql(
                "INSERT INTO users (id, email, name, password_hash, role, unit_id, is_active, session_token, "
                "created_at) VALUES (1, 'a@example.org', '甲', 'x', 'liaison', 1, true, 't', '2024-07-18 02:00:00'),"
                " (2, 'b@example.org', '乙', 'x', 'secretariat', NULL, true, 'u', '2024-07-18 02:00:00')")
            conn.exec_driver_sql(
                "INSERT INTO audit_events (id, actor_id, action, object_type, object_id, summary, created_at) VALUES "
                "(1, 1, 'user.login', 'User', 1, '', '2024-07-18 02:00:00'),"
                " (2, 2, 'user.login', 'User', 2, '', '2024-07-18 02:00:00'),"
                " (3, NULL, 'notification.queue', 'Notification', 1, '', '2024-07-18 02:00:00')")
        upgrade(directory=MIGRATIONS)
        with db.engine.connect() as conn:
            rows = conn.exec_driver_sql("SELECT id, actor_unit_id FROM audit_events ORDER BY id").all()
        assert [tuple(r) for r in rows] == [(1, 1), (2, None), (3, None)]
        db.session.remove()
        db.engine.dispose()


def _one_plan(conn: sa.Connection, at: Any, *, units: int, dues: list[Any]) -> None:
    """Insert units 1…``units`` of work group 1 (0013's), plan 1 with section 1, and task n for the n-th due date
    (None: an ongoing task) — with the models' tables, whatever columns later migrations add."""
    from tasktrack.models import Plan, Section, Task, Unit

    conn.execute(sa.insert(Unit.__table__), [
        {"id": u, "work_group_id": 1, "name": f"单位{u}", "kind": "member", "contact_emails": "", "sort_order": u,
         "is_active": True, "created_at": at} for u in range(1, units + 1)])
    conn.execute(sa.insert(Plan.__table__), [{"id": 1, "work_group_id": 1, "year": 2024, "title": "计划",
                                              "issuer": "专班", "created_at": at}])
    conn.execute(sa.insert(Section.__table__), [{"id": 1, "plan_id": 1, "number": 1, "title": "一"}])
    conn.execute(sa.insert(Task.__table__), [
        {"id": t, "plan_id": 1, "section_id": 1, "number": t, "text": "x", "deadline_phrase": "p",
         "deadline_kind": "dated" if due else "ongoing", "due_date": due, "responsible_phrase": "单位1",
         "is_deleted": False, "created_at": at} for t, due in enumerate(dues, start=1)])


def test_due_in_force_is_filled_for_existing_assignments(empty_database_url: str, tmp_path: Path) -> None:
    """0021: every assignment made before it gets its due date in force (the extension, else the task's date)."""
    import datetime as dt

    from tasktrack.models import Assignment

    app = create_app(make_config(empty_database_url, str(tmp_path / "uploads")))
    at = dt.datetime(2024, 7, 18, 2, tzinfo=dt.UTC)
    with app.app_context():
        upgrade(directory=MIGRATIONS, revision="0020_cache_scopes")
        with db.engine.begin() as conn:  # the models' tables, without the column 0021 adds; group 1 is 0013's
            _one_plan(conn, at, units=3, dues=[dt.date(2024, 6, 30), None])
            conn.execute(sa.insert(Assignment.__table__), [
                {"id": a, "task_id": task, "unit_id": a, "created_at": at, "extended_due": extended}
                for a, task, extended in ((1, 1, None), (2, 1, dt.date(2024, 9, 30)), (3, 2, None))])
        upgrade(directory=MIGRATIONS)
        with db.engine.connect() as conn:
            rows = conn.exec_driver_sql("SELECT id, due_in_force FROM assignments ORDER BY id").all()
        assert [(r[0], r[1] if r[1] is None else dt.date.fromisoformat(str(r[1]))) for r in rows] == [
            (1, dt.date(2024, 6, 30)), (2, dt.date(2024, 9, 30)), (3, None)]
        db.session.remove()
        db.engine.dispose()


def test_latest_report_is_filled_for_existing_assignments(empty_database_url: str, tmp_path: Path) -> None:
    """0022: every assignment made before it points at its newest report (the highest id), or at none."""
    import datetime as dt

    from tasktrack.models import Assignment, ProgressReport, User

    app = create_app(make_config(empty_database_url, str(tmp_path / "uploads")))
    at = dt.datetime(2024, 7, 18, 2, tzinfo=dt.UTC)
    with app.app_context():
        upgrade(directory=MIGRATIONS, revision="0021_due_in_force")
        with db.engine.begin() as conn:  # the models' tables, without the column 0022 adds; group 1 is 0013's
            _one_plan(conn, at, units=2, dues=[None])
            conn.execute(sa.insert(User.__table__), [{"id": 1, "work_group_id": 1, "email": "a@example.org",
                                                      "name": "甲", "password_hash": "x", "role": "liaison",
                                                      "unit_id": 1, "session_token": "t", "created_at": at}])
            conn.execute(sa.insert(Assignment.__table__), [{"id": a, "task_id": 1, "unit_id": a, "created_at": at}
                                                           for a in (1, 2)])
            conn.execute(sa.insert(ProgressReport.__table__), [
                {"id": r, "assignment_id": 1, "author_id": 1, "created_at": at, "status": "in_progress",
                 "narrative": "x"} for r in (5, 3)])
        upgrade(directory=MIGRATIONS)
        with db.engine.connect() as conn:
            rows = conn.exec_driver_sql("SELECT id, latest_report_id FROM assignments ORDER BY id").all()
        assert [tuple(r) for r in rows] == [(1, 5), (2, None)]
        db.session.remove()
        db.engine.dispose()
