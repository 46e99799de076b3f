"""上级下达任务: a higher plan's assignments addressed to a lower work group, their 分解 and the roll-up.

A unit of a higher work group may stand for a lower one (``Unit.represents_work_group_id``: 杭州市 in the provincial
plan stands for 杭州市清廉社会组织建设工作专班). Its assignments are the lower group's *inbound* assignments. The
lower secretariat decomposes each one into tasks of its own plan (``decompose``: a new task; ``link``: a task it
already has), and the inbound assignment then rolls up from those tasks' assignments (``domain/rollup.py``).

Reading is batched: ``inbound_assignments``, ``rollups`` and ``inbound_detail`` issue a fixed number of queries
however many inbound assignments, links and sub-assignments there are.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import logging
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased, joinedload, selectinload

from tasktrack.clock import SHANGHAI, local_date
from tasktrack.domain.lights import Light, LightResult, months_before
from tasktrack.domain.rollup import Rollup, RollupState, SubAssignment, rollup
from tasktrack.extensions import db
from tasktrack.models import (
    Assignment,
    AssignmentStatus,
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
from tasktrack.models.base import UTCDateTime
from tasktrack.permissions import Action, can, inbound_to, require
from tasktrack.services import Conflict, NotFound, ServiceError
from tasktrack.services import plans as plan_service
from tasktrack.services.audit import record
from tasktrack.services.progress import latest_reports
from tasktrack.services.read.overview import LIGHT_COLUMNS, LightColumns, light_columns, light_from, light_of

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


#: What makes an assignment an open inbound one of a live, open plan (its unit, task and plan joined).
_OPEN_INBOUND = (Unit.represents_work_group_id.is_not(None), Assignment.closed_at.is_(None),
                 Task.is_deleted.is_(False), Plan.is_deleted.is_(False), Plan.is_closed.is_(False))


def _inbound_select() -> sa.Select[tuple[Assignment]]:
    """Open inbound assignments of live, open plans, with unit, task and plan loaded."""
    return (
        sa.select(Assignment)
        .join(Unit, Assignment.unit_id == Unit.id)
        .join(Task, Assignment.task_id == Task.id)
        .join(Plan, Task.plan_id == Plan.id)
        .where(*_OPEN_INBOUND)
        .options(joinedload(Assignment.unit), joinedload(Assignment.task).joinedload(Task.plan))
    )


def _period_start(inbound: Assignment, today: dt.date) -> dt.date:
    """Return the first day of the inbound task's current reporting period (its cadence, else its plan's)."""
    task = inbound.task
    return _start(task.period_months or task.plan.report_period_months, today)


def _start(period_months: int, today: dt.date) -> dt.date:
    """Return the first day of a reporting period of ``period_months`` months ending today: the day after the
    light's window start (domain/lights.py), so "reported this period" and "not stale" are the same test."""
    return months_before(today, period_months) + dt.timedelta(days=1)


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
            facts += [_facts(r.light, r.assignment.last_reported_at, r.assignment.created_at, link.created_at, start)
                      for r in sub_rows]
        rows.append(InboundRow(a, own, _derive(a.status, own, start, facts), linked))
    return rows


@dataclass(frozen=True)
class SubFacts:
    """What the roll-up reads of ``count`` sub-assignments alike: their light, the day they count as reported on
    for the roll-up (None: not in the current period), and whether they really reported in it."""

    light: LightResult
    report_on: dt.date | None
    reported: bool
    count: int = 1


def _facts(light: LightResult, last_reported_at: dt.datetime | None, created_at: dt.datetime,
           linked_at: dt.datetime, start: dt.date) -> SubFacts:
    """Return one sub-assignment's facts from its instants (``start``: the first day of the inbound's period)."""
    # As for a plain assignment's light, being handed the work counts as a report (no instant "stale"): the later
    # of its last report (else its creation) and its link. The count shown is of real reports only.
    report_on = max(local_date(last_reported_at or created_at), local_date(linked_at))
    reported = last_reported_at is not None and local_date(last_reported_at) >= start
    return SubFacts(light, report_on, reported)


def _tie_key(f: SubFacts) -> tuple[int, int, str, bool]:
    light = f.light
    return (light.light.severity, light.days_left if light.days_left is not None else 0, light.reason.value,
            light.days_left is None)


def _derive(status: AssignmentStatus, own: LightResult, start: dt.date, facts: Sequence[SubFacts]) -> Rollup:
    """Return an inbound assignment's roll-up from its status, its own light, the first day of its period and its
    sub-assignments' facts."""
    # The worst light's ties (same colour and days left, another reason) go the same way whoever gathered the facts.
    subs = [SubAssignment(f.light, f.report_on, f.count) for f in sorted(facts, key=_tie_key)]
    result = rollup(own, subs, period_start=start, own_completed=status is AssignmentStatus.COMPLETED)
    reported = sum(f.count for f in facts if f.reported)
    return dataclasses.replace(result, reported_this_period=reported)


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


def rollups(inbound_ids: Iterable[int], today: dt.date) -> dict[int, Rollup]:
    """Return the roll-up of each given inbound assignment, by id, in a fixed number of queries.

    For dashboards of any level: pass the ids of the assignments of units that stand for lower work groups (the
    ids of other assignments, and of closed or deleted ones, are left out of the answer). Each ``Rollup`` carries
    the state (未分解 / 推进中 / 可申报完成 / 已完成), the light and the counts (sub-assignments, done, overdue,
    reported this period).
    """
    ids = sorted(set(inbound_ids))
    if not ids:
        return {}
    found = db.session.execute(
        sa.select(Assignment.id, *LIGHT_COLUMNS)
        .join(Unit, Assignment.unit_id == Unit.id)
        .join(Task, Assignment.task_id == Task.id)
        .join(Plan, Task.plan_id == Plan.id)
        .where(*_OPEN_INBOUND, Assignment.id.in_(ids))
    ).tuples().all()
    return rollups_of_open({aid: LightColumns(*columns) for aid, *columns in found}, today)


def rollups_of_loaded(inbound: Iterable[Assignment], today: dt.date) -> dict[int, Rollup]:
    """Like :func:`rollups`, for open inbound assignments already loaded with their task and plan (one query fewer);
    those of closed plans are left out of the answer."""
    return rollups_of_open({a.id: light_columns(a, a.task, a.task.plan) for a in inbound if not a.task.plan.is_closed},
                           today)


#: The reporting periods (months) whose first instant the database is always given (:func:`_sub_facts`): the
#: cadences a reminder knows (domain/reminder_policy.py), and the inbound tasks' own periods are added to them. A
#: sub-assignment whose own period is another is read with its last report as it is, so any period is exact.
KNOWN_PERIODS = (1, 2, 3, 4, 6, 12)


def _window_end(period_months: int, today: dt.date) -> dt.datetime:
    """Return the first instant (UTC) of the first day of a period of ``period_months`` months ending today: a
    report at or after it falls in the period (its Asia/Shanghai day is on or after :func:`_start`)."""
    day = _start(period_months, today)
    return dt.datetime.combine(day, dt.time(), tzinfo=SHANGHAI).astimezone(dt.UTC)


def rollups_of_open(inbound: Mapping[int, LightColumns], today: dt.date) -> dict[int, Rollup]:
    """Return the roll-up of each open inbound assignment of an open plan, given as its light's columns, by id
    (one query: :func:`rollups` without its first)."""
    facts: dict[int, list[SubFacts]] = {aid: [] for aid in inbound}
    periods = {aid: c.period_months or c.report_period_months for aid, c in inbound.items()}
    starts = {p: _start(p, today) for p in set(periods.values())}
    if inbound:
        for parent_id, fact in _sub_facts(periods, today):
            facts[parent_id].append(fact)
    return {aid: _derive(c.status, light_from(c, today), starts[periods[aid]], facts[aid])
            for aid, c in inbound.items()}


def _sub_facts(parents: Mapping[int, int], today: dt.date) -> Iterator[tuple[int, SubFacts]]:
    """Yield the facts of the open sub-assignments of these inbound assignments (id → its period in months), alike
    ones counted together.

    A province's tree has tens of thousands of sub-assignments: the database groups them by what their light and
    the roll-up read, and each group's light is computed once by the one light function (overview.light_from).
    Of a sub-assignment's instants only comparisons with a period's first instant (:func:`_window_end`) are read:
    its last report against its own period (the light's 本期未报送), its last report and its hand-over against the
    inbound task's period (the roll-up's). Those first instants come in time order, so each instant is read as how
    many of them it has reached (a step, 0 … n), which answers every comparison; the group is then given instants
    that answer them the same way. Of a completion date only "after the due date" is read (逾期完成), so a group
    keeps any one of them.
    """
    known = sorted(set(KNOWN_PERIODS) | set(parents.values()), reverse=True)  # the oldest first instant first
    ends = [_window_end(p, today) for p in known]
    reached = {p: k + 1 for k, p in enumerate(known)}  # the step at which an instant is in a period of p months
    starts = {p: _start(p, today) for p in known}
    lights: dict[tuple[Any, ...], LightResult] = {}  # alike groups of different inbound tasks share a light
    for (parent_id, status, extended_due, due_date, kind, period_months, issued_on, year, warning_days,
         report_period_months, _late, last_step, own_step, linked_step, last_reported_at, completed_on,
         count) in db.session.execute(_sub_facts_statement(len(known)),
                                      {"parents": sorted(parents), "known": known,
                                       **{f"end_{k}": end for k, end in enumerate(ends)}}):
        period = parents[parent_id]
        own_period = period_months or report_period_months
        if last_reported_at is None and own_period in reached:  # an instant that reaches the same steps
            last_reported_at = ends[reached[own_period] - 1] if last_step >= reached[own_period] else None
        columns = (status, completed_on, extended_due, last_reported_at, due_date, kind, period_months, issued_on,
                   year, warning_days, report_period_months)
        light = lights.get(columns)
        if light is None:
            light = lights[columns] = light_from(LightColumns(*columns), today)
        handed = max(own_step, linked_step) >= reached[period]
        yield parent_id, SubFacts(light, starts[period] if handed else None, last_step >= reached[period], count)


@functools.cache
def _sub_facts_statement(steps: int) -> sa.Select[Any]:
    """The grouped SELECT of :func:`_sub_facts` for ``steps`` first instants, built once: the inbound ids
    (``parents``), the periods read in steps (``known``) and their first instants, oldest first (``end_0`` …)."""
    sub = aliased(Assignment)

    def step(instant: sa.ColumnExpressionArgument[Any]) -> sa.ColumnElement[int]:
        """How many of the first instants ``instant`` has reached (0 when it is NULL or older than all)."""
        return sa.case(*[(instant >= sa.bindparam(f"end_{k}", type_=UTCDateTime()), k + 1)
                         for k in reversed(range(steps))], else_=0)

    own_period = sa.func.coalesce(sa.func.nullif(Task.period_months, 0), Plan.report_period_months)
    rows = (
        sa.select(
            TaskLink.parent_assignment_id.label("parent_id"), sub.status, sub.extended_due, Task.due_date,
            Task.deadline_kind, Task.period_months, Plan.issued_on, Plan.year, Plan.warning_days,
            Plan.report_period_months,
            sa.case((sub.completed_on > sa.func.coalesce(sub.extended_due, Task.due_date), 1), else_=0).label("late"),
            step(sub.last_reported_at).label("last_step"),
            step(sa.func.coalesce(sub.last_reported_at, sub.created_at)).label("own_step"),
            step(TaskLink.created_at).label("linked_step"),
            # A period not read in steps: the last report as it is.
            sa.case((own_period.not_in(sa.bindparam("known", expanding=True)), sub.last_reported_at))
            .label("last_reported_at"),
            sub.completed_on)
        .join(Task, TaskLink.task_id == Task.id)
        .join(Plan, Task.plan_id == Plan.id)
        .join(sub, sub.task_id == Task.id)
        .where(TaskLink.parent_assignment_id.in_(sa.bindparam("parents", expanding=True)),
               Task.is_deleted.is_(False), Plan.is_deleted.is_(False), sub.closed_at.is_(None))
    ).subquery()
    keys = [c for c in rows.c if c.key != "completed_on"]
    return sa.select(*keys, sa.func.max(rows.c.completed_on), sa.func.count()).group_by(*keys)


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
