"""联络员会议 (liaison meetings): the record, its notice to the invited units, attendance, minutes, and its decisions
(议定事项), each of which becomes a 交办事项 in one step, linked back to the meeting.

Attendance is recorded, never ranked: nothing here counts or orders units by it.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Collection

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from tasktrack import notifications
from tasktrack.clock import local_date
from tasktrack.extensions import db
from tasktrack.models import (
    Assignment,
    Matter,
    MatterSource,
    Meeting,
    MeetingUnit,
    NotificationKind,
    Task,
    Unit,
    User,
    WorkGroup,
)
from tasktrack.permissions import visible_meetings
from tasktrack.services import NotFound, ServiceError, matters, outbox, recipients
from tasktrack.services.audit import record, snapshot
from tasktrack.services.inputs import clean_text

logger = logging.getLogger(__name__)

MEETING_FIELDS = ("title", "held_on", "place", "agenda", "minutes")
NO_UNITS = "请选择参会单位（会议通知发给所选单位）"


def parse_date(raw: object, *, field: str, label: str) -> dt.date:
    """Return a date given as a date or as "YYYY-MM-DD" text, else refuse on ``field`` with a Chinese message."""
    if isinstance(raw, dt.date) and not isinstance(raw, dt.datetime):
        return raw
    if isinstance(raw, str):
        try:
            return dt.date.fromisoformat(raw.strip())
        except ValueError:
            pass
    raise ServiceError(f"{label}不是有效日期，请按“年-月-日”填写，如 2024-07-18", field=field)


def invitable_units(group: WorkGroup) -> list[Unit]:
    """Return the group's active units, in its order (the choices of a meeting's 参会单位)."""
    return list(db.session.scalars(sa.select(Unit).where(Unit.work_group_id == group.id, Unit.is_active.is_(True))
                                   .order_by(Unit.sort_order, Unit.id)))


def _group_units(group: WorkGroup, unit_ids: Collection[int], *, field: str) -> list[Unit]:
    """Return the group's active units with these ids, in the group's order; refuse an id that is not one."""
    ids = {int(i) for i in unit_ids}
    found = list(db.session.scalars(
        sa.select(Unit).where(Unit.id.in_(sorted(ids)), Unit.work_group_id == group.id, Unit.is_active.is_(True))
        .order_by(Unit.sort_order, Unit.id)))
    if len(found) != len(ids):
        raise ServiceError("所选单位不存在或不属于本专班", field=field)
    return found


def create_meeting(
    group: WorkGroup, *, title: str, held_on: object, place: str, agenda: str, invited: Collection[int],
    actor: User, now: dt.datetime, base_url: str, notify: bool = True,
) -> Meeting:
    """Record a meeting of ``group`` and queue its notice to every invited unit (flushes, audits).

    ``notify=False`` records a meeting whose notice went out before the system knew of it (the demo's).
    """
    title = clean_text(title, field="title", label="会议名称", required=True, max_len=200)
    day = parse_date(held_on, field="held_on", label="会议日期")
    place = clean_text(place, field="place", label="会议地点", max_len=200)
    agenda = clean_text(agenda, field="agenda", label="会议议程", max_len=5_000)
    if not invited:
        raise ServiceError(NO_UNITS, field="invited")
    units = _group_units(group, invited, field="invited")
    meeting = Meeting(work_group_id=group.id, title=title, held_on=day, place=place, agenda=agenda, minutes="",
                      created_by_id=actor.id, created_at=now, updated_at=now)
    meeting.units = [MeetingUnit(unit=u, is_invited=True, is_present=False) for u in units]
    db.session.add(meeting)
    db.session.flush()
    record(actor, "meeting.create", meeting, now=now, summary=f"联络员会议 {day.isoformat()} {title}",
           after={**snapshot(meeting, MEETING_FIELDS), "invited": [u.name for u in units]})
    if notify:
        send_notices(meeting, now=now, base_url=base_url)
    logger.info("meeting %s recorded, %s units invited", meeting.id, len(units))
    return meeting


def notice_key(meeting: Meeting, unit: Unit) -> str:
    """Return the outbox key of a meeting's notice to one unit (sent exactly once)."""
    return f"meeting:{meeting.id}:unit:{unit.id}"


def send_notices(meeting: Meeting, *, now: dt.datetime, base_url: str) -> int:
    """Queue the meeting notice to every invited unit not yet sent one; return how many were queued."""
    units = meeting.invited
    to = recipients.for_units(units)
    today = local_date(now)
    messages = []
    for unit in units:
        letter = notifications.compose(
            "meeting_notice",
            subject=f"【会议通知】{meeting.title}（{meeting.held_on.month}月{meeting.held_on.day}日）",
            context={"meeting": meeting, "unit": unit, "today": today}, recipients=to[unit.id], base_url=base_url)
        messages.append(outbox.Outgoing.of(
            letter, key=notice_key(meeting, unit), kind=NotificationKind.MEETING_NOTICE, local_date=today,
            unit_id=unit.id, undeliverable_reason=None if letter.to else recipients.NO_UNIT_ADDRESS))
    return sum(1 for new_id in outbox.enqueue_many(messages, now=now) if new_id is not None)


def record_minutes(meeting: Meeting, *, minutes: str, present: Collection[int], actor: User,
                   now: dt.datetime) -> None:
    """Record the minutes and which invited units were present (audited; attendance is never ranked)."""
    minutes = clean_text(minutes, field="minutes", label="会议纪要", max_len=20_000)
    invited = {m.unit_id: m for m in meeting.units if m.is_invited}
    ids = {int(i) for i in present}
    if ids - invited.keys():
        raise ServiceError("出席单位须是受邀单位", field="present")
    before = {**snapshot(meeting, MEETING_FIELDS), "present": sorted(m.unit.name for m in meeting.units
                                                                    if m.is_present)}
    meeting.minutes = minutes
    for unit_id, row in invited.items():
        row.is_present = unit_id in ids
    meeting.updated_at = now
    db.session.flush()
    after = {**snapshot(meeting, MEETING_FIELDS), "present": sorted(m.unit.name for m in meeting.units
                                                                   if m.is_present)}
    if before != after:
        record(actor, "meeting.update", meeting, now=now, summary=f"记录会议纪要与出席情况：{meeting.title}",
               before=before, after=after)


def add_decision(meeting: Meeting, *, text: str, deadline_phrase: str, responsible_phrase: str, actor: User,
                 now: dt.datetime) -> Matter:
    """Turn a decision (议定事项) into a 交办事项 linked to the meeting, in one step."""
    group = db.session.get(WorkGroup, meeting.work_group_id)
    assert group is not None
    return matters.create_matter(group, source=MatterSource.MEETING, reference=meeting.title, text=text,
                                 deadline_phrase=deadline_phrase, responsible_phrase=responsible_phrase,
                                 actor=actor, now=now, meeting=meeting)


def get_meeting(meeting_id: int) -> Meeting:
    """Return a meeting with its units and decisions (their tasks and assignments) loaded; NotFound if none."""
    meeting = db.session.scalar(
        sa.select(Meeting).where(Meeting.id == meeting_id).options(
            selectinload(Meeting.units).joinedload(MeetingUnit.unit),
            selectinload(Meeting.matters).joinedload(Matter.task).options(
                joinedload(Task.plan), selectinload(Task.assignments).joinedload(Assignment.unit)),
        ))
    if meeting is None:
        raise NotFound("会议不存在")
    return meeting


def list_meetings(reader: User) -> list[Meeting]:
    """Return the meetings ``reader`` reads, newest first, with their units and decisions loaded."""
    return list(db.session.scalars(
        sa.select(Meeting).where(visible_meetings(reader)).options(
            selectinload(Meeting.units).joinedload(MeetingUnit.unit), selectinload(Meeting.matters))
        .order_by(Meeting.held_on.desc(), Meeting.id.desc())))
