"""Read models of a unit's work: 我的任务 and the assignment page (fixed query counts, tests guard them)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from tasktrack.domain.lights import LightResult
from tasktrack.extensions import db
from tasktrack.models import Assignment, ExtensionRequest, ProgressReport, SupervisionRecord
from tasktrack.services import extension_requests, progress
from tasktrack.services.assignments import get_assignment
from tasktrack.services.read import lean, overview

#: The web views' name for the one loader (services/assignments.get_assignment).
load_assignment = get_assignment


@dataclass(frozen=True)
class MyTaskRow:
    """One row of 我的任务: the assignment, its light, its latest report and review markers."""

    assignment: Assignment
    light: LightResult
    #: The latest report as the card shows it (columns, not an object: a unit has a hundred cards).
    last_report: lean.LatestReport | None
    extension_pending: bool

    @property
    def awaiting_confirmation(self) -> bool:
        return self.assignment.completion_state.value == "claimed"

    @property
    def returned(self) -> bool:
        return self.assignment.completion_state.value == "returned"

    @property
    def is_stale(self) -> bool:
        return self.light.reason.value == "stale"


def my_tasks(unit_id: int, today: dt.date) -> list[MyTaskRow]:
    """Return a unit's open assignments (worst light first) with their latest reports."""
    rows = overview.unit_rows(unit_id, today)
    ids = [r.assignment.id for r in rows]
    latest = lean.latest_reports(ids)
    pending = extension_requests.pending_assignment_ids(ids)
    return [MyTaskRow(r.assignment, r.light, latest.get(r.assignment.id), r.assignment.id in pending) for r in rows]


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
