"""Queuing many messages at once: the same idempotency as one at a time, a few statements for all.

At province scale the sweep queues ~170 messages with ~4,000 items and the digests ~1,000 messages; one
INSERT and one audit SELECT per message made the digests miss their 5-second target (bench/README.md).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from tasktrack import settings as app_settings
from tasktrack.extensions import db
from tasktrack.models import AuditEvent, Notification, NotificationItem, NotificationKind, NotificationStatus, Role
from tasktrack.services import digests, outbox, reminders
from tests.services.test_reminders_sweep import at, give_addresses

DAY = dt.date(2024, 7, 18)


def outgoing(key: str, to: list[str] | None = None) -> outbox.Outgoing:
    return outbox.Outgoing(key=key, kind=NotificationKind.REMINDER, local_date=DAY,
                           to=["a@example.org"] if to is None else to, subject=f"主题 {key}", text="正文", html=None)


def test_enqueue_many_returns_ids_in_order_and_none_for_queued_keys(app: Flask,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(outbox, "BATCH", 2)  # several statements
    first = outbox.enqueue(key="k2", kind=NotificationKind.REMINDER, local_date=DAY, to=["a@example.org"],
                           subject="早先", text="t", html=None, now=at(DAY))
    ids = outbox.enqueue_many([outgoing("k1"), outgoing("k2"), outgoing("k3", to=[]), outgoing("k1"),
                               outgoing("k4")], now=at(DAY))
    db.session.commit()
    assert first is not None
    assert ids[1] is None  # queued before
    assert ids[3] is None  # the same key twice in one batch is queued once
    new = [i for i in ids if i is not None]
    assert len(new) == len(set(new)) == 3
    rows = {r.key: r for r in db.session.scalars(sa.select(Notification))}
    assert [rows["k1"].id, rows["k3"].id, rows["k4"].id] == [ids[0], ids[2], ids[4]]
    assert rows["k2"].subject == "早先"  # nothing overwritten
    assert rows["k3"].status is NotificationStatus.DEAD
    assert rows["k3"].last_error == "没有收件人地址"
    audited = db.session.scalars(sa.select(AuditEvent.object_id).where(AuditEvent.action == "notification.queue"))
    assert sorted(audited) == sorted([first, *new])


def test_sweep_and_digests_make_a_fixed_number_of_statements(app: Flask, seeded: None, make_user: Any,
                                                              count_queries: Callable[[], Any]) -> None:
    """Statements do not grow with the number of messages (28 units, then a liaison in each)."""
    give_addresses()
    settings = app_settings.of(app).reminders
    with count_queries() as sweep:
        report = reminders.run_sweep(DAY, settings, base_url="http://x", now=at(DAY, 8))
        db.session.flush()
    db.session.commit()
    assert len(report.queued) > 10
    assert db.session.scalar(sa.select(sa.func.count()).select_from(NotificationItem)) == report.items > 20
    assert sweep.count < 25, sweep.statements

    make_user(Role.SECRETARIAT, email="office@example.org")
    for unit in ("省民政厅", "省教育厅", "杭州市", "宁波市"):
        make_user(Role.LIAISON, unit=unit)
    db.session.commit()
    with count_queries() as few:
        small = digests.send_liaison_digests(DAY, now=at(DAY, 9), base_url="http://x", default_weekday=0)
        db.session.flush()
    db.session.rollback()
    for unit in ("省委组织部", "省发展改革委", "省经信厅", "省科技厅", "省公安厅", "省财政厅", "温州市", "嘉兴市"):
        make_user(Role.LIAISON, unit=unit)
    db.session.commit()
    with count_queries() as many:
        large = digests.send_all(DAY, now=at(DAY, 9), base_url=app_settings.of(app).base_url,
                                 weekday=app_settings.of(app).digest_weekday)
        db.session.flush()
    db.session.commit()
    assert len(large.queued) > len(small.queued) >= 3
    # send_all adds the secretariat digests (a few reads for all work groups, one batch of messages, and one
    # read of which addressees have a DingTalk robot) to the liaisons' run
    assert many.count - few.count < 11, (few.statements, many.statements)

