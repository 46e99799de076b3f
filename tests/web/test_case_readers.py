"""Who reads what of a case (issue 10 items 15 and 17): the leader reads the compilation; earlier versions
and their files are for the submitting unit and the secretariat only; readers see the accepted version."""

from __future__ import annotations

import io

import docx
import pytest
import sqlalchemy as sa

from tasktrack.extensions import db
from tasktrack.models import CaseKind, Plan, Role, UnitKind
from tasktrack.services import cases, units, users
from tasktrack.services.attachments import Upload
from tests.conftest import csrf_token, login
from tests.upload_samples import make_pdf


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


# -- item 15: an anonymised revision ---------------------------------------------------------------------

NAMED = "清风协会"  # the association the secretariat asked to be removed


def _anonymised_case(app, make_user, now):  # type: ignore[no-untyped-def]
    """A negative case naming an association, with a file naming it; returned by the secretariat; revised
    through the page (name removed, the named file unticked, a cleaned file uploaded); accepted."""
    author, office = make_user(Role.LIAISON, unit="省民政厅"), make_user(Role.SECRETARIAT)
    case = cases.submit_case(_plan(), units.find_unit("省民政厅"), cases.CaseText(
        kind=CaseKind.NEGATIVE, title=f"{NAMED}违规收费", summary=f"{NAMED}摘要", body=f"{NAMED}强制会员缴费。"),
        actor=author, files=[Upload("清风协会处理决定.pdf", make_pdf())], now=now)
    cases.review_case(case, actor=office, action="return", comment=f"请删除“{NAMED}”的名称", now=now)
    db.session.commit()
    [named_file] = cases.current_files(case)
    unit_client = app.test_client()
    login(unit_client, author.email)
    form = unit_client.get(f"/cases/{case.id}/revise").get_data(as_text=True)
    assert f'name="keep" value="{named_file.id}" checked' in form  # kept unless the unit unticks it
    response = unit_client.post(f"/cases/{case.id}/revise", content_type="multipart/form-data", data={
        "csrf_token": csrf_token(unit_client, f"/cases/{case.id}/revise"), "kind": "negative",
        "title": "某协会违规收费", "summary": "某协会摘要", "body": "某协会强制会员缴费。", "task_id": "0",
        "focus_item_id": "0", "attachments": [(io.BytesIO(make_pdf()), "处理决定（已脱敏）.pdf")]})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    db.session.rollback()
    cases.review_case(case, actor=office, action="accept", comment="", now=now)
    db.session.commit()
    [clean_file] = cases.current_files(case)
    assert clean_file.original_name == "处理决定（已脱敏）.pdf"
    return case, named_file, clean_file, author, office, unit_client


@pytest.mark.parametrize("reader", [Role.VIEWER, Role.LIAISON, Role.OBSERVATION_POINT])
def test_readers_see_only_the_accepted_version(app, seeded, make_user, now, reader) -> None:  # type: ignore[no-untyped-def]
    case, named_file, clean_file, *_ = _anonymised_case(app, make_user, now)
    if reader is Role.OBSERVATION_POINT:
        units.save_unit(None, actor=None, name="宁波市鄞州区观察点", kind=UnitKind.OBSERVATION_POINT, categories=[],
                        contact_emails="", leader_email=None, now=now)
        db.session.commit()
    user = make_user(reader, unit={Role.LIAISON: "省教育厅", Role.OBSERVATION_POINT: "宁波市鄞州区观察点"}.get(reader))
    client = app.test_client()
    login(client, user.email)
    html = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "某协会强制会员缴费。" in html
    assert NAMED not in html  # neither the first version, nor its file's name, nor the review comment
    assert "历次版本" not in html
    assert f"/attachments/{clean_file.id}" in html
    assert f"/attachments/{named_file.id}" not in html
    named = client.get(f"/attachments/{named_file.id}")
    named.close()
    assert named.status_code == 403
    clean = client.get(f"/attachments/{clean_file.id}")
    clean.close()
    assert clean.status_code == 200
    library = client.get("/cases/").get_data(as_text=True)
    assert "某协会违规收费" in library
    assert NAMED not in library
    assert "没有符合条件的案例" in client.get(f"/cases/?q={NAMED}").get_data(as_text=True)
    token = users.issue_token(user, actor=None, now=now)
    db.session.commit()
    api = client.get("/api/v1/cases", headers={"Authorization": f"Bearer {token}"}).get_json()
    assert [c["title"] for c in api["cases"]] == ["某协会违规收费"]
    assert NAMED not in str(api)
    assert client.get(f"/api/v1/cases?q={NAMED}", headers={"Authorization": f"Bearer {token}"}).get_json()[
        "cases"] == []


def test_the_unit_and_the_secretariat_keep_the_history(app, seeded, make_user, now) -> None:  # type: ignore[no-untyped-def]
    case, named_file, _clean, _author, office, unit_client = _anonymised_case(app, make_user, now)
    boss = app.test_client()
    login(boss, office.email)
    for client in (unit_client, boss):
        html = client.get(f"/cases/{case.id}").get_data(as_text=True)
        assert "历次版本（2）" in html
        assert f"{NAMED}强制会员缴费。" in html
        assert f"/attachments/{named_file.id}" in html
        assert f"请删除“{NAMED}”的名称" in html
        download = client.get(f"/attachments/{named_file.id}")
        download.close()
        assert download.status_code == 200


def test_compilation_uses_the_accepted_version(app, seeded, make_user, now) -> None:  # type: ignore[no-untyped-def]
    case, _named, _clean, _author, office, _unit = _anonymised_case(app, make_user, now)
    cases.review_case(case, actor=office, action="feature", comment="", now=now)
    db.session.commit()
    reader = app.test_client()
    login(reader, make_user(Role.VIEWER).email)
    document = docx.Document(io.BytesIO(reader.get("/cases/compilation.docx").data))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "某协会强制会员缴费。" in text
    assert NAMED not in text


def test_a_kept_file_stays_with_the_new_version(seeded, make_user, now) -> None:  # type: ignore[no-untyped-def]
    author, office = make_user(Role.LIAISON, unit="省民政厅"), make_user(Role.SECRETARIAT)
    case = cases.submit_case(_plan(), units.find_unit("省民政厅"), cases.CaseText(
        kind=CaseKind.PRACTICE, title="做法", summary="摘要", body="正文"), actor=author,
        files=[Upload("材料.pdf", make_pdf())], now=now)
    cases.review_case(case, actor=office, action="return", comment="补充数据", now=now)
    cases.revise_case(case, cases.CaseText(kind=CaseKind.PRACTICE, title="做法", summary="摘要", body="正文（补充）"),
                      actor=author, files=[], now=now)  # the API's revise: keeps every file
    cases.review_case(case, actor=office, action="accept", comment="", now=now)
    db.session.commit()
    assert [f.original_name for f in cases.current_files(case)] == ["材料.pdf"]
    reader = make_user(Role.VIEWER)
    from tasktrack.permissions import Action, can

    assert can(reader, Action.VIEW_ATTACHMENT, cases.current_files(case)[0])
