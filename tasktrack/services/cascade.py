"""上级下达任务: a higher plan's assignments addressed to a lower work group, their 分解 and the roll-up.

A unit of a higher work group may stand for a lower one (``Unit.represents_work_group_id``: 杭州市 in the provincial
plan stands for 杭州市清廉社会组织建设工作专班). Its assignments are the lower group's *inbound* assignments. The
lower secretariat decomposes each one into tasks of its own plan (``decompose``: a new task; ``link``: a task it
already has), and the inbound assignment then rolls up from those tasks' assignments (``domain/rollup.py``).

Reading is batched (services/rollups.py for dashboards): ``inbound_assignments`` and ``inbound_detail`` issue a
fixed number of queries however many inbound assignments, links and sub-assignments there are.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from tasktrack.domain.lights import Light, LightResult
from tasktrack.domain.rollup import Rollup, RollupState
from tasktrack.extensions import db
from tasktrack.models import (
    Assignment,
    CompletionState,
    Plan,
    PlanKind,
    ProgressReport,
    Task,
    TaskLink,
    Unit,
    User,
    WorkGroup,
)
from tasktrack.permissions import Action, can, inbound_to, require
from tasktrack.services import Conflict, NotFound, ServiceError
from tasktrack.services import plans as plan_service
from tasktrack.services.audit import record
from tasktrack.services.progress import latest_reports
from tasktrack.services.read.overview import light_of
from tasktrack.services.rollups import OPEN_INBOUND, SubFacts, derive, period_start, sub_facts_of

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SubRow:
    """One open assignment of a linked task: its light and latest report."""

    assignment: Assignment
    light: LightResult
    last_report: ProgressReport | None

    @property
    def unit(self) -> Unit:
        return self.assignment.unit


@dataclass(frozen=True)
class LinkedTask:
    """A lower group's task linked to the inbound assignment, with its open assignments (lead first)."""

    link: TaskLink
    rows: list[SubRow]

    @property
    def task(self) -> Task:
        return self.link.task


@dataclass(frozen=True)
class InboundRow:
    """An inbound assignment, its own light, its roll-up and its decomposition."""

    assignment: Assignment
    own_light: LightResult
    rollup: Rollup
    linked: list[LinkedTask]

    @property
    def task(self) -> Task:
        return self.assignment.task

    @property
    def plan(self) -> Plan:
        return self.assignment.task.plan

    @property
    def is_undecomposed(self) -> bool:
        return self.rollup.state is RollupState.UNDECOMPOSED

    @property
    def may_claim(self) -> bool:
        return self.rollup.state is RollupState.MAY_CLAIM

    @property
    def overdue_units(self) -> list[str]:
        """Return the names of the lower group's units whose linked assignments are overdue, each once."""
        names: list[str] = []
        for linked in self.linked:
            for row in linked.rows:
                if row.light.light is Light.RED and row.unit.name not in names:
                    names.append(row.unit.name)
        return names


# --- Reading -----------------------------------------------------------------------------------------------------


def _inbound_select() -> sa.Select[tuple[Assignment]]:
    """Open inbound assignments of live, open plans, with unit, task and plan loaded."""
    return (
        sa.select(Assignment)
        .join(Unit, Assignment.unit_id == Unit.id)
        .join(Task, Assignment.task_id == Task.id)
        .join(Plan, Task.plan_id == Plan.id)
        .where(*OPEN_INBOUND)
        .options(joinedload(Assignment.unit), joinedload(Assignment.task).joinedload(Task.plan))
    )


def _period_start(inbound: Assignment, today: dt.date) -> dt.date:
    """Return the first day of the inbound task's current reporting period (its cadence, else its plan's)."""
    task = inbound.task
    return period_start(task.period_months or task.plan.report_period_months, today)


def _build(inbound: Sequence[Assignment], today: dt.date) -> list[InboundRow]:
    """Attach links, sub-assignments, lights and latest reports to inbound assignments (three queries or so)."""
    links_of: dict[int, list[TaskLink]] = {a.id: [] for a in inbound}
    if inbound:
        links = db.session.scalars(
            sa.select(TaskLink)
            .join(Task, TaskLink.task_id == Task.id)
            .join(Plan, Task.plan_id == Plan.id)
            .where(TaskLink.parent_assignment_id.in_(list(links_of)), Task.is_deleted.is_(False),
                   Plan.is_deleted.is_(False))
            .options(joinedload(TaskLink.task).options(
                joinedload(Task.plan), selectinload(Task.assignments).joinedload(Assignment.unit)))
            .order_by(Plan.year, Task.plan_id, Task.number)
        ).unique()
        for link in links:
            links_of[link.parent_assignment_id].append(link)
    sub_ids = [a.id for links in links_of.values() for link in links for a in link.task.assignments
               if a.closed_at is None]
    latest = latest_reports(sub_ids)
    rows: list[InboundRow] = []
    for a in inbound:
        own = light_of(a, a.task, a.task.plan, today)
        start = _period_start(a, today)
        linked: list[LinkedTask] = []
        facts: list[SubFacts] = []
        for link in links_of[a.id]:
            task = link.task
            sub_rows = [SubRow(s, light_of(s, task, task.plan, today), latest.get(s.id))
                        for s in task.assignments if s.closed_at is None]
            sub_rows.sort(key=lambda r: (not r.assignment.is_lead, r.unit.sort_order, r.unit.id))
            linked.append(LinkedTask(link, sub_rows))
            facts += [sub_facts_of(r.light, r.assignment.last_reported_at, r.assignment.created_at, link.created_at,
                                   start) for r in sub_rows]
        rows.append(InboundRow(a, own, derive(a.status, own, start, facts), linked))
    return rows


def _order(rows: Iterable[InboundRow]) -> list[InboundRow]:
    """Undecomposed first, then the worst roll-up light, then the earliest deadline."""
    return sorted(rows, key=lambda r: (not r.is_undecomposed, r.rollup.light.light.severity,
                                       r.assignment.effective_due or dt.date.max, r.plan.id, r.task.number))


def inbound_assignments(group: WorkGroup, today: dt.date) -> list[InboundRow]:
    """Return the higher plans' open assignments addressed to ``group``, each with its links and roll-up.

    Undecomposed ones first. A fixed number of queries whatever the count (guarded by a test).
    """
    found = db.session.scalars(_inbound_select().where(Unit.represents_work_group_id == group.id)).unique().all()
    return _order(_build(list(found), today))


def inbound_detail(inbound: Assignment, today: dt.date) -> InboundRow:
    """Return one inbound assignment's row (its page, and the decomposition on the assignment page)."""
    if inbound_to(inbound) is None:
        raise NotFound("该任务不是上级下达任务")
    return _build([inbound], today)[0]


def rollup_of(inbound: Assignment, today: dt.date) -> Rollup:
    """Return one inbound assignment's roll-up."""
    return inbound_detail(inbound, today).rollup


def claim_refusal(inbound: Assignment, today: dt.date) -> str | None:
    """Return why the lower group may not claim completion of an inbound assignment now (None: it may)."""
    result = rollup_of(inbound, today)
    if result.state is RollupState.UNDECOMPOSED:
        return "该任务尚未分解到本专班的工作任务，分解并全部完成后才能申报完成"
    if result.state is RollupState.IN_PROGRESS:
        return f"分解的任务尚未全部完成（已完成 {result.done}/{result.total}），全部完成后才能申报完成"
    return None


def decomposable_plans(group_id: int) -> list[Plan]:
    """Return the plans a group may add decomposed tasks to: its own, neither closed nor deleted, newest first."""
    return list(db.session.scalars(
        sa.select(Plan).where(Plan.work_group_id == group_id, Plan.is_deleted.is_(False), Plan.is_closed.is_(False),
                              Plan.kind == PlanKind.PLAN)
        .order_by(Plan.year.desc(), Plan.id)
    ))


def linkable_tasks(inbound: Assignment, group_id: int) -> list[Task]:
    """Return the group's live tasks not yet linked to ``inbound`` (the choices of the 关联已有任务 form)."""
    linked = sa.select(TaskLink.task_id).where(TaskLink.parent_assignment_id == inbound.id)
    return list(db.session.scalars(
        sa.select(Task).join(Plan, Task.plan_id == Plan.id)
        .where(Plan.work_group_id == group_id, Plan.is_deleted.is_(False), Plan.is_closed.is_(False),
               Task.is_deleted.is_(False), Task.id.not_in(linked))
        .options(joinedload(Task.plan)).order_by(Plan.year.desc(), Plan.id, Task.number)
    ))


# --- Writing -----------------------------------------------------------------------------------------------------


def _check_open(inbound: Assignment, actor: User) -> None:
    require(actor, Action.DECOMPOSE, inbound)
    if inbound.closed_at is not None or inbound.completion_state is CompletionState.CONFIRMED:
        raise Conflict("该任务已办结或已关闭，不能再调整分解")


def _add_link(inbound: Assignment, task: Task, *, actor: User, now: dt.datetime, verb: str) -> TaskLink:
    link = TaskLink(parent_assignment=inbound, task=task, created_at=now, created_by_id=actor.id)
    db.session.add(link)
    db.session.flush()
    record(actor, "task_link.create", link, now=now,
           summary=f"{verb}：{inbound.task.plan.title} 任务 {inbound.task.number}（{inbound.unit.name}）"
                   f" → {task.plan.title} 任务 {task.number}",
           after={"parent_assignment_id": inbound.id, "task_id": task.id})
    logger.info("inbound assignment %s linked to task %s by %s", inbound.id, task.id, actor.email)
    return link


def decompose(inbound: Assignment, *, plan: Plan, text: str, deadline_phrase: str, responsible_phrase: str,
              actor: User, now: dt.datetime) -> TaskLink:
    """分解: add a task to one of the lower group's own plans for its own units and link it to ``inbound``.

    The phrases are read like an imported row's (``plans.add_task``), the owners among the plan's work group's
    names only; a problem is raised on its field and nothing is written.
    """
    _check_open(inbound, actor)
    if plan.work_group_id != inbound_to(inbound) or not can(actor, Action.ADMIN, plan) or plan.is_deleted:
        raise ServiceError("只能分解到本专班的工作计划", field="plan")
    task = plan_service.add_task(plan, text=text, deadline_phrase=deadline_phrase,
                                 responsible_phrase=responsible_phrase, actor=actor, now=now)
    return _add_link(inbound, task, actor=actor, now=now, verb="分解上级下达任务")


def link(inbound: Assignment, task: Task, *, actor: User, now: dt.datetime) -> TaskLink:
    """Link a task the lower group already has to ``inbound`` (its assignments then roll up into it)."""
    _check_open(inbound, actor)
    if (task.is_deleted or task.plan.is_deleted or task.plan.work_group_id != inbound_to(inbound)
            or not can(actor, Action.ADMIN, task)):
        raise ServiceError("只能关联本专班工作计划中的任务", field="task_id")
    exists = db.session.scalar(sa.select(TaskLink.id).where(TaskLink.parent_assignment_id == inbound.id,
                                                            TaskLink.task_id == task.id))
    if exists is not None:
        raise Conflict(f"任务 {task.number} 已关联到该上级下达任务", field="task_id")
    return _add_link(inbound, task, actor=actor, now=now, verb="关联已有任务")


def unlink(inbound: Assignment, task: Task, *, actor: User, now: dt.datetime) -> None:
    """Remove a task from the decomposition of ``inbound`` (the task itself stays in the lower plan)."""
    _check_open(inbound, actor)
    row = db.session.scalar(sa.select(TaskLink).where(TaskLink.parent_assignment_id == inbound.id,
                                                      TaskLink.task_id == task.id))
    if row is None:
        raise NotFound("该任务未关联到这项上级下达任务")
    record(actor, "task_link.delete", row, now=now,
           summary=f"取消分解：{inbound.task.plan.title} 任务 {inbound.task.number}"
                   f"，不再关联 {task.plan.title} 任务 {task.number}",
           before={"parent_assignment_id": inbound.id, "task_id": task.id})
    db.session.delete(row)
    db.session.flush()
    logger.info("inbound assignment %s unlinked from task %s by %s", inbound.id, task.id, actor.email)
