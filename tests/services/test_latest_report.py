"""Assignment.latest_report_id is the assignment's newest report (the highest id) after every write that adds one.

The lists that show many assignments with their latest report (我的任务, the exports, the cascade) join that column
(models/latest_report.py); here each way a report is written is taken — the service, the liaison's form, the API,
a correction, "unchanged", the demo seed, the bench's bulk generator — and afterwards no assignment in the database
disagrees with max(id) over its reports, and the assignment loaded in the session says the same.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa

from bench.rows import SIGN_AND_POINT, SIGN_AND_POINT_POSTGRESQL
from tasktrack.extensions import db
from tasktrack.models import Assignment, AssignmentStatus, ProgressReport
from tasktrack.services import exports, progress, seeding
from tasktrack.services.read import tracking
from tests.services.test_progress import assignment_of
from tests.web.test_api_assignments import api  # noqa: F401  # the fixture
from tests.web.test_progress import liaison, post_report  # noqa: F401  # liaison is the fixture

IN_PROGRESS = AssignmentStatus.IN_PROGRESS


def disagreeing() -> list[tuple[int, int | None, int | None]]:
    """Return the assignments whose latest_report_id is not their newest report's id, as the database holds them."""
    db.session.flush()
    newest = (sa.select(sa.func.max(ProgressReport.id)).where(ProgressReport.assignment_id == Assignment.id)
              .scalar_subquery())
    return [tuple(r) for r in db.session.execute(
        sa.select(Assignment.id, Assignment.latest_report_id, newest)
        .where(Assignment.latest_report_id.is_distinct_from(newest)).order_by(Assignment.id))]


def stored(assignment: Assignment) -> int | None:
    return db.session.scalar(sa.select(Assignment.latest_report_id).where(Assignment.id == assignment.id))


def test_a_report_and_its_correction_move_the_pointer(seeded: None, make_user: Callable[..., Any],
                                                      now: dt.datetime) -> None:
    author = make_user("liaison", unit="省民政厅")
    a = assignment_of("省民政厅", 1)
    assert a.latest_report_id is None
    assert stored(a) is None
    first = progress.submit_report(a, author=author, status=IN_PROGRESS, percent=10, completed_on=None,
                                   narrative="已部署", now=now)
    db.session.flush()
    assert stored(a) == first.id
    assert a.latest_report_id == first.id
    second = progress.submit_report(a, author=author, status=IN_PROGRESS, percent=20, completed_on=None,
                                    narrative="已推进", now=now + dt.timedelta(hours=1))
    db.session.flush()
    assert stored(a) == second.id == a.latest_report_id
    fixed = progress.submit_report(a, author=author, status=IN_PROGRESS, percent=15, completed_on=None,
                                   narrative="更正", now=now + dt.timedelta(hours=2), supersedes=first, reason="笔误")
    db.session.flush()
    assert stored(a) == fixed.id  # a correction is the newest report
    same = progress.confirm_unchanged(a, author=author, base_report=fixed, now=now + dt.timedelta(hours=3))
    db.session.flush()
    assert stored(a) == same.id
    assert disagreeing() == []
    # what the lists read through it
    assert progress.latest_reports([a.id])[a.id].id == same.id
    row = next(r for r in exports.export_rows(a.task.plan, now.date()) if r.assignment_id == a.id)
    assert row.narrative == same.narrative


def test_an_older_report_never_moves_the_pointer_back(seeded: None, make_user: Callable[..., Any],
                                                      now: dt.datetime) -> None:
    author = make_user("liaison", unit="省民政厅")
    a = assignment_of("省民政厅", 2)
    top = (db.session.scalar(sa.select(sa.func.max(ProgressReport.id))) or 0) + 1000
    high = ProgressReport(id=top, assignment_id=a.id, author_id=author.id, created_at=now, status=IN_PROGRESS,
                          narrative="高")
    db.session.add(high)
    db.session.flush()
    assert stored(a) == top
    later = progress.submit_report(a, author=author, status=IN_PROGRESS, percent=10, completed_on=None,
                                   narrative="后写", now=now + dt.timedelta(hours=1))
    db.session.flush()
    # PostgreSQL's sequence gives the later report a lower id than the explicit one; SQLite max(rowid) + 1.
    assert stored(a) == max(top, later.id) == a.latest_report_id
    assert disagreeing() == []


def test_the_liaisons_form_and_my_tasks(client: Any, liaison: Any) -> None:  # noqa: F811  # the fixture
    a = assignment_of("省民政厅", 3)
    assert post_report(client, a, narrative="表单报送").status_code == 302
    db.session.expire_all()
    newest = db.session.scalar(sa.select(sa.func.max(ProgressReport.id)).where(ProgressReport.assignment_id == a.id))
    assert stored(a) == newest
    assert disagreeing() == []
    row = next(r for r in tracking.my_tasks(a.unit_id, dt.date(2024, 7, 18)) if r.assignment.id == a.id)
    assert row.last_report is not None
    assert row.last_report.id == newest
    assert row.last_report.narrative == "表单报送"


def test_the_api(api: Any) -> None:  # noqa: F811  # the fixture
    s, _get, post = api
    r = post(f"/assignments/{s.a2.id}/reports", {"status": "in_progress", "percent": 30, "narrative": "接口报送"})
    assert r.status_code == 201
    db.session.expire_all()
    assert stored(s.a2) == r.get_json()["report"]["id"]
    assert disagreeing() == []


def test_the_demo_seed(seeded: None, now: dt.datetime) -> None:
    seeding.seed_demo(now=now, fast_hash=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ProgressReport))
    assert disagreeing() == []


@pytest.mark.parametrize("dialect", ["portable", "postgresql"])
def test_the_bench_generators_point_every_assignment_at_its_newest_report(
        seeded: None, make_user: Callable[..., Any], now: dt.datetime, dialect: str) -> None:
    """What the bench's generators run after writing reports past the ORM (bench/rows.py), and signs them too."""
    author = make_user("liaison", unit="省民政厅")
    a, b = assignment_of("省民政厅", 1), assignment_of("省民政厅", 2)
    for i, x in enumerate((a, a, b)):
        progress.submit_report(x, author=author, status=IN_PROGRESS, percent=10 + i, completed_on=None,
                               narrative=f"第{i}次", now=now + dt.timedelta(minutes=i))
    db.session.flush()
    # as a Core bulk insert leaves them: no pointer, not signed
    db.session.execute(sa.update(Assignment).values(latest_report_id=None, acknowledged_at=None))
    assert disagreeing()
    if dialect == "postgresql" and db.session.get_bind().dialect.name != "postgresql":
        pytest.skip("PostgreSQL's UPDATE … FROM")
    db.session.execute(sa.text(SIGN_AND_POINT_POSTGRESQL if dialect == "postgresql" else SIGN_AND_POINT))
    assert disagreeing() == []
    unsigned = db.session.scalar(sa.select(sa.func.count()).where(Assignment.acknowledged_at.is_(None)))
    assert unsigned == 0


def test_the_lists_read_the_latest_report_by_key_in_their_one_statement(
        seeded: None, make_user: Callable[..., Any], now: dt.datetime, count_queries: Callable[[], Any]) -> None:
    """我的任务 and the export read each row's latest report in the statement that reads the rows (joined through
    the mirror): no max() over the reports, no second statement with every row's id."""
    author = make_user("liaison", unit="省民政厅")
    a = assignment_of("省民政厅", 1)
    progress.submit_report(a, author=author, status=IN_PROGRESS, percent=10, completed_on=None, narrative="一",
                           now=now)
    progress.submit_report(a, author=author, status=IN_PROGRESS, percent=20, completed_on=None, narrative="二",
                           now=now + dt.timedelta(hours=1))
    db.session.flush()
    plan, unit_id = a.task.plan, a.unit_id
    db.session.expire_all()
    assert plan.id  # loaded again before counting
    with count_queries() as q:
        rows = tracking.my_tasks(unit_id, now.date())
    assert q.count == 1, q.statements
    assert "max(" not in q.statements[0].lower()
    assert next(r for r in rows if r.assignment.id == a.id).last_report.narrative == "二"
    with count_queries() as q:
        lines = exports.export_rows(plan, now.date())
    assert q.count == 1, q.statements
    assert "max(" not in q.statements[0].lower()
    assert next(r for r in lines if r.assignment_id == a.id).narrative == "二"
