"""督办总览's 最近报送: a plan's latest progress reports, as the few columns the page shows."""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

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


def recent_reports(plan: Plan, limit: int = RECENT_REPORTS) -> list[RecentReport]:
    """Return a plan's latest progress reports as :class:`RecentReport` rows; through the assignments' mirror
    of their latest report (``last_reported_at``): the ``limit`` latest all belong to the assignments whose latest
    report is among the ``limit`` latest (ties included), so only those assignments' reports are read."""
    in_plan = (sa.select(Assignment.id, Assignment.last_reported_at)
               .join(Task, Assignment.task_id == Task.id)
               .where(Task.plan_id == plan.id, Task.is_deleted.is_(False), Assignment.last_reported_at.is_not(None)))
    threshold = db.session.scalar(
        sa.select(in_plan.subquery().c.last_reported_at)
        .order_by(sa.desc("last_reported_at")).offset(limit - 1).limit(1))
    # The candidates' reports in one flat join (not ``assignment_id IN (SELECT …)`` over a second copy of the same
    # assignments and tasks: half the planner's work, the same rows).
    query = (sa.select(ProgressReport.id, ProgressReport.created_at, ProgressReport.status, ProgressReport.narrative,
                       Assignment.unit_id, Unit.name, Assignment.task_id, Task.number)
             .select_from(Task)
             .join(Assignment, Assignment.task_id == Task.id)
             .join(Unit, Assignment.unit_id == Unit.id)
             .join(ProgressReport, ProgressReport.assignment_id == Assignment.id)
             .where(Task.plan_id == plan.id, Task.is_deleted.is_(False), Assignment.last_reported_at.is_not(None)))
    if threshold is not None:
        query = query.where(Assignment.last_reported_at >= threshold)
    rows = db.session.execute(
        query.order_by(ProgressReport.created_at.desc(), ProgressReport.id.desc()).limit(limit)
    ).tuples().all()
    return [RecentReport(*row) for row in rows]
