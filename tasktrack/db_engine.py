"""Engine settings: SQLite PRAGMAs and BEGIN IMMEDIATE for writes (R15)."""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from flask import Flask

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
        connect_args.setdefault("timeout", 30)
        # Let SQLAlchemy, not pysqlite, emit BEGIN (the documented recipe for SAVEPOINT and BEGIN modes).
        connect_args["isolation_level"] = None
        connect_args.setdefault("check_same_thread", False)
        options["connect_args"] = connect_args
        options.pop("pool_pre_ping", None)
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options


def install_sqlite_pragmas(engine: sa.Engine) -> None:
    """Set WAL, busy_timeout, foreign keys and synchronous=NORMAL on every new SQLite connection."""
    if engine.dialect.name != "sqlite":
        return

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        try:
            if engine.url.database not in (None, "", ":memory:"):
                cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=5000")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
        finally:
            cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(conn: sa.Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write_intent.get() else "BEGIN")


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
    if not app.config.get("QUERY_COUNT_HEADER"):
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
