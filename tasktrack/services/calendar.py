"""Secret iCalendar feed addresses per user, and the deadlines the feed lists."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from tasktrack.domain import ical
from tasktrack.extensions import db
from tasktrack.models import Assignment, AssignmentStatus, CalendarToken, Plan, Task, User
from tasktrack.permissions import visible_assignments
from tasktrack.services.audit import record
from tasktrack.services.users import stamp_due

logger = logging.getLogger(__name__)


def token_hash(token: str) -> str:
    """Return the stored form of a feed token."""
    return hashlib.sha256(token.encode()).hexdigest()


def has_token(user: User) -> CalendarToken | None:
    """Return the user's feed token row, if one was issued."""
    return db.session.scalar(sa.select(CalendarToken).where(CalendarToken.user_id == user.id))


def issue_token(user: User, *, now: dt.datetime) -> str:
    """Create or replace the user's feed token and return it; the old address stops working."""
    token = secrets.token_urlsafe(32)
    row = has_token(user)
    if row is None:
        row = CalendarToken(user=user, token_hash=token_hash(token), created_at=now)
        db.session.add(row)
    else:
        row.token_hash, row.created_at, row.last_used_at = token_hash(token), now, None
    db.session.flush()
    record(user, "calendar.token", row, now=now, summary=f"{user.email} 生成新的日历订阅地址")
    logger.info("calendar token issued for %s", user.email)
    return token


def user_for_token(token: str) -> User | None:
    """Return the active user a feed token belongs to, or None."""
    row = db.session.scalar(
        sa.select(CalendarToken).where(CalendarToken.token_hash == token_hash(token))
        .options(joinedload(CalendarToken.user))
    )
    if row is None or not row.user.is_active:
        return None
    return row.user


def token_to_stamp(user: User, *, now: dt.datetime) -> int | None:
    """Return the id of the user's feed token when its last-fetch time is due to be written, else None.

    Calendar clients poll; the time is written at most once a minute (users.STAMP_EVERY).
    """
    row = has_token(user)
    if row is None or not stamp_due(row.last_used_at, now):
        return None
    return row.id


def stamp(token_id: int, *, now: dt.datetime) -> None:
    """Remember when the feed was last fetched."""
    db.session.execute(sa.update(CalendarToken).where(CalendarToken.id == token_id).values(last_used_at=now))


def feed_events(user: User, *, url_for_task: Callable[[int], str]) -> list[ical.Event]:
    """Return the user's deadlines: their unit's open, uncompleted assignments, or every open task.

    A liaison or observation point gets its unit's assignments (the approved extension date when there is
    one); the secretariat and viewers, who have no unit, get each task's deadline once: the tasks of their part of
    the work-group tree (and their work group's inbound tasks, 上级下达任务).
    """
    query = (
        sa.select(Assignment)
        .join(Task, Assignment.task_id == Task.id)
        .join(Plan, Task.plan_id == Plan.id)
        .where(Assignment.closed_at.is_(None), Task.is_deleted.is_(False), Plan.is_deleted.is_(False),
               Plan.is_closed.is_(False), Assignment.status != AssignmentStatus.COMPLETED)
        .options(joinedload(Assignment.unit), joinedload(Assignment.task))
        .order_by(Task.plan_id, Task.number, Assignment.id)
    )
    events: list[ical.Event] = []
    if user.unit_id is not None:
        for a in db.session.scalars(query.where(Assignment.unit_id == user.unit_id)):
            due = a.effective_due
            if due is None:
                continue
            role = "牵头" if a.is_lead else "配合"
            events.append(ical.Event(
                uid=f"assignment-{a.id}@tasktrack", day=due,
                summary=f"【截止】{a.task.ref}. {a.task.text[:40]}",
                description=f"{a.unit.name}（{role}）\n完成时间节点：{a.task.deadline_phrase}\n"
                            f"当前状态：{a.status.label}\n{a.task.text}",
                url=url_for_task(a.task_id)))
        return events
    seen: set[int] = set()
    for a in db.session.scalars(query.where(visible_assignments(user))):  # the reader's part of the tree
        task = a.task
        if task.id in seen or task.due_date is None:
            continue
        seen.add(task.id)
        events.append(ical.Event(
            uid=f"task-{task.id}@tasktrack", day=task.due_date,
            summary=f"【截止】{task.ref}. {task.text[:40]}",
            description=f"完成时间节点：{task.deadline_phrase}\n责任单位：{task.responsible_phrase}\n{task.text}",
            url=url_for_task(task.id)))
    return events
