"""Reads while someone writes: 8 readers on the overdue page and the dashboard while a writer posts progress
reports through the API at a steady rate (issue 16, "invalidation by what changed").

On the generated data of a page run (``bench.pages.run_one``, section ``mixed``): one liaison with a bearer token
in each of ``WRITERS`` units spread over the province (every k-th unit with open work, created in a subprocess of
the app before the server starts), gunicorn with the render cache on, and for each rate of :data:`RATES`
writes a second: the writer posts ``POST /api/v1/assignments/{id}/reports`` paced open-loop (the k-th write is
due at k / rate seconds, whether or not the earlier ones have answered; up to 8 in flight), the units in turn,
while 8 clients (wrk, or the Python client) read the overdue list page (all plans, red) and 督办总览 in turn,
signed in as the secretariat, for the same seconds. Per rate: reads' req/s, p50, p99 and failed requests (not
2xx, or no answer), writes attempted, succeeded and achieved per second, and the writes' p50; where the CPU went
(the workers', PostgreSQL's, the whole machine's) and the load average. Before the rates, the writes are timed alone
(no readers): with 8 readers on 2 sync workers a write's latency is mostly its wait in the queue. The target (at
20 writes/s, PostgreSQL): reads ≥ 300 req/s with p99 ≤ 60 ms.

    python -m bench.run --scales 1 --databases postgresql --only mixed
"""

from __future__ import annotations

import collections
import contextlib
import http.client
import json
import os
import random
import statistics
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench import serve
from bench.generate import SECRETARIAT_EMAIL
from bench.load import python_load, wrk

RATES = (0, 1, 5, 20)
READERS = 8
WRITERS = 40
READ_PATHS = ("/dashboard/assignments?plan=all&light=red", "/dashboard")
_TICK = os.sysconf("SC_CLK_TCK")
#: Writes measured alone (no readers) before the rates: one every 1/ALONE_RATE s for ALONE_SECONDS s (at most
#: the seconds of a rate).
ALONE_RATE, ALONE_SECONDS = 5.0, 4.0
#: The issue's target at the highest rate, on PostgreSQL.
TARGET = {"rate": 20, "rps": 300.0, "p99_ms": 60.0}


@dataclass
class Writer:
    """A liaison's bearer token and its unit's open assignments."""

    token: str
    assignments: list[int]


def issue(count: int) -> list[dict[str, Any]]:
    """Create a liaison with a token in each of ``count`` units spread over those with open work (in the app)."""
    import secrets

    import sqlalchemy as sa

    from tasktrack import context, create_app
    from tasktrack.extensions import db
    from tasktrack.models import Assignment, Role, Unit
    from tasktrack.services import users

    app = create_app()
    with app.app_context():
        now = context.now()
        by_unit: dict[int, list[int]] = collections.defaultdict(list)
        rows = db.session.execute(sa.select(Assignment.unit_id, Assignment.id)
                                  .where(Assignment.closed_at.is_(None), Assignment.status != "completed")
                                  .order_by(Assignment.unit_id, Assignment.id))
        for unit_id, assignment_id in rows:
            by_unit[unit_id].append(assignment_id)
        units = sorted(by_unit)
        chosen = [units[i * len(units) // count] for i in range(min(count, len(units)))]
        writers = []
        for i, unit_id in enumerate(chosen):
            unit = db.session.get(Unit, unit_id)
            user = users.create_user(actor=None, email=f"mixed-writer-{i}@example.gov.cn", name=f"混合负载联络员{i}",
                                     role=Role.LIAISON, unit=unit, password=secrets.token_urlsafe(18), now=now,
                                     fast_hash=True)
            # The unit's open work in a fixed shuffled order: its reports spread over its plans as a unit's do (in
            # id order the first writes of every unit would all land on the provincial plan, the dashboard's).
            mine = by_unit[unit_id]
            random.Random(unit_id).shuffle(mine)
            writers.append({"token": users.issue_token(user, actor=None, now=now), "assignments": mine})
        db.session.commit()
    return writers


def _post(port: int, writer: Writer, k: int, turn: int) -> tuple[int, float]:
    """The k-th write, the writer's ``turn``-th: to the next of its unit's open assignments (shuffled once)."""
    assignment = writer.assignments[turn % len(writer.assignments)]
    body = json.dumps({"status": "in_progress", "percent": k % 100,
                       "narrative": f"混合负载：第 {k} 次报送"}).encode()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    started = time.perf_counter()
    try:
        conn.request("POST", f"/api/v1/assignments/{assignment}/reports", body=body,
                     headers={"Authorization": f"Bearer {writer.token}", "Content-Type": "application/json"})
        response = conn.getresponse()
        response.read()
        status = response.status
    except (OSError, http.client.HTTPException):
        status = 0
    finally:
        conn.close()
    return status, time.perf_counter() - started


def write_paced(port: int, writers: list[Writer], rate: float, seconds: float) -> dict[str, Any]:
    """Post reports at ``rate`` a second for ``seconds``, open-loop (each on time, up to 8 in flight)."""
    results: list[tuple[int, float]] = []
    lock = threading.Lock()
    lag = [0.0]
    if rate > 0:
        with ThreadPoolExecutor(max_workers=8) as pool:
            start = time.perf_counter()
            k = 0
            while (due := k / rate) < seconds:
                wait = start + due - time.perf_counter()
                if wait > 0:
                    time.sleep(wait)
                else:
                    lag[0] = max(lag[0], -wait)

                def job(k: int = k) -> None:
                    outcome = _post(port, writers[k % len(writers)], k, k // len(writers))
                    with lock:
                        results.append(outcome)

                pool.submit(job)
                k += 1
    ok = [t for s, t in results if 200 <= s <= 299]
    statuses = collections.Counter(str(s) for s, _ in results)
    return {"rate": rate, "attempted": len(results), "succeeded": len(ok), "failed": len(results) - len(ok),
            "achieved_per_s": round(len(ok) / seconds, 2), "statuses": dict(sorted(statuses.items())),
            "p50_ms": round(statistics.median(ok) * 1000, 1) if ok else None,
            "max_dispatch_lag_ms": round(lag[0] * 1000, 1)}


def _into(out: dict[str, Any], port: int, writers: list[Writer], rate: float, seconds: float) -> None:
    out.update(write_paced(port, writers, rate, seconds))


def _cpu_seconds(pids: list[int]) -> dict[int, float]:
    """Each live process's CPU time so far (user + system, from /proc)."""
    found = {}
    for pid in pids:
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            found[pid] = (int(fields[11]) + int(fields[12])) / _TICK
    return found


def _backends(database: str | None) -> list[int]:
    """The PostgreSQL server processes serving ``database`` (their command line names it)."""
    if not database:
        return []
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        with contextlib.suppress(OSError):
            text = cmdline.read_bytes()
            if text.startswith(b"postgres: ") and f" {database} ".encode() in text:
                found.append(int(cmdline.parent.name))
    return found


def _machine() -> tuple[float, float]:
    """The machine's busy and total CPU seconds so far, over every core (/proc/stat)."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    return (sum(values) - idle) / _TICK, sum(values) / _TICK


class CpuMeter:
    """Where the CPU went during one rate: the server's workers, its PostgreSQL backends, and the whole machine
    (every core, every process: the bench's own load tools and whatever else the machine runs)."""

    def __init__(self, workers: list[int], database: str | None) -> None:
        self.workers, self.database = workers, database
        self.started = time.monotonic()
        self.app = _cpu_seconds(workers)
        self.pg = _cpu_seconds(_backends(database))
        self.machine = _machine()
        self.load = round(os.getloadavg()[0], 2)

    def read(self) -> dict[str, Any]:
        """Per cent of one core for the app and for PostgreSQL, per cent of the machine busy, the load at the start."""
        wall = max(time.monotonic() - self.started, 1e-6)
        app, pg = _cpu_seconds(self.workers), _cpu_seconds(_backends(self.database))
        busy, total = _machine()
        app_seconds = sum(v - self.app.get(p, 0.0) for p, v in app.items())
        return {"load_1min": self.load, "app_cpu_s": round(app_seconds, 3),
                "app_cpu_pct": round(100 * app_seconds / wall, 1),
                "pg_cpu_pct": round(100 * sum(v - self.pg.get(p, 0.0) for p, v in pg.items()) / wall, 1),
                "machine_busy_pct": round(100 * (busy - self.machine[0]) / max(total - self.machine[1], 1e-6), 1),
                "cores": os.cpu_count()}


def run(env: dict[str, str], *, seconds: float = 10.0, use_wrk: bool = True,
        rates: tuple[float, ...] = RATES, writers: int = WRITERS, workers: int = serve.WORKERS) -> dict[str, Any]:
    """The mixed run on the database of ``env`` (gunicorn with ``workers``): per rate, the reads' and the writes'
    figures."""
    team = [Writer(**w) for w in serve.python_json("bench.mixed", env, "--issue", str(writers))]
    load = wrk if use_wrk else python_load
    server = serve.Server(env, workers=workers)
    url = env.get("DATABASE_URL", "")
    database = url.rsplit("/", 1)[1].split("?", 1)[0] if url.startswith("postgresql") else None
    per_rate = []
    try:
        headers = {"Cookie": serve.login(server.port, SECRETARIAT_EMAIL)}
        for path in READ_PATHS:
            status, _, body = serve.request(server.port, "GET", path, headers)
            if status != 200:
                raise RuntimeError(f"{path} answered {status}: {body[:300]!r}")
        # The writes' own cost, with no reader queued before them on the two workers: under load a write's latency
        # is mostly its wait in gunicorn's queue behind the readers' requests.
        alone = write_paced(server.port, team, ALONE_RATE, min(ALONE_SECONDS, seconds))
        print(f"   mixed writes alone: {alone['succeeded']}/{alone['attempted']} ok, p50 {alone['p50_ms']} ms, "
              f"load {os.getloadavg()[0]:.2f}", flush=True)
        load(server.port, list(READ_PATHS), headers, 2, min(2.0, seconds))  # warm both workers
        for rate in rates:
            writes: dict[str, Any] = {}
            writer = threading.Thread(target=_into, args=(writes, server.port, team, rate, seconds))
            meter = CpuMeter(server.workers(), database)
            writer.start()
            reads = load(server.port, list(READ_PATHS), headers, READERS, seconds)
            writer.join()
            cpu = meter.read()
            answered = reads["requests"] + writes.get("attempted", 0)
            # The workers' CPU per answer (reads and writes): against the 0-writes row, what writes and rebuilds add.
            cpu["app_cpu_ms_per_request"] = round(1000 * cpu["app_cpu_s"] / max(answered, 1), 2)
            per_rate.append({"rate": rate, "reads": reads, "writes": writes, "cpu": cpu})
            print(f"   mixed {rate:>4g} writes/s: reads {reads['rps']} req/s, p50 {reads['p50_ms']} ms, "
                  f"p99 {reads['p99_ms']} ms, failed {reads['errors']}, SQL/read {reads.get('sql_per_request', '–')}; "
                  f"writes {writes['succeeded']}/{writes['attempted']} ok ({writes['achieved_per_s']}/s, "
                  f"p50 {writes['p50_ms']} ms); CPU app {cpu['app_cpu_pct']} % of a core "
                  f"({cpu['app_cpu_ms_per_request']} ms an answer), PostgreSQL {cpu['pg_cpu_pct']} %, "
                  f"machine {cpu['machine_busy_pct']} % busy of {cpu['cores']} cores, "
                  f"load {cpu['load_1min']}", flush=True)
    finally:
        server.stop()
    return {"readers": READERS, "writers": len(team), "seconds": seconds, "paths": list(READ_PATHS),
            "tool": "wrk" if use_wrk else "python", "writes_alone": alone, "rates": per_rate}


def check(result: dict[str, Any] | None) -> tuple[str, str, bool] | None:
    """The target's line (name, measured, met) for a mixed result, if it ran at the target's rate."""
    if not result:
        return None
    at = next((r for r in result["rates"] if r["rate"] == TARGET["rate"]), None)
    if at is None:
        return None
    reads = at["reads"]
    met = reads["rps"] >= TARGET["rps"] and reads["p99_ms"] <= TARGET["p99_ms"] and reads["errors"] == 0
    return (f"写入 {TARGET['rate']} 次/秒时读取 ≥ {TARGET['rps']:g} 次/秒、p99 ≤ {TARGET['p99_ms']:g} ms",
            f"{reads['rps']} 次/秒，p99 {reads['p99_ms']} ms，失败 {reads['errors']}", met)


def markdown(result: dict[str, Any] | None, where: str) -> list[str]:
    """The mixed run's table."""
    if not result:
        return []
    lines = [f"### Reads while writing ({where})", "",
             f"{result['readers']} readers ({result['tool']}) on the overdue list page and 督办总览 in turn, the "
             f"render cache on; a writer posts progress reports through the API, paced open-loop, over "
             f"{result['writers']} units; {result['seconds']:g} s per rate. SQL per read: the mean of the statements "
             "each answer reported (X-Query-Count): a page from the render cache runs 2, a rebuilt one 6–17.", "",
             "| writes/s | reads req/s | reads p50 ms | reads p99 ms | reads failed | SQL per read "
             "| writes ok / attempted | writes achieved /s | write p50 ms | app CPU % | app CPU ms an answer "
             "| PostgreSQL CPU % | machine busy % | load |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in result["rates"]:
        reads, writes, cpu = r["reads"], r["writes"], r.get("cpu", {})
        lines.append(f"| {r['rate']:g} | {reads['rps']} | {reads['p50_ms']} | {reads['p99_ms']} | {reads['errors']} "
                     f"| {reads.get('sql_per_request', '–')} | {writes.get('succeeded', 0)} / "
                     f"{writes.get('attempted', 0)} | {writes.get('achieved_per_s', 0)} "
                     f"| {writes.get('p50_ms') or '–'} | {cpu.get('app_cpu_pct', '–')} "
                     f"| {cpu.get('app_cpu_ms_per_request', '–')} | {cpu.get('pg_cpu_pct', '–')} "
                     f"| {cpu.get('machine_busy_pct', '–')} | {cpu.get('load_1min', '–')} |")
    lines += ["", "CPU: the server's workers and its PostgreSQL backends in per cent of one core (200 % is both "
              "cores of a 2-core machine), and how busy the whole machine was (every core, every process: the load "
              "tools, the writer, and anything else running). A machine near 100 % busy bounds the reads by CPU; "
              "the app's share above what the reads and writes need shows the rebuilt pages."]
    alone = result.get("writes_alone")
    if alone:
        lines += ["", f"Writes alone (no readers, {alone['rate']:g} a second): {alone['succeeded']} / "
                  f"{alone['attempted']} ok, p50 {alone['p50_ms']} ms — a write's own time; the write p50 above adds "
                  "its wait behind the readers' requests queued on the same workers."]
    lines.append("")
    return lines


if __name__ == "__main__":
    if sys.argv[1:2] == ["--issue"]:
        print(json.dumps(issue(int(sys.argv[2]))))
    else:
        raise SystemExit(__doc__)
