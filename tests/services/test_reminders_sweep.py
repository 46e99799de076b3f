"""The daily sweep against the real 2024 plan and a real SMTP server on loopback."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from tasktrack import settings as app_settings
from tasktrack.extensions import db
from tasktrack.models import (
    Assignment,
    AssignmentStatus,
    Notification,
    NotificationItem,
    NotificationStatus,
    Task,
    Unit,
)
from tasktrack.services import outbox, reminders
from tests.smtp_server import smtp_server_fixture

smtp_server = smtp_server_fixture()

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=SHANGHAI).astimezone(dt.UTC)


def give_addresses() -> dict[int, str]:
    """Give every unit one contact address unit<id>@example.org."""
    out = {}
    for unit in db.session.scalars(sa.select(Unit)):
        unit.contact_emails = f"unit{unit.id}@example.org"
        out[unit.id] = unit.contact_emails
    db.session.commit()
    return out


def task(number: int) -> Task:
    return db.session.scalar(sa.select(Task).where(Task.number == number))


def sweep(app: Flask, day: dt.date) -> reminders.SweepReport:
    report = reminders.run_sweep(day, app_settings.of(app).reminders, base_url="http://tt.example",
                                 now=at(day, 8))
    db.session.commit()
    return report


def deliver(app: Flask, smtp: Any, day: dt.date, **kw: Any) -> outbox.DeliveryReport:
    settings = dataclasses.replace(app_settings.of(app).smtp, host=smtp.host, port=smtp.port)
    return outbox.deliver_due(settings, now=lambda: at(day, 10), **kw)


def has_link(text: str, link: str) -> bool:
    return re.search(re.escape(link) + r"(?!\d)", text) is not None


def units_of(task_obj: Task) -> set[int]:
    return set(db.session.scalars(sa.select(Assignment.unit_id).where(Assignment.task_id == task_obj.id)))


def test_task_1_due_soon_then_overdue(app: Flask, seeded: None, smtp_server: Any) -> None:
    addresses = give_addresses()
    t1 = task(1)
    owners = units_of(t1)
    assert len(owners) > 3
    done = db.session.scalar(sa.select(Assignment).where(Assignment.task_id == t1.id).order_by(Assignment.id))
    done.status, done.completed_on = AssignmentStatus.COMPLETED, dt.date(2024, 7, 10)
    db.session.commit()

    sweep(app, dt.date(2024, 7, 18))
    report = deliver(app, smtp_server, dt.date(2024, 7, 18))
    assert report.sent
    assert not report.retried
    assert not report.dead
    received = smtp_server.messages
    by_rcpt: dict[str, list[Any]] = {}
    for m in received:
        for r in m.rcpt_tos:
            by_rcpt.setdefault(r, []).append(m)
    page_of = dict(db.session.execute(sa.select(Assignment.unit_id, Assignment.id)
                                      .where(Assignment.task_id == t1.id)).tuples().all())
    for unit_id in owners:
        link = f"http://tt.example/assignments/{page_of[unit_id]}"  # the unit's own page, with the report form
        mails = by_rcpt[addresses[unit_id]]
        assert len(mails) == 1, "exactly one e-mail per unit per day"
        msg = mails[0].message
        assert "任务提醒" in msg["Subject"]
        text = msg.get_body(("plain",)).get_content()
        html = msg.get_body(("html",)).get_content()
        if unit_id == done.unit_id:
            assert not has_link(text, link), "a completed assignment is left out"
        else:
            assert "13天后到期" in text
            assert has_link(text, link)
            assert has_link(html, link)
            assert t1.text in text
            assert "/tasks/" not in text
    assert len(received) == len({m.message["Message-ID"] for m in received})

    # 2024-08-01: the first day overdue
    smtp_server.clear_messages()
    sweep(app, dt.date(2024, 8, 1))
    deliver(app, smtp_server, dt.date(2024, 8, 1))
    for unit_id in owners - {done.unit_id}:
        mails = [m for m in smtp_server.messages if addresses[unit_id] in m.rcpt_tos]
        assert len(mails) == 1
        text = mails[0].message.get_body(("plain",)).get_content()
        assert "已逾期1天" in text
        assert has_link(text, f"http://tt.example/assignments/{page_of[unit_id]}")
    done_link = f"http://tt.example/assignments/{page_of[done.unit_id]}"
    assert not [m for m in smtp_server.messages if addresses[done.unit_id] in m.rcpt_tos and has_link(
                m.message.get_body(("plain",)).get_content(), done_link)]


def test_sweep_twice_sends_nothing_twice(app: Flask, seeded: None, smtp_server: Any) -> None:
    give_addresses()
    day = dt.date(2024, 7, 18)
    first = sweep(app, day)
    second = sweep(app, day)
    assert first.queued
    assert not second.queued
    deliver(app, smtp_server, day)
    deliver(app, smtp_server, day)
    assert len(smtp_server.messages) == len(first.queued)
    dupes = db.session.execute(sa.select(NotificationItem.item_key).group_by(NotificationItem.item_key)
                               .having(sa.func.count() > 1)).all()
    assert dupes == []


def test_skipped_day_is_caught_up(app: Flask, seeded: None) -> None:
    give_addresses()
    t1 = task(1)
    # the 3-day window opens on 07-28; the server was down on 07-28, the next run is 07-29
    sweep(app, dt.date(2024, 7, 18))
    report = sweep(app, dt.date(2024, 7, 29))
    keys = set(db.session.scalars(sa.select(NotificationItem.item_key).where(
        NotificationItem.notification_id.in_(report.queued))))
    owner = next(iter(units_of(t1)))
    a = db.session.scalar(sa.select(Assignment).where(Assignment.task_id == t1.id, Assignment.unit_id == owner))
    assert f"a:{a.id}:due_soon:3:2024-07-31" in keys
    assert len(keys) == len(set(keys))
    later = sweep(app, dt.date(2024, 7, 30))
    again = set(db.session.scalars(sa.select(NotificationItem.item_key).where(
        NotificationItem.notification_id.in_(later.queued))))
    assert f"a:{a.id}:due_soon:3:2024-07-31" not in again, "caught up once, not again"


def test_unit_without_address_is_recorded(app: Flask, seeded: None) -> None:
    report = sweep(app, dt.date(2024, 7, 18))
    assert report.undeliverable_units
    dead = db.session.scalars(sa.select(Notification).where(Notification.status == NotificationStatus.DEAD)).all()
    assert dead
    assert all(n.last_error for n in dead)


@pytest.mark.parametrize("day", [dt.date(2024, 7, 18)])
def test_dry_run_plans_without_writing(app: Flask, seeded: None, day: dt.date) -> None:
    give_addresses()
    planned = reminders.plan_messages(day, app_settings.of(app).reminders, base_url="http://x")
    assert planned
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification)) == 0
