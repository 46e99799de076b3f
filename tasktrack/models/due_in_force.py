"""Keep ``Assignment.due_in_force`` equal to ``coalesce(extended_due, task.due_date)`` on every ORM flush.

The overdue lists filter and order by the due date in force; as one column of ``assignments`` under a partial index
(models/plan.py ``ix_assignments_red``) they read only the few red rows. The column is a copy, so it is kept here,
in one place, for every write that can change it, whichever service makes it: a new assignment (a plan import, a
membership sync, a 交办事项, a carry-over into the next year), an approved extension (``extended_due``), an
assignment moved to another task, and a task whose ``due_date`` changes (a task edited, a plan re-imported): that
task's assignments are read in one query and set.

Statements that bypass the ORM (a Core ``UPDATE tasks``, a bulk insert of assignments) must set it themselves:
the bench's generators do; the application has none (tests/services/test_due_in_force.py reads every path).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import InstanceState, Session

from tasktrack.models.plan import Assignment, Task


def _changed(obj: Assignment | Task, *names: str) -> bool:
    state: InstanceState[Assignment | Task] = sa.inspect(obj)
    return any(getattr(state.attrs, name).history.has_changes() for name in names)


def _task_of(session: Session, assignment: Assignment) -> Task | None:
    # The task the flush will write: the relationship when it was set (a new assignment made with task=…), else the
    # task of task_id (made with task_id=…, or moved), from the identity map when it is there.
    if _changed(assignment, "task") or assignment.task_id is None:
        return assignment.task
    return session.get(Task, assignment.task_id)


def _set(assignment: Assignment, task_due: dt.date | None) -> None:
    due = assignment.extended_due or task_due
    if assignment.due_in_force != due:  # setting an equal value is no change, but say so plainly
        assignment.due_in_force = due


def keep_due_in_force(session: Session, *_args: Any) -> None:
    """Before a flush: set the due date in force of every assignment whose extension, task or task's date changes."""
    with session.no_autoflush:
        retimed = {obj.id: obj for obj in session.dirty
                   if isinstance(obj, Task) and obj.id is not None and _changed(obj, "due_date")}
        for obj in [*session.new, *session.dirty]:
            if isinstance(obj, Assignment) and (
                    obj in session.new or _changed(obj, "extended_due", "task_id", "task")):
                task = _task_of(session, obj)
                _set(obj, task.due_date if task is not None else None)
        if retimed:
            # The stored assignments of a task whose date changes (those already loaded keep their pending edits).
            for assignment in session.scalars(
                    sa.select(Assignment).where(Assignment.task_id.in_(sorted(retimed)))):
                task = retimed.get(assignment.task_id)  # None: moved to another task in this flush, set above
                if task is not None:
                    _set(assignment, task.due_date)


def install() -> None:
    """Keep the column on every ORM session of the process (idempotent)."""
    if not sa.event.contains(Session, "before_flush", keep_due_in_force):
        sa.event.listen(Session, "before_flush", keep_due_in_force)
