"""The overdue list in SQL: the same rows, order and totals as the Python path, for one plan and all plans."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
import sqlalchemy as sa

from tasktrack.domain.lights import Light
from tasktrack.extensions import db
from tasktrack.models import Assignment, Plan
from tasktrack.services.read import dashboard as dash
from tasktrack.services.read import overdue
from tests.dashboard_data import Mixed, mixed_plans, scaled_plan

TODAY = dt.date(2024, 7, 18)


def _python_rows(plan: Plan | None, filters: dash.Filters) -> list[int]:
    """Return the Python path's answer: every open row of the scope, filtered, worst first."""
    rows = dash.plan_rows(plan, TODAY) if plan is not None else dash.all_plan_rows(TODAY)
    return [r.assignment.id for r in dash.worst_first(r for r in rows if filters.matches(r))]


def _filters(m: Mixed) -> list[dash.Filters]:
    red = Light.RED
    return [
        dash.Filters(light=red),
        dash.Filters(reason="overdue"),
        dash.Filters(light=red, reason="overdue"),
        dash.Filters(light=red, section_id=m.sections["province.1"].id),
        dash.Filters(reason="overdue", section_id=m.sections["city.2"].id),
        dash.Filters(light=red, unit_id=m.units["u2"].id),
        dash.Filters(light=red, category="mix_x"),
        dash.Filters(reason="overdue", category="mix_y", section_id=m.sections["province.2"].id),
        dash.Filters(light=red, unit_id=m.units["u3"].id, category="mix_y"),
        dash.Filters(light=red, category="no_such_category"),
        # Contradictions select nothing on both paths.
        dash.Filters(light=red, reason="stale"),
        dash.Filters(light=red, reason="claimed"),
        dash.Filters(light=Light.YELLOW, reason="overdue"),
    ]


def test_mixed_data_has_the_red_rows_a_person_counts(app) -> None:
    m = mixed_plans()
    for key in ("province", "city", "last_year"):
        page = dash.assignment_page(m.plans[key], TODAY, dash.Filters(light=Light.RED), per_page=100)
        assert {r.assignment.id for r in page.rows} == m.red[key], key
        assert page.total == len(m.red[key])
    everything = dash.assignment_page(None, TODAY, dash.Filters(light=Light.RED), per_page=100)
    assert {r.assignment.id for r in everything.rows} == m.all_red
    assert everything.total == len(m.all_red) == 15  # 8 + 5 + 2; the deleted plan has none
    assert all(r.light.light is Light.RED for r in everything.rows)
    # The oldest overdue work comes first: last year's dated task, then its year-round task.
    assert [r.assignment.task.plan_id for r in everything.rows[:2]] == [m.plans["last_year"].id] * 2


@pytest.mark.parametrize("scope", ["province", "city", "last_year", "all"])
def test_sql_path_pages_equal_the_python_path(app, scope: str) -> None:
    m = mixed_plans()
    plan = m.plans[scope] if scope != "all" else None
    checked = 0
    for filters in _filters(m):
        assert overdue.selects_red(filters)
        expected = _python_rows(plan, filters)
        for per_page in (1, 2, 3, 7, 25, 100):
            pages = max(1, -(-len(expected) // per_page))
            for page_no in range(1, pages + 2):  # one page past the end: empty, with the total
                page = dash.assignment_page(plan, TODAY, filters, page=page_no, per_page=per_page)
                start = (page_no - 1) * per_page
                assert [r.assignment.id for r in page.rows] == expected[start:start + per_page], (
                    filters, per_page, page_no)
                assert page.total == len(expected)
                assert page.pages == pages
                checked += len(page.rows)
    assert checked > 0


def test_ties_break_by_plan_then_lead_then_unit(app) -> None:
    m = mixed_plans()
    rows = dash.assignment_page(None, TODAY, dash.Filters(light=Light.RED), per_page=100).rows
    due_june = [r for r in rows if r.assignment.effective_due == dt.date(2024, 6, 30) and r.assignment.task.number == 1]
    keys = [(r.assignment.task.plan_id, r.unit.name, r.assignment.is_lead) for r in due_june]
    province, city = m.plans["province"].id, m.plans["city"].id
    # u4 (sort order 0) first; u1 and u2 share a sort order: per plan, the lead comes first.
    assert keys == [(city, "混合单位四", False),
                    (province, "混合单位一", True), (province, "混合单位二", False),
                    (city, "混合单位二", True), (city, "混合单位一", False)]


def test_worst_first_is_total_and_ignores_input_order(app) -> None:
    mixed_plans()
    rows = dash.all_plan_rows(TODAY)
    assert dash.worst_first(rows) == dash.worst_first(reversed(rows))
    assert len({overdue.row_key(r) for r in rows}) == len(rows)


@contextmanager
def _loaded_assignments() -> Iterator[list[int]]:
    """Collect the ids of the assignments the ORM builds from rows while active."""
    loaded: list[int] = []

    def on_load(target: Assignment, context: object) -> None:
        loaded.append(target.id)

    sa.event.listen(Assignment, "load", on_load)
    try:
        yield loaded
    finally:
        sa.event.remove(Assignment, "load", on_load)


@pytest.mark.parametrize("plan_of", [lambda p: p, lambda p: None], ids=["one plan", "all plans"])
def test_overdue_page_reads_its_rows_as_columns(app, plan_of: Callable[[Plan], Plan | None]) -> None:
    plan = scaled_plan(10)
    scope = plan_of(plan)
    filters = dash.Filters(light=Light.RED)
    expected = _python_rows(scope, filters)
    assert len(expected) > 20
    db.session.expunge_all()
    with _loaded_assignments() as loaded:
        page = dash.assignment_page(scope, TODAY, filters, page=2, per_page=5)
    assert [r.assignment.id for r in page.rows] == expected[5:10]
    assert loaded == []  # the overdue list reads its page's rows as columns: no ORM object at all (issue 16)
    db.session.expunge_all()
    with _loaded_assignments() as loaded:
        dash.assignment_page(scope, TODAY, dash.Filters(light=Light.YELLOW), per_page=5)
    assert len(loaded) == 180  # the other lights still need every row of the scope (the Python path)
