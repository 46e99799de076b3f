"""联络员会议 (liaison meetings): the record, its notice to the invited units, attendance, minutes, its files (附件:
会议纪要.docx, 签到表.pdf …), and its decisions (议定事项), each of which becomes a 交办事项 in one step, linked back to
the meeting.

Files go through services/attachments.py exactly as progress evidence does (checked by content, size limit, stored
under random names, each upload audited); who downloads them is the policy's (permissions/files.py: whoever reads
the meeting).

Attendance is recorded, never ranked: nothing here counts or orders units by it.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Collection, Sequence

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from tasktrack import notifications
from tasktrack.clock import local_date
from tasktrack.extensions import db
from tasktrack.models import (
    Assignment,
    Attachment,
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
from tasktrack.permissions.files import MEETING_FILES
from tasktrack.services import NotFound, ServiceError, attachments, matters, outbox, recipients
from tasktrack.services.attachments import Upload
from tasktrack.services.audit import record, snapshot
from tasktrack.services.inputs import clean_text

logger = logging.getLogger(__name__)

MEETING_FIELDS = ("title", "held_on", "place", "agenda", "minutes")
NO_UNITS = "请选择参会单位（会议通知发给所选单位）"
#: What a meeting's files may be: documents and images, as progress evidence (a 签到表 may well be a spreadsheet).
MEETING_FILE_KINDS = attachments.EVIDENCE_KINDS
NO_FILES = "请选择要上传的文件（PDF、Word、Excel 或图片）"


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
    actor: User, now: dt.datetime, base_url: str, notify: bool = True, files: Sequence[Upload] = (),
) -> Meeting:
    """Record a meeting of ``group`` with its ``files`` and queue its notice to every invited unit (flushes, audits).

    ``notify=False`` records a meeting whose notice went out before the system knew of it (the demo's). A refused
    file refuses the whole meeting (the caller rolls back: nothing written, nothing stored).
    """
    title = clean_text(title, field="title", label="会议名称", required=True, max_len=200)
    day = parse_date(held_on, field="held_on", label="会议日期")
    place = clean_text(place, field="place", label="会议地点", max_len=200)
    agenda = clean_text(agenda, field="agenda", label="会议议程", max_len=5_000)
    if not invited:
        raise ServiceError(NO_UNITS, field="invited")
    units = _group_units(group, invited, field="invited")
    attachments.check_files(files, allowed=MEETING_FILE_KINDS)  # the message before anything is written
    meeting = Meeting(work_group_id=group.id, title=title, held_on=day, place=place, agenda=agenda, minutes="",
                      created_by_id=actor.id, created_at=now, updated_at=now)
    meeting.units = [MeetingUnit(unit=u, is_invited=True, is_present=False) for u in units]
    db.session.add(meeting)
    db.session.flush()
    record(actor, "meeting.create", meeting, now=now, summary=f"联络员会议 {day.isoformat()} {title}",
           after={**snapshot(meeting, MEETING_FIELDS), "invited": [u.name for u in units]})
    if files:
        attach_files(meeting, files, actor=actor, now=now)
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
                   now: dt.datetime, files: Sequence[Upload] = ()) -> list[Attachment]:
    """Record the minutes, which invited units were present (audited; attendance is never ranked) and the files
    that come with them; return the files added. A refused file refuses it all (the caller rolls back)."""
    minutes = clean_text(minutes, field="minutes", label="会议纪要", max_len=20_000)
    invited = {m.unit_id: m for m in meeting.units if m.is_invited}
    ids = {int(i) for i in present}
    if ids - invited.keys():
        raise ServiceError("出席单位须是受邀单位", field="present")
    attachments.check_files(files, allowed=MEETING_FILE_KINDS)
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
    return attach_files(meeting, files, actor=actor, now=now) if files else []


def attach_files(meeting: Meeting, files: Sequence[Upload], *, actor: User, now: dt.datetime) -> list[Attachment]:
    """Attach files to a meeting (Chinese names kept, type checked by content, size limit, each upload audited);
    nothing is stored if any file is refused. An empty upload is refused: there is nothing to attach."""
    if not files:
        raise ServiceError(NO_FILES, field="attachments", code="no_files")
    rows = attachments.attach(MEETING_FILES, meeting.id, files, actor=actor, now=now, allowed=MEETING_FILE_KINDS)
    meeting.updated_at = now
    names = [row.original_name for row in rows]
    # Each file has its own upload event; this one puts them in the meeting's own history.
    record(actor, "meeting.files", meeting, now=now, summary=f"上传会议附件：{'、'.join(names)}（{meeting.title}）",
           after={"files": names, "attachment_ids": [row.id for row in rows]})
    logger.info("meeting %s: %s file(s) attached by user %s", meeting.id, len(rows), actor.id)
    return rows


def files_of(meetings: Sequence[Meeting]) -> dict[int, list[Attachment]]:
    """Return the files of several meetings in one query, by meeting id, oldest first."""
    return attachments.attachments_of(MEETING_FILES, [m.id for m in meetings])


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
