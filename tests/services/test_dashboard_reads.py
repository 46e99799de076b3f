"""What 督办总览 reads to build itself: its plans once, no breadcrumb or inbound rows it cannot show, one light per
kind of row, and counts of rows alike equal to counting each row."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from tasktrack.clock import local_date
from tasktrack.extensions import db
from tasktrack.models import WorkGroup
from tasktrack.services.read import dashboard as dash
from tasktrack.services.read import lean, levels
from tasktrack.services.work_groups import subtree_ids
from tests.dashboard_data import mixed_plans
from tests.levels_data import build_tree

TODAY = dt.date(2024, 7, 18)
#: A statement that lists plans (overview.list_plans), not a count or a join through plans.
PLAN_ROWS = re.compile(r"\bFROM plans\s+WHERE\b.*\bORDER BY plans\.year DESC", re.DOTALL)


def _statements(count_queries, fn, *, expire: bool = True) -> list[str]:
    if expire:
        db.session.expire_all()
    with count_queries() as q:
        fn()
    return q.statements


@pytest.mark.parametrize("named", [False, True])
def test_the_view_reads_the_plans_once(app, count_queries, named: bool) -> None:
    """The view picks the plan and the dashboard offers its selector from the same list (pick_plan): the province's
    page read every plan of its tree a second time when the plan was named or found first."""
    t = build_tree()
    scope = subtree_ids(t.province.id)
    plan_id, group_id = t.province_plan.id, t.province.id

    def run() -> None:
        picked = dash.pick_plan(plan_id if named else None, TODAY, visible=scope,
                                group_id=None if named else group_id)
        assert picked.plan is not None
        d = dash.dashboard(picked.plan.id, TODAY, visible=scope, with_levels=True, picked=picked)
        assert d.plan.id == plan_id
        assert [p.id for p in d.plans] == [plan_id]  # the group's own plans, not the tree's

    assert len([s for s in _statements(count_queries, run) if PLAN_ROWS.search(s)]) == 1


def test_the_dashboard_alone_picks_the_same_plan_and_choices(app) -> None:
    t = build_tree()
    scope = subtree_ids(t.province.id)
    for plan_id, group_id in ((None, t.city_a.id), (t.city_plan.id, None), (t.county_plan.id, None)):
        alone = dash.dashboard(plan_id, TODAY, visible=scope, group_id=group_id)
        picked = dash.pick_plan(plan_id, TODAY, visible=scope, group_id=group_id)
        assert picked.plan is alone.plan
        assert picked.plans == alone.plans


def test_the_breadcrumb_reads_groups_only_when_the_reader_sees_the_parent(app, count_queries) -> None:
    t = build_tree()
    own = subtree_ids(t.city_b.id)  # 乙市's secretariat on its own page: the breadcrumb is the group itself
    assert t.city_b.parent_id == t.province.id
    assert not _statements(count_queries, lambda: levels.path_to(t.city_b, own), expire=False)
    assert levels.path_to(t.city_b, own) == [t.city_b]
    assert levels.path_to(t.province, None) == [t.province]
    whole = subtree_ids(t.province.id)  # the province reading a county: the whole chain, in one query
    county = db.session.get(WorkGroup, t.county.id)
    assert county is not None
    statements = _statements(count_queries, lambda: levels.path_to(county, whole), expire=False)
    assert len(statements) == 1
    assert [g.id for g in levels.path_to(county, whole)] == [t.province.id, t.city_b.id, t.county.id]
    assert [g.id for g in levels.path_to(county, subtree_ids(t.city_b.id))] == [t.city_b.id, t.county.id]


def test_the_top_group_looks_for_no_inbound_tasks(app, monkeypatch) -> None:
    t = build_tree()
    asked: list[list[int]] = []
    real = levels.inbound_rows

    def spy(group_ids, today):
        asked.append(sorted(group_ids))
        return real(group_ids, today)

    monkeypatch.setattr(levels, "inbound_rows", spy)
    top = levels.level_view(t.province, TODAY, None)
    assert top.inbound == []
    assert asked == []  # nothing stands for the top group: not even a query to find that out
    city = levels.level_view(t.city_a, TODAY, None)
    assert asked == [[t.city_a.id]]
    assert {i.assignment.id for i in city.inbound} == {t.inbound_red.id, t.inbound_open.id}


def test_rows_alike_share_one_light_and_count_as_each_row(app) -> None:
    """A plan's rows alike up to their last report's day share one light object, equal to each row's own light;
    the dashboard's totals, sections' and units' counts are those of counting each row."""
    m = mixed_plans()
    shared = 0
    for key in ("province", "city", "last_year"):
        plan = m.plans[key]
        rows = lean.plan_light_rows(plan, TODAY)
        assert rows
        full = {r.assignment.id: r for r in dash.plan_rows(plan, TODAY)}
        kinds: dict[tuple[object, ...], object] = {}
        for row in rows:
            a = full[row.id].assignment
            assert row.light == full[row.id].light
            kind = (a.status, a.completed_on, a.extended_due,
                    local_date(a.last_reported_at) if a.last_reported_at else None, a.task.due_date,
                    a.task.deadline_kind, a.task.period_months)
            assert kinds.setdefault(kind, row.light) is row.light
        assert len({id(r.light) for r in rows}) == len(kinds)
        shared += len(rows) - len(kinds)
        d = dash.dashboard(plan.id, TODAY)
        each = dash.Counts()
        sections: dict[int, dash.Counts] = {}
        units: dict[int, dash.Counts] = {}
        latest: dict[int, dt.datetime] = {}
        for row in rows:
            each.add(row)
            sections.setdefault(row.section_id, dash.Counts()).add(row)
            units.setdefault(row.unit_id, dash.Counts()).add(row)
            if row.last_reported_at is not None:
                latest[row.unit_id] = max(latest.get(row.unit_id, row.last_reported_at), row.last_reported_at)
        assert d.counts == each
        assert {s.section.id: s.counts for s in d.sections if s.counts.total} == sections
        assert {u.unit.id: u.counts for u in d.units} == units
        assert {u.unit.id: u.last_report_at for u in d.units if u.last_report_at} == latest
    assert shared  # some rows did share a light
