"""Responsibility: who is assigned which task, kept in step with units' categories."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import InstanceState, Session, joinedload, selectinload

from tasktrack.domain.owners import OwnerReading, OwnerTerm, expand_owners
from tasktrack.extensions import db
from tasktrack.models import Assignment, Category, Plan, Task, TaskTerm, Unit, User
from tasktrack.services import NotFound
from tasktrack.services.audit import record

logger = logging.getLogger(__name__)

#: Why a synchronisation closes an assignment. Only assignments it closed itself does it reopen: one closed by the
#: secretariat's decision (结转, 关闭 with a reason) stays closed.
LEFT_RESPONSIBILITY = "单位不再属于该任务的责任单位"


def load_assignment(assignment_id: int) -> Assignment | None:
    """Return an assignment with its unit, task, section and plan loaded, or None; one query, none when the session
    holds it loaded already (the URL's work-group check, web/scope.py, loads it this way before the view does)."""
    held = db.session.identity_map.get(Session.identity_key(Assignment, assignment_id))
    if isinstance(held, Assignment) and _loaded(held, _WITH) and _loaded(held.task, _TASK_WITH):
        return held
    return db.session.scalar(
        sa.select(Assignment).where(Assignment.id == assignment_id).options(
            joinedload(Assignment.unit), joinedload(Assignment.acknowledged_by),
            joinedload(Assignment.task).options(joinedload(Task.plan), joinedload(Task.section)),
        )
    )


_WITH = frozenset({"unit", "acknowledged_by", "task"})
_TASK_WITH = frozenset({"plan", "section"})


def _loaded(obj: object, relations: frozenset[str]) -> bool:
    """Whether an object of the session is loaded (not expired) with these relations."""
    state = sa.inspect(obj)
    return isinstance(state, InstanceState) and not state.expired_attributes and not (state.unloaded & relations)


def get_assignment(assignment_id: int) -> Assignment:
    """Return an assignment (open or closed) with its unit, task, section and plan loaded.

    The one loader of an assignment by id: NotFound when there is none, or when its task or plan is deleted.
    """
    assignment = load_assignment(assignment_id)
    if assignment is None or assignment.task.is_deleted or assignment.task.plan.is_deleted:
        raise NotFound("任务分工不存在")
    return assignment


@dataclass
class SyncResult:
    """What a synchronisation changed."""

    opened: list[Assignment] = field(default_factory=list)
    reopened: list[Assignment] = field(default_factory=list)
    closed: list[Assignment] = field(default_factory=list)
    lead_changed: list[Assignment] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.opened or self.reopened or self.closed or self.lead_changed)

    def merge(self, other: SyncResult) -> None:
        """Add another result's changes to this one."""
        self.opened += other.opened
        self.reopened += other.reopened
        self.closed += other.closed
        self.lead_changed += other.lead_changed


@dataclass(frozen=True)
class Membership:
    """Which active units are in which category, by name, and the units by name."""

    members: dict[str, list[str]]
    unit_order: list[str]
    units: dict[str, Unit]

    @classmethod
    def load(cls, work_group_id: int) -> Membership:
        """Read one work group's current categories and active units (names are unique only within a group)."""
        units = list(
            db.session.scalars(
                sa.select(Unit)
                .where(Unit.is_active.is_(True), Unit.work_group_id == work_group_id)
                .options(selectinload(Unit.categories))
                .order_by(Unit.sort_order, Unit.id)
            )
        )
        members: dict[str, list[str]] = {
            c.name: [] for c in db.session.scalars(sa.select(Category).where(Category.work_group_id == work_group_id))
        }
        for unit in units:
            for category in unit.categories:
                members.setdefault(category.name, []).append(unit.name)
        return cls(members=members, unit_order=[u.name for u in units], units={u.name: u for u in units})


def task_reading(task: Task) -> OwnerReading:
    """Return a task's stored responsible terms (with their roles) in the pure owner reader's form."""
    terms = tuple(
        OwnerTerm(
            text=term.text,
            unit=term.unit.name if term.unit else None,
            category=term.category.name if term.category else None,
            role="lead" if term.role == "lead" else "co" if term.role == "co" else None,
        )
        for term in task.terms
    )
    return OwnerReading(phrase=task.responsible_phrase, terms=terms, unknown=(), vague=(), tail="")


def sync_task(task: Task, *, membership: Membership, actor: User | None, now: dt.datetime) -> SyncResult:
    """Open, reopen or close a task's assignments so they match its responsible phrase today.

    Two kinds are the secretariat's decisions and left as they are: an assignment closed by 结转 or 关闭 (any reason
    but :data:`LEFT_RESPONSIBILITY`) is not reopened, and one carried in from last year's plan (``carried_from_id``)
    is not closed for being outside the phrase.
    """
    result = SyncResult()
    wanted = {
        r.unit: r.is_lead
        for r in expand_owners(task_reading(task), members=membership.members, unit_order=membership.unit_order)
        if r.unit in membership.units
    }
    existing = {a.unit_id: a for a in task.assignments}
    for name, is_lead in wanted.items():
        unit = membership.units[name]
        assignment = existing.get(unit.id)
        if assignment is None:
            assignment = Assignment(task=task, unit=unit, is_lead=is_lead, created_at=now)
            db.session.add(assignment)
            result.opened.append(assignment)
        elif assignment.closed_at is not None:
            if assignment.closed_reason != LEFT_RESPONSIBILITY:
                continue  # closed by a decision (结转, 关闭), not by membership: it stays closed
            assignment.closed_at, assignment.closed_reason = None, None
            assignment.is_lead = is_lead
            result.reopened.append(assignment)
        elif assignment.is_lead != is_lead:
            assignment.is_lead = is_lead
            result.lead_changed.append(assignment)
    wanted_ids = {membership.units[name].id for name in wanted}
    for unit_id, assignment in existing.items():
        if unit_id not in wanted_ids and assignment.closed_at is None and assignment.carried_from_id is None:
            assignment.closed_at = now
            assignment.closed_reason = LEFT_RESPONSIBILITY
            result.closed.append(assignment)
    if result.changed:
        db.session.flush()
        for a in result.opened:
            record(actor, "assignment.open", a, now=now, summary=f"任务 {task.number} 分配给 {a.unit.name}")
        for a in result.reopened:
            record(actor, "assignment.reopen", a, now=now, summary=f"任务 {task.number} 重新分配给 {a.unit.name}")
        for a in result.closed:
            record(actor, "assignment.close", a, now=now,
                   summary=f"任务 {task.number} 不再由 {a.unit.name} 负责（历史保留）")
    return result


def open_tasks() -> list[Task]:
    """Return the tasks that still take assignments: not deleted, in plans neither closed nor deleted."""
    return list(
        db.session.scalars(
            sa.select(Task)
            .join(Plan, Task.plan_id == Plan.id)
            .where(Task.is_deleted.is_(False), Plan.is_closed.is_(False), Plan.is_deleted.is_(False))
            .options(
                selectinload(Task.plan),
                selectinload(Task.terms).selectinload(TaskTerm.unit),
                selectinload(Task.terms).selectinload(TaskTerm.category),
                selectinload(Task.assignments).selectinload(Assignment.unit),
            )
            .order_by(Task.plan_id, Task.number)
        )
    )


def sync_tasks(tasks: Iterable[Task], *, actor: User | None, now: dt.datetime) -> SyncResult:
    """Synchronise the assignments of several tasks with one membership snapshot per work group."""
    memberships: dict[int, Membership] = {}
    total = SyncResult()
    for task in tasks:
        group_id = task.plan.work_group_id
        if group_id not in memberships:
            memberships[group_id] = Membership.load(group_id)
        total.merge(sync_task(task, membership=memberships[group_id], actor=actor, now=now))
    if total.changed:
        logger.info(
            "assignments synced: %s opened, %s reopened, %s closed",
            len(total.opened), len(total.reopened), len(total.closed),
        )
    return total


def sync_open_tasks(*, actor: User | None, now: dt.datetime) -> SyncResult:
    """Bring every open task's assignments in line with the units' current categories."""
    return sync_tasks(open_tasks(), actor=actor, now=now)
