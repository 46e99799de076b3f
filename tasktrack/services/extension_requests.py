"""Extension requests (延期申请): a unit asks for a later due date; the secretariat approves or refuses.

An approved date becomes ``Assignment.extended_due``, which lights and reminders use from then on; the
task's own deadline is kept and shown next to it.
"""

from __future__ import annotations

import datetime as dt
import logging

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from tasktrack.clock import local_date
from tasktrack.extensions import db
from tasktrack.models import Assignment, AssignmentStatus, ExtensionRequest, ExtensionStatus, Task, User
from tasktrack.services import Conflict, ServiceError
from tasktrack.services.audit import record, snapshot
from tasktrack.services.inputs import clean_text, optional_text

logger = logging.getLogger(__name__)

REASON_MAX = 2_000
FIELDS = ("status", "requested_due", "current_due", "decision_note")


def pending_request(assignment: Assignment) -> ExtensionRequest | None:
    """Return the assignment's undecided request, if any."""
    return db.session.scalar(
        sa.select(ExtensionRequest)
        .where(ExtensionRequest.assignment_id == assignment.id, ExtensionRequest.status == ExtensionStatus.PENDING)
        .limit(1)
    )


def refusal(assignment: Assignment, *, today: dt.date, pending: ExtensionRequest | None) -> str | None:
    """Return why no extension can be asked for on this assignment today, or None when one can.

    The page shows this instead of the form; :func:`request_extension` refuses with the same words.
    """
    current = assignment.effective_due
    if assignment.status is AssignmentStatus.COMPLETED:
        return "该任务已报完成，无需申请延期"
    if current is None:
        return "该任务没有截止日期，无需申请延期"
    if today > current:
        return f"截止日期（{current:%Y-%m-%d}）已过，不能再申请延期，请尽快报送进展并说明情况"
    if pending is not None:
        return "该任务已有一份延期申请在等待审核，请勿重复提交"
    return None


def request_extension(
    assignment: Assignment, *, author: User, requested_due: dt.date | None, reason: str, now: dt.datetime,
) -> ExtensionRequest:
    """Ask for a later due date, before the due date in force has passed."""
    today = local_date(now)
    current = assignment.effective_due
    refused = refusal(assignment, today=today, pending=None)  # the pending request is checked last, below
    if refused is not None:
        raise ServiceError(refused, field="requested_due")
    assert current is not None
    if requested_due is None:
        raise ServiceError("请填写申请延期到的日期", field="requested_due")
    if requested_due <= current:
        raise ServiceError(f"申请的日期必须晚于现在的截止日期（{current:%Y-%m-%d}）", field="requested_due")
    if requested_due.year > current.year + 1:
        raise ServiceError("申请的日期过远，请填写一年内的日期", field="requested_due")
    text = clean_text(reason, field="reason", label="理由", required=True, max_len=REASON_MAX,
                      missing="请填写申请延期的理由")
    if (pending := pending_request(assignment)) is not None:
        raise Conflict(refusal(assignment, today=today, pending=pending) or "", field="requested_due")
    row = ExtensionRequest(assignment_id=assignment.id, requested_by_id=author.id, created_at=now,
                           current_due=current, requested_due=requested_due, reason=text,
                           status=ExtensionStatus.PENDING)
    db.session.add(row)
    db.session.flush()
    record(author, "extension.request", row, now=now,
           summary=f"{assignment.unit.name} 申请任务 {assignment.task.number} 延期至 {requested_due:%Y-%m-%d}",
           after=snapshot(row, FIELDS))
    logger.info("extension request %s on assignment %s by %s", row.id, assignment.id, author.email)
    return row


def decide(
    request: ExtensionRequest, *, actor: User, approve: bool, note: str | None, now: dt.datetime,
) -> ExtensionRequest:
    """Approve (the new date counts from now on) or refuse (a note is required) a pending request."""
    if request.status is not ExtensionStatus.PENDING:
        raise Conflict("该延期申请已处理过了", field="decision")
    text = optional_text(note, field="note", label="意见", max_len=REASON_MAX)
    if not approve and text is None:
        raise ServiceError("不同意延期时请填写意见", field="note")
    before = snapshot(request, FIELDS)
    assignment = request.assignment
    request.status = ExtensionStatus.APPROVED if approve else ExtensionStatus.REFUSED
    request.decided_by_id, request.decided_at, request.decision_note = actor.id, now, text
    before_due = assignment.extended_due
    if approve:
        assignment.extended_due = request.requested_due
    db.session.flush()
    record(actor, "extension.approve" if approve else "extension.refuse", request, now=now,
           summary=f"{'同意' if approve else '不同意'} {assignment.unit.name} 任务 {assignment.task.number} 延期",
           before={**before, "extended_due": before_due},
           after={**snapshot(request, FIELDS), "extended_due": assignment.extended_due})
    return request


def pending_requests(where: sa.ColumnElement[bool] | None = None) -> list[ExtensionRequest]:
    """Return the undecided requests, oldest first, with assignment, task, unit and requester loaded (``where``:
    on whose assignments, e.g. permissions.administered_assignments)."""
    return list(db.session.scalars(
        sa.select(ExtensionRequest)
        .join(Assignment, ExtensionRequest.assignment_id == Assignment.id)
        .where(ExtensionRequest.status == ExtensionStatus.PENDING, sa.true() if where is None else where)
        .options(
            joinedload(ExtensionRequest.assignment).options(
                joinedload(Assignment.unit), joinedload(Assignment.task).joinedload(Task.plan)),
            joinedload(ExtensionRequest.requested_by),
        )
        .order_by(ExtensionRequest.created_at, ExtensionRequest.id)
    ))


def requests_of(assignment: Assignment) -> list[ExtensionRequest]:
    """Return an assignment's requests, newest first, with the people loaded."""
    return list(db.session.scalars(
        sa.select(ExtensionRequest).where(ExtensionRequest.assignment_id == assignment.id)
        .options(joinedload(ExtensionRequest.requested_by), joinedload(ExtensionRequest.decided_by))
        .order_by(ExtensionRequest.id.desc())
    ))

