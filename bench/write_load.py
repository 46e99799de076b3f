"""Write load: many API clients posting progress reports at once to gunicorn -w 4 (issue 10, item 11).

    python -m bench.write_load --database sqlite --writers 50 --duration 60
    python -m bench.run --only write-load       # the same section inside `make bench`, SQLite and PostgreSQL

A fresh database is migrated and seeded by the app's own commands (``flask db upgrade``, ``flask seed``); each
writer is a liaison of a unit with open assignments of the 2024 plan, with its own bearer token (created through
the services, in a subprocess of the app). gunicorn serves the app with 4 sync workers on loopback, today pinned
to 2024-07-18; every writer posts ``POST /api/v1/assignments/{id}/reports`` to its unit's assignments in turn,
as fast as it can, for the duration. Reported: requests, successes (2xx), errors (anything else, and
connection failures), req/s, p50/p99, the progress_report rows added (they must equal the successes) and the
"database is locked" lines in the server's log (there must be none). The test tests/test_write_load.py runs the
same harness for a shorter time.
"""

from __future__ import annotations

import argparse
import collections
import http.client
import json
import os
import re
import secrets
import socket
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from bench.jobs import CONTROL, free_port, kill_server

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
TODAY = "2024-07-18"
WORKERS = 4
WRITERS = 50
DURATION = 60.0
LOCKED = "database is locked"
#: What tasktrack/db_engine.py logs when a write waited a second or more for SQLite's write lock.
SLOW_WAIT = re.compile(r"waited ([0-9.]+) s for the write lock")
PG_ADMIN = os.environ.get("BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


def scratch_name(purpose: str) -> str:
    """The name of a database one section of the bench makes and drops: under ``BENCH_PG_DB`` (bench/serve.py),
    so that two runs given different names never drop each other's database."""
    return f"{os.environ.get('BENCH_PG_DB', 'tasktrack_bench')}_{purpose}"


@dataclass
class Writer:
    """One API client: its bearer token and the open assignments of its unit."""

    token: str
    assignments: list[int]


@dataclass
class Result:
    """What a write-load run measured."""

    writers: int
    seconds: float
    requests: int = 0
    successes: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    rps: float = 0.0
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    max_ms: float = 0.0
    rows_added: int = 0
    locked_in_log: int = 0
    slow_waits: int = 0
    longest_wait_s: float = 0.0
    samples: list[str] = field(default_factory=list)

    @property
    def errors(self) -> int:
        return self.requests - self.successes

    @property
    def ok(self) -> bool:
        return self.errors == 0 and self.locked_in_log == 0 and self.rows_added == self.successes

    def as_dict(self) -> dict[str, Any]:
        return {"writers": self.writers, "seconds": self.seconds, "requests": self.requests,
                "successes": self.successes, "errors": self.errors, "statuses": self.statuses, "rps": self.rps,
                "p50_ms": self.p50_ms, "p99_ms": self.p99_ms, "max_ms": self.max_ms, "rows_added": self.rows_added,
                "locked_in_log": self.locked_in_log, "slow_waits": self.slow_waits,
                "longest_wait_s": self.longest_wait_s, "ok": self.ok, "samples": self.samples}


def server_env(url: str, upload_dir: Path) -> dict[str, str]:
    """The environment of the app's commands and of gunicorn: production config, today pinned."""
    env = dict(os.environ)
    env.update({"DATABASE_URL": url, "TASKTRACK_TODAY": TODAY, "TASKTRACK_ENV": "production",
                "SECRET_KEY": secrets.token_hex(32), "SESSION_COOKIE_SECURE": "0", "UPLOAD_DIR": str(upload_dir),
                "BASE_URL": "http://127.0.0.1", "PYTHONPATH": str(ROOT)})
    return env


def fresh_database(kind: str, where: Path, pg_admin: str, name: str) -> str:
    """Return the URL of an empty database: a new SQLite file under ``where``, or PostgreSQL database ``name``."""
    if kind == "postgresql":
        admin = sa.create_engine(pg_admin, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        return pg_admin.rsplit("/", 1)[0] + "/" + name
    path = where / f"{name}.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return f"sqlite:///{path}"


def drop_database(url: str, pg_admin: str) -> None:
    """Drop a PostgreSQL database made by :func:`fresh_database` (SQLite files go with their folder)."""
    if not url.startswith("postgresql"):
        return
    admin = sa.create_engine(pg_admin, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)'))
    admin.dispose()


def prepare(env: dict[str, str], writers: int) -> list[Writer]:
    """Migrate and seed the database of ``env`` with the app's commands, then create ``writers`` accounts (none:
    only migrate and seed), in one process (:func:`_prepare`)."""
    out = subprocess.run([PYTHON, "-m", "bench.write_load", "--prepare", str(writers)], env=env, cwd=ROOT,
                         check=True, capture_output=True, text=True).stdout
    return [Writer(**w) for w in json.loads(out.strip().splitlines()[-1])]


def _prepare(count: int) -> list[dict[str, Any]]:
    """`flask db upgrade` and `flask seed` (the app's own commands, inside one app rather than a process each),
    then :func:`_issue`."""
    from flask_migrate.cli import db as db_commands

    from tasktrack import create_app

    app = create_app()
    runner = app.test_cli_runner()
    for group, args in ((db_commands, ["upgrade"]), (None, ["seed"])):
        with app.app_context():  # as `flask` (FlaskGroup) runs every command
            result = runner.invoke(group, args)
        if result.exit_code != 0:
            raise RuntimeError(f"flask {' '.join(args)}: {result.output}") from result.exception
    return _issue(app, count)


def _issue(app: Any, count: int) -> list[dict[str, Any]]:
    """Create ``count`` liaisons (round robin over the units with open assignments) with a token each."""
    from tasktrack import context
    from tasktrack.extensions import db
    from tasktrack.models import Assignment, Role, Unit
    from tasktrack.services import users

    with app.app_context():
        now = context.now()
        open_ones = sa.select(Assignment.unit_id, Assignment.id).where(Assignment.closed_at.is_(None))
        by_unit: dict[int, list[int]] = collections.defaultdict(list)
        for unit_id, assignment_id in db.session.execute(open_ones.order_by(Assignment.unit_id, Assignment.id)):
            by_unit[unit_id].append(assignment_id)
        unit_ids = sorted(by_unit)
        writers = []
        for i in range(count):
            unit = db.session.get(Unit, unit_ids[i % len(unit_ids)])
            user = users.create_user(actor=None, email=f"load-writer-{i}@example.gov.cn", name=f"压力测试联络员{i}",
                                     role=Role.LIAISON, unit=unit, password=secrets.token_urlsafe(18), now=now,
                                     fast_hash=True)
            writers.append({"token": users.issue_token(user, actor=None, now=now),
                            "assignments": by_unit[unit.id]})
        db.session.commit()
    return writers


class Gunicorn:
    """gunicorn serving wsgi:app with ``workers`` sync workers on loopback; its log and the app's go to ``log``."""

    def __init__(self, env: dict[str, str], log: Path, workers: int = WORKERS) -> None:
        self.port = free_port()
        self.log = log
        gunicorn = str(Path(PYTHON).with_name("gunicorn"))
        with log.open("wb") as sink:
            self.proc = subprocess.Popen(
                [gunicorn, "-w", str(workers), "-b", f"127.0.0.1:{self.port}", "--timeout", "120",
                 "--error-logfile", "-", "--capture-output", *CONTROL, "wsgi:app"],
                env=env, cwd=ROOT, stdout=sink, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {log.read_text(errors='replace')[-2000:]}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    break
            except OSError:
                time.sleep(0.2)
        else:
            self.stop()
            raise RuntimeError(f"gunicorn did not start; see {log}")

    def warm(self, token: str, workers: int = WORKERS) -> None:
        """Call the API until every worker has loaded the app (the first call of each worker is slow)."""
        for _ in range(workers * 3):
            status, _ = _call(self.port, "GET", "/api/v1/me", token)
            if status != 200:
                raise RuntimeError(f"/api/v1/me answered {status}")

    def stop(self) -> None:
        kill_server(self.proc)


def _call(port: int, method: str, path: str, token: str, body: bytes | None = None) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        headers = {"Authorization": f"Bearer {token}"}
        if body is not None:
            headers["Content-Type"] = "application/json"
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def count_reports(url: str) -> int:
    """Return the number of progress_reports rows."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.exec_driver_sql("SELECT count(*) FROM progress_reports").scalar_one())
    finally:
        engine.dispose()


def load(port: int, writers: list[Writer], seconds: float) -> Result:
    """Let every writer post reports for ``seconds``; return the counts and latencies (rows and log: see run)."""
    lock = threading.Lock()
    latencies: list[float] = []
    statuses: collections.Counter[str] = collections.Counter()
    samples: list[str] = []
    start = threading.Event()
    stop_at = [0.0]

    def client(number: int, writer: Writer) -> None:
        mine: list[float] = []
        seen: collections.Counter[str] = collections.Counter()
        odd: list[str] = []
        start.wait()
        k = 0
        while time.monotonic() < stop_at[0]:
            assignment = writer.assignments[k % len(writer.assignments)]
            body = json.dumps({"status": "in_progress", "percent": k % 100,
                               "narrative": f"写入压力测试：第 {number} 号联络员第 {k} 次报送"}).encode()
            k += 1
            began = time.perf_counter()
            try:
                status, answer = _call(port, "POST", f"/api/v1/assignments/{assignment}/reports", writer.token, body)
            except OSError as exc:
                status, answer = 0, repr(exc).encode()
            mine.append(time.perf_counter() - began)
            seen[str(status)] += 1
            if not 200 <= status < 300 and len(odd) < 3:
                odd.append(f"{status}: {answer[:200].decode(errors='replace')}")
        with lock:
            latencies.extend(mine)
            statuses.update(seen)
            samples.extend(odd[: max(0, 10 - len(samples))])

    threads = [threading.Thread(target=client, args=(i, w), daemon=True) for i, w in enumerate(writers)]
    for t in threads:
        t.start()
    began = time.perf_counter()
    stop_at[0] = time.monotonic() + seconds
    start.set()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - began
    result = Result(writers=len(writers), seconds=seconds, requests=len(latencies),
                    successes=sum(n for s, n in statuses.items() if s.startswith("2")),
                    statuses=dict(sorted(statuses.items())), samples=samples)
    if latencies:
        cuts = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [latencies[0]] * 99
        result.rps = round(len(latencies) / elapsed, 1)
        result.p50_ms, result.p99_ms = round(cuts[49] * 1000, 1), round(cuts[98] * 1000, 1)
        result.max_ms = round(max(latencies) * 1000, 1)
    return result


def run(kind: str, *, writers: int = WRITERS, seconds: float = DURATION, where: Path,
        pg_admin: str = PG_ADMIN, name: str | None = None, extra_env: dict[str, str] | None = None,
        keep: bool = False) -> Result:
    """Prepare a fresh database, serve it with gunicorn -w 4, run the writers, count rows and log lines.

    ``pg_admin``: a PostgreSQL URL to create the database ``name`` from (dropped afterwards unless ``keep``);
    ``extra_env``: settings for the app's commands and the server.
    """
    where.mkdir(parents=True, exist_ok=True)
    name = name or scratch_name("write_load")
    url = fresh_database(kind, where, pg_admin, name)
    try:
        env = {**server_env(url, where / "uploads"), **(extra_env or {})}
        team = prepare(env, writers)
        before = count_reports(url)
        server = Gunicorn(env, where / f"{name}-gunicorn.log")
        try:
            server.warm(team[0].token)
            result = load(server.port, team, seconds)
        finally:
            server.stop()
        result.rows_added = count_reports(url) - before
        log = server.log.read_text(errors="replace")
        result.locked_in_log = log.count(LOCKED)
        waits = [float(w) for w in SLOW_WAIT.findall(log)]
        result.slow_waits, result.longest_wait_s = len(waits), max(waits, default=0.0)
        return result
    finally:
        if not keep:
            drop_database(url, pg_admin)


def line(kind: str, result: Result) -> str:
    """One line of figures for the console."""
    return (f"   write load {kind:10} {result.writers} writers × {result.seconds:g} s: {result.requests} requests, "
            f"{result.successes} ok, {result.errors} errors {result.statuses}, {result.rps} req/s, "
            f"p50 {result.p50_ms} ms, p99 {result.p99_ms} ms, max {result.max_ms} ms, rows added "
            f"{result.rows_added} ({'=' if result.rows_added == result.successes else '≠'} successes), "
            f"'{LOCKED}' in log: {result.locked_in_log}"
            + (f", write-lock waits ≥ 1 s: {result.slow_waits}" if kind == "sqlite" else "")
            + (f" (longest {result.longest_wait_s} s)" if result.slow_waits else ""))


def markdown(runs: dict[str, dict[str, Any]]) -> list[str]:
    """The write-load section of the benchmark report."""
    if not runs:
        return []
    first = next(iter(runs.values()))
    lines = ["## Write load (API reports, gunicorn -w 4)", "",
             f"{first['writers']} API clients, each a liaison with its own bearer token, post progress reports "
             f"(`POST /api/v1/assignments/{{id}}/reports`) to their unit's assignments as fast as they can for "
             f"{first['seconds']:g} s; a fresh database migrated and seeded by the app's own commands.", "",
             "| database | requests | successes | errors | req/s | p50 ms | p99 ms | max ms | rows added "
             "| rows = successes | \"database is locked\" in log | write-lock waits ≥ 1 s (longest) |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|"]
    for kind, r in runs.items():
        waits = "–" if kind != "sqlite" else f"{r['slow_waits']} ({r['longest_wait_s']} s)" if r["slow_waits"] else "0"
        lines.append(f"| {kind} | {r['requests']} | {r['successes']} | {r['errors']} | {r['rps']} | {r['p50_ms']} "
                     f"| {r['p99_ms']} | {r['max_ms']} | {r['rows_added']} "
                     f"| {'✅' if r['rows_added'] == r['successes'] else '❌'} | {r['locked_in_log']} | {waits} |")
    lines += ["", "Latency is the client's: with 4 workers and 50 clients most of it is the wait for a free worker. "
              "SQLite writers take turns at BEGIN IMMEDIATE (`tasktrack/db_engine.py`); a write that waited "
              "≥ 1 s for its turn is logged, and counted here.", ""]
    return lines


def main(argv: list[str] | None = None) -> None:
    """Command line (``--prepare N`` is the internal step that migrates, seeds and creates the writers)."""
    parser = argparse.ArgumentParser(description="tasktrack write load: API writers against gunicorn -w 4")
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgresql"], choices=["postgresql", "sqlite"])
    parser.add_argument("--writers", type=int, default=WRITERS)
    parser.add_argument("--duration", type=float, default=DURATION, help="seconds of load")
    parser.add_argument("--work", default=str(ROOT / "bench" / "work"))
    parser.add_argument("--prepare", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.prepare is not None:
        print(json.dumps(_prepare(args.prepare)))
        return
    failed = False
    for kind in args.databases:
        result = run(kind, writers=args.writers, seconds=args.duration, where=Path(args.work))
        print(line(kind, result), flush=True)
        for sample in result.samples:
            print(f"      {sample}")
        failed = failed or not result.ok
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
