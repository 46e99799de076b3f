"""A 联络员会议's files on its pages: uploaded with the new meeting and with the minutes, listed with download links,
downloaded only by who reads the meeting; bad files and forged tokens are refused with nothing written or stored."""

from __future__ import annotations

import io
import os
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from tasktrack import settings
from tasktrack.extensions import db
from tasktrack.models import Attachment, AuditEvent, Meeting, Notification, Role
from tasktrack.services import units
from tests.conftest import csrf_token, login
from tests.levels import PASSWORD, build_levels
from tests.upload_samples import make_docx, make_pdf


def _count(model: type) -> int:
    db.session.rollback()
    return int(db.session.scalar(sa.select(sa.func.count()).select_from(model)) or 0)


def _stored(app: Flask) -> list[str]:
    root = app.config["UPLOAD_DIR"]
    return sorted(os.path.join(d, f) for d, _, fs in os.walk(root) for f in fs) if os.path.isdir(root) else []


def _new_meeting(client: FlaskClient, *files: tuple[bytes, str], title: str = "2024年第二次联络员会议") -> Any:
    mz, jy = units.find_unit("省民政厅"), units.find_unit("省教育厅")
    assert mz is not None
    assert jy is not None
    return client.post("/meetings", content_type="multipart/form-data", data={
        "csrf_token": csrf_token(client, "/meetings"), "title": title, "held_on": "2024-07-16",
        "place": "301 会议室", "agenda": "通报进展", "invited": [str(mz.id), str(jy.id)],
        "attachments": [(io.BytesIO(data), name) for data, name in files]})


def _minutes(client: FlaskClient, meeting_id: int, *files: tuple[bytes, str], token: str | None = None) -> Any:
    mz = units.find_unit("省民政厅")
    assert mz is not None
    return client.post(f"/meetings/{meeting_id}/minutes", content_type="multipart/form-data", data={
        "csrf_token": token if token is not None else csrf_token(client, f"/meetings/{meeting_id}"),
        "minutes": "议定两项事项", "present": [str(mz.id)],
        "attachments": [(io.BytesIO(data), name) for data, name in files]})


def _meeting() -> Meeting:
    db.session.rollback()
    meeting = db.session.scalar(sa.select(Meeting))
    assert meeting is not None
    return meeting


def test_files_uploaded_listed_and_downloaded_by_the_meetings_readers(
        client: FlaskClient, seeded: None, login_as: Callable[..., Any], make_user: Callable[..., Any]) -> None:
    login_as(Role.SECRETARIAT)
    assert 'enctype="multipart/form-data"' in client.get("/meetings").get_data(as_text=True)
    assert _new_meeting(client, (make_pdf(), "会议议程.pdf")).status_code == 302
    meeting = _meeting()
    page = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert "会议议程.pdf" in page
    saved = _minutes(client, meeting.id, (make_docx(), "会议纪要.docx"), (make_pdf(), "签到表.pdf"))
    assert saved.status_code == 302
    assert "上传附件 2 个" in client.get(saved.headers["Location"]).get_data(as_text=True)
    files = db.session.scalars(sa.select(Attachment).where(Attachment.owner_type == "meeting")
                               .order_by(Attachment.id)).all()
    assert [f.original_name for f in files] == ["会议议程.pdf", "会议纪要.docx", "签到表.pdf"]
    assert _count(AuditEvent) >= 3
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "attachment.upload")) == 3
    page = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    for f in files:
        assert f'href="/attachments/{f.id}"' in page
        assert f.original_name in page

    minutes_file = files[1]
    with client.get(f"/attachments/{minutes_file.id}") as download:
        assert download.status_code == 200
        assert download.data[:2] == b"PK"
        assert quote("会议纪要.docx") in download.headers["Content-Disposition"]
        assert download.headers["X-Content-Type-Options"] == "nosniff"

    readers = {"invited liaison": make_user(Role.LIAISON, unit="省教育厅"), "leader": make_user(Role.VIEWER)}
    refused = {"uninvited liaison": make_user(Role.LIAISON, unit="省财政厅"),
               "observation point": make_user(Role.OBSERVATION_POINT, unit="宁波市")}
    for who, user in {**readers, **refused}.items():
        other = client.application.test_client()
        assert login(other, user.email).status_code == 302, who
        expected = 200 if who in readers else 403
        with other.get(f"/attachments/{minutes_file.id}") as download:
            assert download.status_code == expected, who
        page = other.get(f"/meetings/{meeting.id}")
        assert page.status_code == expected, who
        if expected == 200:
            assert f'href="/attachments/{minutes_file.id}"' in page.get_data(as_text=True), who
            assert "会议纪要、出席情况与附件" not in page.get_data(as_text=True), who  # no upload form


def test_another_work_groups_user_is_refused_the_download(client: FlaskClient, seeded: None, now: Any,
                                                          login_as: Callable[..., Any]) -> None:
    levels = build_levels(now)
    db.session.commit()
    login_as(Role.SECRETARIAT)
    assert _new_meeting(client, (make_pdf(), "签到表.pdf")).status_code == 302
    file = db.session.scalar(sa.select(Attachment).where(Attachment.owner_type == "meeting"))
    assert file is not None
    for user in (levels.city_secretariat, levels.mz_liaison):
        other = client.application.test_client()
        assert login(other, user.email, PASSWORD).status_code == 302
        with other.get(f"/attachments/{file.id}") as download:
            assert download.status_code == 403
        assert other.get(f"/meetings/{_meeting().id}").status_code == 403


def test_bad_files_get_a_chinese_message_and_change_nothing(client: FlaskClient, seeded: None, app: Flask,
                                                            login_as: Callable[..., Any]) -> None:
    login_as(Role.SECRETARIAT)
    before = _stored(app)
    exe = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200
    refused = _new_meeting(client, (make_pdf(), "签到表.pdf"), (exe, "会议纪要.pdf"))
    assert refused.status_code == 400
    assert "允许的类型" in refused.get_data(as_text=True)
    assert "2024年第二次联络员会议" in refused.get_data(as_text=True)  # what was typed is kept
    assert (_count(Meeting), _count(Attachment), _count(Notification)) == (0, 0, 0)
    assert _stored(app) == before

    assert _new_meeting(client).status_code == 302  # no file: a meeting without files
    meeting = _meeting()
    with settings.overridden(app, max_upload_bytes=2000):
        oversize = _minutes(client, meeting.id, (make_pdf("x" * 3000), "签到表.pdf"))
    assert oversize.status_code == 400
    assert "大小上限" in oversize.get_data(as_text=True)
    svg = _minutes(client, meeting.id, (b'<svg xmlns="http://www.w3.org/2000/svg"><rect/></svg>', "合影.svg"))
    assert svg.status_code == 400
    assert "允许的类型" in svg.get_data(as_text=True)
    assert _meeting().minutes == ""  # the minutes that came with the bad file were not saved either
    assert _count(Attachment) == 0
    assert _stored(app) == before


def test_a_forged_token_uploads_nothing(client: FlaskClient, seeded: None, app: Flask,
                                        login_as: Callable[..., Any], make_user: Callable[..., Any]) -> None:
    login_as(Role.SECRETARIAT)
    assert _new_meeting(client).status_code == 302
    meeting = _meeting()
    before = _stored(app)
    forged = _minutes(client, meeting.id, (make_pdf(), "签到表.pdf"), token="forged-token")
    assert forged.status_code == 400
    assert "安全校验未通过" in forged.get_data(as_text=True)
    assert _count(Attachment) == 0
    assert _stored(app) == before
    liaison = client.application.test_client()  # invited, reads the meeting, but does not record it
    assert login(liaison, make_user(Role.LIAISON, unit="省民政厅").email).status_code == 302
    refused = _minutes(liaison, meeting.id, (make_pdf(), "签到表.pdf"), token=csrf_token(liaison, "/account/password"))
    assert refused.status_code == 403
    assert _count(Attachment) == 0


def test_the_meeting_page_reads_its_files_in_one_query(client: FlaskClient, seeded: None,
                                                       login_as: Callable[..., Any],
                                                       count_queries: Callable[[], Any]) -> None:
    login_as(Role.SECRETARIAT)
    assert _new_meeting(client, (make_pdf(), "会议议程.pdf")).status_code == 302
    url = f"/meetings/{_meeting().id}"

    def count() -> int:
        client.get(url)  # warm-up (session, user)
        with count_queries() as q:
            response = client.get(url)
        assert response.status_code == 200
        return int(q.count)

    one = count()
    assert _minutes(client, _meeting().id, *[(make_pdf(), f"附件{i}.pdf") for i in range(6)]).status_code == 302
    assert count() == one
    assert client.get(url).get_data(as_text=True).count('href="/attachments/') == 7
