"""A 联络员会议's files in the API: every meeting JSON lists them (id, name, size, download URL); the secretariat
uploads them with ``POST /meetings/{id}/files`` (multipart, as cases are); refusals are JSON and change nothing."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from tasktrack.extensions import db
from tasktrack.models import Attachment, Role
from tasktrack.services import units, users
from tests.dashboard_data import NOW
from tests.upload_samples import make_docx, make_pdf
from tests.web.test_api_assignments import _validate

WHO = {"secretariat": (Role.SECRETARIAT, None), "liaison": (Role.LIAISON, "省民政厅"),
       "other": (Role.LIAISON, "省财政厅")}


@pytest.fixture
def api(client: FlaskClient, seeded: None, make_user: Callable[..., Any]) -> Callable[..., Any]:
    tokens = {who: users.issue_token(make_user(role, unit=unit), actor=None, now=NOW)
              for who, (role, unit) in WHO.items()}
    db.session.commit()

    def do(method: str, path: str, *, who: str = "secretariat", json: Any = None,
           files: list[tuple[bytes, str]] | None = None) -> Any:
        headers = {"Authorization": f"Bearer {tokens[who]}"}
        if files is not None:
            return client.open(f"/api/v1{path}", method=method, headers=headers, content_type="multipart/form-data",
                               data={"attachments": [(io.BytesIO(data), name) for data, name in files]})
        return client.open(f"/api/v1{path}", method=method, headers=headers, json=json)

    return do


def _count() -> int:
    db.session.rollback()
    return int(db.session.scalar(sa.select(sa.func.count()).select_from(Attachment)) or 0)


def _meeting(api: Callable[..., Any]) -> int:
    mz = units.find_unit("省民政厅")
    assert mz is not None
    created = api("POST", "/meetings", json={"title": "2024年第二次联络员会议", "held_on": "2024-07-16",
                                             "invited": [mz.id]})
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["meeting"]["files"] == []
    return int(created.get_json()["meeting"]["id"])


def test_upload_and_list_a_meetings_files(api: Callable[..., Any], client: FlaskClient) -> None:
    meeting_id = _meeting(api)
    path = f"/meetings/{meeting_id}/files"
    uploaded = api("POST", path, files=[(make_docx(), "会议纪要.docx"), (make_pdf(), "签到表.pdf")])
    assert uploaded.status_code == 201, uploaded.get_json()
    _validate(uploaded, "/meetings/{meeting_id}/files", "post")
    files = uploaded.get_json()["files"]
    assert [(f["name"], f["url"]) for f in files] == [("会议纪要.docx", f"/attachments/{files[0]['id']}"),
                                                      ("签到表.pdf", f"/attachments/{files[1]['id']}")]
    assert files[1]["size"] == len(make_pdf())
    one = api("GET", f"/meetings/{meeting_id}", who="liaison")  # invited
    _validate(one, "/meetings/{meeting_id}")
    assert one.get_json()["meeting"]["files"] == files
    listing = api("GET", "/meetings", who="liaison")
    _validate(listing, "/meetings")
    assert listing.get_json()["meetings"][0]["files"] == files
    assert api("GET", "/meetings", who="other").get_json()["meetings"] == []


@pytest.mark.parametrize(("who", "files", "status", "words"), [
    ("secretariat", [(make_pdf(), "签到表.pdf"), (b"MZ\x90\x00" + b"\x00" * 200, "会议纪要.docx")], 422, "允许的类型"),
    ("secretariat", [], 422, "请选择要上传的文件"),
    ("liaison", [(make_pdf(), "签到表.pdf")], 403, "没有权限"),  # invited: reads the meeting, does not record it
    ("other", [(make_pdf(), "签到表.pdf")], 403, "没有权限"),
])
def test_refused_uploads_are_json_and_store_nothing(api: Callable[..., Any], who: str,
                                                    files: list[tuple[bytes, str]], status: int, words: str) -> None:
    meeting_id = _meeting(api)
    refused = api("POST", f"/meetings/{meeting_id}/files", who=who, files=files)
    assert refused.status_code == status
    assert words in refused.get_json()["error"]
    if status == 422:
        assert refused.get_json()["field"] == "attachments"
    assert _count() == 0


def test_uploading_to_a_missing_meeting_is_404(api: Callable[..., Any]) -> None:
    assert api("POST", "/meetings/99999/files", files=[(make_pdf(), "签到表.pdf")]).status_code == 404
    assert _count() == 0
