"""督办总览's 最近报送: a plan's latest progress reports, as the few columns the page shows."""

from __future__ import annotations

import datetime as dt
from typing import Any, NamedTuple

import sqlalchemy as sa

from tasktrack.extensions import db
from tasktrack.models import Assignment, AssignmentStatus, Plan, ProgressReport, Task, Unit

RECENT_REPORTS = 10


class RecentReport(NamedTuple):
    """What 督办总览's 最近报送 shows of a report, read as columns: when, which unit, which task, status, text."""

    id: int
    created_at: dt.datetime
    status: AssignmentStatus
    narrative: str
    unit_id: int
    unit_name: str
    task_id: int
    task_number: int


def _statements() -> tuple[sa.Select[Any], sa.Select[Any], sa.Select[Any]]:
    """Return :func:`recent_reports`' statements, built once (each keeps its cache key): the threshold, and the
    candidates' reports with and without it (parameters ``plan_id``, ``offset``, ``limit``, ``threshold``)."""
    in_plan = (sa.select(Assignment.id, Assignment.last_reported_at)
               .join(Task, Assignment.task_id == Task.id)
               .where(Task.plan_id == sa.bindparam("plan_id"), Task.is_deleted.is_(False),
                      Assignment.last_reported_at.is_not(None)))
    threshold = (sa.select(in_plan.subquery().c.last_reported_at)
                 .order_by(sa.desc("last_reported_at")).offset(sa.bindparam("offset")).limit(1))
    # The candidates' reports in one flat join (not ``assignment_id IN (SELECT …)`` over a second copy of the same
    # assignments and tasks: half the planner's work, the same rows).
    query = (sa.select(ProgressReport.id, ProgressReport.created_at, ProgressReport.status, ProgressReport.narrative,
                       Assignment.unit_id, Unit.name, Assignment.task_id, Task.number)
             .select_from(Task)
             .join(Assignment, Assignment.task_id == Task.id)
             .join(Unit, Assignment.unit_id == Unit.id)
             .join(ProgressReport, ProgressReport.assignment_id == Assignment.id)
             .where(Task.plan_id == sa.bindparam("plan_id"), Task.is_deleted.is_(False),
                    Assignment.last_reported_at.is_not(None)))
    order = (ProgressReport.created_at.desc(), ProgressReport.id.desc())
    since = query.where(
        Assignment.last_reported_at >= sa.bindparam("threshold", type_=Assignment.last_reported_at.type))
    return (threshold, query.order_by(*order).limit(sa.bindparam("limit")),
            since.order_by(*order).limit(sa.bindparam("limit")))


_THRESHOLD, _REPORTS, _REPORTS_SINCE = _statements()


def recent_reports(plan: Plan, limit: int = RECENT_REPORTS) -> list[RecentReport]:
    """Return a plan's latest progress reports as :class:`RecentReport` rows; through the assignments' mirror
    of their latest report (``last_reported_at``): the ``limit`` latest all belong to the assignments whose latest
    report is among the ``limit`` latest (ties included), so only those assignments' reports are read."""
    threshold = db.session.scalar(_THRESHOLD, {"plan_id": plan.id, "offset": limit - 1})
    if threshold is None:
        found = db.session.execute(_REPORTS, {"plan_id": plan.id, "limit": limit})
    else:
        found = db.session.execute(_REPORTS_SINCE, {"plan_id": plan.id, "limit": limit, "threshold": threshold})
    return [RecentReport(*row) for row in found.tuples().all()]
