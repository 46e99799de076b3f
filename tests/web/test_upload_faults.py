"""An upload folder that cannot take files (read-only, full, not a directory), through every upload path.

The failures are real OS failures: a folder below a regular file (ENOTDIR, anywhere), a read-only folder
(a read-only tmpfs mount as root — root writes through chmod — or chmod 0o500 otherwise: EROFS/EACCES) and
a full one (a 64 KiB tmpfs mount: ENOSPC in the middle of a file). Each must give a clear Chinese message
(503), keep everything typed in the re-shown form, save nothing (no row, no file) and log the fault.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import io
import logging
import os
import pathlib
import shutil
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from tasktrack import settings
from tasktrack.extensions import db
from tasktrack.models import (
    Assignment,
    AssignmentStatus,
    Attachment,
    AuditEvent,
    CaseKind,
    CaseReport,
    CaseStatus,
    PilotLog,
    Plan,
    ProgressReport,
    Role,
    UnitKind,
)
from tasktrack.services import attachments, cases, observations, units, users
from tasktrack.services.cases import CaseText
from tasktrack.uploads.storage import FileStorage, StorageUnavailable
from tests.conftest import csrf_token, login
from tests.services.test_progress import assignment_of
from tests.upload_samples import make_pdf

SMALL = make_pdf("small")
BIG = make_pdf("x" * 200_000)  # larger than the whole "full" folder
NARRATIVE = "第三季度已完成全省调研，形成报告初稿（这段文字不能丢）"
MESSAGE = "附件未能保存"


@dataclass
class Uploads:
    """The upload folder a test points the app at, and how it fails."""

    root: pathlib.Path
    reason: str
    error: str

    def files(self) -> list[str]:
        """Every regular file below the folder (temporary ones too)."""
        if not self.root.is_dir():
            return []
        return sorted(str(p) for p in self.root.rglob("*") if p.is_file())


@contextlib.contextmanager
def uploads_at(app: Flask, root: pathlib.Path) -> Iterator[None]:
    """Point the app's storage at ``root`` for the duration."""
    app.extensions.pop("tasktrack.storage", None)
    try:
        with settings.overridden(app, upload_dir=str(root)):
            yield
    finally:
        app.extensions.pop("tasktrack.storage", None)


def _mount_tmpfs(target: pathlib.Path, options: str) -> bool:
    if os.geteuid() != 0 or shutil.which("mount") is None:
        return False
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tasktrack-test", str(target)],
                          capture_output=True, check=False)
    return done.returncode == 0


def _umount(target: pathlib.Path) -> None:
    subprocess.run(["umount", str(target)], capture_output=True, check=False)


@pytest.fixture(params=["not_a_directory", "read_only", "full"])
def broken(request: pytest.FixtureRequest, app: Flask, tmp_path: pathlib.Path) -> Iterator[Uploads]:
    """The app's upload folder, broken in one real way."""
    mode = request.param
    mounted = False
    if mode == "not_a_directory":
        occupied = tmp_path / "occupied"
        occupied.write_bytes(b"a regular file where the upload folder's parent should be")
        uploads = Uploads(occupied / "uploads", "不存在或不是目录", "ENOTDIR")
    elif mode == "read_only":
        root = tmp_path / "ro"
        root.mkdir()
        if os.geteuid() != 0:
            root.chmod(0o500)  # a real refusal for anyone but root
            uploads = Uploads(root, "没有写入权限", "EACCES")
        elif _mount_tmpfs(root, "ro,size=1m,mode=0700"):
            mounted = True
            uploads = Uploads(root, "只读", "EROFS")
        else:
            pytest.skip("running as root without mount: no real read-only folder to test with")
    else:
        root = tmp_path / "full"
        root.mkdir()
        if not _mount_tmpfs(root, "size=64k,mode=0700"):
            pytest.skip("no tmpfs mount here: the full disk is covered by the injected ENOSPC test")
        mounted = True
        uploads = Uploads(root, "存储空间已满", "ENOSPC")
    try:
        with uploads_at(app, uploads.root):
            yield uploads
    finally:
        if mounted:
            _umount(uploads.root)
        elif uploads.root.exists():
            uploads.root.chmod(0o700)


def count(model: Any) -> int:
    db.session.rollback()  # a fresh snapshot: the request committed (or not) in another connection
    return db.session.scalar(sa.select(sa.func.count()).select_from(model)) or 0


def audited(*actions: str) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action.in_(actions))) or 0


def assert_logged(caplog: pytest.LogCaptureFixture, uploads: Uploads, *typed: str) -> None:
    records = [r for r in caplog.records if r.name == "tasktrack.services.attachments"
               and r.levelno >= logging.ERROR]
    assert records, "the fault is logged"
    text = " ".join(r.getMessage() for r in records)
    assert uploads.error in text
    for words in typed:
        assert words not in text  # what the user typed is no business of the log


# -- progress reports -----------------------------------------------------------------------------

def test_progress_report_keeps_the_input_and_saves_nothing(client: FlaskClient, seeded: None, login_as: Any,
                                                           broken: Uploads, caplog: pytest.LogCaptureFixture) -> None:
    login_as(Role.LIAISON, unit="省民政厅")
    a = assignment_of("省民政厅", 1)
    path = f"/assignments/{a.id}/report"
    token = csrf_token(client, path)
    caplog.set_level(logging.INFO)
    response = client.post(path, content_type="multipart/form-data", data={
        "csrf_token": token, "status": "in_progress", "percent": "45", "narrative": NARRATIVE, "reason": "",
        "base_report_id": "", "supersedes_id": "",
        "attachments": [(io.BytesIO(SMALL), "会议纪要.pdf"), (io.BytesIO(BIG), "调研报告（扫描件）.pdf")]})
    html = response.get_data(as_text=True)
    assert response.status_code == 503
    assert MESSAGE in html
    assert broken.reason in html
    assert "重新选择" in html  # the file input cannot be kept: the message says so
    assert "附件暂时无法保存" in html  # announced at the top of the page too, not only at the file field
    assert NARRATIVE in html
    assert 'value="45"' in html
    assert count(ProgressReport) == 0
    assert count(Attachment) == 0
    assert audited("progress.report", "attachment.upload") == 0
    assert db.session.get(Assignment, a.id).status is AssignmentStatus.NOT_STARTED
    assert broken.files() == []  # the small file written first is gone too, and no temporary file is left
    assert_logged(caplog, broken, NARRATIVE, "会议纪要")


def test_the_same_report_goes_through_once_the_folder_is_back(app: Flask, client: FlaskClient, seeded: None,
                                                              login_as: Any, tmp_path: pathlib.Path) -> None:
    login_as(Role.LIAISON, unit="省民政厅")
    a = assignment_of("省民政厅", 1)
    path = f"/assignments/{a.id}/report"
    blocker = tmp_path / "uploads"
    blocker.write_bytes(b"")
    data = {"status": "in_progress", "percent": "45", "narrative": NARRATIVE, "reason": "", "base_report_id": "",
            "supersedes_id": ""}
    with uploads_at(app, blocker / "x"):
        refused = client.post(path, content_type="multipart/form-data", data={
            **data, "csrf_token": csrf_token(client, path), "attachments": [(io.BytesIO(SMALL), "纪要.pdf")]})
        assert refused.status_code == 503
        blocker.unlink()
        blocker.mkdir()  # the operator repairs the folder
        done = client.post(path, content_type="multipart/form-data", data={
            **data, "csrf_token": csrf_token(client, path), "attachments": [(io.BytesIO(SMALL), "纪要.pdf")]})
        assert done.status_code == 302
        assert count(ProgressReport) == 1
        assert count(Attachment) == 1
        assert len([p for p in (blocker / "x").rglob("*") if p.is_file()]) == 1


# -- case reports (page and API) ------------------------------------------------------------------

def test_case_page_keeps_the_input_and_saves_nothing(client: FlaskClient, seeded: None, login_as: Any,
                                                     broken: Uploads, caplog: pytest.LogCaptureFixture) -> None:
    login_as(Role.LIAISON, unit="省民政厅")
    token = csrf_token(client, "/cases/new")
    caplog.set_level(logging.INFO)
    response = client.post("/cases/new", content_type="multipart/form-data", data={
        "csrf_token": token, "kind": "practice", "title": "社会组织清廉建设的三个做法", "summary": "摘要：三个做法",
        "body": "正文第一段：建立台账。", "task_id": "0", "focus_item_id": "0",
        "attachments": [(io.BytesIO(SMALL), "做法.pdf"), (io.BytesIO(BIG), "附件二.pdf")]})
    html = response.get_data(as_text=True)
    assert response.status_code == 503
    assert MESSAGE in html
    assert broken.reason in html
    for typed in ("社会组织清廉建设的三个做法", "摘要：三个做法", "正文第一段：建立台账。"):
        assert typed in html
    assert count(CaseReport) == 0
    assert count(Attachment) == 0
    assert audited("case.submit", "attachment.upload") == 0
    assert broken.files() == []
    assert_logged(caplog, broken, "建立台账")


def test_case_revision_page_keeps_the_input_and_saves_nothing(app: Flask, client: FlaskClient, seeded: None,
                                                              make_user: Callable[..., Any], now: dt.datetime,
                                                              tmp_path: pathlib.Path) -> None:
    author = make_user(Role.LIAISON, unit="省民政厅")
    office = make_user(Role.SECRETARIAT)
    plan = db.session.scalar(sa.select(Plan))
    case = cases.submit_case(plan, author.unit, CaseText(kind=CaseKind.POSITIVE, title="第一版", summary="s",
                                                         body="b"), actor=author, files=[], now=now)
    cases.review_case(case, actor=office, action="return", comment="请删去协会名称", now=now)
    db.session.commit()
    login(client, author.email)
    path = f"/cases/{case.id}/revise"
    token = csrf_token(client, path)
    occupied = tmp_path / "occupied"
    occupied.write_bytes(b"")
    with uploads_at(app, occupied / "uploads"):
        response = client.post(path, content_type="multipart/form-data", data={
            "csrf_token": token, "kind": "positive", "title": "第二版（已匿名）", "summary": "s2",
            "body": "修改后的正文", "task_id": "0", "focus_item_id": "0",
            "attachments": [(io.BytesIO(SMALL), "修改稿.pdf")]})
    html = response.get_data(as_text=True)
    assert response.status_code == 503
    assert MESSAGE in html
    assert "第二版（已匿名）" in html
    assert "修改后的正文" in html
    db.session.rollback()
    case = db.session.get(CaseReport, case.id)
    assert (case.version, case.status, case.title) == (1, CaseStatus.RETURNED, "第一版")
    assert count(Attachment) == 0


def test_case_api_answers_503_json_and_saves_nothing(client: FlaskClient, seeded: None,
                                                     make_user: Callable[..., Any], now: dt.datetime,
                                                     broken: Uploads) -> None:
    author = make_user(Role.LIAISON, unit="省民政厅")
    token = users.issue_token(author, actor=None, now=now)
    db.session.commit()
    response = client.post("/api/v1/cases", headers={"Authorization": f"Bearer {token}"},
                           content_type="multipart/form-data", data={
                               "kind": "positive", "title": "接口案例", "summary": "s", "body": "b",
                               "attachments": [(io.BytesIO(SMALL), "a.pdf"), (io.BytesIO(BIG), "b.pdf")]})
    assert response.status_code == 503
    body = response.get_json()
    assert MESSAGE in body["error"]
    assert broken.reason in body["error"]
    assert count(CaseReport) == 0
    assert count(Attachment) == 0
    assert broken.files() == []


# -- pilot logs -----------------------------------------------------------------------------------

def test_pilot_log_page_keeps_the_input_and_saves_nothing(app: Flask, client: FlaskClient, seeded: None,
                                                          make_user: Callable[..., Any], now: dt.datetime,
                                                          broken: Uploads) -> None:
    point, _ = units.save_unit(None, actor=None, name="宁波市鄞州区观察点", kind=UnitKind.OBSERVATION_POINT,
                               categories=[], contact_emails="", leader_email=None, now=now)
    db.session.commit()
    user = make_user(Role.OBSERVATION_POINT, unit=point.name)
    item = observations.list_focus_items()[0]
    observations.save_choice(db.session.scalar(sa.select(Plan)), point, actor=user, items=[item.id],
                             plans={item.id: "x"}, now=dt.datetime(2024, 4, 20, 2, 0, tzinfo=dt.UTC))
    db.session.commit()
    login(client, user.email)
    path = f"/observation/points/{point.id}"
    response = client.post(f"{path}/logs", content_type="multipart/form-data", data={
        "csrf_token": csrf_token(client, path), "focus_item_id": str(item.id), "log_date": "2024-07-01",
        "note": "召开试点推进会，形成三项制度", "attachments": [(io.BytesIO(SMALL), "纪要.pdf"),
                                                          (io.BytesIO(BIG), "制度汇编.pdf")]})
    html = response.get_data(as_text=True)
    assert response.status_code == 503
    assert MESSAGE in html
    assert "召开试点推进会，形成三项制度" in html
    assert count(PilotLog) == 0
    assert count(Attachment) == 0
    assert broken.files() == []


# -- the mechanism: storage and the transaction ---------------------------------------------------

def test_store_removes_its_partial_file_when_the_disk_fills(tmp_path: pathlib.Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """ENOSPC (or EDQUOT on NFS) reported when the data is flushed, after part of it was written."""
    storage = FileStorage(tmp_path / "uploads")
    real_fsync = os.fsync

    def full(fd: int) -> None:
        if os.fstat(fd).st_size > 0:  # a file with data in it, not the directory
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(StorageUnavailable) as caught:
        storage.store(SMALL, extension=".pdf")
    assert caught.value.errno == errno.ENOSPC
    assert caught.value.reason == "服务器存储空间已满"
    assert [p for p in (tmp_path / "uploads").rglob("*") if p.is_file()] == []


def test_store_below_a_regular_file_is_unavailable_not_a_crash(tmp_path: pathlib.Path) -> None:
    (tmp_path / "occupied").write_bytes(b"")
    storage = FileStorage(tmp_path / "occupied" / "uploads")  # building it does not fail: storing does
    with pytest.raises(StorageUnavailable) as caught:
        storage.store(b"x")
    assert caught.value.errno == errno.ENOTDIR
    assert "ENOTDIR" in str(caught.value)


def test_files_of_a_transaction_that_does_not_commit_are_removed(app: Flask, seeded: None,
                                                                 make_user: Callable[..., Any],
                                                                 now: dt.datetime) -> None:
    """A later refusal, a failed commit or an error after the files were stored leaves no orphan file."""
    user = make_user(Role.LIAISON, unit="省民政厅")
    store = attachments.storage()
    rows = attachments.attach("progress_report", 1, [attachments.Upload("a.pdf", SMALL)], actor=user, now=now)
    kept_nested = store.path(rows[0].storage_key)
    assert kept_nested.is_file()
    db.session.rollback()
    assert not kept_nested.exists()
    rows = attachments.attach("progress_report", 1, [attachments.Upload("a.pdf", SMALL)], actor=user, now=now)
    committed = store.path(rows[0].storage_key)
    db.session.commit()
    db.session.rollback()  # a later transaction ending does not touch files already committed
    assert committed.is_file()
    with db.session.begin_nested():
        rows = attachments.attach("progress_report", 2, [attachments.Upload("b.pdf", SMALL)], actor=user, now=now)
    in_savepoint = store.path(rows[0].storage_key)
    db.session.remove()  # the request ends without a commit (an error page): the file goes with it
    assert not in_savepoint.exists()
    assert committed.is_file()


# -- plan imports -----------------------------------------------------------------------------------

#: A plan document larger than the whole "full" folder (its preamble is long).
PLAN_TEXT = ("2024年工作要点\n" + "总体要求。" * 30_000
             + "\n一、加强监管\n（一）开展专项检查。（省民政厅负责，2024年12月底前完成）\n")


def test_plan_import_page_keeps_the_input_and_saves_nothing(client: FlaskClient, seeded: None, login_as: Any,
                                                            broken: Uploads) -> None:
    from tasktrack.models import PlanImport

    login_as(Role.SECRETARIAT)
    before = count(PlanImport)
    response = client.post("/plans/import", data={"text": PLAN_TEXT, "title": "存不下的计划", "year": "2024",
                                                  "csrf_token": csrf_token(client, "/account/password")})
    assert response.status_code == 503
    html = response.get_data(as_text=True)
    assert broken.reason in html
    assert "存不下的计划" in html
    assert count(PlanImport) == before
    assert broken.files() == []


def test_plan_import_api_answers_503_json_and_saves_nothing(client: FlaskClient, seeded: None,
                                                            make_user: Callable[..., Any], now: dt.datetime,
                                                            broken: Uploads) -> None:
    from tasktrack.models import PlanImport

    admin = make_user(Role.SECRETARIAT)
    token = users.issue_token(admin, actor=None, now=now)
    db.session.commit()
    before = count(PlanImport)
    response = client.post("/api/v1/plan-imports", headers={"Authorization": f"Bearer {token}"},
                           content_type="multipart/form-data",
                           data={"file": (io.BytesIO(PLAN_TEXT.encode()), "plan.txt"), "year": "2024"})
    assert response.status_code == 503
    assert broken.reason in response.get_json()["error"]
    assert count(PlanImport) == before
    assert broken.files() == []
