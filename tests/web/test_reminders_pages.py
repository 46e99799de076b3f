"""The reminder pages: preview writes nothing, outbox lists failures and resends, one-click urging."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import sqlalchemy as sa
from flask import Flask

from tasktrack import settings
from tasktrack.extensions import db
from tasktrack.models import Notification, NotificationKind, NotificationStatus, SupervisionRecord, Unit
from tasktrack.services import outbox
from tasktrack.services.read.overview import unit_rows
from tests.conftest import csrf_token

NOW = dt.datetime(2024, 7, 18, 2, 0, tzinfo=dt.UTC)


def test_preview_shows_todays_messages_without_writing(app: Flask, seeded: None, client: Any,
                                                       login_as: Any) -> None:
    login_as("secretariat")
    html = client.get("/admin/reminders/").get_data(as_text=True)
    assert "今日提醒预览" in html
    assert "省民政厅" in html
    assert "无任何邮箱地址" in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification)) == 0


def test_outbox_lists_failures_and_resends(app: Flask, client: Any, login_as: Any) -> None:
    login_as("secretariat")
    db.session.commit()  # end the test's read snapshot before writing beside the client's requests
    nid = outbox.enqueue(key="page:dead", kind=NotificationKind.REMINDER, local_date=NOW.date(),
                         to=["a@example.org"], subject="失败的邮件", text="t", html="<p>t</p>", now=NOW,
                         undeliverable_reason="550 mailbox unavailable")
    db.session.commit()
    html = client.get("/admin/reminders/outbox").get_data(as_text=True)
    assert "失败的邮件" in html
    assert "550 mailbox unavailable" in html
    shown = client.get(f"/admin/reminders/outbox/{nid}/html")
    assert "script-src" not in shown.headers["Content-Security-Policy"]
    token = csrf_token(client, "/admin/reminders/outbox")
    response = client.post(f"/admin/reminders/outbox/{nid}/resend", data={"csrf_token": token})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Notification, nid).status is NotificationStatus.PENDING


def test_outbox_query_count_is_bounded(app: Flask, client: Any, login_as: Any, count_queries: Any) -> None:
    login_as("secretariat")

    def fill(n: int, prefix: str) -> None:
        db.session.commit()
        for i in range(n):
            outbox.enqueue(key=f"{prefix}:{i}", kind=NotificationKind.REMINDER, local_date=NOW.date(),
                           to=["a@example.org"], subject="s", text="t", html=None, now=NOW)
        db.session.commit()

    fill(3, "a")
    with count_queries() as few:
        client.get("/admin/reminders/outbox")
    fill(30, "b")
    with count_queries() as many:
        client.get("/admin/reminders/outbox")
    assert few.count == many.count


def test_one_click_urge_from_the_task_page(app: Flask, seeded: None, client: Any, login_as: Any) -> None:
    login_as("secretariat")
    unreachable = dataclasses.replace(settings.of(app).smtp, port=1)  # nothing listens: queued, not lost
    with settings.overridden(app, smtp=unreachable):
        unit = db.session.scalar(sa.select(Unit).where(Unit.name == "省民政厅"))
        assignment = unit_rows(unit.id, NOW.date())[0].assignment
        page = client.get(f"/tasks/{assignment.task_id}").get_data(as_text=True)
        assert f"/admin/reminders/assignments/{assignment.id}/urge" in page
        token = csrf_token(client, "/account/password")
        for _ in range(2):  # a double click
            response = client.post(f"/admin/reminders/assignments/{assignment.id}/urge", data={"csrf_token": token})
            assert response.status_code == 302
    db.session.rollback()  # a fresh snapshot: the requests committed in their own sessions
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SupervisionRecord)) == 1
    rows = db.session.scalars(sa.select(Notification).where(Notification.kind == NotificationKind.URGE)).all()
    assert len(rows) == 1
    history = client.get(f"/admin/reminders/assignments/{assignment.id}/urge").get_data(as_text=True)
    assert "尚未报送" in history


def test_liaison_moves_digest(app: Flask, client: Any, seeded: None, login_as: Any) -> None:
    login_as("liaison", unit="省民政厅")
    token = csrf_token(client, "/my/digest/")
    response = client.post("/my/digest/", data={"csrf_token": token, "weekday": "3"})
    assert response.status_code == 302
    html = client.get("/my/digest/").get_data(as_text=True)
    assert 'value="3" selected' in html or "selected value=\"3\"" in html


def test_urging_an_assignment_of_a_deleted_task_is_404(app: Flask, seeded: None, client: Any,
                                                        login_as: Any) -> None:
    """The urge page loads its assignment with the one loader, which refuses deleted tasks (it used not to)."""
    unit = db.session.scalar(sa.select(Unit).where(Unit.name == "省民政厅"))
    assignment = unit_rows(unit.id, NOW.date())[0].assignment
    assignment.task.is_deleted = True
    db.session.commit()
    login_as("secretariat")
    assert client.get(f"/admin/reminders/assignments/{assignment.id}/urge").status_code == 404
    token = csrf_token(client, "/account/password")
    response = client.post(f"/admin/reminders/assignments/{assignment.id}/urge", data={"csrf_token": token})
    assert response.status_code == 404
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SupervisionRecord)) == 0
