"""Delivery in batches (issue 16): one SMTP connection per batch, claims and results in a few statements, a failure
mid-batch reconnects and the rest is still delivered, and a crash between send and record resends nothing more
than the reaper's one copy with the same Message-ID."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from tasktrack import mail
from tasktrack import settings as app_settings
from tasktrack.extensions import db
from tasktrack.models import Notification, NotificationKind, NotificationStatus
from tasktrack.services import delivery, outbox
from tests.smtp_server import smtp_server_fixture

smtp_server = smtp_server_fixture()
NOW = dt.datetime(2024, 7, 18, 2, 0, tzinfo=dt.UTC)


def queue(n: int, start: int = 0) -> list[int]:
    ids = outbox.enqueue_many([outbox.Outgoing(key=f"batch:{i}", kind=NotificationKind.REMINDER, local_date=NOW.date(),
                                               to=[f"u{i}@example.org"], subject=f"提醒 {i}", text="正文", html=None)
                               for i in range(start, start + n)], now=NOW)
    db.session.commit()
    return [i for i in ids if i is not None]


def smtp_of(app: Flask, smtp: Any) -> mail.SmtpSettings:
    return dataclasses.replace(app_settings.of(app).smtp, host=smtp.host, port=smtp.port, timeout=5)


def statuses() -> dict[int, NotificationStatus]:
    db.session.expire_all()
    return dict(db.session.execute(sa.select(Notification.id, Notification.status)).tuples().all())


def test_a_batch_uses_one_connection(app: Flask, smtp_server: Any) -> None:
    ids = queue(30)
    report = outbox.deliver_due(smtp_of(app, smtp_server), now=lambda: NOW)
    assert report.sent == ids
    assert report.connections == 1
    assert smtp_server.sessions == 1
    assert len(smtp_server.messages) == 30
    small = outbox.DeliveryPolicy(batch_size=10)
    more = queue(25, start=100)
    report = outbox.deliver_due(smtp_of(app, smtp_server), now=lambda: NOW, policy=small)
    assert report.sent == more
    assert report.connections == 3  # 10 + 10 + 5


def test_a_failure_mid_batch_reconnects_and_the_rest_is_delivered(app: Flask, smtp_server: Any) -> None:
    ids = queue(12)
    smtp_server.fail("rcpt", 550, recipients=["u4@example.org"])  # permanent for one message
    smtp_server.fail("data", 421, times=1)  # the first DATA: transient, the server closes the channel
    report = outbox.deliver_due(smtp_of(app, smtp_server), now=lambda: NOW)
    assert report.retried == [ids[0]]
    assert report.dead == [ids[4]]
    assert report.sent == [i for i in ids if i not in (ids[0], ids[4])]
    assert report.connections == 3  # the first, after the 421, after the 550
    assert statuses()[ids[0]] is NotificationStatus.FAILED
    smtp_server.clear_failures()
    later = outbox.deliver_due(smtp_of(app, smtp_server), now=lambda: NOW + dt.timedelta(hours=1))
    assert later.sent == [ids[0]]
    assert len(smtp_server.messages) == 11
    assert statuses()[ids[4]] is NotificationStatus.DEAD


def test_an_unreachable_server_fails_the_batch_at_once_and_everything_waits(app: Flask, smtp_server: Any) -> None:
    ids = queue(8)
    smtp_server.stop()
    report = outbox.deliver_due(smtp_of(app, smtp_server), now=lambda: NOW)
    assert report.retried == ids
    rows = db.session.scalars(sa.select(Notification)).all()
    assert {r.attempts for r in rows} == {1}
    assert all("SMTP session" in (r.last_error or "") for r in rows)
    smtp_server.start()
    assert outbox.deliver_due(smtp_of(app, smtp_server), now=lambda: NOW + dt.timedelta(hours=1)).sent == ids
    assert len(smtp_server.messages) == 8


def test_a_crash_between_send_and_record_resends_only_through_the_reaper(app: Flask, smtp_server: Any,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    ids = queue(5)
    original = delivery._record

    def crash(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("worker killed after sending")

    monkeypatch.setattr(delivery, "_record", crash)
    with pytest.raises(RuntimeError):
        outbox.deliver_due(smtp_of(app, smtp_server), now=lambda: NOW)
    monkeypatch.setattr(delivery, "_record", original)
    db.session.rollback()
    assert set(statuses().values()) == {NotificationStatus.SENDING}
    assert len(smtp_server.messages) == 5
    # a second worker before the claim is stale sends nothing
    assert outbox.deliver_due(smtp_of(app, smtp_server), now=lambda: NOW + dt.timedelta(minutes=5)).sent == []
    assert len(smtp_server.messages) == 5
    # the reaper hands the batch back: one more copy each, with the same Message-ID
    report = outbox.deliver_due(smtp_of(app, smtp_server), now=lambda: NOW + dt.timedelta(minutes=20))
    assert report.reaped == 5
    assert report.sent == ids
    copies: dict[str, int] = {}
    for m in smtp_server.messages:
        copies[m.message["Message-ID"]] = copies.get(m.message["Message-ID"], 0) + 1
    assert sorted(copies.values()) == [2] * 5
    assert outbox.deliver_due(smtp_of(app, smtp_server), now=lambda: NOW + dt.timedelta(hours=3)).sent == []


def test_a_batch_that_runs_too_long_hands_its_rest_back_unspent(app: Flask, smtp_server: Any,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    ids = queue(4)
    ticks = iter([0.0, 0.0, 0.0, 10_000.0, 10_000.0, 10_000.0, 10_000.0])
    monkeypatch.setattr(delivery, "monotonic", lambda: next(ticks))
    report = outbox.deliver_due(smtp_of(app, smtp_server), now=lambda: NOW)
    assert report.sent == ids[:2]
    rows = {r.id: r for r in db.session.scalars(sa.select(Notification))}
    assert [rows[i].status for i in ids[2:]] == [NotificationStatus.PENDING] * 2
    assert [rows[i].attempts for i in ids[2:]] == [0, 0]
    assert rows[ids[2]].claimed_by is None


def test_claims_and_results_take_a_fixed_number_of_statements(app: Flask, smtp_server: Any,
                                                              count_queries: Callable[[], Any]) -> None:
    queue(5)
    with count_queries() as few:
        outbox.deliver_due(smtp_of(app, smtp_server), now=lambda: NOW)
    queue(60, start=100)
    with count_queries() as many:
        outbox.deliver_due(smtp_of(app, smtp_server), now=lambda: NOW)
    assert many.count == few.count <= 8, many.statements
