"""How each test gets its own database: an outer transaction rolled back afterwards, or real commits.

The seed (categories, 28 units, focus items, the 2024 plan) is committed once per session: the *baseline*.

**Savepoint tests** (the default) open one connection, begin an outer transaction on it and let every session of
the test use that connection (Flask-SQLAlchemy's default engine is replaced by it for the test). Sessions are made
with ``join_transaction_mode="create_savepoint"`` (SQLAlchemy, "Joining a Session into an External Transaction"),
so the test's own session and the session of each test-client request begin a SAVEPOINT, their ``commit()`` is a
RELEASE and their ``rollback()`` a ROLLBACK TO SAVEPOINT: requests see the test's data and one another's, and
the outer ROLLBACK undoes everything. On SQLite, pysqlite's own transaction handling is off and the engine's
"begin" hook emits BEGIN itself (tasktrack/db_engine.py), the SQLAlchemy recipe that makes SAVEPOINT work; the
outer BEGIN is DEFERRED (the suite reads by default), and the test's writes take the write lock inside it.
A test that does not ask for ``seeded`` gets an empty database: the rows are deleted inside the outer
transaction (and come back with its rollback).

**Committed tests** (``@pytest.mark.committed``; the browser tests automatically) need commits that other
connections see: a live server, threads, other processes, a second app on the same database, the scheduler's
lock. They run as the suite always did: on an emptied database, committing for real; ``seeded`` then loads
the baseline and commits (the seed's rows copied back, :meth:`Harness.seed_committed`). They run after all
savepoint tests (see ``conftest.pytest_collection_modifyitems``), so the baseline is wiped and re-seeded at most a
few times; the harness re-seeds whenever a savepoint test follows one.

A test that needs commits but runs in a savepoint fails loudly: a statement on the test's connection from
another thread, or a new connection to the test database from any engine, raises at once and fails the test
with a message naming the marker.

The render cache (tasktrack/cache.py) keys pages by the data version, which the outer rollback takes back: so
the per-process cache is emptied before and after every test, and a RELEASE of a session's own SAVEPOINT counts
as the commit it stands for (the cache's "this transaction wrote" flag is cleared, as a COMMIT would).

**Shared state** (``@pytest.mark.shared_state(key)``, e.g. the route matrix's rows of one area): consecutive savepoint
tests with the same key build their common setup once. The first of them calls :meth:`Harness.shared` before
anything else; the harness then keeps its outer transaction open after the test and runs each following test of
the group inside a SAVEPOINT of its own, rolled back afterwards, so every test still starts from the same state
(the setup's), and the setup is rolled back with the outer transaction when the group ends (the next test has
another key, see ``conftest.pytest_runtest_teardown``). The tests of one key in a module run together, where the
first of them is listed (``conftest.pytest_collection_modifyitems``). PostgreSQL's sequences are not transactional:
ids in a group go on rising, which no test may rely on.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from tasktrack import cache
from tasktrack.cache import BUMP_SQL
from tasktrack.extensions import db

#: The marker of tests that need real commits.
COMMITTED = "committed"
#: The marker of tests that share one setup with the tests next to them of the same key.
SHARED_STATE = "shared_state"


def shared_rows(app: Flask, build: Callable[[], Any]) -> Any:
    """:meth:`Harness.shared` for a setup that is a dataclass of model objects: it is built once for the group, and
    each test gets the same dataclass with the objects loaded again in its own session (by id)."""

    def ids() -> tuple[type[Any], dict[str, tuple[type[Any], Any]]]:
        made = build()
        return type(made), {f.name: (type(getattr(made, f.name)), getattr(made, f.name).id)
                            for f in dataclasses.fields(made)}

    kind, keys = app.extensions["tests_isolation"].shared(ids)
    return kind(**{name: db.session.get(model, key) for name, (model, key) in keys.items()})


class NeedsCommits(RuntimeError):
    """A savepoint test did something only a committed test may do."""


def _same_database(a: sa.URL, b: sa.URL) -> bool:
    return (a.get_backend_name(), a.host, a.port, a.database) == (b.get_backend_name(), b.host, b.port, b.database)


class Harness:
    """Runs each test on its own copy of the test database (see the module docstring)."""

    def __init__(self, app: Flask, *, seed: Callable[[Flask], None]) -> None:
        self.app = app
        self.seed = seed
        with app.app_context():
            self.engine: sa.Engine = db.engine
            #: Flask-SQLAlchemy's bind map for this app; its default entry is the test's connection during a test.
            self._binds: dict[str | None, Any] = db.engines  # type: ignore[assignment]
        #: What the committed database holds: "empty", "seeded" (the baseline) or "dirty" (a committed test's rows).
        self.state = "empty"
        #: Whether the running test is a committed one.
        self.committed = False
        self._conn: sa.Connection | None = None
        self._owner = 0
        self._depth = 0
        self._violations: list[str] = []
        self._sequences: str | None = None
        self._is_superuser: bool | None = None
        #: The baseline's rows as the seed wrote them on an emptied database (see :meth:`seed_committed`).
        self._baseline_rows: list[tuple[sa.Table, list[dict[str, Any]]]] = []
        #: The depth of the harness's own SAVEPOINT in a shared-state group (0 otherwise): a session's release
        #: back to it is that session's commit.
        self._floor = 0
        #: The open shared-state group: its key, its outer transaction, its setup's value once built.
        self._group: str | None = None
        self._group_outer: sa.Transaction | None = None
        self._group_built = False
        self._group_value: Any = None
        sa.event.listen(sa.Engine, "engine_connect", self._on_engine_connect)

    def close(self) -> None:
        self.end_group()
        sa.event.remove(sa.Engine, "engine_connect", self._on_engine_connect)

    # -- the two modes ---------------------------------------------------------------------------------------

    @contextmanager
    def test(self, *, committed: bool, seeded: bool, group: str | None = None) -> Iterator[None]:
        """Run one test: in a rolled-back outer transaction, or (``committed``) on an emptied database.

        ``group`` is the test's shared-state key (savepoint tests only): see the module docstring.
        """
        self.clear_render_cache()
        try:
            if committed:
                self.end_group()
                with self._committed():
                    yield
            elif group is not None and group == self._group and self._group_built:
                with self._in_group():
                    yield
            else:
                self.end_group()
                with self._savepoint(seeded=seeded, group=group):
                    yield
        finally:
            self.clear_render_cache()

    def shared(self, build: Callable[[], Any]) -> Any:
        """Return the group's setup, built by ``build`` in the group's first test (outside any group: just build).

        Call it before the test writes anything: what the first test did before it stays for the whole group.
        """
        if self._group is None or self._conn is None:
            return build()
        if not self._group_built:
            self._group_value = build()
            # The test's session ends its own SAVEPOINT first (the setup is committed as far as the test goes):
            # the group's SAVEPOINT must be the outermost one, or a later RELEASE of the session's would end it.
            db.session.commit()
            self._group_built = True
            self._conn.begin_nested()  # the rest of this first test, rolled back after it like the others'
            self._floor = self._depth
        return self._group_value

    def seed_committed(self) -> None:
        """Load the baseline into a committed test's emptied database and commit it.

        The rows the seed wrote for the savepoint tests are copied back (a few multi-row INSERTs, ids and all, and
        PostgreSQL's sequences put where the seed left them): the same database as the seed's services make, which
        take ~0.4 s of CPU a time. Seeded with the services instead when no savepoint test has seeded yet, or
        when the test has already written to one of the baseline's tables.
        """
        db.session.commit()
        with self.engine.connect() as conn:
            written = any(conn.execute(sa.select(sa.literal(1)).select_from(table).limit(1)).first()
                          for table, _ in self._baseline_rows)
        if written or not self._baseline_rows:
            self.seed(self.app)
            return
        with self.engine.begin() as conn:
            conn.exec_driver_sql(BUMP_SQL)
            for table, rows in self._baseline_rows:
                conn.execute(table.insert(), rows)
            if self._sequences:
                conn.exec_driver_sql(self._sequences)

    def end_group(self) -> None:
        """Roll back and close the open shared-state group, if any."""
        if self._group is None:
            return
        conn, outer = self._conn, self._group_outer
        self._group, self._group_outer, self._group_built, self._group_value = None, None, False, None
        self._floor = 0
        self._binds[None] = self.engine
        self._conn = None
        if outer is not None and outer.is_active:
            outer.rollback()
        if conn is not None:
            conn.close()

    @contextmanager
    def _in_group(self) -> Iterator[None]:
        """Run a following test of the open group inside its own SAVEPOINT on the group's connection."""
        conn = self._conn
        assert conn is not None
        self._owner = threading.get_ident()
        self._depth = 0
        self._binds[None] = conn
        nested = conn.begin_nested()
        self._floor = self._depth
        try:
            yield
        finally:
            self._end_group_test(nested)

    def _end_group_test(self, nested: sa.NestedTransaction | None) -> None:
        """Roll the test back to the group's setup; a group whose connection went wrong is ended."""
        try:
            if nested is not None and nested.is_active:
                nested.rollback()
        except sa.exc.SQLAlchemyError:
            self.end_group()
            raise
        finally:
            self._floor = 0
            violations, self._violations = self._violations, []
            if violations:
                self.end_group()
        if violations:
            pytest.fail(f"this test needs real commits: mark it @pytest.mark.{COMMITTED} ({'; '.join(violations)})",
                        pytrace=False)

    @contextmanager
    def _committed(self) -> Iterator[None]:
        if self.state != "empty":
            self._wipe()
        self.committed = True
        try:
            yield
        finally:
            self.committed = False
            self.state = "dirty"

    @contextmanager
    def _savepoint(self, *, seeded: bool, group: str | None = None) -> Iterator[None]:
        if self.state != "seeded":
            if self.state != "empty":
                self._wipe()
            self.seed(self.app)
            self.state = "seeded"
            self._sequences = self._sequence_restore()
            self._baseline_rows = self._copy_rows()
        conn = self.engine.connect()
        outer = conn.begin()
        kept = False
        try:
            if self._sequences:
                conn.exec_driver_sql(self._sequences)  # not transactional: ids start where the baseline's end
            if not seeded:
                self._empty(conn)
            self._owner = threading.get_ident()
            self._depth = 0
            for name, listener in self._listeners():
                sa.event.listen(conn, name, listener)
            self._conn = conn
            self._binds[None] = conn
            self._group, self._group_outer = group, outer
            yield
            kept = self._group_built  # the group's setup was built: keep it for the group's next test
        finally:
            if kept:
                nested = conn.get_nested_transaction()
                self._end_group_test(nested)
            else:
                self._group, self._group_outer, self._group_built, self._group_value = None, None, False, None
                self._floor = 0
                self._binds[None] = self.engine
                self._conn = None
                if outer.is_active:
                    outer.rollback()
                conn.close()
                violations, self._violations = self._violations, []
                if violations:
                    pytest.fail(f"this test needs real commits: mark it @pytest.mark.{COMMITTED} "
                                f"({'; '.join(violations)})", pytrace=False)

    # -- helpers ---------------------------------------------------------------------------------------------

    def clear_render_cache(self) -> None:
        """Forget every cached page: the data versions they were kept under are taken back with the rollback."""
        cache.forget_everything(self.app)

    def _tables(self) -> list[sa.Table]:
        # data_version survives (and moves on in a wipe), so no cached page of an earlier test can match a later one.
        return [t for t in reversed(db.metadata.sorted_tables) if t.name != "data_version"]

    def _delete_all(self, conn: sa.Connection) -> None:
        """Delete every row, children first, and start the ids again from 1 (as on a fresh database).

        DELETE, not TRUNCATE, on PostgreSQL too: TRUNCATE gives each of the tables and their indexes new files,
        about half a second for the lot, where deleting the baseline's few hundred rows takes a tenth of that
        (it ran for every test without the seed). SQLite numbers a table's rows again from 1 once it is empty;
        PostgreSQL's sequences are put back to 1 here (not transactional: every savepoint test restores them
        first, and a committed test's data starts from an emptied database).

        On PostgreSQL, as a superuser, the foreign-key checks are off for these deletes (``session_replication_role
        = replica``, this transaction only): every row of every table goes, so no check could fail, and the checks
        were most of the work (~13 ms → ~4 ms a time; a test without the seed runs this).
        """
        unchecked = conn.dialect.name == "postgresql" and self._superuser(conn)
        if unchecked:
            conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
        for table in self._tables():
            conn.execute(table.delete())
        if unchecked:
            conn.exec_driver_sql("SET LOCAL session_replication_role = DEFAULT")
        if conn.dialect.name == "postgresql":
            names = conn.exec_driver_sql(
                "SELECT quote_ident(schemaname) || '.' || quote_ident(sequencename) FROM pg_sequences "
                "WHERE schemaname = current_schema()").scalars().all()
            calls = [f"setval('{name}', 1, false)" for name in names]
            if calls:
                conn.exec_driver_sql(f"SELECT {', '.join(calls)}")

    def _copy_rows(self) -> list[tuple[sa.Table, list[dict[str, Any]]]]:
        """The committed rows of every table but data_version, parents first (the tables that have any)."""
        with self.engine.connect() as conn:
            copied = [(table, [dict(row) for row in conn.execute(table.select()).mappings()])
                      for table in db.metadata.sorted_tables if table.name != "data_version"]
        return [(table, rows) for table, rows in copied if rows]

    def _superuser(self, conn: sa.Connection) -> bool:
        """Whether the test database's user is a PostgreSQL superuser (asked once)."""
        if self._is_superuser is None:
            self._is_superuser = conn.exec_driver_sql("SHOW is_superuser").scalar() == "on"
        return self._is_superuser

    def _wipe(self) -> None:
        """Delete every committed row (the committed mode's empty database)."""
        with self.app.app_context():
            db.session.remove()
            with self.engine.begin() as conn:
                conn.exec_driver_sql(BUMP_SQL)
                self._delete_all(conn)
        self.state = "empty"

    def _empty(self, conn: sa.Connection) -> None:
        """Delete every row inside the outer transaction (a test that did not ask for the seed)."""
        with cache.paused_data_version(conn):
            self._delete_all(conn)

    def _sequence_restore(self) -> str | None:
        """Return the statement that puts PostgreSQL's sequences back where the baseline left them.

        Sequences are not transactional: without it, ids would depend on which tests ran before.
        """
        if self.engine.dialect.name != "postgresql":
            return None
        with self.engine.connect() as conn:
            rows = conn.exec_driver_sql(
                "SELECT quote_ident(schemaname) || '.' || quote_ident(sequencename), last_value FROM pg_sequences "
                "WHERE schemaname = current_schema()").all()
        calls = [f"setval('{name}', {value}, true)" if value is not None else f"setval('{name}', 1, false)"
                 for name, value in rows]
        return f"SELECT {', '.join(calls)}" if calls else None

    # -- the loud failures, and the cache's commit flag --------------------------------------------------------

    def _listeners(self) -> list[tuple[str, Callable[..., None]]]:
        return [("before_cursor_execute", self._on_execute), ("savepoint", self._on_savepoint),
                ("release_savepoint", self._on_release), ("rollback_savepoint", self._on_rollback_savepoint)]

    def _refuse(self, what: str) -> None:
        self._violations.append(what)
        raise NeedsCommits(f"{what}: this test needs real commits, mark it @pytest.mark.{COMMITTED}")

    def _on_engine_connect(self, conn: sa.Connection) -> None:
        if self._conn is not None and conn is not self._conn and _same_database(conn.engine.url, self.engine.url):
            self._refuse("another connection to the test database")

    def _on_execute(self, *_args: Any) -> None:
        if threading.get_ident() != self._owner:
            self._refuse(f"a statement from another thread ({threading.current_thread().name})")

    def _on_savepoint(self, _conn: sa.Connection, _name: str) -> None:
        self._depth += 1

    def _on_release(self, conn: sa.Connection, _name: str, _context: Any) -> None:
        self._depth -= 1
        if self._depth == self._floor:
            # A session's own SAVEPOINT is released: that is its commit. The cache forgets its flags on COMMIT.
            cache.transaction_ended(conn)

    def _on_rollback_savepoint(self, _conn: sa.Connection, _name: str, _context: Any) -> None:
        self._depth -= 1
