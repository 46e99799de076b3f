"""The DingTalk channel against a real robot on loopback that checks signatures: once per message and channel,
retries with backoff, dead on a refused credential, and never holding back the e-mail (issue 15)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from tasktrack import dingtalk
from tasktrack import settings as app_settings
from tasktrack.extensions import db
from tasktrack.models import Notification, NotificationChannel, NotificationStatus, Role, Unit, User
from tasktrack.services import ServiceError, digests, outbox, reminders, robots
from tests.robot_server import SECRET, TOKEN, robot_server_fixture
from tests.services.test_reminders_sweep import at, give_addresses
from tests.smtp_server import smtp_server_fixture

smtp_server = smtp_server_fixture()
robot_server = robot_server_fixture(hang_seconds=2.5)
DAY = dt.date(2024, 7, 18)


def robot_settings(app: Flask) -> dingtalk.RobotSettings:
    return dataclasses.replace(app_settings.of(app).robots, timeout=1.0)


def deliver(app: Flask, smtp: Any, when: dt.datetime, **kw: Any) -> outbox.DeliveryReport:
    settings = dataclasses.replace(app_settings.of(app).smtp, host=smtp.host, port=smtp.port, timeout=5)
    return outbox.deliver_due(settings, robot_settings=robot_settings(app), now=lambda: when, **kw)


def first_reminded_unit(app: Flask) -> Unit:
    planned = reminders.plan_messages(DAY, app_settings.of(app).reminders, base_url="http://tt.example")
    assert planned
    return planned[0].unit


def give_robot(app: Flask, owner: Unit | User, webhook: str, secret: str = SECRET) -> None:
    robots.set_robot(owner, actor=None, webhook=webhook, secret=secret, clear=False,  # type: ignore[arg-type]
                     now=at(DAY, 8), settings=app_settings.of(app).robots)
    db.session.commit()


def rows(channel: NotificationChannel) -> list[Notification]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(Notification).where(Notification.channel == channel)
                                   .order_by(Notification.id)))


def sweep(app: Flask) -> reminders.SweepReport:
    report = reminders.run_sweep(DAY, app_settings.of(app).reminders, base_url="http://tt.example",
                                 now=at(DAY, 8))
    db.session.commit()
    return report


def test_reminder_goes_by_mail_and_to_the_units_robot_exactly_once(app: Flask, seeded: None, smtp_server: Any,
                                                                    robot_server: Any) -> None:
    give_addresses()
    unit = first_reminded_unit(app)
    give_robot(app, unit, robot_server.webhook)
    report = sweep(app)
    assert len(rows(NotificationChannel.DINGTALK)) == 1  # only the unit with a robot
    [robot_row] = rows(NotificationChannel.DINGTALK)
    mail_row = db.session.scalar(sa.select(Notification).where(Notification.key == robot_row.key,
                                                               Notification.channel == NotificationChannel.EMAIL))
    assert mail_row is not None
    assert mail_row.id in report.queued
    assert robot_row.id not in report.queued
    assert robot_row.unit_id == unit.id
    assert robot_row.recipients == ""

    delivered = deliver(app, smtp_server, at(DAY, 10))
    assert robot_row.id in delivered.sent
    assert mail_row.id in delivered.sent
    assert sweep(app).queued == []  # a second sweep queues nothing on either channel
    deliver(app, smtp_server, at(DAY, 11))
    [message] = robot_server.messages
    assert message["msgtype"] == "markdown"
    assert message["markdown"]["title"] == mail_row.subject
    assert unit.name in message["markdown"]["text"]
    assert "http://tt.example/assignments/" in message["markdown"]["text"]  # links absolute under BASE_URL
    assert len(robot_server.requests) == 1
    assert len([m for m in smtp_server.messages if m.message["Subject"] == mail_row.subject]) == 1
    assert {r.status for r in rows(NotificationChannel.DINGTALK)} == {NotificationStatus.SENT}


def test_robot_failures_are_retried_with_backoff_and_never_hold_back_the_mail(
        app: Flask, seeded: None, smtp_server: Any, robot_server: Any) -> None:
    give_addresses()
    give_robot(app, first_reminded_unit(app), robot_server.webhook)
    sweep(app)
    robot_server.fail("500")
    first = deliver(app, smtp_server, at(DAY, 10))
    [robot_row] = rows(NotificationChannel.DINGTALK)
    assert first.retried == [robot_row.id]
    assert all(r.status is NotificationStatus.SENT for r in rows(NotificationChannel.EMAIL) if r.to_list)
    assert robot_row.status is NotificationStatus.FAILED
    assert "HTTP 500" in (robot_row.last_error or "")
    assert robot_row.next_attempt_at > at(DAY, 10)
    assert deliver(app, smtp_server, at(DAY, 10)).retried == []  # waits out its backoff

    robot_server.fail("busy")  # errcode ≠ 0 (sending too fast): transient as well
    assert deliver(app, smtp_server, at(DAY, 12)).retried == [robot_row.id]
    assert "130101" in (rows(NotificationChannel.DINGTALK)[0].last_error or "")
    assert deliver(app, smtp_server, at(DAY, 15)).sent == [robot_row.id]
    assert len(robot_server.messages) == 1
    assert rows(NotificationChannel.DINGTALK)[0].attempts == 3


def test_a_hung_robot_times_out_as_transient(app: Flask, seeded: None, smtp_server: Any, robot_server: Any) -> None:
    give_addresses()
    give_robot(app, first_reminded_unit(app), robot_server.webhook)
    sweep(app)
    robot_server.fail("hang")
    report = deliver(app, smtp_server, at(DAY, 10))
    [robot_row] = rows(NotificationChannel.DINGTALK)
    assert report.retried == [robot_row.id]
    # The robot would have answered (success) after 2.5 s: a time-out error means the 1 s limit cut the call
    # short, and no wall-clock assert depends on how loaded the machine is.
    assert "超时" in (robot_row.last_error or "")


def test_a_refused_signature_is_dead_then_resent_after_the_secret_is_fixed(
        app: Flask, seeded: None, smtp_server: Any, robot_server: Any, make_user: Any) -> None:
    give_addresses()
    unit = first_reminded_unit(app)
    give_robot(app, unit, robot_server.webhook, secret="SEC" + "0" * 64)  # not the robot's secret
    sweep(app)
    report = deliver(app, smtp_server, at(DAY, 10))
    [robot_row] = rows(NotificationChannel.DINGTALK)
    assert report.dead == [robot_row.id]
    assert robot_row.status is NotificationStatus.DEAD
    assert "310000" in (robot_row.last_error or "")
    assert robot_row.attempts == 1
    assert robot_server.messages == []
    assert robot_server.requests[0].errcode == 310000
    assert deliver(app, smtp_server, at(DAY, 12)).sent == []  # dead stays dead

    give_robot(app, db.session.get(Unit, unit.id), "", secret=SECRET)  # the secret fixed, the webhook kept
    outbox.resend(robot_row.id, actor=make_user(Role.SECRETARIAT), now=at(DAY, 12))
    db.session.commit()
    assert deliver(app, smtp_server, at(DAY, 12)).sent == [robot_row.id]
    assert len(robot_server.messages) == 1


def test_a_wrong_token_is_dead_and_a_removed_robot_says_so(app: Flask, seeded: None, smtp_server: Any,
                                                           robot_server: Any) -> None:
    give_addresses()
    unit = first_reminded_unit(app)
    give_robot(app, unit, robot_server.webhook.replace(TOKEN, "f" * 64))
    sweep(app)
    deliver(app, smtp_server, at(DAY, 10))
    [robot_row] = rows(NotificationChannel.DINGTALK)
    assert robot_row.status is NotificationStatus.DEAD
    assert "300001" in (robot_row.last_error or "")
    robots.set_robot(db.session.get(Unit, unit.id), actor=None, webhook="", secret="",  # type: ignore[arg-type]
                     clear=True, now=at(DAY, 11), settings=app_settings.of(app).robots)
    robot_row.status = NotificationStatus.PENDING
    db.session.commit()
    deliver(app, smtp_server, at(DAY, 12))
    assert "未设置钉钉机器人" in (rows(NotificationChannel.DINGTALK)[0].last_error or "")


def test_a_liaisons_digest_goes_to_their_own_robot(app: Flask, seeded: None, smtp_server: Any, robot_server: Any,
                                                   make_user: Any) -> None:
    liaison = make_user(Role.LIAISON, unit="省民政厅")
    make_user(Role.LIAISON, unit="省教育厅")  # no robot: e-mail only
    give_robot(app, liaison, robot_server.webhook)
    digests.send_liaison_digests(DAY, now=at(DAY, 9), base_url="http://tt.example", default_weekday=0)
    db.session.commit()
    [robot_row] = rows(NotificationChannel.DINGTALK)
    assert robot_row.user_id == liaison.id
    deliver(app, smtp_server, at(DAY, 10))
    [message] = robot_server.messages
    assert "每周工作摘要" in message["markdown"]["title"]


@pytest.mark.parametrize(("webhook", "secret", "field", "words"), [
    ("ftp://oapi.dingtalk.com/robot/send?access_token=x", SECRET, "dingtalk_webhook", "https://"),
    ("javascript:alert(1)", SECRET, "dingtalk_webhook", "https://"),
    ("https://user:pw@oapi.dingtalk.com/robot/send?access_token=x", SECRET, "dingtalk_webhook", "用户名或密码"),
    ("https:///robot/send", SECRET, "dingtalk_webhook", "主机名"),
    ("https://oapi.dingtalk.com/" + "a" * 500, SECRET, "dingtalk_webhook", "过长"),
    ("https://oapi.dingtalk.com/robot/send?access_token=x", "SEC123", "dingtalk_secret", "SEC 开头"),
    ("https://oapi.dingtalk.com/robot/send?access_token=x", "sec" + "a" * 64, "dingtalk_secret", "SEC 开头"),
    ("https://oapi.dingtalk.com/robot/send?access_token=x", "", "dingtalk_secret", "SEC 开头"),
])
def test_bad_robot_input_is_refused_and_changes_nothing(app: Flask, seeded: None, webhook: str, secret: str,
                                                        field: str, words: str) -> None:
    unit = db.session.scalar(sa.select(Unit).order_by(Unit.id))
    with pytest.raises(ServiceError) as refused:
        robots.set_robot(unit, actor=None, webhook=webhook, secret=secret, clear=False,  # type: ignore[arg-type]
                         now=at(DAY), settings=app_settings.of(app).robots)
    assert refused.value.field == field
    assert words in refused.value.message
    assert unit.dingtalk_webhook is None
    assert unit.dingtalk_secret is None


def test_the_secret_is_sealed_at_rest_and_signing_follows_dingtalks_rule(app: Flask, seeded: None) -> None:
    unit = db.session.scalar(sa.select(Unit).order_by(Unit.id))
    give_robot(app, unit, "https://oapi.dingtalk.com/robot/send?access_token=abc")
    stored = db.session.scalar(sa.select(Unit.dingtalk_secret).where(Unit.id == unit.id))
    assert stored
    assert SECRET not in stored
    assert SECRET[3:20] not in stored
    assert dingtalk.unseal(stored, app_settings.of(app).robots) == SECRET
    other = dingtalk.RobotSettings(key=dingtalk.derive_key("another secret key of enough length......"))
    with pytest.raises(dingtalk.PermanentRobotError, match="重新设置"):
        dingtalk.unseal(stored, other)
    # the published example of the rule: sign = urlencode(base64(hmac_sha256(secret, "ts\nsecret")))
    from tasktrack.domain.robots import mask_webhook, signed_url
    url = signed_url("https://oapi.dingtalk.com/robot/send?access_token=abc", SECRET, 1700000000000)
    assert url.startswith("https://oapi.dingtalk.com/robot/send?access_token=abc&timestamp=1700000000000&sign=")
    assert "+" not in url.split("sign=")[1]
    assert "/" not in url.split("sign=")[1]
    assert mask_webhook("https://oapi.dingtalk.com/robot/send?access_token=abc") == \
        "https://oapi.dingtalk.com/robot/send?access_token=****"
