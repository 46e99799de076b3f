"""Issue 10 item 9: a new password ends everything the old one could have obtained, and says so on the page.

Before the fix an API token kept working after the secretariat reset that user's password. Now a reset or a
change of password ends the user's other sessions, revokes their API tokens and their calendar feed address
(a bearer secret too; the user makes a new one on 日历订阅), and the page says how many tokens were revoked.
"""

from __future__ import annotations

import sqlalchemy as sa

from tasktrack.extensions import db
from tasktrack.models import ApiToken, AuditEvent, User
from tasktrack.services import calendar, users
from tests.conftest import PASSWORD, csrf_token, login


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def credentials(user: User, now) -> tuple[str, str]:
    """Give a user an API token and a calendar feed address; return both secrets."""
    token = users.issue_token(user, actor=None, now=now)
    feed = calendar.issue_token(user, now=now)
    db.session.commit()
    return token, feed


def test_a_reset_by_the_secretariat_ends_sessions_tokens_and_the_feed(app, client, seeded, login_as, make_user,
                                                                      now):
    login_as("secretariat")
    target = make_user("liaison", unit="省民政厅")
    api, feed = credentials(target, now)
    users.issue_token(target, actor=None, now=now)
    db.session.commit()
    theirs = app.test_client()
    login(theirs, target.email)
    assert theirs.get("/my/tasks").status_code == 200
    assert client.get("/api/v1/me", headers=bearer(api)).status_code == 200
    assert client.get(f"/calendar/{feed}.ics").status_code == 200

    token = csrf_token(client, f"/admin/users/{target.id}/edit")
    response = client.post(f"/admin/users/{target.id}/password",
                           data={"csrf_token": token, "password": "reset-by-office-77"}, follow_redirects=True)

    page = response.get_data(as_text=True)
    assert "吊销 2 个 API 令牌" in page
    assert "日历订阅地址已失效" in page
    assert client.get("/api/v1/me", headers=bearer(api)).status_code == 401
    assert client.get(f"/calendar/{feed}.ics").status_code == 404
    assert theirs.get("/my/tasks").status_code == 302  # their session is over
    assert login(app.test_client(), target.email, "reset-by-office-77").status_code == 302
    db.session.rollback()
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "user.password_reset"))
    assert "吊销 API 令牌 2 个" in event.summary


def test_changing_ones_own_password_keeps_this_session_only(app, client, make_user, now):
    user = make_user("viewer")
    api, feed = credentials(user, now)
    other_device = app.test_client()
    login(other_device, user.email, remember="y")
    login(client, user.email)

    token = csrf_token(client, "/account/password")
    response = client.post("/account/password", data={"csrf_token": token, "current": PASSWORD,
                                                      "new": "a-fresh-long-phrase", "confirm": "a-fresh-long-phrase"},
                           follow_redirects=True)

    assert response.status_code == 200
    assert "已退出其他登录并吊销 1 个 API 令牌" in response.get_data(as_text=True)
    assert client.get("/plans").status_code == 200  # this session carries on
    assert other_device.get("/plans").status_code == 302  # the other one (and its remember-me cookie) is over
    assert client.get("/api/v1/me", headers=bearer(api)).status_code == 401
    assert client.get(f"/calendar/{feed}.ics").status_code == 404
    fresh = users.issue_token(db.session.get(User, user.id), actor=None, now=now)
    db.session.commit()
    assert client.get("/api/v1/me", headers=bearer(fresh)).status_code == 200  # new credentials work


def test_the_service_reports_what_it_revoked(app, make_user, now):
    user = make_user("viewer")
    revoked_before = users.issue_token(user, actor=None, now=now)
    db.session.execute(sa.update(ApiToken).values(revoked_at=now))  # an already revoked token is not counted
    users.issue_token(user, actor=None, now=now)
    db.session.commit()
    change = users.set_password(user, actor=user, password="yet-another-phrase", now=now, fast_hash=True)
    db.session.commit()
    assert (change.tokens_revoked, change.calendar_revoked) == (1, False)
    assert users.active_token(revoked_before) is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ApiToken)
                             .where(ApiToken.revoked_at.is_(None))) == 0
