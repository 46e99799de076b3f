"""Reminders per level: each group's units are chased with its own windows; an inbound task reaches the lower
group's secretariat; one mail per unit per day. Delivered to the real SMTP server (tests/smtp_server.py)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import sqlalchemy as sa
from flask import Flask

from tasktrack import settings as app_settings
from tasktrack.domain.reminder_policy import MessageKind, ReminderSettings
from tasktrack.extensions import db
from tasktrack.models import Assignment, Task
from tasktrack.services import outbox, recipients, reminders, work_group_admin
from tests.levels_data import NOW, build_tree
from tests.smtp_server import smtp_server_fixture

smtp_server = smtp_server_fixture()
SHANGHAI = dt.timezone(dt.timedelta(hours=8))
#: The deadline windows only: 签收 chasing (the tree's assignments are 待签收) is tested in test_ack_reminders.py.
DEFAULTS = ReminderSettings(due_soon_days=(14, 3), overdue_repeat_days=7, supervision_after_days=30,
                            ack_remind_workdays=0)


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=SHANGHAI).astimezone(dt.UTC)


def _county_assignment(t) -> Assignment:
    return db.session.scalar(sa.select(Assignment).join(Task, Assignment.task_id == Task.id)
                             .where(Task.plan_id == t.county_plan.id))


def test_each_group_chases_with_its_own_windows(app: Flask) -> None:
    t = build_tree()
    county_work = _county_assignment(t)  # due 2024-09-30
    day = dt.date(2024, 9, 10)  # 20 days before
    assert not [i for i in reminders.due_by_group(day, DEFAULTS) if i.assignment_id == county_work.id]
    work_group_admin.set_reminder_windows(t.county, actor=None, due_soon_days="20,5", overdue_repeat_days=None,
                                          supervision_after_days=None, period_grace_days=None, now=NOW)
    db.session.commit()
    due = [i for i in reminders.due_by_group(day, DEFAULTS) if i.assignment_id == county_work.id]
    assert [(i.kind, i.days) for i in due] == [(MessageKind.DUE_SOON, 20)]
    # The other groups keep the app's windows: 甲市's overdue work is chased as before.
    city_items = [i for i in reminders.due_by_group(dt.date(2024, 7, 18), DEFAULTS)
                  if i.assignment_id == t.city_red.id]
    assert MessageKind.OVERDUE_REPEAT in {i.kind for i in city_items}  # 18 days late, the app's 7-day repeat


def test_an_inbound_task_reaches_the_lower_groups_secretariat(app: Flask, smtp_server: Any) -> None:
    t = build_tree()
    assert t.unit_a.emails == []  # the provincial unit 甲市 has no address of its own
    addresses = recipients.unit_addresses([t.unit_a.id])[t.unit_a.id]
    assert addresses == ["sec_a@levels.example.org"]
    day = dt.date(2024, 7, 18)
    for _ in range(2):  # a second run the same day adds nothing
        reminders.run_sweep(day, app_settings.of(app).reminders, base_url="http://tt.example", now=at(day, 8))
        db.session.commit()
    smtp = dataclasses.replace(app_settings.of(app).smtp, host=smtp_server.host, port=smtp_server.port)
    report = outbox.deliver_due(smtp, now=lambda: at(day))
    assert report.sent
    db.session.commit()
    to_city = [m for m in smtp_server.messages if "sec_a@levels.example.org" in m.rcpt_tos]
    assert len(to_city) == 1
    body = to_city[0].message.get_body(("plain",)).get_content()
    assert "省任务一" in body
    assert "甲市" in str(to_city[0].message["Subject"])
    # 甲市民政局's own overdue work goes to its own address, once.
    civil = [m for m in smtp_server.messages if "a-civil@levels.example.org" in m.rcpt_tos]
    assert len(civil) == 1
    assert "市任务一" in civil[0].message.get_body(("plain",)).get_content()
    rcpts = [tuple(sorted(m.rcpt_tos)) for m in smtp_server.messages]
    assert len(rcpts) == len(set(rcpts))  # one mail per unit per day
