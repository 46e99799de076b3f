"""The lean read path (issue 16): a plan's open assignments as plain rows, for pages that count more than they show.

The 督办总览 counts every open assignment of a plan by light, section and unit, but shows only a few of them (the
overdue ones) in full. Loading an ORM object per assignment (with its unit, task and section) cost most of the page;
here each assignment is one tuple of the columns its light and its counts need, read in one query, and the light is
computed by the same pure function (overview.light_from). The few rows a page shows in full are read afterwards as
the overdue lists' columns (overdue.list_rows).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from tasktrack.clock import local_date
from tasktrack.domain.lights import LightResult
from tasktrack.extensions import db
from tasktrack.models import (
    Assignment,
    AssignmentStatus,
    CompletionState,
    Plan,
    ProgressReport,
    Section,
    Task,
    Unit,
    User,
    unit_categories,
)
from tasktrack.services.read.overview import LightColumns, light_from


class LatestReport(NamedTuple):
    """What a list shows of an assignment's latest report (我的任务's card), read as columns."""

    id: int
    assignment_id: int
    created_at: dt.datetime
    status: AssignmentStatus
    narrative: str
    author_name: str


#: The columns of a :class:`LatestReport`, for a statement made by :func:`with_latest_report`.
LatestReportRow = aliased(ProgressReport, name="latest_report")
LatestAuthor = aliased(User, name="latest_author")
LATEST_REPORT_COLUMNS = (LatestReportRow.id, LatestReportRow.assignment_id, LatestReportRow.created_at,
                         LatestReportRow.status, LatestReportRow.narrative, LatestAuthor.name)


def with_latest_report(query: sa.Select[Any]) -> sa.Select[Any]:
    """Add each assignment's latest report (the mirror ``Assignment.latest_report_id``: by key) and its author to a
    statement over assignments, as outer joins: :data:`LATEST_REPORT_COLUMNS` then read them (:func:`latest_of`)."""
    return (query.outerjoin(LatestReportRow, LatestReportRow.id == Assignment.latest_report_id)
            .outerjoin(LatestAuthor, LatestAuthor.id == LatestReportRow.author_id))


def latest_of(columns: Sequence[Any]) -> LatestReport | None:
    """Return the :data:`LATEST_REPORT_COLUMNS` of a row as a :class:`LatestReport` (None: no report yet)."""
    return LatestReport(*columns) if columns[0] is not None else None


class UnitRef(NamedTuple):
    """What 督办总览's per-unit table needs of a unit: its id, name and place in the unit order."""

    id: int
    name: str
    sort_order: int


class LeanRow(NamedTuple):
    """One open assignment: what the counts and the per-unit table need, and its light."""

    id: int
    unit_id: int
    section_id: int
    completion_state: CompletionState
    acknowledged_at: dt.datetime | None
    last_reported_at: dt.datetime | None
    light: LightResult
    unit: UnitRef


#: The statement of :func:`plan_light_rows`, built once (a statement object keeps its cache key: no request builds it
#: or works out its key again); the plan is the ``plan_id`` parameter.
_PLAN_LIGHT_ROWS = (
    sa.select(Assignment.id, Assignment.unit_id, Task.section_id, Assignment.completion_state,
              Assignment.acknowledged_at, Unit.name, Unit.sort_order, Assignment.status, Assignment.completed_on,
              Assignment.extended_due, Assignment.last_reported_at, Task.due_date, Task.deadline_kind,
              Task.period_months, Section.number, Task.number, Assignment.is_lead)
    .join(Task, Assignment.task_id == Task.id)
    .join(Section, Task.section_id == Section.id)
    .join(Unit, Assignment.unit_id == Unit.id)
    .where(Task.plan_id == sa.bindparam("plan_id"), Task.is_deleted.is_(False), Assignment.closed_at.is_(None))
)


def plan_light_rows(plan: Plan, today: dt.date) -> list[LeanRow]:
    """Return every open assignment of a plan as a :class:`LeanRow` with its unit, in plan order (section, task,
    lead first, unit order) — the order of dashboard.plan_rows, in one query. The plan's own columns of the light
    are the plan's (one plan: not joined, not repeated on every row).

    The rows are put in order here, not by the database: its sort of a plan's few hundred rows on five keys from
    four tables cost more than the join itself (2–3 of ~3.5 ms at province scale); the keys are the same."""
    found_rows = db.session.execute(_PLAN_LIGHT_ROWS, {"plan_id": plan.id}).tuples().all()
    # ORDER BY sections.number, tasks.number, assignments.is_lead DESC, units.sort_order, units.id
    rows = sorted(found_rows, key=lambda r: (r[14], r[15], not r[16], r[6], r[1]))
    units: dict[int, UnitRef] = {}
    found = []
    own = (plan.issued_on, plan.year, plan.warning_days, plan.report_period_months)
    # A light reads the last report only as its day (overview.light_from): rows alike up to that day share one
    # light, computed once (a plan's thousand rows have a few hundred kinds).
    lights: dict[tuple[Any, ...], LightResult] = {}
    for (aid, unit_id, section_id, state, acknowledged_at, name, sort_order, status, completed_on, extended_due,
         last_reported_at, due_date, kind, period_months, *_order) in rows:
        key = (status, completed_on, extended_due, local_date(last_reported_at) if last_reported_at else None,
               due_date, kind, period_months)
        light = lights.get(key)
        if light is None:
            light = lights[key] = light_from(LightColumns(status, completed_on, extended_due, last_reported_at,
                                                          due_date, kind, period_months, *own), today)
        unit = units.get(unit_id)
        if unit is None:
            unit = units[unit_id] = UnitRef(unit_id, name, sort_order)
        found.append(LeanRow(aid, unit_id, section_id, state, acknowledged_at, last_reported_at, light, unit))
    return found


def category_members(category_id: int) -> set[int]:
    """Return the ids of the units in a category (one query)."""
    return set(db.session.scalars(sa.select(unit_categories.c.unit_id)
                                  .where(unit_categories.c.category_id == category_id)))
