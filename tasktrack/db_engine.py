"""Engine settings: SQLite PRAGMAs and BEGIN IMMEDIATE for writes, which queue for their turn (R15)."""

from __future__ import annotations

import contextvars
import logging
import random
import re
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from flask import Flask

from tasktrack import settings

logger = logging.getLogger(__name__)

#: How long any SQLite statement waits for a lock with SQLite's own busy handler (SQLITE_BUSY_TIMEOUT_MS).
BUSY_TIMEOUT_MS = 5000
#: How long a write transaction waits for its turn at BEGIN IMMEDIATE (SQLITE_WRITE_WAIT_SECONDS); below
#: gunicorn's default worker timeout (30 s), so a worker is never killed while it waits.
WRITE_WAIT_SECONDS = 20.0
#: A write that waited this long for its turn is logged (a sign that SQLite is near its limit here).
SLOW_WAIT_SECONDS = 1.0
#: Pause between two tries of BEGIN IMMEDIATE while another connection writes (seconds, drawn at random).
_RETRY_PAUSE = (0.0005, 0.002)

#: Whether the current unit of work may write. Requests with safe methods set it False, so their
#: SQLite transactions start DEFERRED (readers never queue behind the write lock); everything else
#: (form posts, API writes, CLI, jobs) starts IMMEDIATE and so never fails mid-way with
#: "database is locked" when it upgrades a read lock.
write_intent: contextvars.ContextVar[bool] = contextvars.ContextVar("write_intent", default=True)


def prepare_engine_options(app: Flask) -> None:
    """Adjust engine options before the engine is created."""
    uri: str = app.config["SQLALCHEMY_DATABASE_URI"]
    options: dict[str, Any] = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    if uri.startswith("sqlite"):
        connect_args = dict(options.get("connect_args") or {})
        # pysqlite's busy timeout until the connect hook sets the same value with PRAGMA busy_timeout.
        connect_args.setdefault("timeout", settings.of(app).sqlite_busy_timeout_ms / 1000)
        # Let SQLAlchemy, not pysqlite, emit BEGIN (the documented recipe for SAVEPOINT and BEGIN modes).
        connect_args["isolation_level"] = None
        connect_args.setdefault("check_same_thread", False)
        options["connect_args"] = connect_args
        options.pop("pool_pre_ping", None)
    elif uri.startswith("postgresql"):
        connect_args = dict(options.get("connect_args") or {})
        # Every instant is read and written in UTC whatever the server's own TimeZone: psycopg then returns
        # datetimes with timezone.utc, which UTCDateTime passes through instead of converting each one (with a
        # zone such as Etc/UTC, psycopg and then UTCDateTime converted every timestamp read: ~10 ms of a province
        # dashboard). The app does its time-zone arithmetic in Python (clock.py), never in the session's zone.
        connect_args["options"] = " ".join(filter(None, [connect_args.get("options"), "-c TimeZone=UTC"]))
        options["connect_args"] = connect_args
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options


#: A pooled connection idle for longer than this (seconds) is pinged before it is handed out (PostgreSQL).
IDLE_PING_SECONDS = 10.0
_CHECKED_IN = "tasktrack_checked_in"


def install_idle_ping(engine: sa.Engine) -> None:
    """Ping a pooled server connection before handing it out only when it has been idle for a while.

    SQLAlchemy's ``pool_pre_ping`` pings on every checkout: a round trip before each request's own SQL, ~0.7 ms of a
    cached page's ~3.3 ms of CPU here. A connection that a request handed back seconds ago is alive (a restarted
    server shows on the next idle one); one idle for longer than :data:`IDLE_PING_SECONDS` (after a quiet spell,
    a server restart, a firewall's idle timeout) is pinged, and a dead one is replaced by the pool at once
    (``DisconnectionError``: the pool connects again), so no request gets a dead connection after a quiet spell.
    """
    if engine.dialect.name == "sqlite":
        return

    @sa.event.listens_for(engine, "checkin")
    def _stamp(_dbapi_connection: Any, record: Any) -> None:
        record.info[_CHECKED_IN] = time.monotonic()

    @sa.event.listens_for(engine, "checkout")
    def _ping_if_idle(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        last = record.info.get(_CHECKED_IN)
        if last is not None and time.monotonic() - last <= IDLE_PING_SECONDS:
            return
        try:
            alive = engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as exc:
            raise sa.exc.DisconnectionError(str(exc)) from exc
        if not alive:
            raise sa.exc.DisconnectionError("the connection did not answer its ping")


#: Set on a connection by its transaction's first statement that is not a plain SELECT; gone when it ends.
_WROTE = "tasktrack_wrote"
_SELECT = re.compile(r"\s*SELECT\b", re.IGNORECASE)


def install_read_only_commit(app: Flask, engine: sa.Engine, session: sa.orm.scoped_session[Any]) -> None:
    """End a request's transaction that only read with COMMIT instead of ROLLBACK (PostgreSQL): psycopg keeps
    its prepared statements over a COMMIT and forgets them all on a ROLLBACK.

    psycopg prepares a statement on a connection once it has run there ``prepare_threshold`` (5) times; the server
    then skips parsing it, and planning it too where a generic plan does as well. But a ROLLBACK clears them all
    (it may have undone a DROP), and every request that only read ended with the pool's ROLLBACK: nothing was ever
    prepared, and each statement of each page was parsed and planned again (the user's own row: 0.15 ms of
    parse and plan for 0.02 ms of execution). For a transaction that ran only SELECTs the two are the same:
    nothing to keep, the same locks released. Only a request with a safe method (GET, HEAD, OPTIONS: no
    :data:`write_intent`) ends so: a form's or an API call's transaction, one that ran anything but SELECTs (a
    write, a SET, a WITH), one that left changes pending in the session, and one that ended in an exception are
    rolled back as before (a form's stored upload is removed when its transaction does not commit).
    """
    if engine.dialect.name != "postgresql":
        return

    @sa.event.listens_for(engine, "before_cursor_execute")
    def _note_write(conn: sa.Connection, _cursor: Any, statement: str, *_args: Any) -> None:
        if not _SELECT.match(statement):
            conn.info[_WROTE] = True

    def _ended(conn: sa.Connection, *_args: Any) -> None:
        conn.info.pop(_WROTE, None)

    for name in ("begin", "commit", "rollback"):
        sa.event.listen(engine, name, _ended)

    @app.teardown_appcontext  # before Flask-SQLAlchemy's own teardown (registered first, so run last) closes it
    def _commit_read_only(exc: BaseException | None) -> None:
        if exc is not None or write_intent.get() or not session.registry.has():
            return
        current = session.registry()
        if not current.in_transaction() or current.new or current.dirty or current.deleted:
            return
        try:
            if not current.connection().info.get(_WROTE):
                current.commit()
        except sa.exc.SQLAlchemyError as error:  # the page is sent already: end it as before, with ROLLBACK
            logger.warning("could not end a read-only transaction with COMMIT: %s", error)
            current.rollback()


def install_sqlite_pragmas(engine: sa.Engine, *, busy_timeout_ms: int = BUSY_TIMEOUT_MS,
                           write_wait_seconds: float = WRITE_WAIT_SECONDS) -> None:
    """Set WAL, busy_timeout, foreign keys and synchronous=NORMAL on every new SQLite connection; begin
    transactions DEFERRED when they only read and IMMEDIATE (queued, see :func:`begin_immediate`) when they write."""
    if engine.dialect.name != "sqlite":
        return

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        try:
            if engine.url.database not in (None, "", ":memory:"):
                cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
        finally:
            cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(conn: sa.Connection) -> None:
        if write_intent.get():
            begin_immediate(conn, wait_seconds=write_wait_seconds, busy_timeout_ms=busy_timeout_ms)
        else:
            conn.exec_driver_sql("BEGIN")


def _busy(exc: sqlite3.OperationalError) -> bool:
    code = getattr(exc, "sqlite_errorcode", None)
    return (code & 0xFF) == sqlite3.SQLITE_BUSY if code is not None else "locked" in str(exc)


def begin_immediate(conn: sa.Connection, *, wait_seconds: float = WRITE_WAIT_SECONDS,
                    busy_timeout_ms: int = BUSY_TIMEOUT_MS) -> None:
    """Begin a write transaction on SQLite, waiting up to ``wait_seconds`` for the write lock.

    SQLite's busy handler does not queue waiters: it sleeps and looks again, after the first few tries 100 ms at a
    time, and a writer that happens to be awake when the lock comes free takes it. Under a steady stream of
    writes from several processes (gunicorn workers) a sleeping writer can miss the free lock for seconds and
    then fail with "database is locked" (busy_timeout exceeded) although the lock was free hundreds of times.
    So while another connection writes, BEGIN IMMEDIATE is tried again every 0.5–2 ms (busy_timeout off for
    those tries): every waiting writer looks at every hand-over, each hand-over goes to one of them, and none
    is left behind. After ``wait_seconds`` one last try waits busy_timeout as before and raises its error.
    """
    raw = conn.connection.dbapi_connection
    assert raw is not None
    cursor = raw.cursor()
    try:
        cursor.execute("PRAGMA busy_timeout=0")
        started = time.monotonic()
        deadline = started + wait_seconds
        while True:
            try:
                cursor.execute("BEGIN IMMEDIATE")
                waited = time.monotonic() - started
                if waited >= SLOW_WAIT_SECONDS:
                    logger.warning("SQLite: waited %.1f s for the write lock", waited)
                return
            except sqlite3.OperationalError as exc:
                if not _busy(exc) or time.monotonic() >= deadline:
                    break
            time.sleep(random.uniform(*_RETRY_PAUSE))
    finally:
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.close()
    conn.exec_driver_sql("BEGIN IMMEDIATE")  # the last try, with the busy timeout; its error is the usual one


@contextmanager
def read_only() -> Iterator[None]:
    """Run a block whose transactions only read (DEFERRED on SQLite)."""
    token = write_intent.set(False)
    try:
        yield
    finally:
        write_intent.reset(token)


@contextmanager
def writing() -> Iterator[None]:
    """Run a block whose transactions write (IMMEDIATE on SQLite) inside a request that otherwise only reads.

    A GET that stamps something (an API token's last use) must not upgrade its read transaction: under WAL,
    once another connection has committed since the read began, SQLite refuses the upgrade at once
    ("database is locked", no busy wait). End the read transaction first, then write in this block.
    """
    token = write_intent.set(True)
    try:
        yield
    finally:
        write_intent.reset(token)


def write_apart(session: sa.orm.Session | sa.orm.scoped_session[Any], work: Callable[[], None]) -> None:
    """End the session's read transaction, then run ``work`` in a write transaction of its own and commit it."""
    session.rollback()
    with writing():
        work()
        session.commit()


#: Statements that are transaction control, not queries.
_NOT_QUERIES = ("BEGIN", "SAVEPOINT", "RELEASE", "PRAGMA", "COMMIT", "ROLLBACK")


def install_query_counter(app: Flask, engine: sa.Engine) -> None:
    """Count the SQL statements of each request and report them in an ``X-Query-Count`` header.

    Off unless QUERY_COUNT_HEADER is set (the benchmark turns it on to report queries per request).
    """
    if not settings.of(app).query_count_header:
        return
    from flask import Response, g, has_request_context

    @sa.event.listens_for(engine, "before_cursor_execute")
    def _count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if has_request_context() and not statement.lstrip().upper().startswith(_NOT_QUERIES):
            g.query_count = g.get("query_count", 0) + 1

    @app.after_request
    def _header(response: Response) -> Response:
        response.headers["X-Query-Count"] = str(g.get("query_count", 0))
        return response
