"""The scheduler (lock, jobs, not in the web app), concurrent sweeps, digests, urging and the CLI."""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from tasktrack import jobs, scheduler
from tasktrack import settings as app_settings
from tasktrack.extensions import db
from tasktrack.models import (
    Assignment,
    Notification,
    NotificationItem,
    NotificationKind,
    NotificationStatus,
    Role,
    SupervisionKind,
    SupervisionRecord,
    Unit,
)
from tasktrack.services import ServiceError, digests, outbox, reminders, urging
from tasktrack.services.read.overview import unit_rows
from tests.services.test_reminders_sweep import at, give_addresses
from tests.smtp_server import smtp_server_fixture

smtp_server = smtp_server_fixture()


def test_no_scheduler_in_the_web_app(app: Flask, client: Any) -> None:
    assert "tasktrack_scheduler" not in app.extensions
    assert not any(t.name.startswith("APScheduler") for t in threading.enumerate())
    client.get("/login")
    assert "tasktrack_scheduler" not in app.extensions


def test_job_references_import_and_options(app: Flask) -> None:
    built = scheduler.build_scheduler(app_settings.of(app))
    specs = scheduler.job_specs(app_settings.of(app))
    assert {s.id for s in specs} == {"daily_sweep", "weekly_digests", "deliver_outbox", "heartbeat"}
    for spec in specs:
        assert callable(scheduler.resolve(spec.ref))
        job = built.get_job(spec.id)
        assert job.coalesce is True
        assert job.max_instances == 1
        assert job.misfire_grace_time == spec.misfire_grace_time
    assert str(built.timezone) == "Asia/Shanghai"
    assert not built.running


@pytest.mark.committed
def test_second_scheduler_stands_by(app: Flask) -> None:
    first = scheduler.DatabaseLock(db.engine, ttl=60)
    second = scheduler.DatabaseLock(db.engine, ttl=60)
    try:
        assert first.acquire()
        assert not second.acquire()
        assert first.refresh()
        first.release()
        assert second.acquire()
        assert not first.acquire()
    finally:
        first.release()
        second.release()


def test_jobs_run_in_their_own_context(app: Flask, seeded: None) -> None:
    give_addresses()
    jobs.bind(app)
    try:
        report = jobs.daily_sweep()
        assert report.queued
        assert jobs.daily_sweep().queued == []
    finally:
        jobs.bind(None, None)  # type: ignore[arg-type]


@pytest.mark.committed
def test_two_sweeps_at_once_queue_each_item_once(app: Flask, seeded: None) -> None:
    give_addresses()
    settings = app_settings.of(app).reminders
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            with app.app_context():
                barrier.wait()
                reminders.run_sweep(dt.date(2024, 7, 18), settings, base_url="http://x", now=at(dt.date(2024, 7, 18)))
                db.session.commit()
                db.session.remove()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors, errors
    keys = db.session.scalars(sa.select(Notification.key)).all()
    assert len(keys) == len(set(keys))
    item_keys = db.session.scalars(sa.select(NotificationItem.item_key)).all()
    assert len(item_keys) == len(set(item_keys)) > 0


def test_supervision_after_30_days_copies_leader_and_secretariat(app: Flask, seeded: None,
                                                                 make_user: Any) -> None:
    give_addresses()
    boss = make_user(Role.SECRETARIAT, email="office@example.org")
    unit = db.session.scalar(sa.select(Unit).where(Unit.name == "省民政厅"))
    unit.leader_email = "leader@example.org"
    db.session.commit()
    reminders.run_sweep(dt.date(2024, 8, 30), app_settings.of(app).reminders, base_url="http://x",
                        now=at(dt.date(2024, 8, 30)))
    db.session.commit()
    row = db.session.scalar(sa.select(Notification).where(Notification.key == f"reminders:{unit.id}:2024-08-30"))
    assert "督办" in row.subject
    assert "leader@example.org" in row.cc_list
    assert boss.email in row.cc_list
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SupervisionRecord).where(
        SupervisionRecord.kind == SupervisionKind.SUPERVISION_NOTICE)) > 0


def test_secretariat_digest_lists_units_without_address(app: Flask, seeded: None, make_user: Any) -> None:
    make_user(Role.SECRETARIAT, email="office@example.org")
    reminders.run_sweep(dt.date(2024, 7, 15), app_settings.of(app).reminders, base_url="http://x",
                        now=at(dt.date(2024, 7, 15)))
    typed = app_settings.of(app)
    report = digests.send_all(dt.date(2024, 7, 15), now=at(dt.date(2024, 7, 15), 9), base_url=typed.base_url,
                              weekday=typed.digest_weekday)
    db.session.commit()
    row = db.session.scalar(sa.select(Notification).where(Notification.kind == NotificationKind.SECRETARIAT_DIGEST))
    assert row.id in report.queued
    assert "未登记联系邮箱的单位" in row.body_text
    assert "省民政厅" in row.body_text
    assert "无法投递的邮件" in row.body_text
    assert digests.send_all(dt.date(2024, 7, 16), now=at(dt.date(2024, 7, 16), 9), base_url=typed.base_url,
                            weekday=typed.digest_weekday).queued == []


def test_liaison_digest_weekday_and_pause(app: Flask, seeded: None, make_user: Any) -> None:
    liaison = make_user(Role.LIAISON, unit="省民政厅")
    paused = make_user(Role.LIAISON, unit="省教育厅")
    digests.set_preference(liaison, weekday=2, paused=False, now=at(dt.date(2024, 7, 15)))
    digests.set_preference(paused, weekday=0, paused=True, now=at(dt.date(2024, 7, 15)))
    db.session.commit()
    monday = digests.send_liaison_digests(dt.date(2024, 7, 15), now=at(dt.date(2024, 7, 15)), base_url="http://x",
                                          default_weekday=0)
    assert monday.queued == []
    assert monday.paused == 1
    thursday = digests.send_liaison_digests(dt.date(2024, 7, 18), now=at(dt.date(2024, 7, 18)),
                                            base_url="http://x", default_weekday=0)
    db.session.commit()
    [row] = [db.session.get(Notification, i) for i in thursday.queued]
    assert row.to_list == [liaison.email]
    assert "每周工作摘要" in row.subject
    own = db.session.scalars(sa.select(Assignment.id).where(Assignment.unit_id == liaison.unit_id)).all()
    assert any(f"http://x/assignments/{a}\n" in row.body_text for a in own)  # the unit's own page
    assert "http://x/tasks/" not in row.body_text
    # overdue reminders are not digests: the paused liaison still receives the unit's daily reminders
    edu = db.session.scalar(sa.select(Unit).where(Unit.name == "省教育厅"))
    assert paused.email in reminders.unit_recipients([edu.id])[edu.id]


def test_the_people_of_one_unit_get_its_items_each_under_their_own_name(app: Flask, seeded: None,
                                                                        make_user: Any) -> None:
    """A unit's items are rendered once and given to each of its people (notifications.parts): the same items,
    each letter greeting its own reader, user text escaped once in the HTML part."""
    first = make_user(Role.LIAISON, unit="省民政厅", name="张<三>")
    second = make_user(Role.OBSERVATION_POINT, unit="省民政厅", name="李四")
    other = make_user(Role.LIAISON, unit="省教育厅", name="王五")
    task = db.session.scalar(sa.select(Assignment).where(Assignment.unit_id == first.unit_id)
                             .order_by(Assignment.id)).task
    task.text = "加强<廉洁>风险 & 台账"
    db.session.commit()
    report = digests.send_liaison_digests(dt.date(2024, 7, 18), now=at(dt.date(2024, 7, 18)),
                                          base_url="http://x", default_weekday=0)
    db.session.commit()
    rows = {row.to_list[0]: row for row in (db.session.get(Notification, i) for i in report.queued)}
    mine, theirs, elsewhere = rows[first.email], rows[second.email], rows[other.email]
    assert "张<三>您好" in mine.body_text
    assert "张&lt;三&gt;您好" in mine.body_html
    assert "李四您好" in theirs.body_text
    assert "王五您好" in elsewhere.body_text
    def items(text: str) -> str:
        return text.split("需要关注的任务：", 1)[1]
    assert items(mine.body_text) == items(theirs.body_text)
    assert items(mine.body_html) == items(theirs.body_html)
    assert items(mine.body_text) != items(elsewhere.body_text)  # each unit its own items
    assert "加强<廉洁>风险 & 台账" in mine.body_text
    assert "加强&lt;廉洁&gt;风险 &amp; 台账" in mine.body_html  # escaped once, not twice, not raw
    assert "&amp;lt;" not in mine.body_html


def test_urge_once_per_day_and_reported_since(app: Flask, seeded: None, make_user: Any,
                                              smtp_server: Any) -> None:
    give_addresses()
    office = make_user(Role.SECRETARIAT)
    unit = db.session.scalar(sa.select(Unit).where(Unit.name == "省民政厅"))
    assignment = unit_rows(unit.id, dt.date(2024, 7, 18))[0].assignment
    now = at(dt.date(2024, 7, 18))
    nid = urging.urge(assignment, actor=office, note="请本周内报送", now=now, base_url="http://x")
    db.session.commit()
    try:
        urging.urge(assignment, actor=office, note="", now=now, base_url="http://x")
        raise AssertionError("a double click must not urge twice")
    except ServiceError:
        db.session.rollback()
    settings = dataclasses.replace(app_settings.of(app).smtp, host=smtp_server.host, port=smtp_server.port)
    outbox.deliver_due(settings, now=lambda: now, only=[nid])
    [received] = smtp_server.messages
    assert "催办" in received.message["Subject"]
    assert "请本周内报送" in received.message.get_body(("plain",)).get_content()
    [row] = urging.urge_history(assignment)
    assert row.reported_since is False
    assignment.last_reported_at = now + dt.timedelta(hours=1)
    db.session.commit()
    assert urging.urge_history(assignment)[0].reported_since is True


def test_cli_dry_run_writes_nothing_and_run_queues(app: Flask, seeded: None, runner: Any) -> None:
    give_addresses()
    result = runner.invoke(args=["reminders", "run", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "试运行" in result.output
    assert "省民政厅" in result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification)) == 0
    result = runner.invoke(args=["reminders", "run"])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification)) > 0
    result = runner.invoke(args=["digest", "send"])
    assert result.exit_code == 0, result.output


def test_cli_outbox_deliver(app: Flask, runner: Any, smtp_server: Any) -> None:
    outbox.enqueue(key="cli:1", kind=NotificationKind.REMINDER, local_date=dt.date(2024, 7, 18), to=["a@example.org"],
                   subject="s", text="t", html=None, now=at(dt.date(2024, 7, 18), 0))
    db.session.commit()
    smtp = dataclasses.replace(app_settings.of(app).smtp, host=smtp_server.host, port=smtp_server.port)
    with app_settings.overridden(app, smtp=smtp):
        result = runner.invoke(args=["outbox", "deliver"])
    assert result.exit_code == 0, result.output
    assert "已发送 1 封" in result.output
    assert db.session.scalar(sa.select(Notification.status)) is NotificationStatus.SENT
