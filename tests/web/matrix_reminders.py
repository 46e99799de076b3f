"""Matrix rows of the reminder pages: preview, outbox, resend, urging (secretariat); digest settings (units)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tasktrack.models import NotificationKind
from tasktrack.services import outbox
from tests.web.matrix import SECRETARIAT, UNIT_ROLES, Ctx, Route


def setup(ctx: Ctx, people: dict[str, Any], now: dt.datetime) -> None:
    """Queue one undeliverable message to resend."""
    ctx.extra["notification_id"] = outbox.enqueue(
        key="matrix:dead", kind=NotificationKind.REMINDER, local_date=now.date(), to=["x@example.org"],
        subject="矩阵测试", text="正文", html="<p>正文</p>", now=now, undeliverable_reason="测试")


ROUTES = [
    Route("reminders.preview", "GET", lambda c: "/admin/reminders/", SECRETARIAT),
    Route("reminders.outbox_list", "GET", lambda c: "/admin/reminders/outbox", SECRETARIAT),
    Route("reminders.outbox_show", "GET", lambda c: f"/admin/reminders/outbox/{c.extra['notification_id']}",
          SECRETARIAT),
    Route("reminders.outbox_html", "GET", lambda c: f"/admin/reminders/outbox/{c.extra['notification_id']}/html",
          SECRETARIAT),
    Route("reminders.outbox_resend", "POST",
          lambda c: f"/admin/reminders/outbox/{c.extra['notification_id']}/resend", SECRETARIAT, data=lambda c: {}),
    Route("reminders.outbox_deliver", "POST", lambda c: "/admin/reminders/outbox/deliver", SECRETARIAT,
          data=lambda c: {}),
    Route("reminders.urge_list", "GET", lambda c: "/admin/reminders/urges", SECRETARIAT),
    Route("reminders.urge", "GET", lambda c: f"/admin/reminders/assignments/{c.other_assignment_id}/urge",
          SECRETARIAT),
    Route("reminders.urge", "POST", lambda c: f"/admin/reminders/assignments/{c.other_assignment_id}/urge",
          SECRETARIAT, data=lambda c: {"note": "请尽快报送"}),
    Route("digest.settings", "GET", lambda c: "/my/digest/", UNIT_ROLES),
    Route("digest.settings", "POST", lambda c: "/my/digest/", UNIT_ROLES,
          data=lambda c: {"weekday": "2", "paused": "y"}),
]
