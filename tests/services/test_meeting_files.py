"""A 联络员会议's files (附件) as services: attached when the meeting is recorded and with the minutes, checked by
content and size, Chinese names kept, each upload audited; a refused file writes and stores nothing."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from tasktrack import settings
from tasktrack.extensions import db
from tasktrack.models import Attachment, AuditEvent, Meeting, Notification, Role, User
from tasktrack.permissions import Action, can
from tasktrack.services import ServiceError, meetings, units
from tasktrack.services.attachments import Upload
from tasktrack.services.work_groups import default_work_group
from tests.upload_samples import make_docx, make_pdf

BASE = "http://tasktrack.test"


@pytest.fixture
def office(seeded: None, make_user: Callable[..., User]) -> User:
    return make_user(Role.SECRETARIAT)


def _count(model: type) -> int:
    return int(db.session.scalar(sa.select(sa.func.count()).select_from(model)) or 0)


def _stored(app: Flask) -> list[str]:
    root = app.config["UPLOAD_DIR"]
    return sorted(os.path.join(d, f) for d, _, fs in os.walk(root) for f in fs) if os.path.isdir(root) else []


def _meeting(office: User, now: Any, files: list[Upload] | None = None) -> Meeting:
    mz, jy = units.find_unit("省民政厅"), units.find_unit("省教育厅")
    assert mz is not None
    assert jy is not None
    return meetings.create_meeting(default_work_group(), title="2024年第二次联络员会议", held_on="2024-07-16",
                                   place="301 会议室", agenda="通报进展", invited=[mz.id, jy.id], actor=office,
                                   now=now, base_url=BASE, files=files or [])


def test_files_attached_when_recording_and_with_the_minutes(office: User, now: Any) -> None:
    meeting = _meeting(office, now, [Upload("会议议程.pdf", make_pdf())])
    db.session.commit()
    mz = units.find_unit("省民政厅")
    assert mz is not None
    added = meetings.record_minutes(meeting, minutes="议定两项事项", present=[mz.id], actor=office, now=now,
                                    files=[Upload("会议纪要.docx", make_docx()), Upload("签到表.pdf", make_pdf())])
    db.session.commit()
    assert [f.original_name for f in added] == ["会议纪要.docx", "签到表.pdf"]
    files = meetings.files_of([meeting])[meeting.id]
    assert [(f.original_name, f.kind, f.owner_type) for f in files] == [
        ("会议议程.pdf", "pdf", "meeting"), ("会议纪要.docx", "docx", "meeting"), ("签到表.pdf", "pdf", "meeting")]
    uploads = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "attachment.upload")).all()
    assert len(uploads) == 3
    assert {e.actor_id for e in uploads} == {office.id}
    assert all("上传附件" in e.summary for e in uploads)
    history = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "meeting.files")
                                 .order_by(AuditEvent.id)).all()
    assert [e.after["files"] for e in history] == [["会议议程.pdf"], ["会议纪要.docx", "签到表.pdf"]]
    assert {(e.object_type, e.object_id) for e in history} == {("Meeting", meeting.id)}


def test_attach_after_the_meeting_and_nothing_to_attach(office: User, now: Any) -> None:
    meeting = _meeting(office, now)
    db.session.commit()
    with pytest.raises(ServiceError) as info:
        meetings.attach_files(meeting, [], actor=office, now=now)
    assert info.value.field == "attachments"
    assert "请选择要上传的文件" in info.value.message
    rows = meetings.attach_files(meeting, [Upload("补充材料.xlsx", _xlsx())], actor=office, now=now)
    assert rows[0].original_name == "补充材料.xlsx"


def _xlsx() -> bytes:
    from tests.upload_samples import make_xlsx

    return make_xlsx()


@pytest.mark.parametrize(("name", "data", "words"), [
    ("会议纪要.docx", b"MZ\x90\x00" + b"\x00" * 200, "允许的类型"),
    ("签到表.pdf", make_docx(), "内容"),
    ("宣传图.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><rect/></svg>', "允许的类型"),
])
def test_a_bad_file_refuses_the_meeting_and_stores_nothing(office: User, now: Any, app: Flask, name: str,
                                                           data: bytes, words: str) -> None:
    before = _stored(app)
    with pytest.raises(ServiceError) as info:
        _meeting(office, now, [Upload("签到表.pdf", make_pdf()), Upload(name, data)])
    db.session.rollback()
    assert info.value.field == "attachments"
    assert words in info.value.message or name in info.value.message
    assert (_count(Meeting), _count(Attachment), _count(Notification)) == (0, 0, 0)
    assert _stored(app) == before


def test_an_oversized_file_with_the_minutes_changes_nothing(office: User, now: Any, app: Flask) -> None:
    meeting = _meeting(office, now)
    db.session.commit()
    before = _stored(app)
    mz = units.find_unit("省民政厅")
    assert mz is not None
    with settings.overridden(app, max_upload_bytes=2000), pytest.raises(ServiceError) as info:
        meetings.record_minutes(meeting, minutes="纪要", present=[mz.id], actor=office, now=now,
                                files=[Upload("签到表.pdf", make_pdf("x" * 3000))])
    db.session.rollback()
    assert "大小上限" in info.value.message
    db.session.refresh(meeting)
    assert meeting.minutes == ""
    assert _count(Attachment) == 0
    assert _stored(app) == before


def test_who_may_download_a_meeting_file(office: User, now: Any, make_user: Callable[..., User]) -> None:
    meeting = _meeting(office, now, [Upload("会议纪要.pdf", make_pdf())])
    db.session.commit()
    file = meetings.files_of([meeting])[meeting.id][0]
    readers = {"secretariat": office, "viewer": make_user(Role.VIEWER),
               "invited liaison": make_user(Role.LIAISON, unit="省教育厅")}
    for who, user in readers.items():
        assert can(user, Action.VIEW_ATTACHMENT, file), who
    outsider = make_user(Role.LIAISON, unit="省财政厅")  # not invited: reads neither the meeting nor its files
    assert not can(outsider, Action.VIEW_MEETING, meeting)
    assert not can(outsider, Action.VIEW_ATTACHMENT, file)
