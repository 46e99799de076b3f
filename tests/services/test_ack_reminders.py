"""签收 chasing end to end: the daily sweep puts ONE 未签收 line in the unit's one mail, read at a real SMTP server on
loopback; a second run, the next day and an acknowledged assignment add nothing."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import sqlalchemy as sa
from flask import Flask

from tasktrack import settings as app_settings
from tasktrack.domain.reminder_policy import MessageKind
from tasktrack.extensions import db
from tasktrack.models import Assignment, NotificationItem, Role, Unit
from tasktrack.services import acknowledgements, reminders, units
from tests.services.test_reminder_mail import deliver, mail_of, numbered_lines, text_of
from tests.services.test_reminders_sweep import at, give_addresses
from tests.smtp_server import smtp_server_fixture

smtp_server = smtp_server_fixture()

BASE = "http://tt.example"
ASSIGNED = dt.date(2024, 7, 18)  # the suite's seed publishes the plan on Thursday 18 July
DUE_DAY = dt.date(2024, 7, 22)  # the 2nd working day after it (ACK_REMIND_WORKDAYS = 2)


def sweep(app: Flask, day: dt.date) -> reminders.SweepReport:
    report = reminders.run_sweep(day, app_settings.of(app).reminders, base_url=BASE, now=at(day, 8))
    db.session.commit()
    return report


def only_unacknowledged(unit: Unit, day: dt.date) -> list[Assignment]:
    """The unit's assignments whose one due item on ``day`` is 未签收 (no deadline rung rides along)."""
    items = [i for i in reminders.due_by_group(day, app_settings.settings().reminders) if i.unit_id == unit.id]
    kinds: dict[int, set[MessageKind]] = {}
    for item in items:
        kinds.setdefault(item.assignment_id, set()).add(item.kind)
    ids = [a for a, k in kinds.items() if k == {MessageKind.UNACKNOWLEDGED}]
    return list(db.session.scalars(sa.select(Assignment).where(Assignment.id.in_(ids)).order_by(Assignment.id)))


def test_the_unit_mail_has_one_unacknowledged_line_once(app: Flask, seeded: None, make_user: Any,
                                                        smtp_server: Any) -> None:
    give_addresses()
    unit = units.find_unit("省民政厅")
    assert isinstance(unit, Unit)
    chased, signed = only_unacknowledged(unit, DUE_DAY)[:2]
    liaison = make_user(Role.LIAISON, unit="省民政厅")
    acknowledgements.acknowledge(signed, actor=liaison, now=at(ASSIGNED, 15))
    db.session.commit()

    sweep(app, dt.date(2024, 7, 19))  # working day 1: nothing 未签收 yet
    assert all("未签收" not in text_of(m) for m in deliver(app, smtp_server, dt.date(2024, 7, 19)))

    sweep(app, DUE_DAY)
    text = text_of(mail_of(deliver(app, smtp_server, DUE_DAY), "省民政厅"))
    lines = [line for line in numbered_lines(text) if "未签收" in line]
    assert any(f"】{chased.task.number}. " in line for line in lines)
    assert not any(f"】{signed.task.number}. " in line for line in lines)
    assert f"【未签收（已下达{(DUE_DAY - ASSIGNED).days}天，请登录系统签收）】{chased.task.number}. " in text
    assert "尚未签收：请登录系统，在“我的任务”中点击“签收”" in text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(NotificationItem)
                             .where(NotificationItem.item_key == f"a:{chased.id}:unacknowledged")) == 1

    sweep(app, DUE_DAY)  # a second run the same day adds nothing
    assert deliver(app, smtp_server, DUE_DAY) == []
    next_day = dt.date(2024, 7, 23)
    sweep(app, next_day)  # nor does the next day: the line is sent once per assignment
    for message in deliver(app, smtp_server, next_day):
        assert f"】{chased.task.number}. " not in "\n".join(
            line for line in numbered_lines(text_of(message)) if "未签收" in line)


def test_the_subject_counts_unacknowledged_lines(app: Flask, seeded: None) -> None:
    give_addresses()
    unit = units.find_unit("省民政厅")
    assert isinstance(unit, Unit)
    [message] = [m for m in reminders.plan_messages(DUE_DAY, app_settings.of(app).reminders, base_url=BASE)
                 if m.unit.id == unit.id]
    unacknowledged = [v for v in message.items if v.kind is MessageKind.UNACKNOWLEDGED]
    assert unacknowledged
    assert f"{len(unacknowledged)}项未签收" in message.subject
    covered = [v for v in message.items if v.kind is not MessageKind.UNACKNOWLEDGED and v.unacknowledged]
    assert all(v.label.endswith("；尚未签收") for v in covered)


def test_turned_off_by_the_setting(app: Flask, seeded: None) -> None:
    give_addresses()
    windows = dataclasses.replace(app_settings.of(app).reminders, ack_remind_workdays=0)
    messages = reminders.plan_messages(DUE_DAY, windows, base_url=BASE)
    assert all(not v.unacknowledged for m in messages for v in m.items)


def test_the_secretariat_digest_counts_unacknowledged(app: Flask, seeded: None, make_user: Any) -> None:
    from tasktrack.models import Notification, NotificationKind
    from tasktrack.services import digests

    make_user(Role.SECRETARIAT, email="office@example.org")
    signed = only_unacknowledged(units.find_unit("省民政厅"), DUE_DAY)[0]
    acknowledgements.acknowledge(signed, actor=make_user(Role.LIAISON, unit="省民政厅"), now=at(ASSIGNED, 15))
    db.session.commit()
    pending = db.session.scalar(sa.select(sa.func.count()).select_from(Assignment)
                                .where(Assignment.acknowledged_at.is_(None), Assignment.closed_at.is_(None)))
    monday = dt.date(2024, 7, 22)
    digests.send_all(monday, now=at(monday, 9), base_url=BASE, weekday=0)
    db.session.commit()
    row = db.session.scalar(sa.select(Notification).where(Notification.kind == NotificationKind.SECRETARIAT_DIGEST))
    assert f"待签收任务：{pending} 项" in row.body_text
    assert "reason=unacknowledged" in row.body_text
    assert f"{pending} 项任务单位尚未签收" in row.body_html
