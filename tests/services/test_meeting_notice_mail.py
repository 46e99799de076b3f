"""The 联络员会议 notice as the invited units receive it, at a real SMTP server on loopback: one per unit, once."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from typing import Any

from flask import Flask

from tasktrack import settings as app_settings
from tasktrack.extensions import db
from tasktrack.models import Role
from tasktrack.services import meetings, outbox, units
from tasktrack.services.work_groups import default_work_group
from tests.smtp_server import smtp_server_fixture

smtp_server = smtp_server_fixture()
BASE = "http://tt.example"


def test_the_notice_reaches_each_invited_unit_once(app: Flask, seeded: None, make_user: Callable[..., Any],
                                                   now: dt.datetime, smtp_server: Any) -> None:
    office = make_user(Role.SECRETARIAT)
    mz_liaison = make_user(Role.LIAISON, unit="省民政厅", email="mz-liaison@example.org")
    make_user(Role.LIAISON, unit="省教育厅", email="jy-liaison@example.org")
    mz, jy = units.find_unit("省民政厅"), units.find_unit("省教育厅")
    assert mz is not None
    assert jy is not None
    meeting = meetings.create_meeting(default_work_group(), title="2024年第二次联络员会议", held_on="2024-07-23",
                                      place="省民政厅 301 会议室", agenda="一、通报进展\n二、研究下步工作",
                                      invited=[mz.id, jy.id], actor=office, now=now, base_url=BASE)
    db.session.commit()
    settings = dataclasses.replace(app_settings.of(app).smtp, host=smtp_server.host, port=smtp_server.port)
    outbox.deliver_due(settings, now=lambda: now)
    received = [m.message for m in smtp_server.messages]
    assert sorted(m["To"] for m in received) == ["jy-liaison@example.org", "mz-liaison@example.org"]
    mz_mail = next(m for m in received if m["To"] == mz_liaison.email)
    assert "【会议通知】2024年第二次联络员会议（7月23日）" in mz_mail["Subject"]
    text = mz_mail.get_body(("plain",)).get_content()
    assert "省民政厅：会议通知" in text
    assert "省民政厅 301 会议室" in text
    assert "二、研究下步工作" in text
    assert f"{BASE}/meetings/{meeting.id}" in text
    html = mz_mail.get_body(("html",)).get_content()
    assert f'href="{BASE}/meetings/{meeting.id}"' in html

    # Queued again (a second click, a retry): nothing new is sent.
    smtp_server.clear_messages()
    assert meetings.send_notices(meeting, now=now, base_url=BASE) == 0
    db.session.commit()
    outbox.deliver_due(settings, now=lambda: now)
    assert smtp_server.messages == []
