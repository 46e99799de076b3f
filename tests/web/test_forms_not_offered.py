"""Forms that would be refused on submit are not offered; the page says why (issue 10 item 16, the other
forms with the extension form's problem): revising a case that was not returned, review decisions the case's
status does not allow, urging a unit twice on one day."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from tasktrack.extensions import db
from tasktrack.models import CaseKind, Notification, Plan, Role, SupervisionRecord
from tasktrack.services import ServiceError, cases, units
from tests.conftest import csrf_token, login
from tests.services.test_progress import assignment_of, count


def _case(author: Any, now: Any) -> Any:
    plan = db.session.scalar(sa.select(Plan))
    case = cases.submit_case(plan, units.find_unit("省民政厅"), cases.CaseText(
        kind=CaseKind.POSITIVE, title="阳光公益", summary="摘要", body="正文"), actor=author, files=[], now=now)
    db.session.commit()
    return case


def test_revise_form_not_offered_unless_returned(client: FlaskClient, seeded: None, login_as: Callable[..., Any],
                                                 now: Any) -> None:
    author = login_as(Role.LIAISON, unit="省民政厅")
    case = _case(author, now)
    page = client.get(f"/cases/{case.id}/revise")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "只有被退回的案例才能修改后重新报送" in html
    assert 'name="title"' not in html
    token = csrf_token(client, "/account/password")
    posted = client.post(f"/cases/{case.id}/revise", data={
        "csrf_token": token, "kind": "positive", "title": "改", "summary": "改", "body": "改", "task_id": "0",
        "focus_item_id": "0"})
    assert posted.status_code == 409
    db.session.rollback()
    assert (case.version, case.title) == (1, "阳光公益")


@pytest.mark.parametrize(("steps", "offered"), [
    ((), ["accept", "return"]),
    (("accept",), ["return", "feature"]),
    (("accept", "feature"), ["unfeature"]),
    (("return",), []),
])
def test_review_offers_only_decisions_the_status_allows(client: FlaskClient, seeded: None, make_user: Any,
                                                        now: Any, steps: tuple[str, ...], offered: list[str]) -> None:
    office = make_user(Role.SECRETARIAT)
    case = _case(make_user(Role.LIAISON, unit="省民政厅"), now)
    for step in steps:
        cases.review_case(case, actor=office, action=step, comment="请修改", now=now)
    db.session.commit()
    login(client, office.email)
    html = client.get(f"/cases/{case.id}").get_data(as_text=True)
    shown = [a for a in cases.REVIEW_ACTIONS if f'value="{a}"' in html]
    assert shown == offered
    if not offered:
        assert 'id="review-form"' not in html
        assert "等待单位重新报送" in html
    # what is offered is taken, what is not is refused: the page and review_case agree
    before = case.status
    for action in cases.REVIEW_ACTIONS:
        try:
            cases.review_case(case, actor=office, action=action, comment="意见", now=now)
        except ServiceError:
            taken = False
        else:
            taken = True
        db.session.rollback()  # back to the committed state for the next decision
        assert case.status is before
        assert taken == (action in offered), action


def test_urge_form_not_offered_twice_a_day(app: Flask, client: FlaskClient, seeded: None,
                                           login_as: Callable[..., Any]) -> None:
    login_as(Role.SECRETARIAT)
    a = assignment_of("省民政厅", 6)
    page = client.get(f"/admin/reminders/assignments/{a.id}/urge").get_data(as_text=True)
    assert 'name="note"' in page
    token = csrf_token(client, f"/admin/reminders/assignments/{a.id}/urge")
    assert client.post(f"/admin/reminders/assignments/{a.id}/urge",
                       data={"csrf_token": token, "note": "请抓紧"}).status_code == 302
    again = client.get(f"/admin/reminders/assignments/{a.id}/urge").get_data(as_text=True)
    assert "今天已对该单位就此项任务催办过" in again
    assert 'name="note"' not in again
    assert "请抓紧" in again  # the history is still shown
    db.session.rollback()
    assert count(SupervisionRecord) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification)) == 1
