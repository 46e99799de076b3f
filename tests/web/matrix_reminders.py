"""Matrix rows of the reminder pages: preview, outbox, resend, urging (secretariat); digest settings (units)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tasktrack.models import NotificationKind
from tasktrack.services import outbox
from tests.web.matrix import ALL, SECRETARIAT, UNIT_ROLES, Ctx, Route

ROBOT = {"dingtalk_webhook": "https://oapi.dingtalk.com/robot/send?access_token=matrix",
         "dingtalk_secret": "SEC" + "ab" * 32}


def setup(ctx: Ctx, people: dict[str, Any], now: dt.datetime) -> None:
    """Queue one undeliverable message to resend."""
    ctx.extra["notification_id"] = outbox.enqueue(
        key="matrix:dead", kind=NotificationKind.REMINDER, local_date=now.date(), to=["x@example.org"],
        subject="矩阵测试", text="正文", html="<p>正文</p>", now=now, undeliverable_reason="测试")


ROUTES = [
    Route("secretariat.unit_robot", "GET", lambda c: f"/admin/units/{c.own_unit_id}/dingtalk", SECRETARIAT),
    Route("secretariat.unit_robot", "POST", lambda c: f"/admin/units/{c.own_unit_id}/dingtalk", SECRETARIAT,
          data=lambda c: ROBOT),
    Route("everyone.robot_settings", "GET", lambda c: "/account/dingtalk", ALL),
    Route("everyone.robot_settings", "POST", lambda c: "/account/dingtalk", ALL, data=lambda c: ROBOT),
    Route("secretariat.preview", "GET", lambda c: "/admin/reminders/", SECRETARIAT),
    Route("secretariat.outbox_list", "GET", lambda c: "/admin/reminders/outbox", SECRETARIAT),
    Route("secretariat.outbox_show", "GET", lambda c: f"/admin/reminders/outbox/{c.extra['notification_id']}",
          SECRETARIAT),
    Route("secretariat.outbox_html", "GET", lambda c: f"/admin/reminders/outbox/{c.extra['notification_id']}/html",
          SECRETARIAT),
    Route("secretariat.outbox_resend", "POST",
          lambda c: f"/admin/reminders/outbox/{c.extra['notification_id']}/resend", SECRETARIAT, data=lambda c: {}),
    Route("secretariat.outbox_deliver", "POST", lambda c: "/admin/reminders/outbox/deliver", SECRETARIAT,
          data=lambda c: {}),
    Route("secretariat.urge_list", "GET", lambda c: "/admin/reminders/urges", SECRETARIAT),
    Route("secretariat.urge", "GET", lambda c: f"/admin/reminders/assignments/{c.other_assignment_id}/urge",
          SECRETARIAT),
    Route("secretariat.urge", "POST", lambda c: f"/admin/reminders/assignments/{c.other_assignment_id}/urge",
          SECRETARIAT, data=lambda c: {"note": "请尽快报送"}),
    Route("liaison.digest_settings", "GET", lambda c: "/my/digest/", UNIT_ROLES),
    Route("liaison.digest_settings", "POST", lambda c: "/my/digest/", UNIT_ROLES,
          data=lambda c: {"weekday": "2", "paused": "y"}),
]
