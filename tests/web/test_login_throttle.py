"""Issue 10 item 6: the login throttle keeps guessing slow without letting anyone keep others out.

Policy (services/auth.py, README "Login throttling"): per account at one address and per account, progressive
delays after the free attempts, never permanent; per address only a loose, decaying limit that takes away
free attempts but never refuses an account that has no failures; a success clears its account's and its own
pair's counters; TRUSTED_PROXIES decides whose address counts.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from tasktrack import create_app, settings
from tasktrack.extensions import db
from tasktrack.models import LoginThrottle
from tests.conftest import PASSWORD, IsolatedClient, csrf_token, login, make_config

WRONG = "wrong-password!"


def at(app: Flask, address: str) -> FlaskClient:
    """A client whose requests come from ``address``."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def later(app: Flask, days: int = 1) -> None:
    """Move the pinned day on (the throttle reads the app's clock)."""
    app.config["PINNED_TODAY"] = app.config["PINNED_TODAY"] + dt.timedelta(days=days)


def counters() -> dict[str, int]:
    db.session.rollback()
    return {row.key: row.failures for row in db.session.scalars(sa.select(LoginThrottle))}


def throttle(app: Flask, monkeypatch: pytest.MonkeyPatch, **changes: Any) -> None:
    """Change some of the throttle's settings for one test."""
    typed = settings.of(app)
    monkeypatch.setitem(app.extensions, settings.EXTENSION_KEY,
                        dataclasses.replace(typed, throttle=dataclasses.replace(typed.throttle, **changes)))


def test_an_attacker_at_the_office_address_does_not_keep_a_colleague_out(app, make_user):
    """The issue's case: one wrong try every so often from the office NAT kept every account out."""
    target = make_user("viewer", email="target@example.org")
    colleague = make_user("viewer", email="colleague@example.org")
    attacker, office = at(app, "203.0.113.7"), at(app, "203.0.113.7")
    statuses = [login(attacker, target.email, WRONG).status_code for _ in range(12)]
    assert statuses[:5] == [401] * 5
    assert set(statuses[5:]) == {429}  # the attacker is slowed …
    assert login(office, colleague.email, PASSWORD).status_code == 302  # … the colleague is not


def test_the_account_owner_elsewhere_is_not_held_up_by_one_address(app, make_user):
    user = make_user("viewer")
    attacker = at(app, "198.51.100.1")
    for _ in range(app.config["LOGIN_FREE_ATTEMPTS"]):
        assert login(attacker, user.email, WRONG).status_code == 401
    assert login(attacker, user.email, PASSWORD).status_code == 429  # this pair waits, even with the password
    assert login(at(app, "192.0.2.10"), user.email, PASSWORD).status_code == 302


def test_many_addresses_guessing_one_account_are_slowed_then_it_recovers(app, make_user):
    user = make_user("viewer")
    account_free = app.config["LOGIN_ACCOUNT_FREE_ATTEMPTS"]
    for i in range(account_free):
        assert login(at(app, f"198.51.100.{i + 1}"), user.email, WRONG).status_code == 401
    refused = login(at(app, "192.0.2.99"), user.email, PASSWORD)
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) == 2
    assert "2 秒后再试" in refused.get_data(as_text=True)
    later(app)  # never a permanent lock-out
    assert login(at(app, "192.0.2.99"), user.email, PASSWORD).status_code == 302


def test_delays_double_and_are_capped(app, make_user, monkeypatch):
    throttle(app, monkeypatch, max_delay=10)
    user = make_user("viewer")
    client = at(app, "198.51.100.5")
    free = app.config["LOGIN_FREE_ATTEMPTS"]
    for _ in range(free):
        login(client, user.email, WRONG)
    waits = []
    for _ in range(4):
        refused = login(client, user.email, WRONG)
        assert refused.status_code == 429
        waits.append(int(refused.headers["Retry-After"]))
        # wait it out (end the block), then the next counted failure sets a longer one
        db.session.rollback()
        db.session.execute(sa.update(LoginThrottle).values(blocked_until=None))
        db.session.commit()
        assert login(client, user.email, WRONG).status_code == 401
    assert waits == [2, 4, 8, 10]


def test_a_success_clears_the_account_and_its_own_pair_only(app, make_user):
    user = make_user("viewer")
    office, attacker = at(app, "192.0.2.1"), at(app, "198.51.100.9")
    free = app.config["LOGIN_FREE_ATTEMPTS"]
    for _ in range(free):
        login(attacker, user.email, WRONG)
    for _ in range(free - 1):
        login(office, user.email, WRONG)
    assert login(office, user.email, PASSWORD).status_code == 302
    left = counters()
    assert f"account:{user.email}" not in left
    assert f"pair:{user.email}|192.0.2.1" not in left
    assert left[f"pair:{user.email}|198.51.100.9"] == free  # the attacker's pair still waits
    assert login(attacker, user.email, WRONG).status_code == 429
    # the owner's own count starts again from zero
    office = at(app, "192.0.2.1")
    assert [login(office, user.email, WRONG).status_code for _ in range(free)] == [401] * free


def test_a_busy_address_loses_its_free_attempts_but_never_refuses_a_clean_account(app, make_user, monkeypatch):
    """Spraying one password over many accounts from one address: past the loose limit, every account with a
    failure there waits before its next try, while an account without failures still signs in at once."""
    throttle(app, monkeypatch, address_limit=6)
    sprayed = [make_user("viewer") for _ in range(6)]
    clean = make_user("viewer")
    sprayer = at(app, "203.0.113.50")
    for user in sprayed:
        assert login(sprayer, user.email, WRONG).status_code == 401
    # the second round: each sprayed account now waits after its second failure, not after its fifth
    assert login(sprayer, sprayed[0].email, WRONG).status_code == 401
    assert login(sprayer, sprayed[0].email, WRONG).status_code == 429
    assert login(at(app, "203.0.113.50"), clean.email, PASSWORD).status_code == 302
    # the address counter decays: after its window the address has its free attempts again
    later(app)
    statuses = [login(sprayer, sprayed[1].email, WRONG).status_code for _ in range(3)]
    assert statuses == [401, 401, 401]


def test_unknown_accounts_are_throttled_like_real_ones(app):
    client = at(app, "198.51.100.77")
    statuses = [login(client, "nobody@example.org", WRONG).status_code for _ in range(7)]
    assert statuses == [401] * 5 + [429] * 2


def test_the_current_password_check_is_throttled_too(app, make_user):
    """A stolen session must not be a way round the throttle: /account/password counts like /login."""
    user = make_user("viewer")
    client = at(app, "192.0.2.33")
    assert login(client, user.email).status_code == 302
    token = csrf_token(client, "/account/password")
    data = {"csrf_token": token, "current": WRONG, "new": "fresh-long-phrase-7", "confirm": "fresh-long-phrase-7"}
    bodies = [client.post("/account/password", data=data).get_data(as_text=True) for _ in range(6)]
    assert all("当前密码不正确" in body for body in bodies[:5])
    assert "秒后再试" in bodies[5]
    assert login(at(app, "192.0.2.33"), user.email, PASSWORD).status_code == 429


def test_a_throttled_attempt_is_not_counted(app, make_user):
    user = make_user("viewer")
    client = at(app, "198.51.100.3")
    free = app.config["LOGIN_FREE_ATTEMPTS"]
    for _ in range(free + 5):
        login(client, user.email, WRONG)
    assert counters()[f"pair:{user.email}|198.51.100.3"] == free


# -- the client's address behind reverse proxies -------------------------------------------------------------

@pytest.fixture
def proxied_app(app: Flask, tmp_path: Path) -> Iterator[Callable[[int], Flask]]:
    """Return a factory of apps on the suite's database with TRUSTED_PROXIES set."""
    made: list[Flask] = []

    def factory(proxies: int) -> Flask:
        config = make_config(app.config["SQLALCHEMY_DATABASE_URI"], str(tmp_path / "uploads"),
                             TRUSTED_PROXIES=proxies)
        other = create_app(config)
        other.test_client_class = IsolatedClient
        made.append(other)
        return other

    yield factory
    for other in made:
        with other.app_context():
            db.session.remove()
            db.engine.dispose()


def _login_via(app: Flask, forwarded_for: str, email: str, password: str) -> Any:
    client = app.test_client()
    client.environ_base["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return login(client, email, password)


@pytest.mark.committed
def test_behind_a_trusted_proxy_the_forwarded_address_counts(proxied_app, make_user):
    behind = proxied_app(1)
    user = make_user("viewer")
    for _ in range(behind.config["LOGIN_FREE_ATTEMPTS"]):
        assert _login_via(behind, "198.51.100.200", user.email, WRONG).status_code == 401
    assert _login_via(behind, "198.51.100.200", user.email, PASSWORD).status_code == 429
    # the proxy's own address (127.0.0.1 here) is everyone's: another client behind it signs in
    assert _login_via(behind, "192.0.2.200", user.email, PASSWORD).status_code == 302
    assert f"pair:{user.email}|198.51.100.200" in counters()


@pytest.mark.committed
def test_without_trusted_proxies_a_forged_header_is_ignored(proxied_app, make_user):
    direct = proxied_app(0)
    user = make_user("viewer")
    for i in range(direct.config["LOGIN_FREE_ATTEMPTS"]):
        assert _login_via(direct, f"198.51.100.{i}", user.email, WRONG).status_code == 401
    # a new X-Forwarded-For per try does not buy new attempts
    assert _login_via(direct, "192.0.2.250", user.email, PASSWORD).status_code == 429


def test_a_negative_number_of_proxies_is_refused(app, tmp_path):
    config = make_config(app.config["SQLALCHEMY_DATABASE_URI"], str(tmp_path / "u"), TRUSTED_PROXIES=-1)
    with pytest.raises(RuntimeError, match="TRUSTED_PROXIES"):
        create_app(config)


def test_throttle_counters_do_not_empty_the_render_cache(app, make_user):
    """Anyone may type passwords at /login; that must not invalidate every worker's cached pages."""
    from tasktrack.models import DataVersion

    user = make_user("viewer")
    db.session.rollback()
    before = db.session.get(DataVersion, 1).value
    for _ in range(3):
        login(at(app, "198.51.100.8"), user.email, WRONG)
    db.session.rollback()
    assert db.session.get(DataVersion, 1).value == before


def test_quiet_counters_are_forgotten(app, make_user, now):
    """Counters nobody has touched for a day are deleted (on a success), so the table does not grow for ever."""
    user = make_user("viewer")
    long_ago = now - dt.timedelta(days=3)
    db.session.add_all([LoginThrottle(key="account:gone@example.org", failures=7, last_failure_at=long_ago),
                        LoginThrottle(key="ip:203.0.113.99", failures=40, last_failure_at=long_ago,
                                      window_started_at=long_ago),
                        LoginThrottle(key="account:recent@example.org", failures=2,
                                      last_failure_at=now - dt.timedelta(hours=1))])
    db.session.commit()
    assert login(at(app, "192.0.2.5"), user.email, PASSWORD).status_code == 302
    assert set(counters()) == {"account:recent@example.org"}


@pytest.mark.parametrize("email", ["a\x00b@example.org", "\x01admin@example.org", "x@example.org\x0b"])
def test_an_address_with_control_characters_is_refused_before_the_database(app, email):
    """A NUL in the e-mail reached the throttle's upsert: a 500 on PostgreSQL, which cannot store NUL."""
    response = login(at(app, "192.0.2.9"), email, WRONG)
    assert response.status_code == 400
    assert "控制字符" in response.get_data(as_text=True)
    assert counters() == {}
