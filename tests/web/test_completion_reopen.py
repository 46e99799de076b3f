"""Confirmed completions and forms that would be refused (issue 10 item 16): only the secretariat reopens a
confirmed completion (with a reason); a form the user may not submit is not offered, the page says why;
withdrawing a claimed completion through the pre-filled report form is accepted."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from tasktrack.extensions import db
from tasktrack.models import (
    AssignmentStatus,
    AuditEvent,
    CompletionState,
    ExtensionRequest,
    ProgressReport,
    SupervisionKind,
    SupervisionRecord,
    User,
)
from tasktrack.services import progress
from tests.conftest import csrf_token, login
from tests.services.test_progress import assignment_of, count
from tests.web.test_progress import post_report


@pytest.fixture
def liaison(seeded: None, login_as: Callable[..., Any]) -> User:
    user = login_as("liaison", unit="省民政厅")
    db.session.commit()
    return user


@pytest.fixture
def office(app: Flask, make_user: Callable[..., Any]) -> tuple[FlaskClient, User]:
    user = make_user("secretariat")
    client = app.test_client()
    login(client, user.email)
    return client, user


def _confirmed(liaison: User, office: User, now: Any) -> Any:
    """省民政厅's task 1, completed on 15 July and confirmed (办结) by the secretariat."""
    a = assignment_of("省民政厅", 1)
    progress.submit_report(a, author=liaison, status=AssignmentStatus.COMPLETED, percent=None,
                           completed_on=now.date().replace(day=15), narrative="已完成", now=now)
    progress.confirm_completion(a, actor=office, note=None, now=now)
    db.session.commit()
    return a


def test_liaison_cannot_reopen_a_confirmed_completion(client: FlaskClient, liaison: User, office: Any,
                                                      now: Any) -> None:
    a = _confirmed(liaison, office[1], now)
    page = client.get(f"/assignments/{a.id}").get_data(as_text=True)
    assert f'/assignments/{a.id}/report"' not in page  # neither 报送进展 nor 更正此报送 is offered
    assert "更正此报送" not in page
    assert "如需修改，请联系专班办公室重新打开" in page
    assert client.get(f"/assignments/{a.id}/report").status_code == 403
    token = csrf_token(client, "/account/password")
    refused = client.post(f"/assignments/{a.id}/report", data={
        "csrf_token": token, "status": "in_progress", "percent": "", "narrative": "还要继续做", "reason": "想重新打开",
        "base_report_id": str(progress.latest_report(a).id), "supersedes_id": ""})
    assert refused.status_code == 403
    db.session.rollback()
    assert a.status is AssignmentStatus.COMPLETED
    assert a.completion_state is CompletionState.CONFIRMED
    assert count(ProgressReport) == 1
    # nor through the API
    from tasktrack.services import users

    token = users.issue_token(liaison, actor=None, now=now)
    db.session.commit()
    api = client.post(f"/api/v1/assignments/{a.id}/reports", headers={"Authorization": f"Bearer {token}"},
                      json={"status": "in_progress", "narrative": "API 重新打开", "reason": "想重新打开"})
    assert api.status_code == 403
    assert "error" in api.get_json()
    db.session.rollback()
    assert count(ProgressReport) == 1


def test_secretariat_reopens_with_a_reason(client: FlaskClient, liaison: User, office: Any, now: Any) -> None:
    boss, boss_user = office
    a = _confirmed(liaison, boss_user, now)
    page = boss.get(f"/assignments/{a.id}").get_data(as_text=True)
    assert f'action="/assignments/{a.id}/reopen"' in page
    token = csrf_token(boss, f"/assignments/{a.id}")
    missing = boss.post(f"/assignments/{a.id}/reopen", data={"csrf_token": token, "reason": "  "})
    assert missing.status_code == 400
    assert "请填写重新打开的原因" in missing.get_data(as_text=True)
    db.session.rollback()
    assert a.completion_state is CompletionState.CONFIRMED
    assert count(SupervisionRecord) == 1  # the confirmation only

    done = boss.post(f"/assignments/{a.id}/reopen", data={"csrf_token": token, "reason": "核查发现印发文件未落实"})
    assert done.status_code == 302
    db.session.rollback()
    assert a.status is AssignmentStatus.IN_PROGRESS
    assert a.completion_state is CompletionState.NONE
    assert a.completed_on is None
    record = db.session.scalar(sa.select(SupervisionRecord).where(SupervisionRecord.kind == SupervisionKind.REOPEN))
    assert (record.note, record.actor_id) == ("核查发现印发文件未落实", boss_user.id)
    assert db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "progress.reopen")) is not None
    assert "核查发现印发文件未落实" in client.get(f"/assignments/{a.id}").get_data(as_text=True)
    # reopened: the form is offered again and a second reopen is refused (nothing confirmed any more)
    assert f'action="/assignments/{a.id}/reopen"' not in boss.get(f"/assignments/{a.id}").get_data(as_text=True)
    assert boss.post(f"/assignments/{a.id}/reopen", data={"csrf_token": token, "reason": "再来"}).status_code == 403
    assert client.get(f"/assignments/{a.id}/report").status_code == 200
    assert post_report(client, a, base_report_id=str(progress.latest_report(a).id)).status_code == 302


def test_the_unit_cannot_use_the_reopen_route(client: FlaskClient, liaison: User, office: Any, now: Any) -> None:
    a = _confirmed(liaison, office[1], now)
    token = csrf_token(client, "/account/password")
    assert client.post(f"/assignments/{a.id}/reopen", data={"csrf_token": token, "reason": "想改"}).status_code == 403
    db.session.rollback()
    assert a.completion_state is CompletionState.CONFIRMED


def test_withdrawing_a_claim_through_the_prefilled_form(client: FlaskClient, liaison: User, now: Any) -> None:
    """The form starts from the completed report (date included); changing the status with a reason is
    accepted as it stands, and the date goes with the status."""
    a = assignment_of("省民政厅", 1)
    assert post_report(client, a, status="completed", completed_on="2024-07-15", percent="").status_code == 302
    form = client.get(f"/assignments/{a.id}/report").get_data(as_text=True)
    prefilled = re.search(r'name="completed_on"[^>]*value="([^"]*)"', form) or re.search(
        r'value="([^"]*)"[^>]*name="completed_on"', form)
    assert prefilled is not None
    assert prefilled.group(1) == "2024-07-15"
    latest = str(progress.latest_report(a).id)
    db.session.rollback()
    response = post_report(client, a, status="in_progress", completed_on="2024-07-15", percent="80",
                           narrative="发现遗漏，继续推进", reason="印发文件尚未落实", base_report_id=latest)
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.rollback()
    assert a.status is AssignmentStatus.IN_PROGRESS
    assert a.completed_on is None
    assert a.completion_state is CompletionState.NONE
    assert progress.latest_report(a).completed_on is None


def test_extension_form_not_offered_when_overdue(client: FlaskClient, liaison: User) -> None:
    a = assignment_of("省民政厅", 6)  # 6 月底前: overdue on 18 July
    page = client.get(f"/assignments/{a.id}").get_data(as_text=True)
    assert f"/assignments/{a.id}/extension" not in page
    reached = client.get(f"/assignments/{a.id}/extension")
    html = reached.get_data(as_text=True)
    assert reached.status_code == 200
    assert "截止日期（2024-06-30）已过，不能再申请延期" in html
    assert 'name="requested_due"' not in html
    token = csrf_token(client, "/account/password")
    posted = client.post(f"/assignments/{a.id}/extension",
                         data={"csrf_token": token, "requested_due": "2024-09-30", "reason": "来不及"})
    assert posted.status_code == 409
    assert "已过，不能再申请延期" in posted.get_data(as_text=True)
    assert count(ExtensionRequest) == 0


def test_extension_form_not_offered_twice(client: FlaskClient, liaison: User) -> None:
    a = assignment_of("省民政厅", 1)
    assert f"/assignments/{a.id}/extension" in client.get(f"/assignments/{a.id}").get_data(as_text=True)
    token = csrf_token(client, f"/assignments/{a.id}/extension")
    ok = client.post(f"/assignments/{a.id}/extension",
                     data={"csrf_token": token, "requested_due": "2024-09-30", "reason": "需提交审议"})
    assert ok.status_code == 302
    assert f"/assignments/{a.id}/extension" not in client.get(f"/assignments/{a.id}").get_data(as_text=True)
    again = client.get(f"/assignments/{a.id}/extension").get_data(as_text=True)
    assert "已有一份延期申请在等待审核" in again
    assert 'name="requested_due"' not in again
