"""The policy's rules for the office's own records: the outbox and the audit trail (which rows a secretariat
reads). Part of the one policy module (tasktrack.permissions re-exports them); split out by size only."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from tasktrack.models import Assignment, Plan, Task, Unit, User


def owns_notification(user: User, row: Any) -> bool:
    """Whether a message is the (secretariat) user's work group's: to one of its units or its people; a message to
    neither (an operator's test) belongs to the top work group (agrees with ``own_notifications``)."""
    if row.unit is not None:
        return bool(row.unit.work_group_id == user.work_group_id)
    if row.user is not None:
        return bool(row.user.work_group_id == user.work_group_id)
    return user.work_group.parent_id is None


def own_notifications(user: User) -> sa.ColumnElement[bool]:
    """Return the WHERE clause of the outbox rows the (secretariat) user's work group owns."""
    from tasktrack.models import Notification

    own: list[sa.ColumnElement[bool]] = [
        Notification.unit_id.in_(sa.select(Unit.id).where(Unit.work_group_id == user.work_group_id)),
        Notification.user_id.in_(sa.select(User.id).where(User.work_group_id == user.work_group_id)),
    ]
    if user.work_group.parent_id is None:
        own.append(sa.and_(Notification.unit_id.is_(None), Notification.user_id.is_(None)))
    return sa.or_(*own)


def visible_audit_events(user: User) -> sa.ColumnElement[bool]:
    """Return the WHERE clause of the audit events a secretariat reads: the top work group's reads every event (the
    whole tree, the seed's and the scheduler's included); any other, the events whose actor works in its part of the
    tree or whose object (a unit, plan, task, assignment, case, account, plan import or work group) lies in it."""
    from tasktrack.models import AuditEvent, CaseReport, PlanImport, WorkGroup
    from tasktrack.permissions import visible_group_ids

    if user.work_group.parent_id is None:
        return sa.true()
    groups = sorted(visible_group_ids(user))
    units = sa.select(Unit.id).where(Unit.work_group_id.in_(groups))
    plans = sa.select(Plan.id).where(Plan.work_group_id.in_(groups))
    objects = {
        "Unit": units,
        "Plan": plans,
        "Task": sa.select(Task.id).where(Task.plan_id.in_(plans)),
        "Assignment": sa.select(Assignment.id).where(Assignment.unit_id.in_(units)),
        "CaseReport": sa.select(CaseReport.id).where(CaseReport.unit_id.in_(units)),
        "User": sa.select(User.id).where(User.work_group_id.in_(groups)),
        "PlanImport": sa.select(PlanImport.id).where(PlanImport.work_group_id.in_(groups)),
        "WorkGroup": sa.select(WorkGroup.id).where(WorkGroup.id.in_(groups)),
    }
    return sa.or_(
        AuditEvent.actor_id.in_(sa.select(User.id).where(User.work_group_id.in_(groups))),
        *(sa.and_(AuditEvent.object_type == kind, AuditEvent.object_id.in_(ids)) for kind, ids in objects.items()),
    )
