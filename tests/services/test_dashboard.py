"""Dashboard read models: numbers checked by hand against a small plan, and bounded queries."""

from __future__ import annotations

import datetime as dt

import pytest

from tasktrack.domain.lights import Light
from tasktrack.services import NotFound, ServiceError, progress
from tasktrack.services.read import dashboard as dash
from tests.dashboard_data import scaled_plan, small_plan

TODAY = dt.date(2024, 7, 18)


def test_totals_sections_and_units_by_hand(app) -> None:
    s = small_plan()
    d = dash.dashboard(s.plan.id, TODAY)
    c = d.counts
    assert (c.total, c.red, c.yellow, c.green, c.done) == (6, 1, 2, 2, 1)
    assert (c.stale, c.due_soon, c.completed_late, c.claimed) == (1, 1, 0, 0)
    assert c.rate == 17
    first, second = d.sections
    assert (first.counts.total, first.counts.red, first.counts.yellow, first.counts.done) == (3, 1, 1, 1)
    assert (second.counts.total, second.counts.yellow, second.counts.green) == (3, 1, 2)
    by_name = {u.unit.name: u for u in d.units}
    a, b = by_name["甲单位"], by_name["乙单位"]
    assert (a.counts.total, a.counts.done, a.counts.red, a.counts.stale, a.last_report_at) == (3, 0, 1, 1, None)
    assert (b.counts.total, b.counts.done, b.counts.red, b.counts.stale) == (3, 1, 0, 0)
    assert b.last_report_at == dt.datetime(2024, 7, 16, 2, 0, tzinfo=dt.UTC)
    assert [r.assignment.id for r in d.overdue] == [s.a1.id]
    assert [r.narrative for r in d.recent][:1] == ["已完成方案起草"]
    assert len(d.recent) == 4


def test_category_filter_and_sorting(app) -> None:
    s = small_plan()
    d = dash.dashboard(s.plan.id, TODAY, category="cat_y")
    assert [u.unit.name for u in d.units] == ["乙单位"]
    assert d.counts.total == 6  # the totals stay the plan's
    d = dash.dashboard(s.plan.id, TODAY, sort="completed", descending=True)
    assert [u.unit.name for u in d.units] == ["乙单位", "甲单位"]
    d = dash.dashboard(s.plan.id, TODAY, sort="overdue", descending=True)
    assert [u.unit.name for u in d.units] == ["甲单位", "乙单位"]
    with pytest.raises(ServiceError):
        dash.dashboard(s.plan.id, TODAY, category="nope")
    with pytest.raises(ServiceError):
        dash.dashboard(s.plan.id, TODAY, sort="clicks")
    with pytest.raises(NotFound):
        dash.dashboard(9999, TODAY)


def test_assignment_page_filters_and_paginates(app) -> None:
    s = small_plan()
    page = dash.assignment_page(s.plan, TODAY, dash.Filters())
    assert page.total == 6
    assert page.rows[0].assignment.id == s.a1.id  # red first
    assert dash.assignment_page(s.plan, TODAY, dash.Filters(light=Light.YELLOW)).total == 2
    stale = dash.assignment_page(s.plan, TODAY, dash.Filters(reason="stale"))
    assert [r.assignment.id for r in stale.rows] == [s.a3.id]
    assert dash.assignment_page(s.plan, TODAY, dash.Filters(unit_id=s.unit_b.id)).total == 3
    assert dash.assignment_page(s.plan, TODAY, dash.Filters(category="cat_x")).total == 3
    assert dash.assignment_page(s.plan, TODAY, dash.Filters(section_id=s.sections[1].id)).total == 3
    two = dash.assignment_page(s.plan, TODAY, dash.Filters(), page=2, per_page=4)
    assert (len(two.rows), two.pages, two.has_prev, two.has_next) == (2, 2, True, False)


def test_unit_view_has_full_history(app) -> None:
    s = small_plan()
    view = dash.unit_view(s.unit_b.id, TODAY)
    assert len(view.rows) == 3
    assert [r.narrative for r in view.reports] == ["已完成方案起草", "第二季度完成 12 家试点。",
                                                   "汇编已印发，共收录 36 个案例。", "已起草"]
    assert progress.latest_reports([s.b1.id])[s.b1.id].narrative.startswith("汇编已印发")


def test_find_unit_by_id_or_name(app) -> None:
    s = small_plan()
    assert dash.find_unit_id("甲单位") == s.unit_a.id
    assert dash.find_unit_id(str(s.unit_b.id)) == s.unit_b.id
    assert dash.find_unit_id("无此单位") is None


def _count(count_queries, fn) -> int:
    from tasktrack.extensions import db

    db.session.expire_all()
    with count_queries() as q:
        fn()
    return q.count


def test_dashboard_and_list_queries_do_not_grow(app, count_queries) -> None:
    small, big = scaled_plan(1), scaled_plan(10)
    for fn in (
        lambda p: dash.dashboard(p.id, TODAY),
        lambda p: dash.assignment_page(p, TODAY, dash.Filters(light=Light.RED)),
        lambda p: dash.unit_view(p.sections[0].tasks[0].assignments[0].unit_id, TODAY),
    ):
        n_small = _count(count_queries, lambda fn=fn: fn(small))
        n_big = _count(count_queries, lambda fn=fn: fn(big))
        assert n_small == n_big, (n_small, n_big)


def test_recent_reports_through_the_mirror_are_the_plans_latest(app, now) -> None:
    """The mirror path (the assignments whose latest report is among the latest) gives exactly the plan's latest
    reports, ties on the same second included, whatever kinds of report the demo wrote (corrections, 无变化,
    completions, withdrawals)."""
    import sqlalchemy as sa

    from tasktrack.extensions import db
    from tasktrack.models import Assignment, Plan, PlanKind, ProgressReport, Task
    from tasktrack.services import seeding

    seeding.seed_base(now=now)
    seeding.seed_demo(now=now, fast_hash=True)
    db.session.commit()
    plans = db.session.scalars(sa.select(Plan).where(Plan.kind == PlanKind.PLAN)).all()
    assert plans
    for plan in plans:
        for limit in (1, 3, 10, 50):
            expected = db.session.scalars(
                sa.select(ProgressReport.id).join(Assignment, ProgressReport.assignment_id == Assignment.id)
                .join(Task, Assignment.task_id == Task.id)
                .where(Task.plan_id == plan.id, Task.is_deleted.is_(False))
                .order_by(ProgressReport.created_at.desc(), ProgressReport.id.desc()).limit(limit)).all()
            assert [r.id for r in dash.recent_reports(plan, limit)] == expected, (plan.title, limit)
