"""The province-scale benchmark: generate, serve with gunicorn (2 workers), load with wrk, time the jobs.

    python -m bench.run                          # scales 0.1 and 1, PostgreSQL and SQLite (make bench)
    python -m bench.run --scales 0.1 --databases postgresql --duration 3

For every database and scale: a fresh database, ``bench.generate``, gunicorn on loopback with the production
config, then each page is loaded for ``--duration`` seconds with 1 client (latency) and with 8 clients
(throughput) by wrk (Debian's package; a Python client when wrk is missing), the SQL statements of one request
are read from the app's X-Query-Count header, and the peak RSS of each worker from /proc. ``bench.jobs`` times
the reminder sweep, the weekly digests and the delivery of 1,000 messages. ``bench.write_load`` has 50 API
clients post progress reports at once to gunicorn -w 4 on each database (``--only write-load``: that section
alone); ``bench.plan_import`` times the import of a generated 200-task plan and its review page
(``--only plan-import``). Results: JSON and a markdown table under bench/results/, with how each figure grows
from the smallest to the largest scale.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from bench import delivery, plan_import, write_load
from bench.generate import PASSWORD, SECRETARIAT_EMAIL, TODAY
from bench.jobs import free_port

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
WORK = BENCH / "work"
RESULTS = BENCH / "results"
PYTHON = sys.executable
PG_ADMIN = os.environ.get("BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
PG_DB = "tasktrack_bench"
WORKERS = 2

#: The shapes a general tracker is measured on, loaded again at ~1,000 and ~10,000 assignments
#: (scale 0.05: 896 assignments, 0.51: ~9,900; a scale adds or removes whole county plans).
TRACKER_PAGES = ("overdue_page", "overdue_api", "item")
TRACKER_SCALES = (0.05, 0.51)
#: The name of the write-load section for --only (bench/write_load.py).
WRITE_LOAD = "write-load"
#: The name of the plan-import section for --only (bench/plan_import.py).
PLAN_IMPORT = "plan-import"
#: The name of the province-of-work-groups section for --only (bench/province_run.py; PostgreSQL, scale 1).
PROVINCE = "province"
#: The name of the e-mail delivery section for --only (bench/delivery.py).
DELIVERY = "delivery"

#: The targets of the issue (PostgreSQL, scale 1).
TARGETS = {"dashboard_p95_ms_1": 100, "my_tasks_rps_8": 200, "growth_p50": 1.5, "sweep_s": 2.0, "digests_s": 5.0,
           "rss_mb": 200}


@dataclass
class Target:
    """One page the benchmark loads."""

    name: str
    label: str
    path: str
    auth: str  # "secretariat", "liaison" or "api"


def _database_url(kind: str, scale: float) -> str:
    if kind == "postgresql":
        admin = sa.create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)"))
            conn.execute(sa.text(f"CREATE DATABASE {PG_DB}"))
        admin.dispose()
        return PG_ADMIN.rsplit("/", 1)[0] + "/" + PG_DB
    path = WORK / f"bench-{scale}.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return f"sqlite:///{path}"


def _env(url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update({"DATABASE_URL": url, "TASKTRACK_TODAY": TODAY.isoformat(), "TASKTRACK_ENV": "production",
                "SECRET_KEY": secrets.token_hex(32), "SESSION_COOKIE_SECURE": "0", "TASKTRACK_QUERY_COUNT": "1",
                "UPLOAD_DIR": str(WORK / "uploads"), "BASE_URL": "http://127.0.0.1"})
    return env


def _python(module: str, env: dict[str, str], *args: str) -> Any:
    out = subprocess.run([PYTHON, "-m", module, *args], env=env, cwd=ROOT, check=True, capture_output=True,
                         text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


class Server:
    """gunicorn with WORKERS sync workers on a loopback port."""

    def __init__(self, env: dict[str, str]) -> None:
        self.port = free_port()
        gunicorn = str(Path(PYTHON).with_name("gunicorn"))
        self.proc = subprocess.Popen(
            [gunicorn, "-w", str(WORKERS), "-b", f"127.0.0.1:{self.port}", "--access-logfile", "-",
             "--error-logfile", str(WORK / "gunicorn.log"), "--timeout", "120", "wsgi:app"],
            env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    break
            except OSError:
                time.sleep(0.2)
        else:
            raise RuntimeError("gunicorn did not start; see bench/work/gunicorn.log")

    def workers(self) -> list[int]:
        pids = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.proc.pid:
                pids.append(int(stat.parent.name))
        return sorted(pids)

    def peak_rss_mb(self) -> list[float]:
        peaks = []
        for pid in self.workers():
            match = re.search(r"VmHWM:\s+(\d+) kB", Path(f"/proc/{pid}/status").read_text())
            if match:
                peaks.append(round(int(match.group(1)) / 1024, 1))
        return peaks

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def _request(port: int, method: str, path: str, headers: dict[str, str],
             body: str | None = None) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request(method, path, body=body, headers=headers)
    response = conn.getresponse()
    data = response.read()
    result = response.status, {k.lower(): v for k, v in response.getheaders()}, data
    conn.close()
    return result


def login(port: int, email: str) -> str:
    """Sign in through the login form (with its CSRF token); return the Cookie header value."""
    status, headers, body = _request(port, "GET", "/login", {})
    cookie = headers.get("set-cookie", "").split(";", 1)[0]
    token = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', body)
    if token is None:
        token = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', body)
    assert token is not None, "no CSRF token on /login"
    form = urllib.parse.urlencode({"csrf_token": token.group(1).decode(), "email": email, "password": PASSWORD})
    status, headers, _ = _request(port, "POST", "/login", {
        "Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"}, form)
    assert status == 302, f"login of {email} failed ({status})"
    return headers["set-cookie"].split(";", 1)[0]


def _wrk(port: int, target_path: str, headers: dict[str, str], clients: int, seconds: float) -> dict[str, Any]:
    args = ["wrk", f"-t{min(clients, 2)}", f"-c{clients}", f"-d{max(1, round(seconds))}s", "--timeout", "30s",
            "-s", str(BENCH / "report.lua")]
    for name, value in headers.items():
        args += ["-H", f"{name}: {value}"]
    out = subprocess.run([*args, f"http://127.0.0.1:{port}{target_path}"], check=True, capture_output=True,
                         text=True).stdout
    line = next(x for x in out.splitlines() if x.startswith("{"))
    data = json.loads(line)
    return {"requests": data["requests"], "rps": round(data["requests"] / (data["duration_us"] / 1e6), 1),
            "p50_ms": round(data["p50_us"] / 1000, 1), "p95_ms": round(data["p95_us"] / 1000, 1),
            "errors": data["errors"], "tool": "wrk"}


def _python_load(port: int, target_path: str, headers: dict[str, str], clients: int,
                 seconds: float) -> dict[str, Any]:
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine = []
        while time.monotonic() < stop:
            started = time.perf_counter()
            conn.request("GET", target_path, headers=headers)
            response = conn.getresponse()
            response.read()
            mine.append(time.perf_counter() - started)
            if response.status != 200:
                errors[0] += 1
        with lock:
            latencies.extend(mine)

    started = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    cuts = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [latencies[0]] * 99
    return {"requests": len(latencies), "rps": round(len(latencies) / elapsed, 1),
            "p50_ms": round(cuts[49] * 1000, 1), "p95_ms": round(cuts[94] * 1000, 1), "errors": errors[0],
            "tool": "python"}


def _targets(url: str) -> tuple[list[Target], dict[str, Any]]:
    """Pick the pages to load from the generated data."""
    from tasktrack.models import Assignment, Plan, ProgressReport, Task, User

    engine = sa.create_engine(url)
    with engine.connect() as conn:
        province = conn.scalar(sa.select(Plan.id).order_by(Plan.id))
        task = conn.scalar(sa.select(Task.id).join(Assignment, Assignment.task_id == Task.id)
                           .where(Task.plan_id == province).group_by(Task.id)
                           .order_by(sa.func.count().desc(), Task.id).limit(1))
        with_liaison = sa.select(User.unit_id).where(User.role == "liaison", User.unit_id.is_not(None))
        unit = conn.scalar(sa.select(Assignment.unit_id).where(Assignment.closed_at.is_(None),
                                                               Assignment.unit_id.in_(with_liaison))
                           .group_by(Assignment.unit_id).order_by(sa.func.count().desc(), Assignment.unit_id).limit(1))
        liaison = conn.scalar(sa.select(User.email).where(User.unit_id == unit, User.role == "liaison")
                              .order_by(User.id).limit(1))
        counts = sa.select(ProgressReport.assignment_id, sa.func.count().label("n")).group_by(
            ProgressReport.assignment_id).subquery()
        item, history = conn.execute(
            sa.select(counts.c.assignment_id, counts.c.n).join(Assignment, Assignment.id == counts.c.assignment_id)
            .join(Task, Task.id == Assignment.task_id).where(Task.plan_id == province)
            .order_by(sa.func.abs(counts.c.n - 20), counts.c.assignment_id).limit(1)).one()
        info = {"province_plan": province, "task": task, "liaison_unit": unit, "liaison": liaison,
                "item": item, "item_reports": history,
                "open_assignments": conn.scalar(sa.select(sa.func.count()).select_from(Assignment)
                                                .where(Assignment.closed_at.is_(None))),
                "my_tasks_rows": conn.scalar(sa.select(sa.func.count()).select_from(Assignment)
                                             .where(Assignment.unit_id == unit, Assignment.closed_at.is_(None)))}
    engine.dispose()
    targets = [
        Target("dashboard", "督办总览 /dashboard", "/dashboard", "secretariat"),
        Target("my_tasks", "我的任务 /my/tasks", "/my/tasks", "liaison"),
        Target("task", "任务页（含进展记录）", f"/tasks/{task}", "secretariat"),
        Target("api_dashboard", "API 汇总 /api/v1/dashboard", "/api/v1/dashboard", "api"),
        Target("xlsx", "导出 xlsx", f"/plans/{province}/export.xlsx", "secretariat"),
        Target("overdue_page", "逾期清单页（全部计划，25/页）", "/dashboard/assignments?plan=all&light=red",
               "secretariat"),
        Target("overdue_api", "逾期清单 API（全部计划，100/页）", "/api/v1/assignments?plan=all&light=red&per_page=100",
               "api"),
        Target("item", "单项页（含全部进展历史）", f"/assignments/{item}", "secretariat"),
    ]
    return targets, info


def _api_token(env: dict[str, str]) -> str:
    out = subprocess.run([str(Path(PYTHON).with_name("flask")), "--app", "wsgi", "users", "token", "--email",
                          SECRETARIAT_EMAIL], env=env, cwd=ROOT, check=True, capture_output=True, text=True).stdout
    return out.strip().splitlines()[-1]


def run_one(kind: str, scale: float, seconds: float, use_wrk: bool, only: set[str] | None,
            cold: bool = True, jobs: bool = True) -> dict[str, Any]:
    """Benchmark one database at one scale (``jobs``: time the background jobs too)."""
    print(f"== {kind} scale {scale}", flush=True)
    url = _database_url(kind, scale)
    env = _env(url)
    generated = _python("bench.generate", env, "--scale", str(scale))
    print(f"   generated {generated}", flush=True)
    targets, info = _targets(url)
    token = _api_token(env)
    server = Server(env)
    pages: dict[str, Any] = {}
    load = _wrk if use_wrk else _python_load
    try:
        auth = {"secretariat": {"Cookie": login(server.port, SECRETARIAT_EMAIL)},
                "api": {"Authorization": f"Bearer {token}"}}
        if info["liaison"]:
            auth["liaison"] = {"Cookie": login(server.port, info["liaison"])}
        for target in targets:
            if only and target.name not in only:
                continue
            headers = auth[target.auth]
            status, response_headers, body = _request(server.port, "GET", target.path, headers)
            if status != 200:
                raise RuntimeError(f"{target.path} answered {status}: {body[:300]!r}")
            load(server.port, target.path, headers, 2, min(2.0, seconds))  # warm both workers
            one = load(server.port, target.path, headers, 1, seconds)
            warm_queries = int(_request(server.port, "GET", target.path, headers)[1].get("x-query-count", -1))
            eight = load(server.port, target.path, headers, 8, seconds)
            pages[target.name] = {"label": target.label, "path": target.path,
                                  "queries": int(response_headers.get("x-query-count", -1)),
                                  "queries_warm": warm_queries, "bytes": len(body),
                                  "c1": one, "c8": eight}
            print(f"   {target.name:14} q={warm_queries:3} p50={one['p50_ms']}ms "
                  f"p95={one['p95_ms']}ms rps8={eight['rps']}", flush=True)
        rss = server.peak_rss_mb()
    finally:
        server.stop()
    if cold:
        # The same pages with the render cache off: what each request costs when the data has just changed.
        server = Server({**env, "RENDER_CACHE_SIZE": "0"})
        try:
            auth["secretariat"] = {"Cookie": login(server.port, SECRETARIAT_EMAIL)}
            if info["liaison"]:
                auth["liaison"] = {"Cookie": login(server.port, info["liaison"])}
            for target in targets:
                if target.name in pages:
                    headers = auth[target.auth]
                    _request(server.port, "GET", target.path, headers)
                    result = load(server.port, target.path, headers, 1, seconds)
                    status, response_headers, _ = _request(server.port, "GET", target.path, headers)
                    result["queries"] = int(response_headers.get("x-query-count", -1))
                    pages[target.name]["cold"] = result
                    print(f"   {target.name:14} cold q={result['queries']:3} p50={result['p50_ms']}ms "
                          f"p95={result['p95_ms']}ms", flush=True)
            rss = [max(a, b) for a, b in zip(rss, server.peak_rss_mb(), strict=False)]
        finally:
            server.stop()
    timings = _python("bench.jobs", env) if jobs else None
    if timings:
        print(f"   jobs {timings}", flush=True)
    return {"database": kind, "scale": scale, "data": generated, "targets": info, "pages": pages,
            "worker_peak_rss_mb": rss, "jobs": timings}


def _growth(runs: list[dict[str, Any]], which: str = "c1") -> dict[str, dict[str, float]]:
    """p50 at the largest scale over p50 at the smallest, per database and page (``which``: c1 or cold)."""
    growth: dict[str, dict[str, float]] = {}
    for kind in sorted({r["database"] for r in runs}):
        mine = sorted((r for r in runs if r["database"] == kind), key=lambda r: r["scale"])
        if len(mine) < 2:
            continue
        small, large = mine[0], mine[-1]
        growth[kind] = {name: round(page[which]["p50_ms"] / max(small["pages"][name][which]["p50_ms"], 0.01), 2)
                        for name, page in large["pages"].items()
                        if name in small["pages"] and which in page and which in small["pages"][name]}
    return growth


def _checks(runs: list[dict[str, Any]], growth: dict[str, dict[str, float]]) -> list[tuple[str, str, bool]]:
    pg = [r for r in runs if r["database"] == "postgresql"]
    if not pg:
        return []
    top = max(pg, key=lambda r: r["scale"])
    pages, jobs = top["pages"], top["jobs"]
    checks = []
    if "dashboard" in pages:
        p95 = pages["dashboard"]["c1"]["p95_ms"]
        checks.append(("督办总览 p95（1 个客户端）≤ 100 ms", f"{p95} ms", p95 <= TARGETS["dashboard_p95_ms_1"]))
    if "my_tasks" in pages:
        rps = pages["my_tasks"]["c8"]["rps"]
        checks.append(("我的任务 ≥ 200 次/秒（8 个客户端）", f"{rps} 次/秒", rps >= TARGETS["my_tasks_rps_8"]))
    if "postgresql" in growth:
        worst = max(growth["postgresql"].items(), key=lambda kv: kv[1])
        checks.append(("数据 10 倍，任何页面 p50 增长 ≤ 1.5 倍", f"最大 {worst[1]} 倍（{worst[0]}）",
                       worst[1] <= TARGETS["growth_p50"]))
    checks.append(("提醒扫描 ≤ 2 s", f"{jobs['sweep']['seconds']} s", jobs["sweep"]["seconds"] <= TARGETS["sweep_s"]))
    checks.append(("全部周报生成 ≤ 5 s", f"{jobs['digests']['seconds']} s",
                   jobs["digests"]["seconds"] <= TARGETS["digests_s"]))
    rss = max(top["worker_peak_rss_mb"] or [0])
    checks.append(("工作进程峰值内存 ≤ 200 MB", f"{rss} MB", rss <= TARGETS["rss_mb"]))
    return checks


def markdown(result: dict[str, Any]) -> str:
    """Render the results as a markdown report."""
    runs, growth = result["runs"], result["growth"]
    lines = [f"# tasktrack benchmark — {result['started']}", "",
             f"Command: `{result['command']}`  ", f"Machine: {result['machine']}  "]
    if runs:
        lines.append(f"gunicorn {WORKERS} sync workers on loopback, production config; load tool: {result['tool']}; "
                     f"{result['duration']} s per measurement; today pinned to {TODAY}.")
    lines.append("")
    checks = _checks(runs, growth)
    if checks:
        lines += ["## Targets (PostgreSQL, largest scale)", "", "| target | measured | met |", "|---|---|---|"]
        lines += [f"| {name} | {value} | {'✅' if ok else '❌'} |" for name, value, ok in checks]
        lines.append("")
    for run in runs:
        d = run["data"]
        lines += [f"## {run['database']} · scale {run['scale']}", "",
                  f"{d['plans']} plans, {d['units']} units, {d['users']} users, {d['assignments']} assignments, "
                  f"{d['reports']} progress reports, {d['cases']} case reports (generated in {d['seconds']} s). "
                  f"我的任务 of a unit with {run['targets']['my_tasks_rows']} open assignments; the item page shows "
                  f"{run['targets']['item_reports']} reports.", "",
                  "| page | SQL/req (first, cached) | 1 client p50 ms | p95 ms | req/s "
                  "| 8 clients req/s | p50 ms | p95 ms | errors "
                  "| cache off: SQL/req | p50 ms | p95 ms |",
                  "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for page in run["pages"].values():
            c1, c8 = page["c1"], page["c8"]
            cold = page.get("cold") or {"queries": "–", "p50_ms": "–", "p95_ms": "–"}
            lines.append(f"| {page['label']} | {page['queries']}, {page.get('queries_warm', '–')} "
                         f"| {c1['p50_ms']} | {c1['p95_ms']} | {c1['rps']} | "
                         f"{c8['rps']} | {c8['p50_ms']} | {c8['p95_ms']} | {c1['errors'] + c8['errors']} "
                         f"| {cold['queries']} | {cold['p50_ms']} | {cold['p95_ms']} |")
        jobs = run["jobs"]
        if jobs is None:
            lines += ["", f"Worker peak RSS: {', '.join(f'{x} MB' for x in run['worker_peak_rss_mb'])}.", ""]
            continue
        lines += ["", f"Worker peak RSS: {', '.join(f'{x} MB' for x in run['worker_peak_rss_mb'])}.  ",
                  f"Reminder sweep: {jobs['sweep']['seconds']} s ({jobs['sweep']['messages']} messages, "
                  f"{jobs['sweep']['items']} items; a second run {jobs['sweep_again']['seconds']} s, "
                  f"{jobs['sweep_again']['messages']} new).  ",
                  f"Weekly digests: {jobs['digests']['seconds']} s ({jobs['digests']['messages']} messages).  ",
                  f"Delivery of {jobs['delivery']['messages']} messages to aiosmtpd on loopback: "
                  f"{jobs['delivery']['seconds']} s ({jobs['delivery']['received']} received).", ""]
    cold = result.get("growth_cold") or {}
    if growth:
        columns = [*growth, *(f"{k} (cache off)" for k in cold)]
        lines += ["## Growth of p50 from the smallest to the largest scale (×)", "",
                  "| page | " + " | ".join(columns) + " |", "|---|" + "---:|" * len(columns)]
        names = next(iter(runs))["pages"].keys()
        for name in names:
            label = next(iter(runs))["pages"][name]["label"]
            cells = [str(g.get(name, "–")) for g in [*growth.values(), *cold.values()]]
            lines.append(f"| {label} | " + " | ".join(cells) + " |")
        lines.append("")
    lines += write_load.markdown(result.get("write_load") or {})
    lines += plan_import.markdown(result.get("plan_import") or {})
    lines += delivery.markdown(result.get("delivery") or {})
    if result.get("province"):
        from bench import province_run

        lines += province_run.markdown(result["province"])
    lines += _tracker_markdown(result.get("tracker") or [])
    return "\n".join(lines)


def _tracker_markdown(tracker: list[dict[str, Any]]) -> list[str]:
    """The general-tracker shapes side by side at the two tracker scales, with the growth of p50."""
    if not tracker:
        return []
    lines = ["## The shapes a general tracker is measured on, at ≈1,000 and ≈10,000 assignments", "",
             "The province-wide overdue list as a page (25 a page) and through the API (100 a page), and one "
             "assignment's page with its whole history; 1 client p50 / p95 ms, 8 clients req/s, SQL per request "
             "(cached).", ""]
    for kind in sorted({r["database"] for r in tracker}):
        mine = sorted((r for r in tracker if r["database"] == kind), key=lambda r: r["scale"])
        heads = [f"{r['data']['assignments']} assignments (scale {r['scale']})" for r in mine]
        lines += [f"### {kind}", "", "| page | " + " | ".join(heads) + " | growth of p50 |",
                  "|---|" + "---|" * len(mine) + "---:|"]
        for name in mine[0]["pages"]:
            cells = []
            for r in mine:
                page = r["pages"].get(name)
                cells.append("–" if page is None else
                             f"{page['c1']['p50_ms']} / {page['c1']['p95_ms']} ms, {page['c8']['rps']} req/s, "
                             f"{page.get('queries_warm', '–')} SQL")
            first, last = mine[0]["pages"].get(name), mine[-1]["pages"].get(name)
            growth = (round(last["c1"]["p50_ms"] / max(first["c1"]["p50_ms"], 0.01), 2)
                      if first and last and len(mine) > 1 else "–")
            lines.append(f"| {mine[0]['pages'][name]['label']} | " + " | ".join(cells) + f" | {growth} |")
        lines.append("")
    return lines


def _machine() -> str:
    cpu = "?"
    with contextlib.suppress(OSError, StopIteration):
        cpu = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                   if line.startswith("model name"))
    return f"{os.cpu_count()} CPUs ({cpu}), Python {sys.version.split()[0]}"


def main(argv: list[str] | None = None) -> None:
    """Command line."""
    parser = argparse.ArgumentParser(description="tasktrack province-scale benchmark")
    parser.add_argument("--scales", type=float, nargs="+", default=[0.1, 1.0])
    parser.add_argument("--databases", nargs="+", default=["postgresql", "sqlite"], choices=["postgresql", "sqlite"])
    parser.add_argument("--duration", type=float, default=3.0, help="seconds per measurement")
    parser.add_argument("--only", nargs="*",
                        help=f"page names to load, and/or {WRITE_LOAD} / {PLAN_IMPORT} / {PROVINCE} / {DELIVERY} "
                             "for those sections "
                             "(default: all)")
    parser.add_argument("--client", choices=["wrk", "python"], default="wrk" if shutil.which("wrk") else "python")
    parser.add_argument("--no-cold", action="store_true", help="skip the pass with the render cache off")
    parser.add_argument("--tracker-scales", type=float, nargs="*", default=list(TRACKER_SCALES),
                        help="scales for the general-tracker shapes at ~1,000 and ~10,000 assignments (none: skip)")
    parser.add_argument("--write-load-writers", type=int, default=write_load.WRITERS,
                        help="API clients posting reports at once in the write-load section")
    parser.add_argument("--write-load-duration", type=float, default=write_load.DURATION,
                        help="seconds of the write-load section, per database")
    parser.add_argument("--province-scale", type=float, default=1.0,
                        help=f"the scale of the {PROVINCE} section (1: 1 + 11 + 90 work groups, 2,000,000 reports)")
    parser.add_argument("--out", default=str(RESULTS))
    args = parser.parse_args(argv)
    WORK.mkdir(parents=True, exist_ok=True)
    started = dt.datetime.now().astimezone()
    only = set(args.only) - {WRITE_LOAD, PLAN_IMPORT, PROVINCE, DELIVERY} if args.only else None
    writes_only = only == set()  # --only write-load / plan-import: those sections alone (latest stays as it is)
    runs = [run_one(kind, scale, args.duration, args.client == "wrk", only, cold=not args.no_cold)
            for kind in args.databases for scale in sorted(args.scales)] if not writes_only else []
    result = {"started": started.isoformat(timespec="seconds"), "machine": _machine(), "tool": args.client,
              "duration": args.duration, "command": "python -m bench.run " + " ".join(argv or sys.argv[1:]),
              "runs": runs, "growth": _growth(runs), "growth_cold": _growth(runs, "cold"), "tracker": [],
              "write_load": {}, "plan_import": {}, "province": {}, "delivery": {}}
    if not args.only or WRITE_LOAD in args.only:
        for kind in args.databases:
            print(f"== {kind} write load", flush=True)
            measured = write_load.run(kind, writers=args.write_load_writers, seconds=args.write_load_duration,
                                      where=WORK, pg_admin=PG_ADMIN)
            print(write_load.line(kind, measured), flush=True)
            result["write_load"][kind] = measured.as_dict()
    if not args.only or PLAN_IMPORT in args.only:
        for kind in args.databases:
            print(f"== {kind} plan import", flush=True)
            imported = plan_import.run(kind, where=WORK, pg_admin=PG_ADMIN)
            print(plan_import.line(imported), flush=True)
            result["plan_import"][kind] = imported
    if not args.only or DELIVERY in args.only:
        for kind in args.databases:
            print(f"== {kind} delivery", flush=True)
            delivered = delivery.run(kind, where=WORK, pg_admin=PG_ADMIN)
            print(delivery.line(delivered), flush=True)
            result["delivery"][kind] = delivered
    if not args.only or PROVINCE in args.only:
        from bench import province_run

        print("== postgresql province", flush=True)
        result["province"] = province_run.run("postgresql", scale=args.province_scale, seconds=args.duration,
                                              pg_admin=PG_ADMIN)
    _save(result, Path(args.out), started, latest=not writes_only)  # kept even if a tracker run fails
    tracker_pages = set(TRACKER_PAGES) & only if only is not None else set(TRACKER_PAGES)
    if tracker_pages:
        result["tracker"] = [run_one(kind, scale, args.duration, args.client == "wrk", tracker_pages, cold=False,
                                     jobs=False)
                             for kind in args.databases for scale in sorted(args.tracker_scales or [])]
    print(_save(result, Path(args.out), started, latest=not writes_only))


def _save(result: dict[str, Any], out: Path, started: dt.datetime, latest: bool = True) -> str:
    """Write the results (JSON and markdown, with a timestamp and, if ``latest``, as latest); return the markdown."""
    out.mkdir(parents=True, exist_ok=True)
    stamp = started.strftime("%Y%m%d-%H%M%S")
    report = markdown(result)
    for name in (stamp, "latest") if latest else (stamp,):
        (out / f"{name}.json").write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
        (out / f"{name}.md").write_text(report, encoding="utf-8")
    return report


if __name__ == "__main__":
    main()
