"""The overdue (red) assignment list in SQL, and the one order every assignment list is sorted in.

A light is a pure function of an assignment, its task, its plan and today (domain/lights.py), and most
lights need Python (warning windows, reporting periods). Red alone is a plain predicate: not completed and
the due date in force, ``coalesce(assignments.extended_due, tasks.due_date)``, before today. So the overdue
list, the one a province pages through, is filtered, ordered and cut into pages by the database, with a
separate COUNT for the total, and only the page's rows are loaded. Their lights are still computed by
``light_of``: the pure function stays the authority, and a row it does not light red fails loudly.

The due date in force is kept on the assignment (``Assignment.due_in_force``, models/due_in_force.py) under a
partial index over the open, uncompleted assignments (``ix_assignments_red``): the red rows are one range scan of
that index — a few hundred of ~20,000 at province scale — joined to their tasks and plans by key, for the COUNT and
for the page alike. The open/uncompleted condition is written with a literal (``_open_unfinished``), as the index
is, so that both databases see that the query implies it.

``row_key`` (Python) and ``_order_by`` (SQL) are the same order, kept side by side: the Python path of the
other filters and this SQL path must give exactly the same pages (tests/services/test_overdue.py).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Collection
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.orm import InstrumentedAttribute

from tasktrack.domain.deadlines import DeadlineKind
from tasktrack.domain.lights import Light, LightResult, Reason
from tasktrack.extensions import db
from tasktrack.models import (
    Assignment,
    AssignmentStatus,
    Category,
    CompletionState,
    Plan,
    Section,
    Task,
    Unit,
    unit_categories,
)
from tasktrack.services.read.filters import Filters
from tasktrack.services.read.overview import AssignmentRow, LightColumns, light_from

#: Sorts rows without a due date after every dated one.
NO_DUE = 10**6


class ListSection(NamedTuple):
    """What the overdue lists show of a task's section."""

    id: int
    number: int
    title: str


class ListPlan(NamedTuple):
    """What the overdue lists show of a task's plan."""

    id: int
    work_group_id: int
    year: int
    title: str


class ListTask(NamedTuple):
    """What the overdue lists show of a task, with its section and plan."""

    id: int
    plan_id: int
    section_id: int
    number: int
    text: str
    deadline_phrase: str
    deadline_kind: DeadlineKind
    due_date: dt.date | None
    section: ListSection
    plan: ListPlan


class ListUnit(NamedTuple):
    """What the overdue lists show of a unit."""

    id: int
    name: str
    sort_order: int


class ListAssignment(NamedTuple):
    """An overdue row's assignment as the page and the API show it: its columns, read as a tuple (no ORM object,
    no identity map); the attributes are the model's, so templates and serializers read it as they read one."""

    id: int
    task_id: int
    unit_id: int
    is_lead: bool
    status: AssignmentStatus
    percent: int | None
    completed_on: dt.date | None
    extended_due: dt.date | None
    last_reported_at: dt.datetime | None
    completion_state: CompletionState
    closed_at: dt.datetime | None
    acknowledged_at: dt.datetime | None
    handler_name: str | None
    handler_phone: str | None
    task: ListTask
    unit: ListUnit

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    @property
    def effective_due(self) -> dt.date | None:
        """Models' ``Assignment.effective_due``: the approved extension, else the task's date."""
        return self.extended_due or self.task.due_date


class ListRow(NamedTuple):
    """An overdue row with its light (``AssignmentRow``'s shape)."""

    assignment: ListAssignment
    light: LightResult

    @property
    def unit(self) -> ListUnit:
        return self.assignment.unit


#: The columns of one overdue row, in :func:`_list_row`'s order: the assignment's, its task's, section's, plan's
#: (with those its light needs) and unit's.
_COLUMNS = (Assignment.id, Assignment.task_id, Assignment.unit_id, Assignment.is_lead, Assignment.status,
            Assignment.percent, Assignment.completed_on, Assignment.extended_due, Assignment.last_reported_at,
            Assignment.completion_state, Assignment.closed_at, Assignment.acknowledged_at, Assignment.handler_name,
            Assignment.handler_phone,
            Task.plan_id, Task.section_id, Task.number, Task.text, Task.deadline_phrase, Task.deadline_kind,
            Task.due_date, Task.period_months,
            Section.number, Section.title,
            Plan.work_group_id, Plan.year, Plan.title, Plan.issued_on, Plan.warning_days, Plan.report_period_months,
            Unit.name, Unit.sort_order)


def _list_row(r: Any, today: dt.date) -> ListRow:
    """Return one :data:`_COLUMNS` row as a :class:`ListRow` with its light (the same pure function as every list)."""
    (aid, task_id, unit_id, is_lead, status, percent, completed_on, extended_due, last_reported_at, state, closed_at,
     acknowledged_at, handler_name, handler_phone, plan_id, section_id, number, text, phrase, kind, due_date,
     period_months, section_number, section_title, group_id, year, plan_title, issued_on, warning_days,
     report_period_months, unit_name, sort_order, *_total) = r
    task = ListTask(task_id, plan_id, section_id, number, text, phrase, kind, due_date,
                    ListSection(section_id, section_number, section_title),
                    ListPlan(plan_id, group_id, year, plan_title))
    light = light_from(LightColumns(status, completed_on, extended_due, last_reported_at, due_date, kind,
                                    period_months, issued_on, year, warning_days, report_period_months), today)
    assignment = ListAssignment(aid, task_id, unit_id, is_lead, status, percent, completed_on, extended_due,
                                last_reported_at, state, closed_at, acknowledged_at, handler_name, handler_phone,
                                task, ListUnit(unit_id, unit_name, sort_order))
    return ListRow(assignment, light)


def list_rows(ids: Collection[int], today: dt.date) -> list[ListRow]:
    """Return these assignments as :class:`ListRow` (one statement, in no particular order): the rows a page shows
    of the red ones it counted (督办总览's 逾期任务)."""
    if not ids:
        return []
    found = db.session.execute(
        sa.select(*_COLUMNS)
        .join(Task, Assignment.task_id == Task.id)
        .join(Plan, Task.plan_id == Plan.id)
        .join(Section, Task.section_id == Section.id)
        .join(Unit, Assignment.unit_id == Unit.id)
        .where(Assignment.id.in_(sorted(ids)))
    ).all()
    return [_list_row(r, today) for r in found]


def row_key(row: AssignmentRow | ListRow) -> tuple[Any, ...]:
    """Return the sort key of a row: red first, fewest days left, then task, unit and plan order; total."""
    a, task = row.assignment, row.assignment.task
    days_left = row.light.days_left
    return (
        row.light.light.severity,
        days_left if days_left is not None else NO_DUE,
        task.number,
        a.unit.sort_order,
        task.plan_id,
        task.section.number,
        not a.is_lead,
        a.unit_id,
        a.id,
    )


def _open_unfinished() -> list[sa.ColumnElement[bool]]:
    """Return models/plan.py ``OPEN_UNFINISHED`` (the partial index's condition) as SQL over ``Assignment``."""
    return [Assignment.closed_at.is_(None),
            Assignment.status != sa.literal_column(f"'{AssignmentStatus.COMPLETED.value}'")]


def _order_by() -> list[sa.ColumnElement[Any] | InstrumentedAttribute[Any]]:
    """Return ``row_key`` in SQL for red rows (all of one severity; fewer days left = earlier due date)."""
    return [Assignment.due_in_force, Task.number, Unit.sort_order, Task.plan_id, Section.number,
            Assignment.is_lead.desc(), Assignment.unit_id, Assignment.id]


def selects_red(filters: Filters) -> bool:
    """Return True when the filters ask for red rows only (light=red and/or reason=overdue)."""
    return filters.light is Light.RED or filters.reason == Reason.OVERDUE.value


class _Shape(NamedTuple):
    """Which of the filters' conditions an overdue statement has; their values are its parameters (:func:`_shape`)."""

    plan: bool
    groups: bool
    #: A light or reason that no red row has: the statement selects nothing.
    nothing: bool
    #: "claimed" or "unacknowledged" (None: no condition of its own).
    reason: str | None
    section: bool
    unit: bool
    readable: bool
    inbound: bool
    category: bool


def _shape(plan: Plan | None, today: dt.date, filters: Filters,
           groups: Collection[int] | None) -> tuple[_Shape, dict[str, Any]]:
    """Return the shape of the statement ``Filters.matches`` is for red rows, and the values of its parameters."""
    params: dict[str, Any] = {"today": today}
    if plan is not None:
        params["plan_id"] = plan.id
    if groups is not None:
        params["groups"] = sorted(groups)
    if filters.section_id is not None:
        params["section_id"] = filters.section_id
    if filters.unit_id is not None:
        params["unit_id"] = filters.unit_id
    inbound = filters.groups is not None and filters.inbound_group is not None
    if filters.groups is not None:
        params["readable"] = sorted(filters.groups)
        if inbound:
            params["inbound_group"] = filters.inbound_group
    if filters.category is not None:
        params["category"] = filters.category
    reason = filters.reason if filters.reason in ("claimed", "unacknowledged") else None
    # A red row has reason "overdue"; any other light or reason asked for alongside selects nothing.
    nothing = filters.light not in (None, Light.RED) or (
        reason is None and filters.reason not in (None, Reason.OVERDUE.value))
    shape = _Shape(plan is not None, groups is not None, nothing, reason, filters.section_id is not None,
                   filters.unit_id is not None, filters.groups is not None, inbound, filters.category is not None)
    return shape, params


def _conditions(shape: _Shape) -> list[sa.ColumnElement[bool]]:
    """Return ``Filters.matches`` for red rows, as SQL over assignments joined to tasks, plans and units, its values
    bound parameters (named as :func:`_shape` gives them)."""
    conditions: list[sa.ColumnElement[bool]] = [
        # Red (domain/lights.py): open, not completed (a claimed completion counts as completed) and past due.
        *_open_unfinished(),
        # The day is written into the statement (see _statements), a value that decides its plan.
        Assignment.due_in_force < sa.bindparam("today", type_=sa.Date, literal_execute=True),
        Task.is_deleted.is_(False),
        Plan.is_deleted.is_(False),
    ]
    if shape.plan:
        conditions.append(Task.plan_id == sa.bindparam("plan_id"))
    if shape.groups:
        conditions.append(Plan.work_group_id.in_(sa.bindparam("groups", expanding=True)))
    if shape.nothing:
        conditions.append(sa.false())
    if shape.reason == "claimed":
        conditions.append(Assignment.completion_state == CompletionState.CLAIMED)
    elif shape.reason == "unacknowledged":
        conditions.append(Assignment.acknowledged_at.is_(None))
    if shape.section:
        conditions.append(Task.section_id == sa.bindparam("section_id"))
    if shape.unit:
        conditions.append(Assignment.unit_id == sa.bindparam("unit_id"))
    if shape.readable:
        # On the assignment's own unit (both statements join it), not ``unit_id IN (SELECT …)``: the semi-join
        # made the planner's work several times the execution's (7 of 14 ms at province scale).
        readable: sa.ColumnElement[bool] = Unit.work_group_id.in_(sa.bindparam("readable", expanding=True))
        if shape.inbound:
            readable = sa.or_(readable, Unit.represents_work_group_id == sa.bindparam("inbound_group"))
        conditions.append(readable)
    if shape.category:
        conditions.append(sa.exists().where(unit_categories.c.unit_id == Assignment.unit_id,
                                            unit_categories.c.category_id == Category.id,
                                            Category.code == sa.bindparam("category")))
    return conditions


@functools.lru_cache(maxsize=64)
def _statements(shape: _Shape) -> tuple[sa.Select[Any], sa.Select[Any]]:
    """Return the page's statement and the total's of one shape, built once (a statement object keeps its cache
    key: no request builds it or works out its key again); ``offset`` and ``limit`` are parameters too.

    The day, ``offset`` and ``limit`` are written into the SQL when it runs (``literal_execute``: numbers and a date
    rendered by SQLAlchemy, never user text), the rest stays bound. On PostgreSQL a statement run again on a
    connection is prepared (psycopg), and the server may then reuse one generic plan instead of planning it for
    every request; with the day and the page size as parameters, the generic plan could not know how few rows are
    red (it guessed a third of the open ones) and chose hash joins over every task, so each request was planned
    again (0.7 ms of planning for 1.1 ms of execution). Written in, they give the generic plan the same shape
    as each request's own; the text changes once a day and per page number."""
    conditions = _conditions(shape)
    page = (sa.select(*_COLUMNS, sa.func.count().over().label("total"))
            .join(Task, Assignment.task_id == Task.id)
            .join(Plan, Task.plan_id == Plan.id)
            .join(Section, Task.section_id == Section.id)
            .join(Unit, Assignment.unit_id == Unit.id)
            .where(*conditions)
            .order_by(*_order_by())
            .offset(sa.bindparam("offset", type_=sa.Integer, literal_execute=True))
            .limit(sa.bindparam("limit", type_=sa.Integer, literal_execute=True)))
    total = (sa.select(sa.func.count(Assignment.id))
             .join(Task, Assignment.task_id == Task.id)
             .join(Plan, Task.plan_id == Plan.id)
             .join(Unit, Assignment.unit_id == Unit.id)
             .where(*conditions))
    return page, total


def overdue_rows(plan: Plan | None, today: dt.date, filters: Filters, *, offset: int,
                 limit: int, groups: Collection[int] | None = None) -> tuple[list[ListRow], int]:
    """Return one slice of the red rows matching the filters, in ``row_key`` order, and their total.

    One statement: the page's rows with their task, section, plan and unit, each carrying the total as a window
    count over every matching row (the red rows are read once, for the order and the count); a page past the end
    has no row to carry it, so only then is the total counted apart. The rows are tuples of the columns the lists
    show (:class:`ListRow`), not ORM objects: the lists only show them.

    :param plan: the plan to list, or None for every plan that is not deleted (of ``groups``, if given).
    """
    shape, params = _shape(plan, today, filters, groups)
    page, count = _statements(shape)
    found = db.session.execute(page, {**params, "offset": offset, "limit": limit}).all()
    if found:
        total = int(found[0][-1])
    elif offset:
        total = db.session.scalar(count, params) or 0
    else:
        total = 0
    rows = [_list_row(r, today) for r in found]
    wrong = [r.assignment.id for r in rows if r.light.light is not Light.RED]
    if wrong:
        # The SQL predicate must say what domain/lights.py says; if they ever part, show it, never hide it.
        raise AssertionError(f"the overdue query returned assignments that are not red: {wrong}")
    return rows, total
