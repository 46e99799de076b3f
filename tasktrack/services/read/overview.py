"""Read models for the plan, task and unit pages: eager-loaded rows with their traffic lights.

Every function here issues a fixed number of queries whatever the data size (tests guard it).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from tasktrack.clock import local_date
from tasktrack.domain.deadlines import DeadlineKind
from tasktrack.domain.lights import LightResult, assignment_light, milestone_light, task_light
from tasktrack.extensions import db
from tasktrack.models import (
    Assignment,
    AssignmentStatus,
    Plan,
    PlanKind,
    ProgressReport,
    Section,
    Task,
    TaskMilestone,
    TaskTerm,
    Unit,
    User,
)
from tasktrack.permissions import visible_plans
from tasktrack.services import NotFound

#: Reports shown in a task page's 最近进展 (each assignment's page has its whole history).
TASK_REPORTS = 20


@dataclass(frozen=True)
class AssignmentRow:
    """An assignment with its light."""

    assignment: Assignment
    light: LightResult

    @property
    def unit(self) -> Unit:
        return self.assignment.unit


@dataclass(frozen=True)
class MilestoneRow:
    """One stage of a staged deadline with its light: the worst of its open assignments' lights at its date."""

    milestone: TaskMilestone
    light: LightResult | None


@dataclass(frozen=True)
class TaskRow:
    """A task with its open assignments' rows and its own light (and, on the task page, its milestones' lights)."""

    task: Task
    rows: list[AssignmentRow]
    light: LightResult | None
    milestones: list[MilestoneRow] = field(default_factory=list)

    @property
    def lead(self) -> Unit | None:
        return next((r.unit for r in self.rows if r.assignment.is_lead), None)


@dataclass(frozen=True)
class SectionRow:
    """A section with its task rows."""

    section: Section
    tasks: list[TaskRow]


@dataclass(frozen=True)
class PlanView:
    """A plan page's data."""

    plan: Plan
    sections: list[SectionRow]

    @property
    def task_count(self) -> int:
        return sum(len(s.tasks) for s in self.sections)


def light_of(assignment: Assignment, task: Task, plan: Plan, today: dt.date) -> LightResult:
    """Return the light of an assignment (its task and plan already loaded)."""
    return light_from(light_columns(assignment, task, plan), today)


def light_columns(assignment: Assignment, task: Task, plan: Plan) -> LightColumns:
    """Return the :data:`LIGHT_COLUMNS` values of a loaded assignment, task and plan."""
    return LightColumns(
        assignment.status, assignment.completed_on, assignment.extended_due, assignment.last_reported_at,
        task.due_date, task.deadline_kind, task.period_months, plan.issued_on, plan.year, plan.warning_days,
        plan.report_period_months)


#: The columns an assignment's light is computed from, for queries that read rows as tuples (no ORM objects).
LIGHT_COLUMNS = (Assignment.status, Assignment.completed_on, Assignment.extended_due, Assignment.last_reported_at,
                 Task.due_date, Task.deadline_kind, Task.period_months, Plan.issued_on, Plan.year, Plan.warning_days,
                 Plan.report_period_months)


class LightColumns(NamedTuple):
    """An assignment's :data:`LIGHT_COLUMNS` values (a tuple: pages read thousands)."""

    status: AssignmentStatus
    completed_on: dt.date | None
    extended_due: dt.date | None
    last_reported_at: dt.datetime | None
    due_date: dt.date | None
    deadline_kind: DeadlineKind
    period_months: int | None
    issued_on: dt.date | None
    year: int
    warning_days: int
    report_period_months: int


def light_from(c: LightColumns, today: dt.date) -> LightResult:
    """Return the light of an assignment from its :data:`LIGHT_COLUMNS` (the one place they become a light)."""
    return assignment_light(
        today=today,
        due=c.extended_due or c.due_date,
        kind=c.deadline_kind,
        is_completed=c.status is AssignmentStatus.COMPLETED,
        completed_on=c.completed_on,
        last_report_on=local_date(c.last_reported_at) if c.last_reported_at else None,
        starts_on=c.issued_on or dt.date(c.year, 1, 1),  # Plan.starts_on
        warning_days=c.warning_days,
        period_months=c.period_months or c.report_period_months,
    )


def task_row(task: Task, plan: Plan, today: dt.date) -> TaskRow:
    """Return a task (its open assignments and units loaded) with each open assignment's light and its own."""
    rows = [AssignmentRow(a, light_of(a, task, plan, today)) for a in task.assignments if a.closed_at is None]
    rows.sort(key=lambda r: (not r.assignment.is_lead, r.unit.sort_order, r.unit.id))
    return TaskRow(task=task, rows=rows, light=task_light(r.light for r in rows))


def list_plans(reader: User | Collection[int] | None = None, *, with_matters: bool = False) -> list[Plan]:
    """Return the plans ``reader`` reads — a user, or the ids of the work groups read
    (``permissions.visible_group_ids``); every plan when None (the system, the CLI) — newest year first.

    The work groups' 交办事项 containers are not plans to choose from; ``with_matters`` includes them (a page that
    names one by id: its dashboard, export or print).
    """
    if reader is not None and not isinstance(reader, User):  # 督办总览's: a statement built once, the groups bound
        return list(db.session.scalars(_PLANS_OF[with_matters], {"groups": sorted(reader)}))
    query = sa.select(Plan).where(Plan.is_deleted.is_(False))
    if not with_matters:
        query = query.where(Plan.kind == PlanKind.PLAN)
    if isinstance(reader, User):
        query = query.where(visible_plans(reader))
    return list(db.session.scalars(query.order_by(Plan.year.desc(), Plan.id)))


def _plans_of(with_matters: bool) -> sa.Select[tuple[Plan]]:
    """:func:`list_plans`' statement for the work groups of the ``groups`` parameter (each kept with its cache key)."""
    query = sa.select(Plan).where(Plan.is_deleted.is_(False),
                                  Plan.work_group_id.in_(sa.bindparam("groups", expanding=True)))
    if not with_matters:
        query = query.where(Plan.kind == PlanKind.PLAN)
    return query.order_by(Plan.year.desc(), Plan.id)


_PLANS_OF = {with_matters: _plans_of(with_matters) for with_matters in (False, True)}


class PlanChoice(NamedTuple):
    """A plan as a plan selector offers it."""

    id: int
    year: int
    title: str


#: :func:`plan_choices`' statements, built once (each keeps its cache key): every plan, and the plans of the
#: ``groups`` parameter's work groups.
_CHOICES = (sa.select(Plan.id, Plan.year, Plan.title).where(Plan.is_deleted.is_(False), Plan.kind == PlanKind.PLAN)
            .order_by(Plan.year.desc(), Plan.id))
_CHOICES_OF = _CHOICES.where(Plan.work_group_id.in_(sa.bindparam("groups", expanding=True)))


def plan_choices(visible: Collection[int] | None = None) -> list[PlanChoice]:
    """Return :func:`list_plans` of the ``visible`` work groups as the selector shows them (columns, no objects)."""
    found = db.session.execute(_CHOICES) if visible is None else \
        db.session.execute(_CHOICES_OF, {"groups": sorted(visible)})
    return [PlanChoice(*row) for row in found.tuples()]


def current_plan(today: dt.date, reader: User | None = None, *, own: bool = False) -> Plan | None:
    """Return the plan of today's year, else the newest one: among the reader's own work group's plans first
    (only those with ``own``: the plan its secretariat administers), then the rest of the reader's tree."""
    plans = list_plans(reader)
    if reader is not None:
        mine = [p for p in plans if p.work_group_id == reader.work_group_id]
        plans = mine if own or mine else plans
    return next((p for p in plans if p.year == today.year), plans[0] if plans else None)


def require_current_plan(today: dt.date, reader: User | None = None, *, own: bool = False) -> Plan:
    """Return the current plan (see current_plan), or raise NotFound when there is none yet."""
    plan = current_plan(today, reader, own=own)
    if plan is None:
        raise NotFound("还没有工作计划")
    return plan


def group_plan(today: dt.date, work_group_id: int) -> Plan:
    """Return one work group's current plan (an observation point's choices and cases are on it); NotFound if none."""
    plans = list(db.session.scalars(
        sa.select(Plan).where(Plan.is_deleted.is_(False), Plan.work_group_id == work_group_id,
                              Plan.kind == PlanKind.PLAN)
        .order_by(Plan.year.desc(), Plan.id)))
    plan = next((p for p in plans if p.year == today.year), plans[0] if plans else None)
    if plan is None:
        raise NotFound("该工作专班还没有工作计划")
    return plan


def plan_view(plan_id: int, today: dt.date) -> PlanView:
    """Return a plan with sections, tasks, terms and open assignments, and their lights."""
    plan = db.session.scalar(
        sa.select(Plan)
        .where(Plan.id == plan_id, Plan.is_deleted.is_(False))
        .options(
            selectinload(Plan.sections).selectinload(Section.tasks).options(
                selectinload(Task.terms).options(joinedload(TaskTerm.unit), joinedload(TaskTerm.category)),
                selectinload(Task.assignments).joinedload(Assignment.unit),
            )
        )
    )
    if plan is None:
        raise NotFound("工作计划不存在")
    sections = [
        SectionRow(section, [task_row(t, plan, today) for t in section.tasks if not t.is_deleted])
        for section in plan.sections
    ]
    return PlanView(plan=plan, sections=sections)


def task_view(task_id: int, today: dt.date) -> TaskRow:
    """Return one task with its terms, plan, section and open assignments with lights."""
    task = db.session.scalar(
        sa.select(Task)
        .where(Task.id == task_id, Task.is_deleted.is_(False))
        .options(
            joinedload(Task.plan),
            joinedload(Task.section),
            selectinload(Task.terms).options(joinedload(TaskTerm.unit), joinedload(TaskTerm.category)),
            selectinload(Task.assignments).joinedload(Assignment.unit),
            selectinload(Task.milestones),
        )
    )
    if task is None or task.plan.is_deleted:
        raise NotFound("任务不存在")
    row = task_row(task, task.plan, today)
    return dataclasses.replace(row, milestones=milestone_rows(row, today))


def milestone_rows(row: TaskRow, today: dt.date) -> list[MilestoneRow]:
    """Return a task's milestones, each with the worst light of its open assignments at the milestone's date."""
    warning_days = row.task.plan.warning_days
    return [
        MilestoneRow(m, task_light(
            milestone_light(today=today, due=m.due_date, completed_on=r.assignment.completed_on,
                            is_completed=r.assignment.status is AssignmentStatus.COMPLETED, warning_days=warning_days)
            for r in row.rows))
        for m in row.task.milestones
    ]


def task_reports(task_id: int, limit: int = TASK_REPORTS) -> list[ProgressReport]:
    """Return the latest progress reports of every unit on a task (newest first) with author and unit."""
    return list(db.session.scalars(
        sa.select(ProgressReport)
        .join(Assignment, ProgressReport.assignment_id == Assignment.id)
        .where(Assignment.task_id == task_id)
        .order_by(ProgressReport.created_at.desc(), ProgressReport.id.desc())
        .limit(limit)
        .options(joinedload(ProgressReport.author), joinedload(ProgressReport.assignment).joinedload(Assignment.unit))
    ))


def unit_rows(unit_id: int, today: dt.date) -> list[AssignmentRow]:
    """Return a unit's open assignments with lights, worst light first, then by deadline."""
    assignments = db.session.scalars(
        sa.select(Assignment)
        .join(Task, Assignment.task_id == Task.id)
        .join(Plan, Task.plan_id == Plan.id)
        .where(
            Assignment.unit_id == unit_id,
            Assignment.closed_at.is_(None),
            Task.is_deleted.is_(False),
            Plan.is_deleted.is_(False),
        )
        .options(
            joinedload(Assignment.unit),
            joinedload(Assignment.task).joinedload(Task.plan),
            joinedload(Assignment.task).joinedload(Task.section),
        )
    ).all()
    rows = [AssignmentRow(a, light_of(a, a.task, a.task.plan, today)) for a in assignments]
    rows.sort(
        key=lambda r: (
            r.light.light.severity,
            r.assignment.task.due_date or dt.date.max,
            r.assignment.task.plan_id,
            r.assignment.task.number,
        )
    )
    return rows
