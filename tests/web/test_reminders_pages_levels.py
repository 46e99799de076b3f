"""The reminder pages per work group: a secretariat previews and sends (立即发送, 重新发送) its own group's mail only;
the scheduler's sweep still covers every group. On the small tree of tests/levels_data.py (today 2024-07-18: the
province's unit 甲市 is late on 省任务一, 甲市's own unit 甲市民政局 on 市任务一)."""

from __future__ import annotations

import dataclasses
from typing import Any

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from tasktrack import settings as app_settings
from tasktrack.extensions import db
from tasktrack.models import Notification, NotificationKind, NotificationStatus, Unit
from tasktrack.services import outbox, reminders
from tests.conftest import csrf_token, login
from tests.levels_data import NOW, PASSWORD, build_tree
from tests.smtp_server import smtp_server_fixture

smtp_server = smtp_server_fixture()


def _unit(name: str) -> Unit:
    unit = db.session.scalar(sa.select(Unit).where(Unit.name == name))
    assert unit is not None, name
    return unit


def _sign_in(client: FlaskClient, key: str) -> None:
    assert login(client, f"{key}@levels.example.org", PASSWORD).status_code == 302


def test_the_preview_shows_the_own_groups_mail_only(app: Flask, client: FlaskClient) -> None:
    build_tree()
    _sign_in(client, "sec_a")
    city = client.get("/admin/reminders/").get_data(as_text=True)
    assert "甲市测试专班" in city
    assert "甲市民政局" in city
    assert "市任务一：落实省任务一" in city
    assert "省任务一：建立工作机制" not in city  # the province's mail to its unit 甲市 (read by 甲市's office)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/account/password")})
    _sign_in(client, "sec_province")
    province = client.get("/admin/reminders/").get_data(as_text=True)
    assert "省任务一：建立工作机制" in province
    assert "甲市民政局" not in province
    assert "丙县" not in province
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification)) == 0
    # The scheduler's sweep still covers every group: both messages are queued by one run.
    db.session.commit()
    report = reminders.run_sweep(NOW.date(), app_settings.of(app).reminders, base_url="http://x", now=NOW)
    db.session.commit()
    keys = set(db.session.scalars(sa.select(Notification.key).where(Notification.id.in_(report.queued))))
    assert {f"reminders:{_unit('甲市').id}:2024-07-18", f"reminders:{_unit('甲市民政局').id}:2024-07-18"} <= keys


def test_deliver_now_and_resend_act_on_the_own_groups_mail(app: Flask, client: FlaskClient,
                                                           smtp_server: Any) -> None:
    build_tree()
    day = NOW.date()

    def queue(key: str, unit: str, *, to: list[str]) -> int:
        new_id = outbox.enqueue(key=key, kind=NotificationKind.REMINDER, local_date=day, to=to, subject=key,
                                text="t", html=None, now=NOW, unit_id=_unit(unit).id)
        assert new_id is not None
        return new_id

    city_mail = queue("page:city", "甲市民政局", to=["a-civil@levels.example.org"])
    province_mail = queue("page:province", "甲市", to=["sec_a@levels.example.org"])
    province_dead = queue("page:province-dead", "乙市", to=[])
    db.session.commit()
    _sign_in(client, "sec_a")
    listing = client.get("/admin/reminders/outbox").get_data(as_text=True)
    assert "page:city" in listing
    assert "page:province" not in listing
    smtp = dataclasses.replace(app_settings.of(app).smtp, host=smtp_server.host, port=smtp_server.port)
    with app_settings.overridden(app, smtp=smtp):
        token = csrf_token(client, "/admin/reminders/outbox")
        response = client.post("/admin/reminders/outbox/deliver", data={"csrf_token": token})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Notification, city_mail).status is NotificationStatus.SENT
    assert db.session.get(Notification, province_mail).status is NotificationStatus.PENDING  # the province's
    assert [list(m.rcpt_tos) for m in smtp_server.messages] == [["a-civil@levels.example.org"]]
    # 重新发送 of the province's dead message: outside the city's part of the tree, refused.
    response = client.post(f"/admin/reminders/outbox/{province_dead}/resend", data={"csrf_token": token})
    assert response.status_code == 403
    db.session.expire_all()
    assert db.session.get(Notification, province_dead).status is NotificationStatus.DEAD
