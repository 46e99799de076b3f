"""A render cache that stays correct: entries are keyed by a data version that every write bumps.

The busiest read pages (我的任务, the dashboard) are pure functions of the database, the day and a few
request arguments. Every transaction that writes anything — through the ORM or Core, in a web worker, the
CLI or a job — also increments the single row of ``data_version`` in the same transaction (an engine hook
on the first INSERT/UPDATE/DELETE of the transaction, see :func:`install`), so the number commits or rolls
back with the change it stands for. A request reads the version *before* it reads the data, so whatever it
caches under version *v* is at least as new as *v*; a page is served from the cache only while the version is
unchanged. Each worker process keeps its own small LRU; workers agree because they read one version row.

Nothing user-specific may go into a cached fragment: CSRF tokens are put in after the cache (see
:data:`CSRF_PLACEHOLDER`), and callers key by whatever else differs (unit, role, arguments, today).

The substitution may only ever touch what our own template emitted, never what a user wrote (a narrative may
well contain any fixed string, ``__tasktrack_csrf_token__`` included, and must be shown exactly as written).
So the placeholder carries a random value drawn when the process starts. It never leaves the process: a
fragment is cached in this process's memory only, and every occurrence is replaced before a page is sent. No
stored text can contain it, escaped or not, since nobody outside the process has ever seen it; the chance that
text matches by accident is 2**-128. (Recording the placeholder's offsets instead would have to survive
Jinja's whole rendering; making the placeholder out of characters that escaping never emits would rely on every
template escaping every piece of user text, which the nonce does not.)
When the version row is missing (a database not made by the migrations) nothing is cached.
"""

from __future__ import annotations

import re
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

import sqlalchemy as sa
from flask import Flask, Response, current_app
from markupsafe import Markup

from tasktrack import cache_scopes
from tasktrack.settings import settings

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

T = TypeVar("T")
K = TypeVar("K", bound=Hashable)

#: Stands for the request's CSRF token inside a cached fragment; replaced on the way out. Random per process
#: (see the module docstring), so user text can never contain it.
CSRF_PLACEHOLDER = f"__tasktrack_csrf_{secrets.token_hex(16)}__"
_WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|TRUNCATE)\b", re.IGNORECASE)
_BUMPED = "tasktrack_data_version_bumped"
_PAUSED = "tasktrack_data_version_paused"
_HAS_TABLE = "tasktrack_data_version_table"
_HAS_SCOPES = "tasktrack_data_version_scopes_table"
#: Writes that no cached page shows: the scheduler's lock heartbeat (every few seconds) and the "last used" stamps
#: that every API or calendar-feed request writes (else each API call would empty the cache), and the login
#: throttle's counters (else anyone typing passwords at /login would empty every worker's cache).
_IGNORED = re.compile(
    r"^\s*(UPDATE|INSERT INTO|DELETE FROM)\s+\"?"
    r"(scheduler_locks|data_version|data_version_scopes|api_tokens|calendar_tokens|login_throttles)\b",
    re.IGNORECASE)
BUMP_SQL = "UPDATE data_version SET value = value + 1 WHERE id = 1"
_TABLE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)', re.IGNORECASE)
#: The scopes the flush in progress may bump instead of the global version (cache_scopes.flush_scopes).
_NARROW = "tasktrack_data_version_narrow"
#: The scopes this transaction has bumped.
_BUMPED_SCOPES = "tasktrack_data_version_scopes_bumped"


def _table_exists(dialect: str, cursor: Any, name: str = "data_version") -> bool:
    if dialect == "postgresql":
        cursor.execute(f"SELECT to_regclass('{name}') IS NOT NULL")
    else:
        cursor.execute(f"SELECT count(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = '{name}'")
    return bool(cursor.fetchone()[0])


def install(engine: sa.Engine) -> None:
    """Bump the data version in every transaction that writes (once per transaction or savepoint)."""

    @sa.event.listens_for(engine, "before_cursor_execute")
    def _bump(conn: sa.Connection, cursor: Any, statement: str, *_args: Any) -> None:
        if conn.info.get(_BUMPED) or conn.info.get(_PAUSED) or not _WRITE.match(statement) \
                or _IGNORED.match(statement):
            return
        narrow = conn.info.get(_NARROW)
        if narrow is not None and _table_of(statement) in cache_scopes.NARROWABLE_TABLES \
                and _bump_scopes(conn, cursor, narrow):
            return
        conn.info[_BUMPED] = True
        if not conn.info.get(_HAS_TABLE):
            # A database the migrations did not make (a scratch test database) has no version row to bump;
            # asked again in each writing transaction until the table is there, then remembered.
            if not _table_exists(conn.dialect.name, cursor):
                return
            conn.info[_HAS_TABLE] = True
        cursor.execute(BUMP_SQL)

    for name in ("begin", "commit", "rollback", "rollback_savepoint"):
        sa.event.listen(engine, name, transaction_ended)
    install_session()


def transaction_ended(conn: sa.Connection, *_args: Any) -> None:
    """Forget what this connection's transaction bumped (it committed or rolled back)."""
    for flag in (_BUMPED, _BUMPED_SCOPES, _NARROW):
        conn.info.pop(flag, None)


def _table_of(statement: str) -> str | None:
    found = _TABLE.match(statement)
    return found.group(1).lower() if found else None


def _bump_scopes(conn: sa.Connection, cursor: Any, scopes: frozenset[str]) -> bool:
    """Bump each scope once per transaction (in sorted order, so two writers never wait on each other in a cycle);
    False when the database has no scope table (then the global version is bumped instead)."""
    if not conn.info.get(_HAS_SCOPES):
        if not _table_exists(conn.dialect.name, cursor, "data_version_scopes"):
            return False
        conn.info[_HAS_SCOPES] = True
    done = conn.info.setdefault(_BUMPED_SCOPES, set())
    todo = cache_scopes.check(scopes - done)
    if not todo:
        return True
    values = ", ".join(f"('{name}', 1)" for name in todo)  # names are checked: [a-z]+:digits, nothing else
    cursor.execute(f"INSERT INTO data_version_scopes (scope, value) VALUES {values} "
                   "ON CONFLICT (scope) DO UPDATE SET value = data_version_scopes.value + 1")
    done.update(todo)
    return True


def _classify(session: Session, *_args: Any) -> None:
    """Before a flush: say which scopes it may bump instead of the global version, if it can be placed."""
    conn = session.connection()
    if conn.info.get(_BUMPED) or conn.info.get(_PAUSED):
        return  # the global version is bumped already (or not at all): nothing narrower to say
    scopes = cache_scopes.flush_scopes(session)
    if scopes is not None:
        conn.info[_NARROW] = frozenset(scopes)


def _flushed(session: Session, *_args: Any) -> None:
    session.connection().info.pop(_NARROW, None)


def install_session() -> None:
    """Let a flush that writes only a progress report and what goes with it bump the scopes it can change instead
    of the global version (tasktrack/cache_scopes.py); every other flush, and every statement outside a flush, bumps
    the global version. Installed once per process, on every ORM session."""
    from sqlalchemy.orm import Session

    if not sa.event.contains(Session, "before_flush", _classify):
        sa.event.listen(Session, "before_flush", _classify)
        sa.event.listen(Session, "after_flush_postexec", _flushed)


@contextmanager
def paused_data_version(conn: sa.Connection) -> Iterator[None]:
    """Write without bumping on this connection (the migrations, which may run before the table exists).

    Migrations change the schema, not what a cached page shows for the same version; the flag is removed
    afterwards so the pooled connection bumps again.
    """
    conn.info[_PAUSED] = True
    try:
        yield
    finally:
        conn.info.pop(_PAUSED, None)


def current_version() -> int | None:
    """Return the committed data version (None: the row is missing and caching is off).

    Read afresh each time (never remembered for the request): a view that writes and then renders must
    see its own bump.
    """
    from tasktrack.extensions import db

    return db.session.execute(sa.text("SELECT value FROM data_version WHERE id = 1")).scalar()


class LRU:
    """A small thread-safe least-recently-used map."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Any:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: Hashable, value: Any) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


def _store() -> LRU | None:
    size = settings().render_cache_size
    if size <= 0:
        return None
    store = current_app.extensions.get("tasktrack_render_cache")
    if store is None:
        store = current_app.extensions["tasktrack_render_cache"] = LRU(size)
    return store


def cached(key: tuple[Hashable, ...], build: Callable[[], T],
           scopes: cache_scopes.Page | None = None) -> T:
    """Return the value cached for ``key`` at the current data version, building (and keeping) it when absent.

    ``build`` reads the database only after the version has been read (it runs inside this call). The value
    must not depend on who asks beyond what ``key`` holds. ``scopes`` says what the value shows (a plan's, a work
    group's or a unit's page, cache_scopes.Page): the value is then kept across writes that change none of its
    scopes; without it, any write empties it.
    """
    store = _store()
    version = _version(scopes) if store is not None else None
    if store is None or version is None:
        return build()
    if _writing():
        # This transaction has bumped the version and not committed: another transaction may yet commit under
        # the same number with other data (if this one rolls back), so what it sees is never kept.
        return build()
    value = store.get((version, *key))
    if value is None:
        value = build()
        store.put((version, *key), value)
    return value


def forget_everything(app: Flask) -> None:
    """Empty this process's cached pages and kept parts (tests: the versions they were kept under are rolled back)."""
    for name in ("tasktrack_render_cache", "tasktrack_memo_cache"):
        store = app.extensions.get(name)
        if store is not None:
            store.clear()


def _memo_store() -> LRU | None:
    size = settings().render_cache_size
    if size <= 0:
        return None
    store = current_app.extensions.get("tasktrack_memo_cache")
    if store is None:
        store = current_app.extensions["tasktrack_memo_cache"] = LRU(16 * size)
    return store


def _scope_versions(names: list[str]) -> dict[str, int] | None:
    """Return the global version (``""``) and these scopes' versions (absent: never bumped), in one query."""
    from tasktrack.extensions import db

    statement = sa.text(cache_scopes.VERSIONS.format(names=":names")).bindparams(
        sa.bindparam("names", expanding=True))
    found = dict(db.session.execute(statement, {"names": names or ["-"]}).tuples().all())
    return found if "" in found else None


def memo_by_scope(scopes_of: dict[K, list[str]], compute: Callable[[list[K]], dict[K, T]]) -> dict[K, T]:
    """Return a value per key, each kept (per process) under the global version and the versions of its own scopes;
    ``compute`` is called once, for the keys whose scopes moved since (all of them when caching is off).

    For the parts of a page that belong to different parts of the tree (each lower work group's counts on a higher
    group's 督办总览): after a county's report only its own groups' parts are computed again, never the province's
    other cities. Keys must say everything else the value depends on (the day); values must not be changed by the
    caller (they are shared).
    """
    store = _memo_store()
    if store is None or not scopes_of or _writing():
        return compute(list(scopes_of))
    versions = _scope_versions(cache_scopes.check({n for names in scopes_of.values() for n in names}))
    if versions is None:
        return compute(list(scopes_of))
    keys = {key: ("memo", key, versions[""], tuple(versions.get(n, 0) for n in names))
            for key, names in scopes_of.items()}
    found: dict[K, T] = {}
    for key, kept in keys.items():
        value = store.get(kept)
        if value is not None:
            found[key] = value
    missing = [key for key in scopes_of if key not in found]
    if missing:
        fresh = compute(missing)
        for key in missing:
            store.put(keys[key], fresh[key])
            found[key] = fresh[key]
    return found


def _version(scopes: cache_scopes.Page | None) -> tuple[Hashable, ...] | None:
    """Return what a value is kept under: the global version, then the versions of the scopes it reads.

    One query either way. A scope's row appears when it is first bumped, and which scopes a page reads (a plan's
    lower groups, the units standing for its group) changes only with a write the scopes cannot place — which
    bumps the global version — so the pairs read identify the data the page shows.
    """
    if scopes is None:
        version = current_version()
        return None if version is None else (version,)
    from tasktrack.context import today
    from tasktrack.extensions import db

    statement, params = cache_scopes.versions_query(scopes, today())
    rows = db.session.execute(statement, params).tuples().all()
    found = dict(rows)
    if "" not in found:
        return None
    return (found.pop(""), tuple(sorted(found.items())))


def _writing() -> bool:
    """Return whether the request's transaction has written (bumped a version) and not yet committed."""
    from tasktrack.extensions import db

    info = db.session.connection().info
    return bool(info.get(_BUMPED) or info.get(_BUMPED_SCOPES))


def with_csrf(html: str) -> Markup:
    """Put this request's CSRF token in place of :data:`CSRF_PLACEHOLDER` in our own rendered HTML."""
    from flask_wtf.csrf import generate_csrf

    if CSRF_PLACEHOLDER in html:
        html = html.replace(CSRF_PLACEHOLDER, generate_csrf())
    return Markup(html)


def fragment(key: tuple[Hashable, ...], build: Callable[[], str]) -> Markup:
    """Return a cached HTML fragment with this request's CSRF token put in."""
    return with_csrf(cached(key, build))


def json_response(key: tuple[Hashable, ...], build: Callable[[], Any]) -> Response:
    """Return a JSON response whose encoded body is cached (as ``jsonify`` would write it, once per version)."""
    body = cached(key, lambda: (current_app.json.dumps(build()) + "\n").encode())
    return current_app.response_class(body, mimetype=current_app.json.mimetype)  # type: ignore[attr-defined]  # JSONProvider has no mimetype in its stub; the default provider does
