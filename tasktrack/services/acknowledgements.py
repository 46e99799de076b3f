"""签收 (issue 15): a unit acknowledges a new assignment in one click, optionally naming its handler (承办人, phone).

Every assignment starts 待签收 (``acknowledged_at`` NULL). A liaison's 签收 sets it once; a second click (a double
submit, another liaison of the same unit) changes nothing and is answered 已签收. A progress report on an assignment
not yet acknowledged acknowledges it implicitly — the unit obviously got it (services/progress.py calls
:func:`implied_by_report`). Both are audited as ``assignment.acknowledge``.

The handler fields are optional and never a second form: given with the click they are stored with it; given again
later (the unit names its handler after the fact) they are updated (``assignment.handler``), identical values change
nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass

import sqlalchemy as sa

from tasktrack.extensions import db
from tasktrack.models import Assignment, User
from tasktrack.services import ServiceError
from tasktrack.services.audit import record, snapshot
from tasktrack.services.inputs import optional_text

logger = logging.getLogger(__name__)

HANDLER_NAME_MAX = 50
HANDLER_PHONE_MAX = 30
_PHONE = re.compile(r"[0-9+\- ]+")
_FIELDS = ("acknowledged_at", "acknowledged_by_id", "handler_name", "handler_phone")


@dataclass(frozen=True)
class Acknowledged:
    """What a 签收 did: ``changed`` False when the assignment was already acknowledged (and the handler unchanged)."""

    assignment: Assignment
    changed: bool
    #: True when this call acknowledged it (False: it already was, perhaps only the handler changed).
    newly: bool


def check_handler(name: str | None, phone: str | None) -> tuple[str | None, str | None]:
    """Return the cleaned (承办人, 联系电话), each None when empty; ServiceError naming the field when unusable."""
    handler = optional_text(name, field="handler_name", label="承办人", max_len=HANDLER_NAME_MAX)
    number = optional_text(phone, field="handler_phone", label="联系电话", max_len=None)
    if number is not None:
        if len(number) > HANDLER_PHONE_MAX:
            raise ServiceError(f"联系电话不能超过 {HANDLER_PHONE_MAX} 个字符", field="handler_phone")
        if not _PHONE.fullmatch(number) or not any(ch.isdigit() for ch in number):
            raise ServiceError("联系电话只能包含数字、“-”、“+”和空格，例如 0571-87654321", field="handler_phone")
    return handler, number


def _lock(assignment: Assignment) -> None:
    """Serialise concurrent 签收 of one assignment and read its acknowledgement as committed (a double submit)."""
    row = db.session.execute(
        sa.select(Assignment.acknowledged_at, Assignment.acknowledged_by_id)
        .where(Assignment.id == assignment.id).with_for_update()
    ).one()
    if row.acknowledged_at is not None and assignment.acknowledged_at is None:
        db.session.refresh(assignment, attribute_names=list(_FIELDS))


def acknowledge(assignment: Assignment, *, actor: User, now: dt.datetime, handler_name: str | None = None,
                handler_phone: str | None = None) -> Acknowledged:
    """签收 an assignment (idempotent), storing the optional handler fields with it; flushes, audits.

    The caller has checked ``can(actor, Action.ACKNOWLEDGE, assignment)``.
    """
    name, phone = check_handler(handler_name, handler_phone)
    if assignment.closed_at is not None:
        raise ServiceError("该任务分配已结束，无需签收")
    _lock(assignment)
    before = snapshot(assignment, _FIELDS)
    task = assignment.task
    if assignment.acknowledged_at is None:
        assignment.acknowledged_at, assignment.acknowledged_by_id = now, actor.id
        if name is not None:
            assignment.handler_name = name
        if phone is not None:
            assignment.handler_phone = phone
        db.session.flush()
        record(actor, "assignment.acknowledge", assignment, now=now, before=before,
               after=snapshot(assignment, _FIELDS),
               summary=f"{assignment.unit.name} 签收任务 {task.number}"
                       + (f"，承办人 {name}" if name else ""))
        logger.info("assignment %s acknowledged by %s", assignment.id, actor.email)
        return Acknowledged(assignment, changed=True, newly=True)
    changes = {k: v for k, v in (("handler_name", name), ("handler_phone", phone))
               if v is not None and getattr(assignment, k) != v}
    if not changes:
        return Acknowledged(assignment, changed=False, newly=False)
    for key, value in changes.items():
        setattr(assignment, key, value)
    db.session.flush()
    record(actor, "assignment.handler", assignment, now=now, before=before, after=snapshot(assignment, _FIELDS),
           summary=f"{assignment.unit.name} 任务 {task.number} 承办人：{assignment.handler_name or '—'}")
    return Acknowledged(assignment, changed=True, newly=False)


def implied_by_report(assignment: Assignment, *, author: User, now: dt.datetime) -> bool:
    """Acknowledge an assignment its unit reports on, if not yet acknowledged (audited); return whether it did.

    The caller (progress.submit_report) holds the assignment's row lock already.
    """
    if assignment.acknowledged_at is not None:
        return False
    before = snapshot(assignment, _FIELDS)
    assignment.acknowledged_at, assignment.acknowledged_by_id = now, author.id
    db.session.flush()
    record(author, "assignment.acknowledge", assignment, now=now, before=before, after=snapshot(assignment, _FIELDS),
           summary=f"{assignment.unit.name} 报送任务 {assignment.task.number} 进展，视为已签收")
    return True
