"""The raw-SQL floor of each page: the SQL statements one request runs, replayed on a bare DBAPI connection.

In-process through the app (``create_app`` on the generated database, the render cache off), signed in as the
page's reader: a SQLAlchemy ``before_cursor_execute`` listener records every statement one request of the page
runs, with its parameters (transaction control left out); the statements are then replayed on a raw DBAPI
connection ``--repeat`` times, each round fetching every row and ended as the app ends it, and the median round is the
page's floor: what the database alone needs for that page. ``bench.pages`` prints it beside the page's cache-off
p50 through gunicorn, and the ratio (the issue's target: a page within 3× its SQL).

    python -m bench.sql_floor < targets.json      # inside `make bench` (--only sql-floor); env as bench.serve
"""

from __future__ import annotations

import json
import re
import statistics
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from bench import serve
from bench.generate import PASSWORD, SECRETARIAT_EMAIL

if TYPE_CHECKING:
    from bench.pages import Target

REPEAT = 50
#: The issue's target: a page's cache-off p50 within this many times its SQL floor.
RATIO_TARGET = 3.0
_NOT_QUERIES = ("BEGIN", "SAVEPOINT", "RELEASE", "PRAGMA", "COMMIT", "ROLLBACK")


def measure(env: dict[str, str], targets: list[Target], info: dict[str, Any], token: str,
            repeat: int = REPEAT) -> dict[str, Any]:
    """Run this module in a subprocess on the database of ``env`` (the render cache off); its figures per page."""
    import subprocess

    spec = {"targets": [{"name": t.name, "path": t.path, "auth": t.auth} for t in targets],
            "liaison": info.get("liaison"), "token": token, "repeat": repeat}
    out = subprocess.run([serve.PYTHON, "-m", "bench.sql_floor"], input=json.dumps(spec),
                         env={**env, "RENDER_CACHE_SIZE": "0"}, cwd=serve.ROOT, check=True, capture_output=True,
                         text=True).stdout
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return result


def lines(pages: dict[str, Any]) -> str:
    """The console lines: each page's floor beside its cache-off p50, with the ratio and the target's status."""
    out = []
    for name, page in pages.items():
        floor = page.get("floor")
        if not floor:
            continue
        cold = (page.get("cold") or {}).get("p50_ms")
        ratio = round(cold / floor["floor_ms"], 1) if cold and floor["floor_ms"] else None
        status = "–" if ratio is None else ("met" if ratio <= RATIO_TARGET else "NOT met")
        out.append(f"   {name:14} SQL floor {floor['floor_ms']} ms ({floor['statements']} statements, "
                   f"{floor['rows']} rows); in-process {floor['inprocess_ms']} ms; cache-off p50 {cold} ms; "
                   f"ratio {ratio}× (≤ {RATIO_TARGET:g}×: {status})")
    return "\n".join(out)


def _sign_in(client: Any, email: str) -> None:
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert token is not None, "no CSRF token on /login"
    response = client.post("/login", data={"csrf_token": token.group(1), "email": email, "password": PASSWORD})
    assert response.status_code == 302, f"login of {email} failed ({response.status_code})"


@contextmanager
def _recording(engine: Any) -> Iterator[list[tuple[str, Any, bool]]]:
    """Record the statements ``engine`` runs inside the block (statement, parameters, executemany)."""
    import sqlalchemy as sa

    seen: list[tuple[str, Any, bool]] = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, executemany: bool) -> None:
        if not statement.lstrip().upper().startswith(_NOT_QUERIES):
            seen.append((statement, parameters, executemany))

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)


def replay(engine: Any, statements: list[tuple[str, Any, bool]],
           repeat: int) -> tuple[list[float], int, list[list[float]]]:
    """Run ``statements`` on one raw DBAPI connection ``repeat`` times; the rounds' seconds, the rows one round
    fetched and each statement's seconds in every round.

    Each round ends as the app ends the page's transaction: with COMMIT when it only read (a GET page on
    PostgreSQL, db_engine.install_read_only_commit), so the driver's prepared statements stay from one round to the
    next as they do from one request to the next; with ROLLBACK otherwise."""
    raw = engine.raw_connection()
    only_reads = engine.dialect.name == "postgresql" and all(
        statement.lstrip().upper().startswith("SELECT") for statement, _, _ in statements)
    rounds: list[float] = []
    each: list[list[float]] = [[] for _ in statements]
    rows = 0
    try:
        for _ in range(repeat):
            cursor = raw.cursor()
            rows = 0
            started = time.perf_counter()
            for index, (statement, parameters, many) in enumerate(statements):
                began = time.perf_counter()
                if many:
                    cursor.executemany(statement, parameters)
                else:
                    cursor.execute(statement, parameters)
                if cursor.description is not None:
                    rows += len(cursor.fetchall())
                each[index].append(time.perf_counter() - began)
            rounds.append(time.perf_counter() - started)
            cursor.close()
            if only_reads:
                raw.commit()
            else:
                raw.rollback()
    finally:
        raw.close()
    return rounds, rows, each


def run(spec: dict[str, Any]) -> dict[str, Any]:
    """Capture and replay each page of ``spec`` in-process (DATABASE_URL and the rest from the environment)."""
    from tasktrack import create_app
    from tasktrack.extensions import db

    app = create_app()
    clients: dict[str, Any] = {}
    headers: dict[str, dict[str, str]] = {"api": {"Authorization": f"Bearer {spec['token']}"}}
    result: dict[str, Any] = {}
    with app.app_context():
        engine = db.engine
    for target in spec["targets"]:
        auth = target["auth"]
        if auth not in clients:
            clients[auth] = app.test_client()
            if auth != "api":
                _sign_in(clients[auth], SECRETARIAT_EMAIL if auth == "secretariat" else spec["liaison"])
        client, extra = clients[auth], headers.get(auth, {})
        for _ in range(2):  # warm: templates compiled, caches of the process filled
            response = client.get(target["path"], headers=extra)
            assert response.status_code == 200, (target["path"], response.status_code)
        timings = []
        for _ in range(10):
            started = time.perf_counter()
            client.get(target["path"], headers=extra)
            timings.append(time.perf_counter() - started)
        with _recording(engine) as statements:
            client.get(target["path"], headers=extra)
        rounds, rows, each = replay(engine, statements, spec.get("repeat", REPEAT))
        costs = sorted(((statistics.median(times), statement) for times, (statement, _, _) in zip(each, statements,
                                                                                                   strict=True)),
                       reverse=True)
        result[target["name"]] = {
            "statements": len(statements), "rows": rows,
            "floor_ms": round(statistics.median(rounds) * 1000, 2),
            "floor_p95_ms": round(statistics.quantiles(rounds, n=20)[18] * 1000, 2) if len(rounds) > 1 else None,
            "inprocess_ms": round(statistics.median(timings) * 1000, 1),
            "slowest": [{"ms": round(seconds * 1000, 2), "sql": " ".join(statement.split())[:2000]}
                        for seconds, statement in costs[:3]]}
    return result


if __name__ == "__main__":
    print(json.dumps(run(json.loads(sys.stdin.read()))))
