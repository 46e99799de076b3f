"""Read models of the work-group tree: each group's counts and the lights of its 上级下达任务 (inbound tasks).

A lower work group's progress reaches its parent through its inbound tasks: the parent plans' assignments of the
unit that stands for it. The parent's dashboard shows, per child group, how many inbound tasks are not yet
decomposed (未分解), red, yellow and done; the tree page adds each group's own plans, secretariat accounts and the
open assignments of its own plans (total, red, done — counted by the database, red being a plain predicate, see
services/read/overdue.py). Every function here runs a fixed number of queries however many groups and rows.

The roll-up seam: an inbound assignment's state and light come from ``services.rollups.rollups`` (the batch
roll-up of its linked sub-assignments) when that module is present; until then from the assignment's own light and
whether any task is linked to it yet (:func:`_own_rollups`). Both return ``domain.rollup.Rollup`` per assignment id.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager

from tasktrack import cache
from tasktrack.domain.lights import Light, LightResult
from tasktrack.domain.rollup import Rollup, RollupState
from tasktrack.extensions import db
from tasktrack.models import (
    Assignment,
    AssignmentStatus,
    Plan,
    PlanKind,
    Role,
    Task,
    TaskLink,
    Unit,
    User,
    WorkGroup,
)
from tasktrack.services import rollups as inbound_rollups
from tasktrack.services.read.overview import LIGHT_COLUMNS, AssignmentRow, LightColumns, light_from, light_of


@dataclass
class InboundCounts:
    """A group's inbound tasks counted by roll-up state and light."""

    total: int = 0
    undecomposed: int = 0
    red: int = 0
    yellow: int = 0
    green: int = 0
    done: int = 0
    may_claim: int = 0

    def add(self, rollup: Rollup) -> None:
        """Count one inbound assignment."""
        self.total += 1
        if rollup.state is RollupState.UNDECOMPOSED:
            self.undecomposed += 1
        elif rollup.state is RollupState.MAY_CLAIM:
            self.may_claim += 1
        light = rollup.light.light
        setattr(self, light.value, getattr(self, light.value) + 1)

    def as_dict(self) -> dict[str, int]:
        return {"total": self.total, "undecomposed": self.undecomposed, "red": self.red, "yellow": self.yellow,
                "green": self.green, "done": self.done, "may_claim": self.may_claim}


@dataclass
class OwnCounts:
    """The open assignments of a group's own plans: how many, how many red, how many done."""

    plans: int = 0
    total: int = 0
    red: int = 0
    done: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"plans": self.plans, "total": self.total, "red": self.red, "done": self.done}


@dataclass(frozen=True)
class InboundRow:
    """One inbound task of a group: the higher plan's assignment, its light and its roll-up."""

    row: AssignmentRow
    rollup: Rollup

    @property
    def assignment(self) -> Assignment:
        return self.row.assignment


@dataclass
class GroupStat:
    """One work group with what its parent's dashboard and the tree page show of it."""

    group: WorkGroup
    unit: Unit | None = None
    inbound: InboundCounts = field(default_factory=InboundCounts)
    own: OwnCounts = field(default_factory=OwnCounts)
    plans: list[Plan] = field(default_factory=list)
    secretariat: list[User] = field(default_factory=list)


def _own_rollups(inbound: Sequence[tuple[int, AssignmentStatus, LightResult]]) -> dict[int, Rollup]:
    """The roll-up of an inbound assignment the cascade does not roll up (a closed plan's), given as (id, status,
    light): its own light; undecomposed while nothing links."""
    ids = [aid for aid, _status, _light in inbound]
    linked: set[int] = set()
    if ids:
        linked = set(db.session.scalars(
            sa.select(TaskLink.parent_assignment_id).where(TaskLink.parent_assignment_id.in_(ids)).distinct()))
    result: dict[int, Rollup] = {}
    for aid, status, light in inbound:
        if status is AssignmentStatus.COMPLETED:
            state = RollupState.COMPLETED
        elif aid in linked:
            state = RollupState.IN_PROGRESS
        else:
            state = RollupState.UNDECOMPOSED
        result[aid] = Rollup(state, light, total=0, done=0, overdue=0, reported_this_period=0)
    return result


def rollups(rows: Sequence[AssignmentRow], today: dt.date) -> dict[int, Rollup]:
    """Return each inbound assignment's roll-up (services/rollups; its own light where the cascade has none)."""
    found = inbound_rollups.rollups_of_loaded([r.assignment for r in rows], today)
    fallback = _own_rollups([(r.assignment.id, r.assignment.status, r.light) for r in rows
                             if r.assignment.id not in found])
    return {**fallback, **found}


def inbound_rows(group_ids: Collection[int], today: dt.date) -> dict[int, list[InboundRow]]:
    """Return the open inbound tasks of each group (by group id), worst light first; two or three queries."""
    if not group_ids:
        return {}
    assignments = db.session.scalars(
        sa.select(Assignment)
        .join(Unit, Assignment.unit_id == Unit.id)
        .join(Task, Assignment.task_id == Task.id)
        .join(Plan, Task.plan_id == Plan.id)
        .where(Unit.represents_work_group_id.in_(sorted(group_ids)), Assignment.closed_at.is_(None),
               Task.is_deleted.is_(False), Plan.is_deleted.is_(False))
        .options(contains_eager(Assignment.unit), contains_eager(Assignment.task).contains_eager(Task.plan))
    ).unique().all()
    rows = [AssignmentRow(a, light_of(a, a.task, a.task.plan, today)) for a in assignments]
    found = rollups(rows, today)
    result: dict[int, list[InboundRow]] = {}
    for r in rows:
        group_id = r.unit.represents_work_group_id
        assert group_id is not None
        result.setdefault(group_id, []).append(InboundRow(r, found[r.assignment.id]))
    for items in result.values():
        items.sort(key=lambda i: (i.rollup.state is not RollupState.UNDECOMPOSED, i.rollup.light.light.severity,
                                  i.assignment.task.plan_id, i.assignment.task.number, i.assignment.id))
    return result


def _own_counts(group_ids: Collection[int], today: dt.date) -> dict[int, OwnCounts]:
    """Count each group's plans and their open assignments (total, red, done) in two aggregate queries."""
    ids = sorted(group_ids)
    counts = {gid: OwnCounts() for gid in ids}
    for gid, n in db.session.execute(
            sa.select(Plan.work_group_id, sa.func.count(Plan.id))
            .where(Plan.work_group_id.in_(ids), Plan.is_deleted.is_(False)).group_by(Plan.work_group_id)):
        counts[gid].plans = n
    completed = Assignment.status == AssignmentStatus.COMPLETED
    due = sa.func.coalesce(Assignment.extended_due, Task.due_date)
    red = sa.and_(sa.not_(completed), due < today)  # red's plain predicate (services/read/overdue.py)
    for gid, total, n_red, n_done in db.session.execute(
            sa.select(Plan.work_group_id, sa.func.count(Assignment.id),
                      sa.func.count(sa.case((red, 1))), sa.func.count(sa.case((completed, 1))))
            .join(Task, Assignment.task_id == Task.id).join(Plan, Task.plan_id == Plan.id)
            .where(Plan.work_group_id.in_(ids), Plan.is_deleted.is_(False), Task.is_deleted.is_(False),
                   Assignment.closed_at.is_(None))
            .group_by(Plan.work_group_id)):
        counts[gid].total, counts[gid].red, counts[gid].done = total, n_red, n_done
    return counts


def _inbound_counts(group_ids: Collection[int], today: dt.date) -> dict[int, InboundCounts]:
    """Count each group's open inbound tasks by roll-up, read as columns (no object per assignment); the same
    roll-ups as :func:`inbound_rows` in two or three queries."""
    counts = {gid: InboundCounts() for gid in group_ids}
    if not group_ids:
        return counts
    found = db.session.execute(
        sa.select(Assignment.id, Unit.represents_work_group_id, Plan.is_closed, *LIGHT_COLUMNS)
        .join(Unit, Assignment.unit_id == Unit.id)
        .join(Task, Assignment.task_id == Task.id)
        .join(Plan, Task.plan_id == Plan.id)
        .where(Unit.represents_work_group_id.in_(sorted(group_ids)), Assignment.closed_at.is_(None),
               Task.is_deleted.is_(False), Plan.is_deleted.is_(False))
    ).tuples().all()
    columns = {aid: LightColumns(*light) for aid, _gid, _closed, *light in found}
    open_ones = {aid: columns[aid] for aid, _gid, closed, *_ in found if not closed}
    rolled = inbound_rollups.rollups_of_open(open_ones, today)
    rolled.update(_own_rollups([(aid, columns[aid].status, light_from(columns[aid], today))
                                for aid, _gid, closed, *_ in found if closed]))
    for aid, gid, *_ in found:
        counts[gid].add(rolled[aid])
    return counts


def _counts(group_ids: list[int], today: dt.date) -> dict[tuple[str, int, dt.date], tuple[InboundCounts, OwnCounts]]:
    """Count each group's inbound tasks by roll-up and its own plans' open assignments (a fixed number of queries)."""
    inbound = _inbound_counts(group_ids, today)
    own = _own_counts(group_ids, today)
    return {("group_counts", gid, today): (inbound[gid], own[gid]) for gid in group_ids}


def group_stats(groups: Sequence[WorkGroup], today: dt.date, *, details: bool = False) -> list[GroupStat]:
    """Return each group's inbound counts and own counts (and, with ``details``, its plans and secretariat)."""
    ids = [g.id for g in groups]
    stats = {g.id: GroupStat(g) for g in groups}
    if not ids:
        return []
    stand_ins: dict[int, list[int]] = {gid: [] for gid in ids}
    for unit in db.session.scalars(sa.select(Unit).where(Unit.represents_work_group_id.in_(ids))):
        assert unit.represents_work_group_id is not None
        stats[unit.represents_work_group_id].unit = unit
        stand_ins[unit.represents_work_group_id].append(unit.id)
    # Each group's counts change only with its own part of the tree (tree:G) and the higher plans' assignments of
    # the units standing for it (unit:U): kept per group, so a county's report recounts its own groups only.
    counted = cache.memo_by_scope(
        {("group_counts", gid, today): [f"tree:{gid}", *(f"unit:{u}" for u in stand_ins[gid])] for gid in ids},
        lambda keys: _counts([key[1] for key in keys], today))
    for gid in ids:
        inbound, own = counted[("group_counts", gid, today)]
        stats[gid].inbound, stats[gid].own = dataclasses.replace(inbound), dataclasses.replace(own)
    if details:
        for plan in db.session.scalars(sa.select(Plan).where(Plan.work_group_id.in_(ids), Plan.is_deleted.is_(False),
                                                             Plan.kind == PlanKind.PLAN)
                                       .order_by(Plan.year.desc(), Plan.id)):
            stats[plan.work_group_id].plans.append(plan)
        for user in db.session.scalars(sa.select(User).where(User.work_group_id.in_(ids),
                                                             User.role == Role.SECRETARIAT).order_by(User.id)):
            stats[user.work_group_id].secretariat.append(user)
    return [stats[g.id] for g in groups]


def children_of(group: WorkGroup) -> list[WorkGroup]:
    """Return the groups directly below ``group`` in creation order."""
    return list(db.session.scalars(sa.select(WorkGroup).where(WorkGroup.parent_id == group.id)
                                   .order_by(WorkGroup.created_at, WorkGroup.id)))


def path_to(group: WorkGroup, visible: Collection[int] | None) -> list[WorkGroup]:
    """Return the groups from the highest one the reader sees down to ``group`` (the breadcrumb), one query; none
    when the reader does not see the group's parent (a secretariat's own 督办总览: the breadcrumb is the group)."""
    if group.parent_id is None or (visible is not None and group.parent_id not in visible):
        return [group]
    groups = {g.id: g for g in db.session.scalars(sa.select(WorkGroup))}
    chain = [group]
    parent: int | None = group.parent_id
    while parent is not None and parent in groups and (visible is None or parent in visible) \
            and groups[parent] not in chain:
        chain.append(groups[parent])
        parent = groups[parent].parent_id
    return list(reversed(chain))


def light_counts_label(counts: InboundCounts) -> Light | None:
    """Return the worst light among a group's inbound tasks (None when it has none)."""
    for light in (Light.RED, Light.YELLOW, Light.GREEN, Light.DONE):
        if getattr(counts, light.value):
            return light
    return None


@dataclass
class LevelView:
    """A group's place in the tree: the breadcrumb, its child groups' inbound counts, its own inbound tasks."""

    group: WorkGroup
    path: list[WorkGroup]
    children: list[GroupStat]
    inbound: list[InboundRow]

    @property
    def inbound_counts(self) -> InboundCounts:
        counts = InboundCounts()
        for item in self.inbound:
            counts.add(item.rollup)
        return counts


def level_view(group: WorkGroup, today: dt.date, visible: Collection[int] | None) -> LevelView:
    """Return the breadcrumb, the child groups with their inbound counts and the group's own inbound tasks (none
    for the top group: a unit stands only for a group below another, work_group_admin.create_work_group)."""
    children = children_of(group)
    stats = group_stats(children, today)
    inbound = inbound_rows([group.id], today).get(group.id, []) if group.parent_id is not None else []
    return LevelView(group=group, path=path_to(group, visible), children=stats, inbound=inbound)

