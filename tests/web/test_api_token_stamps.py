"""A token's last use is written at most once a minute, in a write transaction of its own.

Every API call used to stamp ``last_used_at`` by upgrading its read transaction; on SQLite (WAL) that upgrade
fails at once with "database is locked" when another call committed meanwhile, so eight clients sharing a
token got 500s (the benchmark counted hundreds). The same holds for calendar feeds.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from tasktrack.extensions import db
from tasktrack.models import ApiToken, CalendarToken
from tasktrack.services import calendar, users

NOW = dt.datetime(2024, 7, 18, 2, 0, tzinfo=dt.UTC)


def test_stamp_due_once_a_minute() -> None:
    assert users.stamp_due(None, NOW)
    assert not users.stamp_due(NOW - dt.timedelta(seconds=59), NOW)
    assert users.stamp_due(NOW - dt.timedelta(minutes=1), NOW)
    # A pinned day wraps at midnight: a "later" call can look earlier; it is stamped rather than frozen.
    assert users.stamp_due(NOW + dt.timedelta(hours=23), NOW)


def _token(make_user: Callable[..., Any]) -> tuple[str, int]:
    token = users.issue_token(make_user("viewer"), actor=None, now=NOW)
    db.session.commit()
    row = db.session.scalar(sa.select(ApiToken).order_by(ApiToken.id.desc()))
    assert row is not None
    return token, row.id


def _last_used(model: Any, row_id: int) -> dt.datetime | None:
    db.session.rollback()
    value = db.session.scalar(sa.select(model.last_used_at).where(model.id == row_id))
    db.session.rollback()
    return value


def test_api_call_stamps_the_token_at_most_once_a_minute(client: Any, make_user: Callable[..., Any]) -> None:
    token, token_id = _token(make_user)
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    first = _last_used(ApiToken, token_id)
    assert first is not None
    recent = first - dt.timedelta(seconds=10)
    db.session.execute(sa.update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=recent))
    db.session.commit()
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    assert _last_used(ApiToken, token_id) == recent  # within the minute: not written again
    stale = first - dt.timedelta(minutes=5)
    db.session.execute(sa.update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=stale))
    db.session.commit()
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    stamped = _last_used(ApiToken, token_id)
    assert stamped is not None
    assert stamped > stale


def test_calendar_feed_stamps_its_token_at_most_once_a_minute(client: Any, make_user: Callable[..., Any]) -> None:
    user = make_user("secretariat")
    feed = calendar.issue_token(user, now=NOW)
    db.session.commit()
    row_id = db.session.scalar(sa.select(CalendarToken.id).where(CalendarToken.user_id == user.id))
    assert client.get(f"/calendar/{feed}.ics").status_code == 200
    first = _last_used(CalendarToken, row_id)
    assert first is not None
    recent = first - dt.timedelta(seconds=10)
    db.session.execute(sa.update(CalendarToken).where(CalendarToken.id == row_id).values(last_used_at=recent))
    db.session.commit()
    assert client.get(f"/calendar/{feed}.ics").status_code == 200
    assert _last_used(CalendarToken, row_id) == recent


@pytest.mark.committed
def test_concurrent_calls_with_one_token_never_fail(app: Flask, seeded: None, make_user: Callable[..., Any],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """Eight clients, one token, a stamp on every call: each waits for the write lock instead of failing."""
    token, _ = _token(make_user)
    monkeypatch.setattr(users, "STAMP_EVERY", dt.timedelta(0))  # every call writes: the worst case
    headers = {"Authorization": f"Bearer {token}"}
    statuses: list[int] = []
    lock = threading.Lock()

    def worker() -> None:
        local = app.test_client()
        for _ in range(12):
            code = local.get("/api/v1/dashboard", headers=headers).status_code
            with lock:
                statuses.append(code)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert len(statuses) == 96
    assert set(statuses) == {200}, sorted(set(statuses))


@pytest.mark.committed
@pytest.mark.skipif((os.environ.get("DATABASE_URL") or "sqlite").startswith("postgresql"), reason="SQLite's write lock")
def test_a_write_call_reads_its_token_without_queueing_for_the_write_lock(app: Flask) -> None:
    """The token is read in a read transaction: a refused call is answered at once while another process writes.

    The write call's own transaction begins (IMMEDIATE, queued) only at its first statement after the check, so
    no call holds or waits for SQLite's write lock just to have its token looked up.
    """
    path = sa.engine.make_url(app.config["SQLALCHEMY_DATABASE_URI"]).database
    assert path
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process is writing
    try:
        started = time.monotonic()
        response = app.test_client().post("/api/v1/assignments/1/reports", json={"status": "in_progress"},
                                          headers={"Authorization": "Bearer tt_not-a-token"})
        elapsed = time.monotonic() - started
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert response.status_code == 401
    assert elapsed < 1.0
