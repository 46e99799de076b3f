"""Weekly digests: one per liaison (their unit's work) and one per work group's secretariat (DESIGN §4, issue 12).

Level-triggered like the sweep: a digest is due once per ISO week, from the recipient's weekday on
(so a missed Monday is caught up on Tuesday), keyed ``digest:user:<id>:<week>`` and, for each secretariat
account, ``digest:secretariat:<id>:<week>`` (services/office_digests.py). A liaison may move their digest to
another weekday or pause it; the daily reminders (due soon, overdue, 催办, 督办) are not digests and cannot be
paused. A digest with nothing to say is not sent.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from tasktrack import notifications
from tasktrack.clock import local_date
from tasktrack.domain.lights import Light, Reason
from tasktrack.extensions import db
from tasktrack.models import (
    Assignment,
    DigestPreference,
    NotificationKind,
    Plan,
    Role,
    Task,
    Unit,
    User,
)
from tasktrack.services import ServiceError, office_digests, outbox, recipients
from tasktrack.services.audit import record
from tasktrack.services.read.overview import AssignmentRow, light_of

logger = logging.getLogger(__name__)

WEEKDAYS = ["星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日"]
DUE_WITHIN_DAYS = 30
RECENT_DAYS = 7


def week_label(day: dt.date) -> str:
    """Return the ISO week of ``day`` as 2024-W29."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


# -- preferences ----------------------------------------------------------------------------------

def preference(user: User, *, default_weekday: int) -> tuple[int, bool]:
    """Return (weekday, paused) of the user's digest."""
    pref = db.session.get(DigestPreference, user.id)
    return (pref.weekday, pref.is_paused) if pref else (default_weekday, False)


def set_preference(user: User, *, weekday: int, paused: bool, now: dt.datetime) -> DigestPreference:
    """Move the user's weekly digest to another weekday, or pause it (flushes)."""
    if user.role not in (Role.LIAISON, Role.OBSERVATION_POINT):
        raise ServiceError("只有联络员和观察点可以设置每周摘要")
    if not 0 <= weekday <= 6:
        raise ServiceError("请选择星期一到星期日中的一天", field="weekday")
    pref = db.session.get(DigestPreference, user.id)
    before = {"weekday": pref.weekday, "is_paused": pref.is_paused} if pref else None
    if pref is None:
        pref = DigestPreference(user_id=user.id, updated_at=now)
        db.session.add(pref)
    pref.weekday, pref.is_paused, pref.updated_at = weekday, paused, now
    db.session.flush()
    record(user, "digest.preference", user, now=now, before=before,
           after={"weekday": weekday, "is_paused": paused},
           summary=f"每周摘要：{'暂停' if paused else WEEKDAYS[weekday]}")
    return pref


# -- data -----------------------------------------------------------------------------------------

def open_rows(today: dt.date) -> list[AssignmentRow]:
    """Return every open assignment of open plans with its light (one query)."""
    assignments = db.session.scalars(
        sa.select(Assignment)
        .join(Task, Assignment.task_id == Task.id).join(Plan, Task.plan_id == Plan.id)
        .join(Unit, Assignment.unit_id == Unit.id)
        .where(Assignment.closed_at.is_(None), Task.is_deleted.is_(False), Plan.is_deleted.is_(False),
               Plan.is_closed.is_(False), Unit.is_active.is_(True))
        .options(joinedload(Assignment.unit), joinedload(Assignment.task).joinedload(Task.plan),
                 joinedload(Assignment.task).joinedload(Task.section))
        .order_by(Assignment.id)
    ).all()
    return [AssignmentRow(a, light_of(a, a.task, a.task.plan, today)) for a in assignments]


@dataclass
class UnitDigest:
    """The sections of one unit's digest."""

    overdue: list[AssignmentRow] = field(default_factory=list)
    due_soon: list[AssignmentRow] = field(default_factory=list)
    stale: list[AssignmentRow] = field(default_factory=list)
    recent: list[AssignmentRow] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (self.overdue or self.due_soon or self.stale or self.recent)


def unit_digest(rows: list[AssignmentRow], today: dt.date) -> UnitDigest:
    """Sort one unit's rows into overdue, due within 30 days, stale and recently updated."""
    digest = UnitDigest()
    for r in rows:
        light = r.light
        if light.light is Light.RED:
            digest.overdue.append(r)
        elif light.light is not Light.DONE and light.days_left is not None and 0 <= light.days_left <= DUE_WITHIN_DAYS:
            digest.due_soon.append(r)
        elif light.reason is Reason.STALE:
            digest.stale.append(r)
        reported = r.assignment.last_reported_at
        if reported is not None and (today - local_date(reported)).days < RECENT_DAYS:
            digest.recent.append(r)
    digest.overdue.sort(key=lambda r: r.light.days_left or 0)
    digest.due_soon.sort(key=lambda r: r.light.days_left or 0)
    return digest


# -- liaison digests ------------------------------------------------------------------------------

@dataclass
class DigestReport:
    """What one digest run queued."""

    queued: list[int] = field(default_factory=list)
    skipped_empty: int = 0
    paused: int = 0


def send_liaison_digests(today: dt.date, *, now: dt.datetime, base_url: str, default_weekday: int,
                         report: DigestReport | None = None,
                         rows: Callable[[], list[AssignmentRow]] | None = None) -> DigestReport:
    """Queue this week's digest for every active liaison whose weekday has come (flushes).

    ``rows`` returns :func:`open_rows` of today when the caller shares them between jobs; all messages are
    queued in a few statements (outbox.enqueue_many).
    """
    report = report or DigestReport()
    people = db.session.scalars(
        sa.select(User).where(User.is_active.is_(True), User.unit_id.is_not(None),
                              User.role.in_([Role.LIAISON, Role.OBSERVATION_POINT])).order_by(User.id)
    ).all()
    if not people:
        return report
    prefs = {p.user_id: p for p in db.session.scalars(
        sa.select(DigestPreference).where(DigestPreference.user_id.in_([u.id for u in people])))}
    week = week_label(today)
    due_people = []
    for user in people:
        pref = prefs.get(user.id)
        weekday, paused = (pref.weekday, pref.is_paused) if pref else (default_weekday, False)
        if paused:
            report.paused += 1
        elif today.weekday() >= weekday:
            due_people.append(user)
    if not due_people:
        return report
    by_unit: dict[int, list[AssignmentRow]] = defaultdict(list)
    for r in open_rows(today) if rows is None else rows():
        by_unit[r.assignment.unit_id].append(r)
    messages: list[outbox.Outgoing] = []
    # A unit's items are the same for each of its people (a liaison, observation points): rendered once a unit.
    items: dict[int, notifications.Parts | None] = {}
    for user in due_people:
        unit_id = user.unit_id or 0
        if unit_id not in items:
            digest = unit_digest(by_unit.get(unit_id, []), today)
            items[unit_id] = None if digest.is_empty else notifications.parts(
                "liaison_digest_items", context={"d": digest, "today": today}, base_url=base_url)
        unit_items = items[unit_id]
        if unit_items is None:
            report.skipped_empty += 1
            continue
        unit_name = user.unit.name if user.unit else ""
        letter = notifications.compose(
            "liaison_digest", subject=f"【清廉社会组织建设】{unit_name}每周工作摘要（{week}）",
            context={"user": user, "unit": user.unit, "items": unit_items, "today": today, "week": week},
            recipients=recipients.for_user(user), base_url=base_url)
        messages.append(outbox.Outgoing.of(letter, key=f"digest:user:{user.id}:{week}",
                                           kind=NotificationKind.LIAISON_DIGEST, local_date=today,
                                           unit_id=user.unit_id, user_id=user.id))
    report.queued.extend(new_id for new_id in outbox.enqueue_many(messages, now=now) if new_id is not None)
    return report


# -- the secretariat digests (one per work group: services/office_digests.py) --------------------

def send_secretariat_digest(today: dt.date, *, now: dt.datetime, base_url: str, weekday: int,
                            report: DigestReport | None = None,
                            rows: Callable[[], list[AssignmentRow]] | None = None) -> DigestReport:
    """Queue this week's digest of each work group to its secretariat accounts once the weekday has come (flushes;
    ``rows``: open_rows)."""
    report = report or DigestReport()
    if today.weekday() < weekday:
        return report
    queued, skipped = office_digests.send_secretariat_digests(
        today, now=now, base_url=base_url, week=week_label(today),
        rows=rows if rows is not None else (lambda: open_rows(today)))
    report.queued.extend(queued)
    report.skipped_empty += skipped
    return report


def send_all(today: dt.date, *, now: dt.datetime, base_url: str, weekday: int) -> DigestReport:
    """Queue every digest due this week: the liaisons' and each work group's secretariat's (flushes).

    :param weekday: the default weekday of the liaisons' digests and the secretariat's (DIGEST_WEEKDAY).
    """
    rows = functools.cache(lambda: open_rows(today))  # read once, and only if a digest is due
    report = send_liaison_digests(today, now=now, base_url=base_url, default_weekday=weekday, rows=rows)
    send_secretariat_digest(today, now=now, base_url=base_url, weekday=weekday, report=report, rows=rows)
    logger.info("digests %s: %s queued", today, len(report.queued))
    return report
