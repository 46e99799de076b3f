"""An operator's explicit delivery (`outbox deliver`, 立即发送 on the outbox page) sends what is queued now.

After the SMTP server was down, failed rows wait out a backoff (2 minutes and more); the scheduler keeps
it, but an operator who has just brought the server back wants the mail out now. Dead rows stay dead
until resent, and a row is still claimed once. Every test talks to a real SMTP server on loopback.
"""

from __future__ import annotations

import contextlib
import dataclasses
import threading
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from tasktrack import context, settings
from tasktrack.extensions import db
from tasktrack.models import Notification, NotificationKind, NotificationStatus, Role
from tasktrack.services import outbox
from tests.conftest import csrf_token
from tests.smtp_server import smtp_server_fixture

smtp_server = smtp_server_fixture()


@contextlib.contextmanager
def smtp_at(app: Flask, smtp: Any) -> Iterator[None]:
    """Point the app's SMTP settings at the test server."""
    with settings.overridden(app, smtp=dataclasses.replace(settings.of(app).smtp, host=smtp.host, port=smtp.port,
                                                             timeout=5)):
        yield


def queue(n: int, prefix: str = "op") -> list[int]:
    now = context.now()
    ids = [outbox.enqueue(key=f"{prefix}:{i}", kind=NotificationKind.REMINDER, local_date=now.date(),
                          to=[f"u{i}@example.org"], subject=f"提醒 {i}", text="正文", html=None, now=now)
           for i in range(n)]
    db.session.commit()
    return [i for i in ids if i is not None]


def queue_dead() -> int:
    now = context.now()
    nid = outbox.enqueue(key="op:dead", kind=NotificationKind.REMINDER, local_date=now.date(), to=["d@example.org"],
                         subject="无法投递", text="t", html=None, now=now, undeliverable_reason="550 no such user")
    db.session.commit()
    assert nid is not None
    return nid


def statuses() -> dict[int, NotificationStatus]:
    db.session.rollback()
    return dict(db.session.execute(sa.select(Notification.id, Notification.status)).tuples().all())


def fail_while_down(app: Flask, smtp: Any, ids: list[int]) -> None:
    """The server is down: a delivery fails every row, which then waits out its backoff."""
    smtp.stop()
    report = outbox.deliver_due(settings.of(app).smtp, now=context.now, policy=settings.of(app).delivery)
    assert sorted(report.retried) == ids
    db.session.rollback()
    for row in db.session.scalars(sa.select(Notification).where(Notification.id.in_(ids))):
        assert row.status is NotificationStatus.FAILED
        assert row.next_attempt_at > context.now()  # backing off
    smtp.start()


def test_cli_deliver_sends_failed_mail_at_once_when_smtp_is_back(app: Flask, runner: Any, smtp_server: Any) -> None:
    ids = queue(3)
    dead = queue_dead()
    with smtp_at(app, smtp_server):
        fail_while_down(app, smtp_server, ids)
        # The scheduler's delivery still waits (and so does `--respect-backoff`, for cron) …
        waiting = runner.invoke(args=["outbox", "deliver", "--respect-backoff"])
        assert waiting.exit_code == 0, waiting.output
        assert "已发送 0 封" in waiting.output
        assert smtp_server.messages == []
        # … the operator's delivery does not.
        result = runner.invoke(args=["outbox", "deliver"])
    assert result.exit_code == 0, result.output
    assert "今日：2024-07-18" in result.output
    assert "已发送 3 封" in result.output
    assert "1 封无法投递" in result.output
    assert sorted(m.rcpt_tos[0] for m in smtp_server.messages) == ["u0@example.org", "u1@example.org",
                                                                     "u2@example.org"]
    assert statuses() == {**dict.fromkeys(ids, NotificationStatus.SENT), dead: NotificationStatus.DEAD}
    with smtp_at(app, smtp_server):
        again = runner.invoke(args=["outbox", "deliver"])
    assert "已发送 0 封" in again.output
    assert len(smtp_server.messages) == 3  # exactly once


def test_outbox_page_deliver_button(app: Flask, client: Any, login_as: Any, smtp_server: Any) -> None:
    login_as(Role.SECRETARIAT)
    db.session.commit()
    ids = queue(2, "page")
    dead = queue_dead()
    with smtp_at(app, smtp_server):
        fail_while_down(app, smtp_server, ids)
        html = client.get("/admin/reminders/outbox").get_data(as_text=True)
        assert "立即发送（2 封）" in html
        forged = client.post("/admin/reminders/outbox/deliver", data={"csrf_token": "forged"})
        assert forged.status_code == 400  # the app's CSRF refusal
        assert smtp_server.messages == []  # refused without a valid CSRF token
        token = csrf_token(client, "/admin/reminders/outbox")
        response = client.post("/admin/reminders/outbox/deliver", data={"csrf_token": token},
                               follow_redirects=True)
    assert response.status_code == 200
    assert "已发送 2 封" in response.get_data(as_text=True)
    assert len(smtp_server.messages) == 2
    assert statuses() == {**dict.fromkeys(ids, NotificationStatus.SENT), dead: NotificationStatus.DEAD}


@pytest.mark.parametrize("role", [Role.LIAISON, Role.VIEWER])
def test_only_the_secretariat_delivers(app: Flask, seeded: None, client: Any, login_as: Any, smtp_server: Any,
                                       role: Role) -> None:
    login_as(role, unit="省民政厅" if role is Role.LIAISON else None)
    db.session.commit()
    queue(1, "role")
    token = csrf_token(client, "/account/password")
    with smtp_at(app, smtp_server):
        response = client.post("/admin/reminders/outbox/deliver", data={"csrf_token": token})
    assert response.status_code == 403
    assert smtp_server.messages == []


@pytest.mark.committed
def test_concurrent_operator_deliveries_send_each_row_once(app: Flask, smtp_server: Any) -> None:
    ids = queue(30, "many")
    with smtp_at(app, smtp_server):
        fail_while_down(app, smtp_server, ids)
        smtp_settings = settings.of(app).smtp
    errors: list[BaseException] = []
    barrier = threading.Barrier(4)

    def operator(n: int) -> None:
        try:
            with app.app_context():
                barrier.wait()
                outbox.deliver_due(smtp_settings, now=context.now, worker=f"op{n}", ignore_backoff=True)
                db.session.remove()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=operator, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors
    assert len(smtp_server.messages) == 30
    assert len({m.message["Message-ID"] for m in smtp_server.messages}) == 30
    assert set(statuses().values()) == {NotificationStatus.SENT}
