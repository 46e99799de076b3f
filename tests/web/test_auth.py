"""Sign-in, sessions, CSRF, redirects, throttling, passwords, cookies and headers (R8–R10, R18–R22)."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher

from config import ProductionConfig
from tasktrack import create_app
from tasktrack.extensions import db
from tasktrack.models import AuditEvent, User
from tasktrack.security import is_safe_next
from tasktrack.services import users
from tests.conftest import PASSWORD, csrf_token, login


def test_login_and_logout(client, make_user):
    user = make_user("secretariat")
    response = login(client, user.email)
    assert response.status_code == 302
    assert client.get("/plans").status_code == 200
    token = csrf_token(client, "/plans")
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/plans").status_code == 302


def test_wrong_password_and_unknown_account_say_the_same(client, make_user):
    user = make_user("viewer")
    wrong = login(client, user.email, "nope-nope-nope")
    unknown = login(client, "nobody@example.org", "nope-nope-nope")
    assert wrong.status_code == unknown.status_code == 401
    assert "邮箱或密码不正确" in wrong.get_data(as_text=True)
    assert "邮箱或密码不正确" in unknown.get_data(as_text=True)
    assert client.get("/plans").status_code == 302


def test_login_is_case_insensitive_on_email(client, make_user):
    user = make_user("viewer", email="Mixed.Case@Example.org")
    assert user.email == "mixed.case@example.org"
    assert login(client, "MIXED.case@example.org").status_code == 302


def test_logout_invalidates_the_old_cookie(app, client, make_user):
    """R9: a replayed session cookie after logout is rejected (the session token rotated)."""
    user = make_user("secretariat")
    login(client, user.email, remember="y")
    stolen = {c.key: c.value for c in client._cookies.values()}
    client.post("/logout", data={"csrf_token": csrf_token(client, "/plans")})
    replay = app.test_client()
    for key, value in stolen.items():
        replay.set_cookie(key, value)
    assert replay.get("/plans").status_code == 302


def test_password_reset_and_deactivation_end_sessions(app, client, seeded, make_user, now):
    user = make_user("liaison", unit="省民政厅")
    login(client, user.email)
    assert client.get("/my/tasks").status_code == 200
    users.set_password(db.session.get(User, user.id), actor=None, password="brand-new-password-1", now=now,
                       fast_hash=True)
    db.session.commit()
    assert client.get("/my/tasks").status_code == 302

    other = app.test_client()
    login(other, user.email, "brand-new-password-1")
    assert other.get("/my/tasks").status_code == 200
    admin = make_user("secretariat")
    users.set_active(db.session.get(User, user.id), actor=admin, active=False, now=now)
    db.session.commit()
    assert other.get("/my/tasks").status_code == 302
    assert login(app.test_client(), user.email, "brand-new-password-1").status_code == 401


def test_change_own_password(client, make_user):
    user = make_user("viewer")
    login(client, user.email)
    token = csrf_token(client, "/account/password")
    bad = client.post("/account/password", data={"csrf_token": token, "current": "wrong-one",
                                                 "new": "another-long-one", "confirm": "another-long-one"})
    assert bad.status_code == 400
    assert "当前密码不正确" in bad.get_data(as_text=True)
    weak = client.post("/account/password", data={"csrf_token": token, "current": PASSWORD,
                                                  "new": "1234567890", "confirm": "1234567890"})
    assert "过于常见" in weak.get_data(as_text=True)
    ok = client.post("/account/password", data={"csrf_token": token, "current": PASSWORD,
                                                "new": "another-long-one", "confirm": "another-long-one"})
    assert ok.status_code == 302
    assert client.get("/plans").status_code == 200  # this session carries on with the new token
    assert login(client.application.test_client(), user.email, "another-long-one").status_code == 302


# -- CSRF (R10) ---------------------------------------------------------------------------------------

def test_post_without_csrf_changes_nothing(client, make_user):
    admin = make_user("secretariat")
    login(client, admin.email)
    before = db.session.scalar(sa.select(sa.func.count()).select_from(User))
    response = client.post("/admin/users/new", data={"email": "x@example.org", "name": "x", "role": "viewer",
                                                    "unit_id": "0", "password": "long-enough-pw"})
    assert response.status_code == 400
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == before


def test_forged_csrf_rerenders_with_input_kept(client, make_user):
    admin = make_user("secretariat")
    login(client, admin.email)
    response = client.post("/admin/users/new", data={"csrf_token": "forged", "email": "kept@example.org",
                                                    "name": "保留的姓名", "role": "viewer", "unit_id": "0",
                                                    "password": "long-enough-pw"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "页面已过期或安全校验未通过" in html
    assert 'value="kept@example.org"' in html
    assert "保留的姓名" in html
    assert users.find_by_email("kept@example.org") is None


def test_logout_needs_csrf(client, make_user):
    user = make_user("viewer")
    login(client, user.email)
    assert client.post("/logout").status_code == 400
    assert client.get("/plans").status_code == 200
    assert client.get("/logout").status_code == 405


def test_login_form_needs_csrf(client, make_user):
    user = make_user("viewer")
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/plans").status_code == 302


# -- next (R18) ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("target", [
    "//evil.example", "///evil.example", "/\\evil.example", "\\\\evil.example", "https://evil.example/",
    "http:evil.example", "javascript:alert(1)", "/\t/evil.example", "/\n/evil", " /plans", "evil.example",
    "/\x00/x", "data:text/html,x", "",
])
def test_unsafe_next_is_refused(target):
    assert not is_safe_next(target)


@pytest.mark.parametrize("target", ["/plans", "/tasks/3?x=1#y", "/admin/users"])
def test_local_next_is_allowed(target):
    assert is_safe_next(target)


def test_login_redirects_only_to_local_next(client, make_user):
    user = make_user("viewer")
    token = csrf_token(client)
    response = client.post("/login?next=//evil.example/x", data={"email": user.email, "password": PASSWORD,
                                                                 "csrf_token": token})
    assert response.headers["Location"] == "/"
    client2 = client.application.test_client()
    token = csrf_token(client2)
    response = client2.post("/login?next=/plans", data={"email": user.email, "password": PASSWORD,
                                                        "csrf_token": token})
    assert response.headers["Location"] == "/plans"


# -- throttling (R19) ---------------------------------------------------------------------------------

def test_repeated_failures_are_slowed_then_recover(app, client, make_user):
    user = make_user("viewer")
    for _ in range(app.config["LOGIN_FREE_ATTEMPTS"]):
        assert login(client, user.email, "wrong-password!").status_code == 401
    throttled = login(client, user.email, PASSWORD)  # even the right password waits
    assert throttled.status_code == 429
    assert "秒后再试" in throttled.get_data(as_text=True)
    # time passes: the right password works again (no permanent lock-out)
    app.config["PINNED_TODAY"] = app.config["PINNED_TODAY"] + dt.timedelta(days=1)
    assert login(client, user.email, PASSWORD).status_code == 302
    db.session.rollback()  # end the test's read snapshot
    actions = set(db.session.scalars(sa.select(AuditEvent.action)))
    assert "user.login" in actions


def test_failures_at_one_address_do_not_lock_out_other_accounts_there(app, make_user):
    """Issue 10 item 6: guesses at one address used to lock every account at that address (the office NAT)."""
    make_user("viewer", email="a@example.org")
    make_user("viewer", email="b@example.org")
    client = app.test_client()
    for i in range(app.config["LOGIN_FREE_ATTEMPTS"]):
        login(client, f"guess{i}@example.org", "wrong-password!")
    assert login(client, "b@example.org", PASSWORD).status_code == 302


# -- passwords (R20) ----------------------------------------------------------------------------------

def test_passwords_are_argon2id_and_upgraded_on_login(client, make_user, now):
    user = make_user("viewer")
    assert user.password_hash.startswith("$argon2id$")
    weak = PasswordHasher(time_cost=1, memory_cost=512, parallelism=1).hash(PASSWORD)
    user.password_hash = weak
    db.session.commit()
    assert login(client, user.email).status_code == 302
    db.session.rollback()  # end the test's read snapshot
    assert db.session.get(User, user.id).password_hash != weak


@pytest.mark.parametrize(("password", "message"), [("short", "至少需要 10 个"), ("password2024", "过于常见"),
                                                    ("aaaaaaaaaa", "过于常见")])
def test_weak_passwords_are_refused(make_user, password, message):
    from tasktrack.services import ServiceError

    with pytest.raises(ServiceError, match=message):
        make_user("viewer", password=password)


# -- cookies and headers (R21, R22) -------------------------------------------------------------------

def test_cookie_flags(client, make_user):
    user = make_user("viewer")
    token = csrf_token(client)
    response = client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token,
                                           "remember": "y"})
    cookies = response.headers.getlist("Set-Cookie")
    session_cookie = next(c for c in cookies if c.startswith("session="))
    remember = next(c for c in cookies if c.startswith("remember_token="))
    for cookie in (session_cookie, remember):
        assert "HttpOnly" in cookie
        assert "SameSite=Lax" in cookie


def test_production_cookies_are_secure(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'p.db'}")
    config = type("P", (ProductionConfig,), {"SECRET_KEY": "x" * 40, "DATABASE_URL_GIVEN": True,
                                             "SESSION_COOKIE_SECURE": True})
    app = create_app(config)
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["PERMANENT_SESSION_LIFETIME"] <= 12 * 3600
    assert app.config["REMEMBER_COOKIE_DURATION"] <= 14 * 24 * 3600
    response = app.test_client().get("/login")
    assert "max-age=31536000" in response.headers["Strict-Transport-Security"]


def test_security_headers(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "object-src 'none'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_pages_have_no_inline_script_or_style(client, seeded, make_user):
    user = make_user("secretariat")
    login(client, user.email)
    for path in ("/login", "/plans/1", "/admin/users", "/admin/units"):
        html = client.get(path).get_data(as_text=True)
        assert "<script>" not in html
        assert " style=" not in html
        assert "http://" not in html.replace("http://localhost", "")  # no CDN or external asset


# -- production refuses weak settings (R8) ------------------------------------------------------------

@pytest.mark.parametrize("key", ["", "dev-only-not-secret", "short-key"])
def test_production_refuses_a_weak_secret_key(key):
    config = type("P", (ProductionConfig,), {"SECRET_KEY": key, "DATABASE_URL_GIVEN": True})
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(config)


def test_production_refuses_a_missing_database_url():
    config = type("P", (ProductionConfig,), {"SECRET_KEY": "k" * 40, "DATABASE_URL_GIVEN": False})
    with pytest.raises(RuntimeError, match="DATABASE_URL"):
        create_app(config)


def test_multi_host_needs_postgresql():
    config = type("P", (ProductionConfig,), {"SECRET_KEY": "k" * 40, "DATABASE_URL_GIVEN": True,
                                             "MULTI_HOST": True, "SQLALCHEMY_DATABASE_URI": "sqlite:///x.db"})
    with pytest.raises(RuntimeError, match="PostgreSQL"):
        create_app(config)


def test_csrf_rerender_is_still_guarded(app, seeded, make_user):
    """A forged token on an admin form must not show the form (and its data) to someone the guard refuses."""
    target = make_user("viewer", email="private@example.org", name="不应泄露的姓名")
    anonymous = app.test_client()
    response = anonymous.post(f"/admin/users/{target.id}/edit", data={"csrf_token": "forged", "name": "x"})
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
    liaison = make_user("liaison", unit="省民政厅")
    client = app.test_client()
    login(client, liaison.email)
    response = client.post(f"/admin/users/{target.id}/edit", data={"csrf_token": "forged", "name": "x"})
    assert response.status_code == 403
    assert "不应泄露的姓名" not in response.get_data(as_text=True)
