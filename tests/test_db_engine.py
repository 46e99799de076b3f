"""SQLite connections: WAL, busy_timeout, foreign keys; BEGIN IMMEDIATE for writes (R15, T5.1, T5.2)."""

from __future__ import annotations

import multiprocessing
import os
import sqlite3
import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask

from tasktrack import create_app
from tasktrack.extensions import db
from tests.conftest import make_config

pytestmark = pytest.mark.skipif(
    (os.environ.get("DATABASE_URL") or "sqlite").startswith("postgresql"), reason="SQLite connection settings"
)


def test_pragmas_on_every_connection(tmp_path: Path) -> None:
    app = create_app(make_config(f"sqlite:///{tmp_path / 'p.db'}", str(tmp_path / "u")))
    with app.app_context(), db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
        db.engine.dispose()


def _worker(url: str, upload: str, iterations: int, queue: multiprocessing.Queue) -> None:
    """Read a counter, update it and insert a history row, many times: a write unit of work."""
    app = create_app(make_config(url, upload))
    errors = 0
    with app.app_context():
        for _ in range(iterations):
            try:
                with db.engine.begin() as conn:
                    value = conn.exec_driver_sql("SELECT value FROM counter").scalar()
                    conn.exec_driver_sql(f"UPDATE counter SET value = {value + 1}")
                    conn.exec_driver_sql("INSERT INTO history (note) VALUES ('x')")
            except sa.exc.OperationalError:
                errors += 1
        db.engine.dispose()
    queue.put(errors)


def test_lock_storm_has_no_database_is_locked(tmp_path: Path) -> None:
    url, upload = f"sqlite:///{tmp_path / 'storm.db'}", str(tmp_path / "u")
    app = create_app(make_config(url, upload))
    with app.app_context(), db.engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE counter (value INTEGER NOT NULL)")
        conn.exec_driver_sql("INSERT INTO counter VALUES (0)")
        conn.exec_driver_sql("CREATE TABLE history (id INTEGER PRIMARY KEY, note TEXT)")
    workers, iterations = 6, 60
    # Forked, not spawned: each worker is a process of its own (its own app, engine and SQLite connection) without
    # importing the app again (seconds of CPU each), so the six start together and contend from the first write.
    # A forked child ends with os._exit: it never touches the connections it inherited.
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    procs = [ctx.Process(target=_worker, args=(url, upload, iterations, queue)) for _ in range(workers)]
    for p in procs:
        p.start()
    errors = [queue.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(timeout=30)
    assert errors == [0] * workers
    with app.app_context(), db.engine.connect() as conn:
        # the read-modify-write never lost an update: the write lock was taken at BEGIN
        assert conn.exec_driver_sql("SELECT value FROM counter").scalar() == workers * iterations
        assert conn.exec_driver_sql("SELECT count(*) FROM history").scalar() == workers * iterations
        db.engine.dispose()


def _hold_write_lock(path: Path, seconds: float, held: threading.Event,
                     release: threading.Event | None = None) -> None:
    """Hold SQLite's write lock from another connection (as another process would) for ``seconds``, or until
    ``release`` is set."""
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    other.execute("INSERT INTO history (note) VALUES ('other')")
    held.set()
    (release or threading.Event()).wait(seconds)
    other.execute("COMMIT")
    other.close()


def _history_app(tmp_path: Path, **settings: object) -> tuple[Flask, Path]:
    path = tmp_path / "turns.db"
    app = create_app(make_config(f"sqlite:///{path}", str(tmp_path / "u"), **settings))
    with app.app_context(), db.engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE history (id INTEGER PRIMARY KEY, note TEXT)")
    return app, path


def test_a_writer_waits_its_turn_beyond_the_busy_timeout(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """The write lock is busy longer than busy_timeout: BEGIN IMMEDIATE keeps trying (up to the write wait)."""
    app, path = _history_app(tmp_path, SQLITE_BUSY_TIMEOUT_MS=100, SQLITE_WRITE_WAIT_SECONDS=20)
    held = threading.Event()
    holder = threading.Thread(target=_hold_write_lock, args=(path, 1.2, held))
    holder.start()
    held.wait(10)
    started = time.monotonic()
    with app.app_context():
        with db.engine.begin() as conn:
            conn.exec_driver_sql("INSERT INTO history (note) VALUES ('mine')")
        assert time.monotonic() - started >= 1.0  # it waited for the other writer, and said so
        assert any("for the write lock" in r.getMessage() for r in caplog.records if r.levelname == "WARNING")
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 100  # restored after the tries
            assert conn.exec_driver_sql("SELECT count(*) FROM history").scalar() == 2
        db.engine.dispose()
    holder.join(10)


def test_the_write_wait_is_bounded(tmp_path: Path) -> None:
    """A write lock held for good: the writer gives up after the write wait with SQLite's usual error."""
    app, path = _history_app(tmp_path, SQLITE_BUSY_TIMEOUT_MS=100, SQLITE_WRITE_WAIT_SECONDS=0.3)
    held, release = threading.Event(), threading.Event()
    holder = threading.Thread(target=_hold_write_lock, args=(path, 3, held, release))
    holder.start()
    held.wait(10)
    started = time.monotonic()
    with app.app_context():
        with pytest.raises(sa.exc.OperationalError, match="database is locked"), db.engine.begin() as conn:
            conn.exec_driver_sql("INSERT INTO history (note) VALUES ('mine')")
        assert 0.3 <= time.monotonic() - started < 2.5
        release.set()  # the writer has given up: the holder need not sit out the rest of its 3 s
        db.engine.dispose()
    holder.join(10)


def test_query_count_header_only_when_asked(tmp_path: Path) -> None:
    url, upload = f"sqlite:///{tmp_path / 'q.db'}", str(tmp_path / "u")

    class Counting(make_config(url, upload)):  # type: ignore[misc,valid-type]
        QUERY_COUNT_HEADER = True

    counting = create_app(Counting)
    plain = create_app(make_config(url, upload))
    for app in (counting, plain):
        @app.route("/_two_queries")
        def _two_queries() -> str:
            db.session.execute(sa.text("SELECT 1"))
            db.session.execute(sa.text("SELECT 2"))
            return "ok"

    assert counting.test_client().get("/_two_queries").headers["X-Query-Count"] == "2"
    assert "X-Query-Count" not in plain.test_client().get("/_two_queries").headers
