"""Delivery over a real SMTP server on loopback: retries, dead letters, concurrent workers (R4, R5, R24)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from tasktrack import mail
from tasktrack import settings as app_settings
from tasktrack.extensions import db
from tasktrack.models import Notification, NotificationKind, NotificationStatus
from tasktrack.services import outbox
from tests.smtp_server import smtp_server_fixture

smtp_server = smtp_server_fixture()
NOW = dt.datetime(2024, 7, 18, 2, 0, tzinfo=dt.UTC)


def queue(n: int, *, subject: str = "提醒") -> list[int]:
    ids = [outbox.enqueue(key=f"test:{i}", kind=NotificationKind.REMINDER, local_date=NOW.date(),
                          to=[f"u{i}@example.org"], subject=subject, text="正文", html="<p>正文</p>", now=NOW)
           for i in range(n)]
    db.session.commit()
    return [i for i in ids if i is not None]


def settings_for(app: Flask, smtp: Any) -> mail.SmtpSettings:
    return dataclasses.replace(app_settings.of(app).smtp, host=smtp.host, port=smtp.port, timeout=5)


def statuses() -> list[NotificationStatus]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(Notification.status).order_by(Notification.id)))


def test_enqueue_is_idempotent(app: Flask) -> None:
    assert len(queue(3)) == 3
    assert queue(3) == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification)) == 3


def test_smtp_down_then_back_delivers_each_once(app: Flask, smtp_server: Any) -> None:
    queue(5)
    settings = settings_for(app, smtp_server)
    smtp_server.stop()
    report = outbox.deliver_due(settings, now=lambda: NOW)
    assert len(report.retried) == 5
    assert set(statuses()) == {NotificationStatus.FAILED}
    row = db.session.scalars(sa.select(Notification)).first()
    assert row.last_error
    assert row.next_attempt_at > NOW
    assert row.attempts == 1
    # not yet due again: nothing is attempted
    smtp_server.start()
    assert outbox.deliver_due(settings, now=lambda: NOW).sent == []
    later = NOW + dt.timedelta(hours=2)
    assert len(outbox.deliver_due(settings, now=lambda: later).sent) == 5
    assert outbox.deliver_due(settings, now=lambda: later + dt.timedelta(hours=5)).sent == []
    assert len(smtp_server.messages) == 5
    assert set(statuses()) == {NotificationStatus.SENT}


def test_transient_421_then_success(app: Flask, smtp_server: Any) -> None:
    queue(1)
    settings = settings_for(app, smtp_server)
    smtp_server.fail("data", 421, times=1)
    assert outbox.deliver_due(settings, now=lambda: NOW).retried
    assert outbox.deliver_due(settings, now=lambda: NOW + dt.timedelta(hours=2)).sent
    row = db.session.scalars(sa.select(Notification)).one()
    assert row.attempts == 2
    assert row.status is NotificationStatus.SENT
    assert len(smtp_server.messages) == 1


def test_permanent_550_is_dead_and_visible(app: Flask, smtp_server: Any) -> None:
    queue(1)
    settings = settings_for(app, smtp_server)
    smtp_server.fail("rcpt", 550)
    report = outbox.deliver_due(settings, now=lambda: NOW)
    assert report.dead
    row = db.session.scalars(sa.select(Notification)).one()
    assert row.status is NotificationStatus.DEAD
    assert "550" in row.last_error
    assert outbox.deliver_due(settings, now=lambda: NOW + dt.timedelta(days=1)).sent == []
    assert row in outbox.list_outbox()[:1]


def test_subject_crlf_stripped_and_message_id_stable(app: Flask, smtp_server: Any) -> None:
    queue(1, subject="任务\r\nBcc: evil@example.org")
    outbox.deliver_due(settings_for(app, smtp_server), now=lambda: NOW)
    received = smtp_server.messages[0]
    assert received.message["Bcc"] is None
    assert "\n" not in received.message["Subject"]
    assert received.rcpt_tos == ("u0@example.org",)
    row = db.session.scalars(sa.select(Notification)).one()
    assert received.message["Message-ID"] == row.message_id == mail.message_id_for("test:0", "localhost")


def test_backoff_is_capped_with_jitter() -> None:
    policy = outbox.DeliveryPolicy(backoff_base=60, backoff_cap=600)
    assert policy.backoff(1, rng=lambda: 0.5) == dt.timedelta(seconds=60)
    assert policy.backoff(20, rng=lambda: 1.0) == dt.timedelta(seconds=750)
    assert policy.backoff(20, rng=lambda: 0.0) == dt.timedelta(seconds=450)


def test_stale_claim_is_reaped(app: Flask, smtp_server: Any) -> None:
    [nid] = queue(1)
    db.session.execute(sa.update(Notification).values(status=NotificationStatus.SENDING, claimed_by="dead-worker",
                                                      claimed_at=NOW - dt.timedelta(hours=1)))
    db.session.commit()
    report = outbox.deliver_due(settings_for(app, smtp_server), now=lambda: NOW)
    assert report.reaped == 1
    assert report.sent == [nid]


@pytest.mark.committed
def test_concurrent_workers_deliver_each_row_once(app: Flask, smtp_server: Any) -> None:
    ids = queue(60)
    settings = settings_for(app, smtp_server)
    errors: list[BaseException] = []
    barrier = threading.Barrier(5)

    def worker(n: int) -> None:
        try:
            with app.app_context():
                barrier.wait()
                outbox.deliver_due(settings, now=lambda: NOW, worker=f"w{n}")
                db.session.remove()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors
    received = [m.rcpt_tos[0] for m in smtp_server.messages]
    assert len(received) == len(ids) == len(set(received))
    assert set(statuses()) == {NotificationStatus.SENT}
    claimers = set(db.session.scalars(sa.select(Notification.claimed_by)))
    assert claimers  # the rows record who sent them
