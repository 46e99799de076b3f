"""Who reads what of a case (issue 10 items 15 and 17): the leader reads the compilation; earlier versions
and their files are for the submitting unit and the secretariat only; readers see the accepted version."""

from __future__ import annotations

import io

import docx
import sqlalchemy as sa

from tasktrack.extensions import db
from tasktrack.models import CaseKind, Plan, Role
from tasktrack.services import cases, units
from tests.conftest import login


def _plan() -> Plan:
    return db.session.scalar(sa.select(Plan))


def _featured(author, office, now, title: str = "阳光公益") -> None:  # type: ignore[no-untyped-def]
    case = cases.submit_case(_plan(), units.find_unit("省民政厅"), cases.CaseText(
        kind=CaseKind.POSITIVE, title=title, summary="摘要", body="正文"), actor=author, files=[], now=now)
    cases.review_case(case, actor=office, action="accept", comment="", now=now)
    cases.review_case(case, actor=office, action="feature", comment="", now=now)
    db.session.commit()


def test_viewer_downloads_the_compilation(client, seeded, make_user, now) -> None:  # type: ignore[no-untyped-def]
    _featured(make_user(Role.LIAISON, unit="省民政厅"), make_user(Role.SECRETARIAT), now)
    login(client, make_user(Role.VIEWER).email)
    library = client.get("/cases/").get_data(as_text=True)
    assert 'href="/cases/compilation.docx"' in library  # offered where the leader looks for it
    response = client.get("/cases/compilation.docx")
    assert response.status_code == 200
    headings = [p.text for p in docx.Document(io.BytesIO(response.data)).paragraphs
                if p.style.name == "Heading 1"]
    assert headings == ["案例1　阳光公益"]


def test_units_do_not_get_the_compilation(client, seeded, make_user, now) -> None:  # type: ignore[no-untyped-def]
    login(client, make_user(Role.LIAISON, unit="省教育厅").email)
    assert client.get("/cases/compilation.docx").status_code == 403
    assert 'href="/cases/compilation.docx"' not in client.get("/cases/").get_data(as_text=True)
