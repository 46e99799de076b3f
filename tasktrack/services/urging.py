"""Manual urging (一键催办): the secretariat urges a unit on an assignment, through the outbox (DESIGN §4a).

One urge per assignment per day: the outbox key ``urge:<assignment>:<date>`` makes a double click or a
second tab a no-op. The urge is a SupervisionRecord (kind urge) in the assignment's history; whether
the unit has reported since is read from ``assignment.last_reported_at``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from tasktrack import notifications
from tasktrack.clock import local_date
from tasktrack.extensions import db
from tasktrack.models import (
    Assignment,
    Notification,
    NotificationKind,
    SupervisionKind,
    SupervisionRecord,
    User,
)
from tasktrack.services import Conflict, outbox, recipients
from tasktrack.services.assignments import get_assignment as get_assignment  # the one loader (web/reminders)
from tasktrack.services.audit import record
from tasktrack.services.inputs import optional_text

MAX_NOTE = 500
CLOSED = "该分工已关闭，无需催办"
ALREADY_URGED = "今天已对该单位就此项任务催办过，请勿重复催办"


@dataclass(frozen=True)
class UrgeRow:
    """A past urge and whether the unit has reported since."""

    record: SupervisionRecord
    reported_since: bool


def urge_history(assignment: Assignment) -> list[UrgeRow]:
    """Return the assignment's urges, newest first, each with "reported since"."""
    records = db.session.scalars(
        sa.select(SupervisionRecord)
        .where(SupervisionRecord.assignment_id == assignment.id,
               SupervisionRecord.kind.in_([SupervisionKind.URGE, SupervisionKind.SUPERVISION_NOTICE]))
        .options(joinedload(SupervisionRecord.actor))
        .order_by(SupervisionRecord.created_at.desc(), SupervisionRecord.id.desc())
    ).all()
    last = assignment.last_reported_at
    return [UrgeRow(r, last is not None and last > r.created_at) for r in records]


def recent_urges(limit: int = 100, *, where: sa.ColumnElement[bool] | None = None) -> list[UrgeRow]:
    """Return the latest manual urges (on the assignments ``where`` selects) eager-loaded, newest first."""
    records = db.session.scalars(
        sa.select(SupervisionRecord)
        .join(Assignment, SupervisionRecord.assignment_id == Assignment.id)
        .where(SupervisionRecord.kind == SupervisionKind.URGE, sa.true() if where is None else where)
        .options(joinedload(SupervisionRecord.actor),
                 joinedload(SupervisionRecord.assignment).joinedload(Assignment.unit),
                 joinedload(SupervisionRecord.assignment).joinedload(Assignment.task))
        .order_by(SupervisionRecord.created_at.desc(), SupervisionRecord.id.desc())
        .limit(limit)
    ).all()
    return [UrgeRow(r, r.assignment.last_reported_at is not None and r.assignment.last_reported_at > r.created_at)
            for r in records]


def _key(assignment: Assignment, today: dt.date) -> str:
    return f"urge:{assignment.id}:{today.isoformat()}"


def refusal(assignment: Assignment, today: dt.date) -> str | None:
    """Return why the unit cannot be urged on this assignment today, or None (the page shows it instead
    of the form; :func:`urge` refuses with the same words)."""
    if assignment.closed_at is not None:
        return CLOSED
    if db.session.scalar(sa.select(Notification.id).where(Notification.key == _key(assignment, today))) is not None:
        return ALREADY_URGED
    return None


def urge(assignment: Assignment, *, actor: User, note: str, now: dt.datetime, base_url: str,
         secretariat_cc: Sequence[str] = ()) -> int:
    """Queue an urging e-mail to the unit and record it; returns the outbox row id (flushes)."""
    note = optional_text(note, field="note", label="附言", max_len=MAX_NOTE) or ""
    if assignment.closed_at is not None:
        raise Conflict(CLOSED)
    today = local_date(now)
    task = assignment.task
    context = {"assignment": assignment, "unit": assignment.unit, "task": task, "note": note, "today": today,
               "actor": actor}
    letter = notifications.compose(
        "urge", subject=f"【催办】{assignment.unit.name}：请报送“{task.ref}. {task.text[:40]}”进展",
        context=context, recipients=recipients.for_unit(assignment.unit), base_url=base_url)
    [new_id] = outbox.enqueue_many([outbox.Outgoing.of(
        letter, key=_key(assignment, today), kind=NotificationKind.URGE, local_date=today,
        unit_id=assignment.unit_id, undeliverable_reason=None if letter.to else recipients.NO_UNIT_ADDRESS)], now=now)
    if new_id is None:
        raise Conflict(ALREADY_URGED)
    supervision = SupervisionRecord(assignment_id=assignment.id, kind=SupervisionKind.URGE, actor_id=actor.id,
                                    created_at=now, note=note or None)
    db.session.add(supervision)
    db.session.flush()
    record(actor, "assignment.urge", assignment, now=now,
           summary=f"催办 {assignment.unit.name}：任务 {task.number}" + (f"（{note[:50]}）" if note else ""))
    return new_id
