"""The DingTalk robot pages and the outbox page's robot rows: bad input changes nothing, resend works, and no page
or log line ever shows the signing secret or the webhook's token (issue 15)."""

from __future__ import annotations

import contextlib
import dataclasses
import logging
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from tasktrack import context, settings
from tasktrack.extensions import db
from tasktrack.models import Assignment, AuditEvent, Notification, NotificationChannel, NotificationStatus, Role, Unit
from tasktrack.services import reminders
from tests.conftest import csrf_token
from tests.robot_server import SECRET, TOKEN, robot_server_fixture
from tests.smtp_server import smtp_server_fixture

smtp_server = smtp_server_fixture()
robot_server = robot_server_fixture()


@contextlib.contextmanager
def servers_at(app: Flask, smtp: Any) -> Iterator[None]:
    """Point the app's SMTP settings at the test server and give robots a short time-out."""
    typed = settings.of(app)
    with settings.overridden(app, smtp=dataclasses.replace(typed.smtp, host=smtp.host, port=smtp.port, timeout=5),
                             robots=dataclasses.replace(typed.robots, timeout=2)):
        yield


def own_unit(user: Any) -> Unit:
    unit = db.session.scalar(sa.select(Unit).where(Unit.work_group_id == user.work_group_id).order_by(Unit.id))
    assert unit is not None
    return unit


def post_robot(client: Any, path: str, **data: str) -> Any:
    return client.post(path, data={"csrf_token": csrf_token(client, path), **data})


@pytest.mark.parametrize(("webhook", "secret", "words"), [
    ("ftp://oapi.dingtalk.com/robot/send?access_token=x", SECRET, "必须以 https:// 或 http:// 开头"),
    ("https://a:b@oapi.dingtalk.com/robot/send?access_token=x", SECRET, "不能包含用户名或密码"),
    ("https://oapi.dingtalk.com/robot/send?access_token=x", "SECabc", "加签密钥格式不正确"),
])
def test_bad_robot_input_gets_a_clear_message_and_changes_nothing(app: Flask, seeded: None, client: Any,
                                                                  login_as: Any, webhook: str, secret: str,
                                                                  words: str) -> None:
    office = login_as(Role.SECRETARIAT)
    unit = own_unit(office)
    response = post_robot(client, f"/admin/units/{unit.id}/dingtalk", dingtalk_webhook=webhook,
                          dingtalk_secret=secret)
    assert response.status_code == 400
    assert words in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Unit, unit.id).dingtalk_webhook is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "unit.robot")) == 0


def test_pages_and_logs_never_show_the_secret_or_the_token(app: Flask, seeded: None, client: Any, login_as: Any,
                                                           smtp_server: Any, robot_server: Any,
                                                           caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    office = login_as(Role.SECRETARIAT)
    for unit in db.session.scalars(sa.select(Unit)):
        unit.contact_emails = f"unit{unit.id}@example.org"
    db.session.commit()
    planned = reminders.plan_messages(context.today(), settings.of(app).reminders, base_url="http://tt.example")
    unit = next(m.unit for m in planned if m.unit.work_group_id == office.work_group_id)
    path = f"/admin/units/{unit.id}/dingtalk"
    saved = post_robot(client, path, dingtalk_webhook=robot_server.webhook, dingtalk_secret=SECRET)
    assert saved.status_code == 302
    pages = [client.get(path).get_data(as_text=True)]
    assert "已设置" in pages[0]
    assert "access_token=****" in pages[0]
    # a wrong secret first: the robot refuses the signature, the row is dead and shown with its error
    replaced = post_robot(client, path, dingtalk_webhook="", dingtalk_secret="SEC" + "1" * 64)
    assert replaced.status_code == 302
    reminders.run_sweep(context.today(), settings.of(app).reminders, base_url="http://tt.example",
                        now=context.now())
    db.session.commit()
    robot_row = db.session.scalar(sa.select(Notification).where(Notification.channel == NotificationChannel.DINGTALK))
    assert robot_row is not None
    with servers_at(app, smtp_server):
        delivered = client.post("/admin/reminders/outbox/deliver",
                                data={"csrf_token": csrf_token(client, "/admin/reminders/outbox")})
        assert delivered.status_code == 302
        db.session.expire_all()
        assert db.session.get(Notification, robot_row.id).status is NotificationStatus.DEAD
        assert smtp_server.messages  # the e-mail went out all the same
        outbox_page = client.get("/admin/reminders/outbox").get_data(as_text=True)
        assert "钉钉" in outbox_page
        assert "sign not match" in outbox_page
        assert f"/admin/reminders/outbox/{robot_row.id}/resend" in outbox_page
        pages += [outbox_page, client.get(f"/admin/reminders/outbox/{robot_row.id}").get_data(as_text=True)]
        # the secretariat fixes the secret and resends from the outbox page
        assert post_robot(client, path, dingtalk_webhook="", dingtalk_secret=SECRET).status_code == 302
        resent = client.post(f"/admin/reminders/outbox/{robot_row.id}/resend",
                             data={"csrf_token": csrf_token(client, "/admin/reminders/outbox")})
        assert resent.status_code == 302
        client.post("/admin/reminders/outbox/deliver",
                    data={"csrf_token": csrf_token(client, "/admin/reminders/outbox")})
    db.session.expire_all()
    assert db.session.get(Notification, robot_row.id).status is NotificationStatus.SENT
    assert len(robot_server.messages) == 1
    pages += [client.get("/admin/audit").get_data(as_text=True), client.get("/admin/audit.csv").get_data(as_text=True),
              client.get(f"/admin/units/{unit.id}/edit").get_data(as_text=True),
              client.get("/admin/reminders/outbox").get_data(as_text=True)]
    assert "设置单位钉钉机器人" in pages[-4]
    for text in [*pages, caplog.text]:
        assert SECRET not in text
        assert SECRET[3:] not in text
        assert TOKEN not in text
    audit = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "unit.robot")
                               .order_by(AuditEvent.id)).all()
    assert [e.after["dingtalk_secret"] for e in audit] == ["已设置", "已更换", "已更换"]
    assert all(TOKEN not in str(e.before) + str(e.after) for e in audit)


def test_a_person_sets_and_clears_their_own_robot(app: Flask, seeded: None, client: Any, login_as: Any) -> None:
    liaison = login_as(Role.LIAISON, unit="省民政厅")
    missing = post_robot(client, "/account/dingtalk", dingtalk_webhook="https://oapi.dingtalk.com/robot/send?a=1",
                         dingtalk_secret="")
    assert missing.status_code == 400
    assert "加签密钥格式不正确" in missing.get_data(as_text=True)
    ok = post_robot(client, "/account/dingtalk", dingtalk_webhook="https://oapi.dingtalk.com/robot/send?access_token=t1",
                    dingtalk_secret=SECRET)
    assert ok.status_code == 302
    db.session.expire_all()
    assert db.session.get(type(liaison), liaison.id).dingtalk_webhook
    page = client.get("/account/dingtalk").get_data(as_text=True)
    assert "已设置" in page
    assert SECRET not in page
    assert "access_token=t1" not in page
    cleared = post_robot(client, "/account/dingtalk", dingtalk_webhook="", dingtalk_secret="", clear="y")
    assert cleared.status_code == 302
    db.session.expire_all()
    assert db.session.get(type(liaison), liaison.id).dingtalk_secret is None


def test_urging_reaches_the_units_robot_at_once(app: Flask, seeded: None, client: Any, login_as: Any,
                                                smtp_server: Any, robot_server: Any) -> None:
    office = login_as(Role.SECRETARIAT)
    assignment = db.session.scalar(sa.select(Assignment).join(Unit).where(Unit.work_group_id == office.work_group_id)
                                   .order_by(Assignment.id))
    assert post_robot(client, f"/admin/units/{assignment.unit_id}/dingtalk", dingtalk_webhook=robot_server.webhook,
                      dingtalk_secret=SECRET).status_code == 302
    db.session.get(Unit, assignment.unit_id).contact_emails = "unit@example.org"
    db.session.commit()
    path = f"/admin/reminders/assignments/{assignment.id}/urge"
    with servers_at(app, smtp_server):
        response = client.post(path, data={"csrf_token": csrf_token(client, path), "note": "请尽快报送"})
    assert response.status_code == 302
    [message] = robot_server.messages
    assert "催办" in message["markdown"]["title"]
    assert "请尽快报送" in message["markdown"]["text"]
    assert len(smtp_server.messages) == 1
