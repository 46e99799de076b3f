"""Read models of a unit's work: 我的任务 and the assignment page (fixed query counts, tests guard them)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from tasktrack.domain.deadlines import DeadlineKind
from tasktrack.domain.lights import LightResult
from tasktrack.extensions import db
from tasktrack.models import (
    Assignment,
    AssignmentStatus,
    CompletionState,
    ExtensionRequest,
    ExtensionStatus,
    Plan,
    PlanKind,
    ProgressReport,
    SupervisionRecord,
    Task,
    Unit,
    User,
)
from tasktrack.models.plan import task_ref
from tasktrack.permissions import Action, AssignmentFacts, can
from tasktrack.services import extension_requests, progress
from tasktrack.services.assignments import get_assignment
from tasktrack.services.read import lean, overview

#: The web views' name for the one loader (services/assignments.get_assignment).
load_assignment = get_assignment


class TaskCard(NamedTuple):
    """A task as 我的任务's card shows it: the attributes of models.Task the card and its macros read, as columns."""

    number: int
    text: str
    deadline_phrase: str
    deadline_kind: DeadlineKind
    due_date: dt.date | None
    plan_kind: PlanKind

    @property
    def ref(self) -> str:
        return task_ref(self.number, self.plan_kind)

    @property
    def label(self) -> str:
        return f"{self.ref}. {self.text}"


class AssignmentCard(NamedTuple):
    """An open assignment as 我的任务's card shows it: the attributes of models.Assignment the card and its macros
    (_macros/status.html, _macros/progress.html) read, as columns."""

    id: int
    unit_id: int
    is_lead: bool
    status: AssignmentStatus
    percent: int | None
    completed_on: dt.date | None
    extended_due: dt.date | None
    completion_state: CompletionState
    acknowledged_at: dt.datetime | None
    handler_name: str | None
    handler_phone: str | None
    task: TaskCard
    #: The unit's ``represents_work_group_id`` (what the policy reads, permissions.AssignmentFacts).
    represents_work_group_id: int | None
    #: Always None: the page lists open assignments.
    closed_at: dt.datetime | None = None

    @property
    def facts(self) -> AssignmentFacts:
        return AssignmentFacts(self.unit_id, self.represents_work_group_id, self.closed_at, self.completion_state)


@dataclass(frozen=True, slots=True)
class MyTaskRow:
    """One row of 我的任务: the assignment, its light, its latest report, review markers, and what the reader may do."""

    assignment: AssignmentCard
    light: LightResult
    #: The latest report as the card shows it (columns, not an object: a unit has a hundred cards).
    last_report: lean.LatestReport | None
    extension_pending: bool
    #: can(reader, REPORT_PROGRESS, assignment)
    may_report: bool = False
    #: Not yet acknowledged and can(reader, ACKNOWLEDGE, assignment): the 签收 button.
    may_sign: bool = False

    @property
    def awaiting_confirmation(self) -> bool:
        return self.assignment.completion_state.value == "claimed"

    @property
    def returned(self) -> bool:
        return self.assignment.completion_state.value == "returned"

    @property
    def is_stale(self) -> bool:
        return self.light.reason.value == "stale"


def _my_tasks_statement() -> sa.Select[Any]:
    """The statement of :func:`my_tasks`, built once: a statement object keeps its cache key, so each request skips
    building it and working out its key again (the unit is the ``unit_id`` parameter)."""
    pending = sa.exists().where(ExtensionRequest.assignment_id == Assignment.id,
                                ExtensionRequest.status == ExtensionStatus.PENDING)
    return (
        lean.with_latest_report(
            sa.select(Assignment.id, Assignment.is_lead, Assignment.percent, Assignment.completion_state,
                      Assignment.acknowledged_at, Assignment.handler_name, Assignment.handler_phone,
                      Unit.represents_work_group_id, Task.number, Task.text, Task.deadline_phrase, Plan.kind,
                      pending.label("extension_pending"), *lean.LATEST_REPORT_COLUMNS, *overview.LIGHT_COLUMNS)
            .join(Task, Assignment.task_id == Task.id)
            .join(Plan, Task.plan_id == Plan.id)
            .join(Unit, Assignment.unit_id == Unit.id))
        .where(Assignment.unit_id == sa.bindparam("unit_id"), Assignment.closed_at.is_(None),
               Task.is_deleted.is_(False), Plan.is_deleted.is_(False))
        .order_by(Task.plan_id, Task.number, Assignment.id)
    )


_MY_TASKS = _my_tasks_statement()


def my_tasks(unit_id: int, today: dt.date, reader: User | None = None) -> list[MyTaskRow]:
    """Return a unit's open assignments (worst light first, then by deadline, plan and task) with their latest
    reports and what ``reader`` may do on each (one query: each assignment read as columns, with its latest report
    joined through the assignment's mirror of it and whether an extension request awaits a decision)."""
    found = db.session.execute(_MY_TASKS, {"unit_id": unit_id}).tuples().all()
    latest_width = len(lean.LATEST_REPORT_COLUMNS)
    rows = []
    for aid, is_lead, percent, state, acknowledged_at, handler_name, handler_phone, represents, number, text, \
            phrase, plan_kind, extension_pending, *rest in found:
        last_report, c = lean.latest_of(rest[:latest_width]), overview.LightColumns(*rest[latest_width:])
        card = AssignmentCard(aid, unit_id, is_lead, c.status, percent, c.completed_on, c.extended_due, state,
                              acknowledged_at, handler_name, handler_phone,
                              TaskCard(number, text, phrase, c.deadline_kind, c.due_date, plan_kind), represents)
        may_report = reader is not None and can(reader, Action.REPORT_PROGRESS, card.facts)
        may_sign = reader is not None and acknowledged_at is None and can(reader, Action.ACKNOWLEDGE, card.facts)
        rows.append(MyTaskRow(card, overview.light_from(c, today), last_report, bool(extension_pending), may_report,
                              may_sign))
    # Stable: rows of one light and deadline stay in the SQL's order (plan, task).
    rows.sort(key=lambda r: (r.light.light.severity, r.assignment.task.due_date or dt.date.max))
    return rows


@dataclass(frozen=True)
class AssignmentPage:
    """Everything the assignment page shows."""

    assignment: Assignment
    light: LightResult
    entries: list[progress.ReportEntry]
    supervision: list[SupervisionRecord]
    extension_requests: list[ExtensionRequest]

    @property
    def latest(self) -> ProgressReport | None:
        return self.entries[0].report if self.entries else None

    @property
    def pending_extension(self) -> ExtensionRequest | None:
        return next((r for r in self.extension_requests if r.status.value == "pending"), None)


def assignment_page(assignment_id: int, today: dt.date) -> AssignmentPage:
    """Return an assignment with its light, every report version, supervision records and extension requests."""
    assignment = get_assignment(assignment_id)
    light = overview.light_of(assignment, assignment.task, assignment.task.plan, today)
    records = list(db.session.scalars(
        sa.select(SupervisionRecord).where(SupervisionRecord.assignment_id == assignment.id)
        .options(joinedload(SupervisionRecord.actor)).order_by(SupervisionRecord.id.desc())
    ))
    return AssignmentPage(assignment, light, progress.history(assignment), records,
                          extension_requests.requests_of(assignment))
