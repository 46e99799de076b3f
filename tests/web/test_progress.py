"""Progress pages wired end to end: 我的任务, the assignment page, the report form and the review queues."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from tasktrack import settings
from tasktrack.extensions import db
from tasktrack.models import (
    AssignmentStatus,
    Attachment,
    CompletionState,
    ExtensionRequest,
    ProgressReport,
    SupervisionRecord,
)
from tasktrack.services import progress
from tests.conftest import csrf_token, login
from tests.services.test_progress import EXE, PDF, assignment_of, count


@pytest.fixture
def liaison(seeded: None, login_as: Callable[..., Any]) -> Any:
    user = login_as("liaison", unit="省民政厅")
    db.session.commit()  # end the test's read snapshot taken before the sign-in wrote (SQLite WAL)
    return user


def form_path(a: Any) -> str:
    return f"/assignments/{a.id}/report"


def post_report(client: FlaskClient, a: Any, *, token: str | None = "fetch", files: list[tuple[bytes, str]] = (),
                **fields: Any) -> Any:
    data: dict[str, Any] = {"status": "in_progress", "percent": "30", "narrative": "已完成调研", "reason": "",
                            "base_report_id": "", "supersedes_id": "", **fields}
    if token == "fetch":
        token = csrf_token(client, form_path(a))
    if token is not None:
        data["csrf_token"] = token
    data["attachments"] = [(io.BytesIO(body), name) for body, name in files]
    return client.post(form_path(a), data=data, content_type="multipart/form-data")


def test_report_with_attachments_shows_on_the_assignment_page(client: FlaskClient, liaison: Any) -> None:
    a = assignment_of("省民政厅", 1)
    response = post_report(client, a, files=[(PDF, "实施方案（定稿）.pdf"), (PDF, "会议纪要.pdf")])
    assert response.status_code == 302, response.get_data(as_text=True)
    html = client.get(f"/assignments/{a.id}").get_data(as_text=True)
    assert "实施方案（定稿）.pdf" in html
    assert "会议纪要.pdf" in html
    assert "第 1 版" in html
    db.session.rollback()  # a fresh snapshot: the request committed in another connection
    file_id = db.session.scalars(sa.select(Attachment.id).order_by(Attachment.id)).first()
    download = client.get(f"/attachments/{file_id}")
    assert download.status_code == 200
    assert download.data == PDF
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    download.close()


def test_form_starts_from_the_last_report_and_unchanged_is_one_click(client: FlaskClient, liaison: Any,
                                                                      now: dt.datetime) -> None:
    a = assignment_of("省民政厅", 1)
    first = progress.submit_report(a, author=liaison, status=AssignmentStatus.IN_PROGRESS, percent=45,
                                   completed_on=None, narrative="已起草征求意见稿", now=now)
    db.session.commit()
    html = client.get(form_path(a)).get_data(as_text=True)
    assert "已起草征求意见稿</textarea>" in html
    assert 'value="45"' in html
    assert f'name="base_report_id" type="hidden" value="{first.id}"' in html
    my = client.get("/my/tasks").get_data(as_text=True)
    assert "情况无变化，确认报送" in my
    assert "已起草征求意见稿" in my
    token = csrf_token(client, "/my/tasks")
    response = client.post(f"/assignments/{a.id}/unchanged",
                           data={"csrf_token": token, "base_report_id": str(first.id), "next": "my"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/my/tasks")
    db.session.rollback()
    assert count(ProgressReport) == 2
    page = client.get(f"/assignments/{a.id}").get_data(as_text=True)
    assert "情况无变化" in page
    assert "第 2 版" in page


def test_correction_shows_what_changed(client: FlaskClient, liaison: Any, now: dt.datetime) -> None:
    a = assignment_of("省民政厅", 1)
    first = progress.submit_report(a, author=liaison, status=AssignmentStatus.IN_PROGRESS, percent=20,
                                   completed_on=None, narrative="召开部署会", now=now)
    db.session.commit()
    token = csrf_token(client, f"{form_path(a)}?correct={first.id}")
    response = client.post(f"{form_path(a)}?correct={first.id}", data={
        "csrf_token": token, "status": "in_progress", "percent": "25", "narrative": "召开全省部署会",
        "reason": "补充范围", "base_report_id": str(first.id), "supersedes_id": str(first.id)})
    assert response.status_code == 302
    html = client.get(f"/assignments/{a.id}").get_data(as_text=True)
    assert "更正第 1 版" in html
    assert "20% → 25%" in html
    assert "<ins>全省</ins>" in html
    assert "补充范围" in html
    assert db.session.get(ProgressReport, first.id).narrative == "召开部署会"


@pytest.mark.parametrize(("fields", "files", "message"), [
    ({"narrative": "  "}, [], "请填写进展情况说明"),
    ({"percent": "150"}, [], "完成百分比必须在 0 到 100 之间"),
    ({"percent": "-3"}, [], "完成百分比必须在 0 到 100 之间"),
    ({"percent": "七十"}, [], "完成比例必须是 0 到 100 之间的整数"),
    ({"status": "completed", "completed_on": ""}, [], "必须填写完成日期"),
    ({"status": "completed", "completed_on": "2024-08-01"}, [], "完成日期不能晚于今天"),
    ({}, [(EXE, "佐证材料.pdf")], "文件内容不是允许的类型"),
])
def test_bad_input_is_refused_with_a_message_and_changes_nothing(client: FlaskClient, liaison: Any,
                                                                 fields: dict[str, str], files: Any,
                                                                 message: str) -> None:
    a = assignment_of("省民政厅", 1)
    response = post_report(client, a, files=files, **fields)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in html, re.findall(r'class="error">([^<]*)', html)
    assert count(ProgressReport) == 0
    assert count(Attachment) == 0
    if fields.get("narrative", "x").strip():
        assert (fields.get("narrative") or "已完成调研") in html  # the input is kept


def test_exe_message_names_the_file(client: FlaskClient, liaison: Any) -> None:
    a = assignment_of("省民政厅", 1)
    html = post_report(client, a, files=[(EXE, "佐证材料.pdf")]).get_data(as_text=True)
    assert "佐证材料.pdf" in html


def test_upload_over_the_request_limit_is_a_friendly_413(app: Flask, client: FlaskClient, liaison: Any) -> None:
    a = assignment_of("省民政厅", 1)
    token = csrf_token(client, form_path(a))
    limit = app.config["MAX_CONTENT_LENGTH"]
    app.config["MAX_CONTENT_LENGTH"] = 2048
    try:
        response = post_report(client, a, token=token, files=[(PDF + b"%" * 5000, "扫描件.pdf")])
    finally:
        app.config["MAX_CONTENT_LENGTH"] = limit
    assert response.status_code == 413
    assert "文件过大" in response.get_data(as_text=True)
    assert count(ProgressReport) == 0


def test_attachment_over_the_per_file_limit(app: Flask, client: FlaskClient, liaison: Any) -> None:
    a = assignment_of("省民政厅", 1)
    with settings.overridden(app, max_upload_bytes=100):
        response = post_report(client, a, files=[(PDF + b"%" * 500, "扫描件.pdf")])
    assert response.status_code == 400
    assert "扫描件.pdf" in response.get_data(as_text=True)
    assert count(ProgressReport) == 0


@pytest.mark.parametrize("token", [None, "forged-token"])
def test_missing_or_wrong_csrf_keeps_the_input_and_changes_nothing(client: FlaskClient, liaison: Any,
                                                                   token: str | None) -> None:
    a = assignment_of("省民政厅", 1)
    response = post_report(client, a, token=token, narrative="这段文字要保留")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "安全校验未通过" in html
    assert "这段文字要保留" in html
    assert count(ProgressReport) == 0


def test_stale_form_is_refused_showing_the_newer_report(client: FlaskClient, liaison: Any,
                                                        make_user: Callable[..., Any], now: dt.datetime) -> None:
    a = assignment_of("省民政厅", 1)
    token = csrf_token(client, form_path(a))  # form opened: no report yet
    colleague = make_user("liaison", unit="省民政厅", name="王同事")
    progress.submit_report(a, author=colleague, status=AssignmentStatus.IN_PROGRESS, percent=60, completed_on=None,
                           narrative="同事刚报送的内容", now=now)
    db.session.commit()
    response = post_report(client, a, token=token, narrative="我写的内容")
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "王同事" in html
    assert "同事刚报送的内容" in html
    assert "我写的内容" in html
    assert "仍然提交" in html
    assert count(ProgressReport) == 1
    newest = re.search(r'name="base_report_id" type="hidden" value="(\d+)"', html)
    assert newest is not None
    # Submitting again after seeing it is a deliberate choice: both reports are kept.
    again = post_report(client, a, token=token, narrative="我写的内容", base_report_id=newest.group(1))
    assert again.status_code == 302
    db.session.rollback()
    assert [e.report.narrative for e in progress.history(a)] == ["我写的内容", "同事刚报送的内容"]


def test_another_units_assignment_is_403(client: FlaskClient, liaison: Any) -> None:
    other = assignment_of("省教育厅", 1)
    token = csrf_token(client, "/account/password")
    assert client.get(form_path(other)).status_code == 403
    response = client.post(form_path(other), data={"csrf_token": token, "status": "in_progress",
                                                   "narrative": "越权", "base_report_id": ""})
    assert response.status_code == 403
    assert client.post(f"/assignments/{other.id}/extension", data={"csrf_token": token, "reason": "x",
                                                                   "requested_due": "2024-09-01"}).status_code == 403
    assert count(ProgressReport) == 0
    assert count(ExtensionRequest) == 0
    assert client.get(f"/assignments/{other.id}").status_code == 200  # reading is fine


def test_my_tasks_groups_markers_and_stale(client: FlaskClient, liaison: Any, now: dt.datetime) -> None:
    html = client.get("/my/tasks").get_data(as_text=True)
    assert html.index("light-red") < html.index("light-yellow") < html.index("light-green")
    assert "未按期报送" in html  # year-round tasks with no report this quarter
    assert "逾期 18 天" in html  # task 6, due 2024-06-30
    assert "报送进展" in html
    assert "尚未报送" in html


def test_claim_confirm_and_send_back_through_the_pages(app: Flask, client: FlaskClient, liaison: Any,
                                                       make_user: Callable[..., Any]) -> None:
    a = assignment_of("省民政厅", 6)
    assert post_report(client, a, status="completed", completed_on="2024-07-15", percent="").status_code == 302
    assert "待确认办结" in client.get("/my/tasks").get_data(as_text=True)
    db.session.rollback()
    boss = app.test_client()
    login(boss, make_user("secretariat").email)
    queue = boss.get("/review/completions").get_data(as_text=True)
    assert f"/assignments/{a.id}" in queue
    token = csrf_token(boss, "/review/completions")
    refused = boss.post(f"/assignments/{a.id}/send-back", data={"csrf_token": token, "note": ""})
    assert refused.status_code == 302
    assert count(SupervisionRecord) == 0
    boss.post(f"/assignments/{a.id}/send-back", data={"csrf_token": token, "note": "请补充印发文件"})
    db.session.rollback()
    assert a.completion_state is CompletionState.RETURNED
    assert a.status is AssignmentStatus.IN_PROGRESS
    page = client.get(f"/assignments/{a.id}").get_data(as_text=True)
    assert "请补充印发文件" in page
    assert "办结申请被退回" in page
    # The unit claims again; this time the secretariat confirms.
    latest = str(progress.latest_report(a).id)
    db.session.rollback()
    post_report(client, a, status="completed", completed_on="2024-07-16", percent="", base_report_id=latest)
    boss.post(f"/assignments/{a.id}/confirm", data={"csrf_token": token, "note": "", "next": "queue"})
    db.session.rollback()
    assert a.completion_state is CompletionState.CONFIRMED
    assert "已确认办结" in client.get(f"/assignments/{a.id}").get_data(as_text=True)


def test_extension_request_and_approval(app: Flask, client: FlaskClient, liaison: Any,
                                        make_user: Callable[..., Any]) -> None:
    a = assignment_of("省民政厅", 1)
    token = csrf_token(client, f"/assignments/{a.id}/extension")
    bad = client.post(f"/assignments/{a.id}/extension",
                      data={"csrf_token": token, "requested_due": "2024-07-01", "reason": "来不及"})
    assert bad.status_code == 400
    assert "必须晚于" in bad.get_data(as_text=True)
    assert count(ExtensionRequest) == 0
    ok = client.post(f"/assignments/{a.id}/extension",
                     data={"csrf_token": token, "requested_due": "2024-09-30", "reason": "需提交省委常委会审议"})
    assert ok.status_code == 302
    assert "延期申请审核中" in client.get("/my/tasks").get_data(as_text=True)
    db.session.rollback()
    boss = app.test_client()
    login(boss, make_user("secretariat").email)
    assert "需提交省委常委会审议" in boss.get("/review/extensions").get_data(as_text=True)
    request_id = db.session.scalars(sa.select(ExtensionRequest.id)).one()
    token = csrf_token(boss, "/review/extensions")
    boss.post(f"/extensions/{request_id}/decide", data={"csrf_token": token, "decision": "approve", "note": ""})
    html = client.get(f"/assignments/{a.id}").get_data(as_text=True)
    assert "已批准延期至" in html
    assert "2024年9月30日" in html
    assert "原定 2024年7月31日" in html
    assert "light-green" in html


def test_task_page_links_each_unit_to_its_assignment(client: FlaskClient, liaison: Any) -> None:
    a = assignment_of("省民政厅", 1)
    html = client.get(f"/tasks/{a.task_id}").get_data(as_text=True)
    assert f'href="/assignments/{a.id}"' in html


# --- Query counts: the same number of statements with 10× more data ---------------------------------


def _add_reports(unit: str, rounds: int, author: Any, now: dt.datetime, *, files: bool = False) -> None:
    from tasktrack.services.attachments import Upload
    from tasktrack.services.read.overview import unit_rows
    from tasktrack.services.units import find_unit

    for row in unit_rows(find_unit(unit).id, now.date()):
        for i in range(rounds):
            progress.submit_report(row.assignment, author=author, status=AssignmentStatus.IN_PROGRESS, percent=i,
                                   completed_on=None, narrative=f"第{i}次", now=now + dt.timedelta(minutes=i),
                                   attachments=[Upload(f"材料{i}.pdf", PDF)] if files else ())
    db.session.commit()


def _statements(client: FlaskClient, path: str, count_queries: Callable[[], Any]) -> int:
    with count_queries() as q:
        assert client.get(path).status_code == 200
    return q.count


def test_my_tasks_query_count_is_flat(client: FlaskClient, liaison: Any, now: dt.datetime,
                                      count_queries: Callable[[], Any]) -> None:
    _add_reports("省民政厅", 1, liaison, now)
    small = _statements(client, "/my/tasks", count_queries)
    _add_reports("省民政厅", 9, liaison, now)
    assert _statements(client, "/my/tasks", count_queries) == small


def test_assignment_page_query_count_is_flat(client: FlaskClient, liaison: Any, now: dt.datetime,
                                             make_user: Callable[..., Any],
                                             count_queries: Callable[[], Any]) -> None:
    a = assignment_of("省民政厅", 1)
    path = f"/assignments/{a.id}"

    def add(n: int) -> None:
        for i in range(n):
            author = make_user("liaison", unit="省民政厅")
            progress.submit_report(a, author=author, status=AssignmentStatus.IN_PROGRESS, percent=i, completed_on=None,
                                   narrative=f"第{i}次", now=now, attachments=[])
        db.session.commit()

    add(3)
    small = _statements(client, path, count_queries)
    add(27)
    assert _statements(client, path, count_queries) == small


def test_task_page_query_count_is_flat(client: FlaskClient, liaison: Any, now: dt.datetime,
                                       count_queries: Callable[[], Any]) -> None:
    a = assignment_of("省民政厅", 16)  # a task of every member unit and every city
    _add_reports("省民政厅", 1, liaison, now)
    small = _statements(client, f"/tasks/{a.task_id}", count_queries)
    _add_reports("省民政厅", 9, liaison, now, files=True)
    assert _statements(client, f"/tasks/{a.task_id}", count_queries) == small


def test_a_report_post_reads_no_latest_report(client: FlaskClient, liaison: Any, now: dt.datetime,
                                              count_queries: Callable[[], Any]) -> None:
    """The form's POST leaves the stale check to the service (the assignment's locked mirror of its latest report):
    it does not read the latest report itself, and it runs as many statements whatever the history."""
    a = assignment_of("省民政厅", 1)

    def post_statements() -> list[str]:
        token = csrf_token(client, form_path(a))
        db.session.rollback()  # a fresh snapshot: reports were committed in other connections
        base = progress.latest_report(a)
        with count_queries() as q:
            response = post_report(client, a, token=token, percent="40", base_report_id=base.id if base else "")
            assert response.status_code == 302, response.get_data(as_text=True)
        return q.statements

    post_statements()  # the first report also signs for the assignment (签收)
    first = post_statements()
    _add_reports("省民政厅", 9, liaison, now)
    later = post_statements()
    assert len(later) == len(first)
    newest_first = re.compile(r"FROM progress_reports\s.*ORDER BY progress_reports\.id DESC", re.S)
    assert not [s for s in later if newest_first.search(s)], later


def test_long_narratives_that_differ_throughout_show_their_changed_sentences(client: FlaskClient, liaison: Any,
                                                                             now: dt.datetime) -> None:
    """Two narratives of thousands of characters, different throughout: the item page compares them sentence by
    sentence (domain/report_diff.py) and still shows every word of both, escaped."""
    a = assignment_of("省民政厅", 1)
    before = "".join(f"第{i}项工作已完成自查<{i}>。" for i in range(400))
    after = "".join(f"第{i}项工作已完成自查<{i}>。" if i % 2 else f"第{i}项问题已整改到位&复核。" for i in range(400))
    for narrative in (before, after):
        progress.submit_report(a, author=liaison, status=AssignmentStatus.IN_PROGRESS, percent=30, completed_on=None,
                               narrative=narrative, now=now, attachments=[])
    db.session.commit()
    html = client.get(f"/assignments/{a.id}").get_data(as_text=True)
    assert re.search(r"<del>[^<]*自查&lt;0&gt;</del><ins>[^<]*&amp;复核</ins>", html)
    assert "<1>" not in html
