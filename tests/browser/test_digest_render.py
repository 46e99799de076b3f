"""Look at one HTML digest as a mail client would: rendered by headless Chromium into a screenshot."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from tasktrack import settings as app_settings
from tasktrack.extensions import db
from tasktrack.models import Notification, NotificationKind, Role
from tasktrack.services import digests, reminders
from tests.services.test_reminders_sweep import at


@pytest.mark.browser
def test_secretariat_digest_renders(app: Flask, seeded: None, make_user: Any, page: Any, shot: Any) -> None:
    make_user(Role.SECRETARIAT, email="office@example.org")
    liaison = make_user(Role.LIAISON, unit="省民政厅")
    day = dt.date(2024, 8, 5)
    reminders.run_sweep(day, app_settings.of(app).reminders, base_url="http://tt.example", now=at(day))
    digests.send_all(day, now=at(day, 9), base_url="http://tt.example", weekday=app_settings.of(app).digest_weekday)
    db.session.commit()
    shots = {}
    for kind in (NotificationKind.SECRETARIAT_DIGEST, NotificationKind.LIAISON_DIGEST):
        row = db.session.scalar(sa.select(Notification).where(Notification.kind == kind))
        assert row is not None, kind
        shots[kind] = row.body_html
    assert liaison.email in db.session.scalar(
        sa.select(Notification.recipients).where(Notification.kind == NotificationKind.LIAISON_DIGEST))
    page.set_viewport_size({"width": 720, "height": 900})
    for kind, html in shots.items():
        page.set_content(html)
        assert page.locator("h1").first.inner_text().strip()
        assert page.locator("a[href^='http://tt.example/assignments/']").count() > 0
        shot(page, f"email_{kind.value}")
