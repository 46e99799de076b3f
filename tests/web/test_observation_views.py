"""Observation and case pages: choice refused with nothing saved, uploads refused through the routes,
query counts of the library and the matrix, the compilation download, the API."""

from __future__ import annotations

import datetime as dt
import io
import os

import docx
import pytest
import sqlalchemy as sa

from tasktrack import settings
from tasktrack.extensions import db
from tasktrack.models import Attachment, CaseKind, CaseReport, FocusChoice, PilotLog, Plan, Role, UnitKind
from tasktrack.services import attachments, cases, observations, units, users
from tests.conftest import csrf_token, login
from tests.upload_samples import make_pdf, make_zip, minimal_docx

BEFORE = dt.datetime(2024, 4, 20, 2, 0, tzinfo=dt.UTC)


@pytest.fixture
def point(seeded, now):  # type: ignore[no-untyped-def]
    unit, _ = units.save_unit(None, actor=None, name="宁波市鄞州区观察点", kind=UnitKind.OBSERVATION_POINT,
                              categories=[], contact_emails="", leader_email=None, now=now)
    db.session.commit()
    return unit


def _plan() -> Plan:
    return db.session.scalar(sa.select(Plan))


def _upload_dir_files(app) -> list[str]:  # type: ignore[no-untyped-def]
    root = app.config["UPLOAD_DIR"]
    return [os.path.join(d, f) for d, _, fs in os.walk(root) for f in fs] if os.path.isdir(root) else []


def test_third_item_refused_nothing_saved(client, login_as, point, app) -> None:  # type: ignore[no-untyped-def]
    login_as(Role.OBSERVATION_POINT, unit=point.name)
    db.session.commit()  # end the test session's read snapshot from before the sign-in's write
    plan = _plan()
    plan.focus_choice_deadline = dt.date(2024, 12, 31)
    db.session.commit()
    items = observations.list_focus_items()
    path = f"/observation/points/{point.id}"
    token = csrf_token(client, path)
    data = {"csrf_token": token, "items": [str(i.id) for i in items[:3]],
            **{f"plan_{i.id}": f"计划{i.id}" for i in items[:3]}}
    response = client.post(f"{path}/choice", data=data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "最多只能选择 2 项工作重点" in html
    assert "计划" + str(items[2].id) in html  # what the user typed is kept
    assert db.session.scalar(sa.select(sa.func.count(FocusChoice.id))) == 0
    data["items"] = [str(i.id) for i in items[:2]]
    assert client.post(f"{path}/choice", data=data).status_code == 302
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count(FocusChoice.id))) == 1


def test_other_point_cannot_choose(client, make_user, point, now) -> None:  # type: ignore[no-untyped-def]
    other, _ = units.save_unit(None, actor=None, name="湖州市德清县观察点", kind=UnitKind.OBSERVATION_POINT,
                               categories=[], contact_emails="", leader_email=None, now=now)
    db.session.commit()
    user = make_user(Role.OBSERVATION_POINT, unit=other.name)
    login(client, user.email)
    item = observations.list_focus_items()[0]
    token = csrf_token(client, "/account/password")
    response = client.post(f"/observation/points/{point.id}/choice",
                           data={"csrf_token": token, "items": [str(item.id)], f"plan_{item.id}": "x"})
    assert response.status_code == 403
    assert db.session.scalar(sa.select(sa.func.count(FocusChoice.id))) == 0


BAD_FILES = [
    ("exe renamed pdf", "报告.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200, "允许的类型"),
    ("truncated pdf", "报告.pdf", make_pdf()[:60], "PDF"),
    ("path traversal, no name left", "../../", make_pdf(), "上级目录"),
    ("path traversal", "../../etc/经验材料.pdf", make_pdf(), "上级目录"),
    ("svg", "图.svg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect/></svg>', "允许的类型"),
    ("macro docx", "伪装.docx", make_zip(minimal_docx(**{"word/vbaProject.bin": b"\xd0\xcf\x11\xe0"})), "宏"),
]


@pytest.mark.parametrize(("label", "name", "data", "message"), BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_case_upload_refused_nothing_stored(client, seeded, login_as, app, label, name, data, message) -> None:  # type: ignore[no-untyped-def]
    login_as(Role.LIAISON, unit="省民政厅")
    before = _upload_dir_files(app)
    token = csrf_token(client, "/cases/new")
    response = client.post("/cases/new", content_type="multipart/form-data", data={
        "csrf_token": token, "kind": "positive", "title": "坏附件", "summary": "摘要", "body": "正文",
        "task_id": "0", "focus_item_id": "0", "attachments": [(io.BytesIO(data), name)]})
    assert response.status_code == 422, label
    assert message in response.get_data(as_text=True), label
    assert db.session.scalar(sa.select(sa.func.count(CaseReport.id))) == 0
    assert db.session.scalar(sa.select(sa.func.count(Attachment.id))) == 0
    assert _upload_dir_files(app) == before


def test_oversized_upload_refused(client, seeded, login_as, app) -> None:  # type: ignore[no-untyped-def]
    login_as(Role.LIAISON, unit="省民政厅")
    token = csrf_token(client, "/cases/new")
    with settings.overridden(app, max_upload_bytes=2000):
        response = client.post("/cases/new", content_type="multipart/form-data", data={
            "csrf_token": token, "kind": "positive", "title": "大文件", "summary": "摘要", "body": "正文",
            "task_id": "0", "focus_item_id": "0", "attachments": [(io.BytesIO(make_pdf("x" * 3000)), "大.pdf")]})
    assert response.status_code == 422
    assert "大小上限" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(CaseReport.id))) == 0
    assert db.session.scalar(sa.select(sa.func.count(Attachment.id))) == 0


def test_pilot_log_bad_file_refused(client, make_user, point, app) -> None:  # type: ignore[no-untyped-def]
    user = make_user(Role.OBSERVATION_POINT, unit=point.name)
    item = observations.list_focus_items()[0]
    observations.save_choice(_plan(), point, actor=user, items=[item.id], plans={item.id: "x"}, now=BEFORE)
    db.session.commit()
    login(client, user.email)
    path = f"/observation/points/{point.id}"
    token = csrf_token(client, path)
    response = client.post(f"{path}/logs", content_type="multipart/form-data", data={
        "csrf_token": token, "focus_item_id": str(item.id), "log_date": "2024-07-01", "note": "进展",
        "attachments": [(io.BytesIO(b"MZ" + b"\x00" * 100), "纪要.pdf")]})
    assert response.status_code == 422
    assert "允许的类型" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(PilotLog.id))) == 0
    assert db.session.scalar(sa.select(sa.func.count(Attachment.id))) == 0


def test_case_with_pdf_then_download_policy(client, seeded, app, make_user) -> None:  # type: ignore[no-untyped-def]
    author = make_user(Role.LIAISON, unit="省民政厅")
    login(client, author.email)
    token = csrf_token(client, "/cases/new")
    response = client.post("/cases/new", content_type="multipart/form-data", data={
        "csrf_token": token, "kind": "practice", "title": "好做法", "summary": "摘要", "body": "正文",
        "task_id": "0", "focus_item_id": "0", "attachments": [(io.BytesIO(make_pdf()), "材料/经验材料.pdf")]})
    assert response.status_code == 302
    db.session.commit()
    case = db.session.scalar(sa.select(CaseReport))
    files = attachments.attachments_of("case_report", [case.id])[case.id]
    assert [f.original_name for f in files] == ["经验材料.pdf"]  # a client path is reduced to its last part
    download = client.get(f"/attachments/{files[0].id}")
    assert download.status_code == 200
    assert "filename*=UTF-8''" in download.headers["Content-Disposition"]
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    download.close()
    other = app.test_client()
    login(other, make_user(Role.LIAISON, unit="省教育厅").email)
    refused = other.get(f"/attachments/{files[0].id}")
    refused.close()
    assert refused.status_code == 403  # not accepted yet
    db.session.commit()
    cases.review_case(case, actor=make_user(Role.SECRETARIAT), action="accept", comment="", now=case.created_at)
    db.session.commit()
    allowed = other.get(f"/attachments/{files[0].id}")
    allowed.close()
    assert allowed.status_code == 200


def _many_cases(n: int, now: dt.datetime) -> None:
    db.session.commit()  # a fresh snapshot: the client wrote since the test session last read
    author = users.find_by_email("lib@example.org")
    plan = _plan()
    for index, name in enumerate(["省民政厅", "省教育厅", "杭州市"] * n):
        unit = units.find_unit(name)
        cases.submit_case(plan, unit, cases.CaseText(kind=CaseKind.POSITIVE, title=f"案例{index}",
                                                      summary="清廉摘要", body="正文"), actor=author, files=[],
                          now=now)
    db.session.commit()


def test_library_query_count_bounded(client, seeded, login_as, make_user, now, count_queries) -> None:  # type: ignore[no-untyped-def]
    make_user(Role.LIAISON, unit="省民政厅", email="lib@example.org")
    login_as(Role.SECRETARIAT)
    _many_cases(2, now)
    client.get("/cases/?q=清廉")
    with count_queries() as small:
        assert client.get("/cases/?q=清廉").status_code == 200
    _many_cases(20, now)
    with count_queries() as large:
        html = client.get("/cases/?q=清廉&kind=positive").get_data(as_text=True)
    assert "共 66 篇" in html
    assert large.count == small.count


def test_matrix_query_count_bounded(client, login_as, make_user, point, now, count_queries) -> None:  # type: ignore[no-untyped-def]
    login_as(Role.SECRETARIAT)
    items = observations.list_focus_items()

    def add_points(start: int, n: int) -> None:
        db.session.commit()
        for k in range(start, start + n):
            unit, _ = units.save_unit(None, actor=None, name=f"观察点{k}", kind=UnitKind.OBSERVATION_POINT,
                                      categories=[], contact_emails="", leader_email=None, now=now)
            user = make_user(Role.OBSERVATION_POINT, unit=unit.name)
            observations.save_choice(_plan(), unit, actor=user, items=[items[k % 4].id],
                                     plans={items[k % 4].id: "x"}, now=BEFORE)
        db.session.commit()

    add_points(0, 2)
    client.get("/observation/matrix")
    with count_queries() as small:
        assert client.get("/observation/matrix").status_code == 200
    add_points(2, 20)
    with count_queries() as large:
        html = client.get("/observation/matrix").get_data(as_text=True)
    assert "观察点21" in html
    assert "宁波市鄞州区观察点" in html  # not chosen yet
    assert large.count == small.count


def test_compilation_download(client, seeded, login_as, make_user, now) -> None:  # type: ignore[no-untyped-def]
    office = login_as(Role.SECRETARIAT)
    db.session.commit()
    author = make_user(Role.LIAISON, unit="省民政厅")
    db.session.commit()
    unit = units.find_unit("省民政厅")
    made = []
    for title in ("第一篇", "第二篇"):
        case = cases.submit_case(_plan(), unit, cases.CaseText(kind=CaseKind.POSITIVE, title=title, summary="s",
                                                               body="b"), actor=author, files=[], now=now)
        cases.review_case(case, actor=office, action="accept", comment="", now=now)
        cases.review_case(case, actor=office, action="feature", comment="", now=now)
        made.append(case)
    db.session.commit()
    token = csrf_token(client, "/cases/compilation")
    client.post("/cases/compilation", data={"csrf_token": token, f"order_{made[0].id}": "2",
                                            f"order_{made[1].id}": "1"})
    response = client.get("/cases/compilation.docx")
    assert response.status_code == 200
    assert "filename*=UTF-8''2024%E5%B9%B4" in response.headers["Content-Disposition"]
    document = docx.Document(io.BytesIO(response.data))
    assert [p.text for p in document.paragraphs if p.style.name == "Heading 1"] == ["案例1　第二篇", "案例2　第一篇"]


def test_api_choice_and_case_flow(client, app, make_user, point, now) -> None:  # type: ignore[no-untyped-def]
    plan = _plan()
    plan.focus_choice_deadline = dt.date(2024, 12, 31)
    obs = make_user(Role.OBSERVATION_POINT, unit=point.name)
    office = make_user(Role.SECRETARIAT)
    tokens = {u.id: users.issue_token(u, actor=None, now=now) for u in (obs, office)}
    db.session.commit()
    items = [i.id for i in observations.list_focus_items()]

    def auth(user):  # type: ignore[no-untyped-def]
        return {"Authorization": f"Bearer {tokens[user.id]}"}

    url = f"/api/v1/observation-points/{point.id}/focus-choices"
    bad = client.put(url, json={"items": items[:3], "plans": {str(i): "x" for i in items}}, headers=auth(obs))
    assert bad.status_code == 422
    assert "最多只能选择 2 项" in bad.get_json()["error"]
    assert bad.get_json()["code"] == "invalid"  # every refusal carries its code (web/api/views.py)
    ok = client.put(url, json={"items": items[:2], "plans": {str(i): "计划" for i in items[:2]}}, headers=auth(obs))
    assert ok.status_code == 200
    assert ok.get_json()["current"]["items"] == items[:2]
    assert client.put(url, json={"items": items[:1], "plans": {}}, headers=auth(office)).status_code == 403
    created = client.post("/api/v1/cases", headers=auth(obs), data={
        "kind": "positive", "title": "接口案例", "summary": "s", "body": "b",
        "attachments": [(io.BytesIO(make_pdf()), "材料.pdf")]}, content_type="multipart/form-data")
    assert created.status_code == 201, created.get_json()
    case_id = created.get_json()["case"]["id"]
    assert created.get_json()["attachments"][0]["name"] == "材料.pdf"
    refused = client.post("/api/v1/cases", headers=auth(obs), data={
        "kind": "positive", "title": "坏", "summary": "s", "body": "b",
        "attachments": [(io.BytesIO(b"MZ" * 50), "a.pdf")]}, content_type="multipart/form-data")
    assert refused.status_code == 422
    assert "error" in refused.get_json()
    review = client.post(f"/api/v1/cases/{case_id}/review", json={"action": "return"}, headers=auth(office))
    assert review.status_code == 422
    assert client.post(f"/api/v1/cases/{case_id}/review", json={"action": "accept"},
                       headers=auth(office)).get_json()["case"]["status"] == "accepted"
    again = client.post(f"/api/v1/cases/{case_id}/review", json={"action": "accept"}, headers=auth(office))
    assert again.status_code == 409  # a clash with the case's state, not bad input
    assert again.get_json()["code"] == "conflict"
    listed = client.get("/api/v1/cases?q=接口", headers=auth(office)).get_json()
    assert [c["id"] for c in listed["cases"]] == [case_id]
