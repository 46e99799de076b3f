"""A pooled PostgreSQL connection is pinged before use only after it has been idle a while, and a dead one is
replaced without the request noticing (db_engine.install_idle_ping)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from tasktrack import create_app, db_engine
from tasktrack.extensions import db
from tests.conftest import make_config

pytestmark = pytest.mark.postgresql_only


def _app(tmp_path: Path) -> Any:
    return create_app(make_config(os.environ["DATABASE_URL"], str(tmp_path / "u")))


def _pid() -> int:
    pid = db.session.scalar(sa.text("SELECT pg_backend_pid()"))
    db.session.remove()  # the request ends: its connection goes back to the pool
    return int(pid)


def test_a_connection_handed_back_moments_ago_is_not_pinged(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    app = _app(tmp_path)
    with app.app_context():
        pings: list[object] = []
        ping = db.engine.dialect.do_ping
        monkeypatch.setattr(db.engine.dialect, "do_ping", lambda conn: pings.append(conn) or ping(conn))
        first = _pid()
        assert len(pings) == 1  # a new connection has no time of return yet: pinged
        assert [_pid() for _ in range(5)] == [first] * 5
        assert len(pings) == 1  # the same connection, back moments ago: not pinged again
        monkeypatch.setattr(db_engine, "IDLE_PING_SECONDS", 0.0)
        assert _pid() == first
        assert len(pings) == 2  # idle past the threshold: pinged
        db.engine.dispose()


def test_a_dead_idle_connection_is_replaced_before_use(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    app = _app(tmp_path)
    with app.app_context():
        dead = _pid()
        killer = sa.create_engine(os.environ["DATABASE_URL"], isolation_level="AUTOCOMMIT")
        with killer.connect() as conn:  # the server drops it while it sits in the pool (a restart, a firewall)
            assert conn.scalar(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": dead}) is True
        killer.dispose()
        monkeypatch.setattr(db_engine, "IDLE_PING_SECONDS", 0.0)
        assert db.session.scalar(sa.text("SELECT 41 + 1")) == 42  # no error: the pool connected again
        assert _pid() != dead
        db.engine.dispose()
