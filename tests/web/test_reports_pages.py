"""The /reports/ page, its downloads (Chinese file names, bad parameters → 400, another group's plan → 403), the API
twins (JSON errors) and the `flask report` commands."""

from __future__ import annotations

import io
from urllib.parse import quote

import docx
import pytest

from tasktrack.extensions import db
from tasktrack.models import Plan, Role
from tasktrack.services import users
from tasktrack.services.read.overview import current_plan
from tests.conftest import TODAY

BULLETIN = "2024年省清廉社会组织建设工作进展情况通报（截至2024-07-18）.docx"


@pytest.fixture
def plan(seeded) -> Plan:  # type: ignore[no-untyped-def]
    found = current_plan(TODAY)
    assert found is not None
    return found


def test_page_offers_both_forms_and_the_other_documents(client, login_as, plan) -> None:  # type: ignore[no-untyped-def]
    login_as(Role.SECRETARIAT)
    html = client.get("/reports/").get_data(as_text=True)
    assert 'action="/reports/bulletin.docx"' in html
    assert 'action="/reports/summary.docx"' in html
    assert f'/plans/{plan.id}/export.xlsx' in html
    assert "/cases/compilation.docx" in html
    assert 'href="/reports/"' in client.get("/dashboard").get_data(as_text=True)  # in the navigation


def test_bulletin_download_has_a_chinese_name(client, login_as, plan) -> None:  # type: ignore[no-untyped-def]
    login_as(Role.SECRETARIAT)
    response = client.get(f"/reports/bulletin.docx?plan={plan.id}&as_of=2024-07-18")
    assert response.status_code == 200
    assert f"filename*=UTF-8''{quote(BULLETIN)}" in response.headers["Content-Disposition"]
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(response.data)).paragraphs)
    assert "关于2024年省清廉社会组织建设工作进展情况的通报" in text


def test_summary_download(client, login_as, plan) -> None:  # type: ignore[no-untyped-def]
    login_as(Role.SECRETARIAT)
    response = client.get(f"/reports/summary.docx?plan={plan.id}&from=2024-01-01&to=2024-06-30")
    assert response.status_code == 200
    assert quote("上半年工作总结") in response.headers["Content-Disposition"]


@pytest.mark.parametrize(("query", "message"), [
    ("as_of=2024-07-18", "请选择工作计划"),
    ("plan=abc&as_of=2024-07-18", "必须是编号"),
    ("plan={id}", "请填写截止日期"),
    ("plan={id}&as_of=2024-13-40", "不是有效日期"),
    ("plan={id}&as_of=18/07/2024", "不是有效日期"),
    ("plan={id}&as_of=1900-01-01", "超出可用范围"),
])
def test_bad_bulletin_parameters_get_a_chinese_400(client, login_as, plan, query, message) -> None:  # type: ignore[no-untyped-def]
    login_as(Role.SECRETARIAT)
    response = client.get("/reports/bulletin.docx?" + query.format(id=plan.id))
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


@pytest.mark.parametrize("query", ["from=2024-07-01&to=2024-01-01", "from=2024-01-01", "to=2024-01-01",
                                   "from=x&to=2024-01-01"])
def test_bad_summary_parameters_get_a_400(client, login_as, plan, query) -> None:  # type: ignore[no-untyped-def]
    login_as(Role.SECRETARIAT)
    response = client.get(f"/reports/summary.docx?plan={plan.id}&{query}")
    assert response.status_code == 400
    assert "日期" in response.get_data(as_text=True)


def test_a_missing_plan_is_404_and_another_groups_plan_403(client, login_as, plan, now) -> None:  # type: ignore[no-untyped-def]
    from tasktrack.models import WorkGroup, WorkGroupLevel

    city = WorkGroup(name="某市专班", level=WorkGroupLevel.CITY, created_at=now)
    db.session.add(city)
    db.session.flush()
    theirs = Plan(work_group_id=city.id, year=2024, title="某市2024年工作任务", issuer="某市专班", created_at=now)
    db.session.add(theirs)
    db.session.commit()
    login_as(Role.SECRETARIAT)
    assert client.get("/reports/bulletin.docx?plan=99999&as_of=2024-07-18").status_code == 404
    assert client.get(f"/reports/bulletin.docx?plan={theirs.id}&as_of=2024-07-18").status_code == 403
    assert client.get(f"/reports/summary.docx?plan={theirs.id}&from=2024-01-01&to=2024-06-30").status_code == 403
    assert f'value="{theirs.id}"' not in client.get("/reports/").get_data(as_text=True)


def test_api_returns_the_documents_and_json_errors(client, make_user, plan, now) -> None:  # type: ignore[no-untyped-def]
    token = users.issue_token(make_user(Role.SECRETARIAT), actor=None, now=now)
    db.session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    ok = client.get(f"/api/v1/reports/bulletin.docx?plan={plan.id}&as_of=2024-07-18", headers=headers)
    assert ok.status_code == 200
    assert ok.data[:2] == b"PK"
    summary = client.get(f"/api/v1/reports/summary.docx?plan={plan.id}&from=2024-01-01&to=2024-06-30",
                         headers=headers)
    assert summary.status_code == 200
    bad = client.get(f"/api/v1/reports/bulletin.docx?plan={plan.id}&as_of=nope", headers=headers)
    assert bad.status_code == 422
    assert "不是有效日期" in bad.get_json()["error"]
    backwards = client.get(f"/api/v1/reports/summary.docx?plan={plan.id}&from=2024-07-01&to=2024-01-01",
                           headers=headers)
    assert backwards.status_code == 422
    assert "error" in backwards.get_json()
    missing = client.get("/api/v1/reports/bulletin.docx?plan=99999&as_of=2024-07-18", headers=headers)
    assert missing.status_code == 404
    assert "error" in missing.get_json()


def test_cli_writes_both_documents(runner, plan, tmp_path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "通报.docx"
    result = runner.invoke(args=["report", "bulletin", "--plan", str(plan.id), "--as-of", "2024-07-18",
                                 "--output", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes()[:2] == b"PK"
    assert "已生成" in result.output
    summary = tmp_path / "总结.docx"
    result = runner.invoke(args=["report", "summary", "--plan", str(plan.id), "--from", "2024-01-01",
                                 "--to", "2024-12-31", "--output", str(summary)])
    assert result.exit_code == 0, result.output
    assert "年度工作总结" in result.output


def test_cli_refuses_bad_input(runner, plan, tmp_path) -> None:  # type: ignore[no-untyped-def]
    out = str(tmp_path / "x.docx")
    assert runner.invoke(args=["report", "bulletin", "--plan", "99999", "--as-of", "2024-07-18",
                               "--output", out]).exit_code == 1
    bad = runner.invoke(args=["report", "bulletin", "--plan", str(plan.id), "--as-of", "7/18", "--output", out])
    assert bad.exit_code == 2
    assert "YYYY-MM-DD" in bad.output
    backwards = runner.invoke(args=["report", "summary", "--plan", str(plan.id), "--from", "2024-07-01",
                                    "--to", "2024-01-01", "--output", out])
    assert backwards.exit_code == 1
    assert "结束日期不能早于开始日期" in backwards.output
