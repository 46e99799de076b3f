"""One database at one scale: generate, pick the pages, load each with the render cache on and off, then the
sections that need the same data (the raw-SQL floor, the mixed read/write run) and the background jobs."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from bench import serve
from bench.generate import SECRETARIAT_EMAIL, TODAY
from bench.load import Load, python_load, wrk

#: Section names for --only that run on the generated data of a page run (bench/mixed.py, bench/sql_floor.py).
MIXED = "mixed"
SQL_FLOOR = "sql-floor"


@dataclass
class Target:
    """One page the benchmark loads."""

    name: str
    label: str
    path: str
    auth: str  # "secretariat", "liaison" or "api"


PAGE_NAMES = ("dashboard", "my_tasks", "task", "api_dashboard", "xlsx", "overdue_page", "overdue_api", "item",
              "item_short")


def pick_targets(url: str, today: Any = TODAY) -> tuple[list[Target], dict[str, Any]]:
    """Pick the pages to load from the generated data (and describe it: open and overdue assignments)."""
    from tasktrack.models import Assignment, Plan, ProgressReport, Task, User

    engine = sa.create_engine(url)
    with engine.connect() as conn:
        province = conn.scalar(sa.select(Plan.id).order_by(Plan.id))
        task = conn.scalar(sa.select(Task.id).join(Assignment, Assignment.task_id == Task.id)
                           .where(Task.plan_id == province).group_by(Task.id)
                           .order_by(sa.func.count().desc(), Task.id).limit(1))
        with_liaison = sa.select(User.unit_id).where(User.role == "liaison", User.unit_id.is_not(None))
        open_work = sa.and_(Assignment.closed_at.is_(None), Assignment.status != "completed")
        unit = conn.scalar(sa.select(Assignment.unit_id).where(open_work, Assignment.unit_id.in_(with_liaison))
                           .group_by(Assignment.unit_id).order_by(sa.func.count().desc(), Assignment.unit_id).limit(1))
        liaison = conn.scalar(sa.select(User.email).where(User.unit_id == unit, User.role == "liaison")
                              .order_by(User.id).limit(1))
        counts = sa.select(ProgressReport.assignment_id, sa.func.count().label("n")).group_by(
            ProgressReport.assignment_id).subquery()

        def item_with(reports: int) -> tuple[int, int]:
            row = conn.execute(
                sa.select(counts.c.assignment_id, counts.c.n).join(Assignment, Assignment.id == counts.c.assignment_id)
                .join(Task, Task.id == Assignment.task_id).where(Task.plan_id == province)
                .order_by(sa.func.abs(counts.c.n - reports), counts.c.assignment_id).limit(1)).one()
            return int(row[0]), int(row[1])

        item, history = item_with(20)
        short, short_history = item_with(3)
        assignments = int(conn.scalar(sa.select(sa.func.count()).select_from(Assignment)
                                  .where(Assignment.closed_at.is_(None))) or 0)
        overdue = int(conn.scalar(sa.select(sa.func.count()).select_from(Assignment)
                              .join(Task, Task.id == Assignment.task_id)
                              .where(open_work, Task.due_date < today)) or 0)
        info = {"province_plan": province, "task": task, "liaison_unit": unit, "liaison": liaison,
                "item": item, "item_reports": history, "item_short": short, "item_short_reports": short_history,
                "assignments": assignments,
                "open_assignments": conn.scalar(sa.select(sa.func.count()).select_from(Assignment).where(open_work)),
                "overdue_assignments": overdue, "overdue_share": round(overdue / max(assignments, 1), 3),
                "my_tasks_rows": conn.scalar(sa.select(sa.func.count()).select_from(Assignment)
                                             .where(Assignment.unit_id == unit, open_work))}
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
        Target("item", f"单项页（{history} 条进展）", f"/assignments/{item}", "secretariat"),
        Target("item_short", f"单项页（{short_history} 条进展）", f"/assignments/{short}", "secretariat"),
    ]
    return targets, info


def sign_in(port: int, info: dict[str, Any], token: str) -> dict[str, dict[str, str]]:
    """The request headers of each kind of reader: the secretariat, the busiest unit's liaison, the API token."""
    auth = {"secretariat": {"Cookie": serve.login(port, SECRETARIAT_EMAIL)},
            "api": {"Authorization": f"Bearer {token}"}}
    if info["liaison"]:
        auth["liaison"] = {"Cookie": serve.login(port, info["liaison"])}
    return auth


def _cached_pass(env: dict[str, str], targets: list[Target], info: dict[str, Any], token: str, load: Load,
                 seconds: float) -> tuple[dict[str, Any], list[float]]:
    pages: dict[str, Any] = {}
    server = serve.Server(env)
    try:
        auth = sign_in(server.port, info, token)
        for target in targets:
            headers = auth[target.auth]
            status, response_headers, body = serve.request(server.port, "GET", target.path, headers)
            if status != 200:
                raise RuntimeError(f"{target.path} answered {status}: {body[:300]!r}")
            load(server.port, target.path, headers, 2, min(2.0, seconds))  # warm both workers
            one = load(server.port, target.path, headers, 1, seconds)
            warm_queries = int(serve.request(server.port, "GET", target.path, headers)[1].get("x-query-count", -1))
            eight = load(server.port, target.path, headers, 8, seconds)
            pages[target.name] = {"label": target.label, "path": target.path,
                                  "queries": int(response_headers.get("x-query-count", -1)),
                                  "queries_warm": warm_queries, "bytes": len(body), "c1": one, "c8": eight}
            print(f"   {target.name:14} q={warm_queries:3} p50={one['p50_ms']}ms p95={one['p95_ms']}ms "
                  f"rps8={eight['rps']} errors={one['errors'] + eight['errors']}", flush=True)
        return pages, server.peak_rss_mb()
    finally:
        server.stop()


def _cold_pass(env: dict[str, str], targets: list[Target], info: dict[str, Any], token: str, load: Load,
               seconds: float, pages: dict[str, Any]) -> list[float]:
    """The same pages with the render cache off: what each request costs when the data has just changed."""
    server = serve.Server({**env, "RENDER_CACHE_SIZE": "0"})
    try:
        auth = sign_in(server.port, info, token)
        for target in targets:
            headers = auth[target.auth]
            status, _, body = serve.request(server.port, "GET", target.path, headers)
            if status != 200:
                raise RuntimeError(f"{target.path} answered {status} with the cache off: {body[:300]!r}")
            load(server.port, target.path, headers, 2, min(2.0, seconds))  # warm both workers
            one = load(server.port, target.path, headers, 1, seconds)
            one["queries"] = int(serve.request(server.port, "GET", target.path, headers)[1].get("x-query-count", -1))
            eight = load(server.port, target.path, headers, 8, seconds)
            page = pages.setdefault(target.name, {"label": target.label, "path": target.path})
            page["cold"], page["cold8"] = one, eight
            print(f"   {target.name:14} cache off q={one['queries']:3} p50={one['p50_ms']}ms "
                  f"p95={one['p95_ms']}ms rps8={eight['rps']} errors={one['errors'] + eight['errors']}", flush=True)
        return server.peak_rss_mb()
    finally:
        server.stop()


def run_one(kind: str, scale: float, seconds: float, use_wrk: bool, pages_only: set[str] | None,
            sections: set[str] | frozenset[str] = frozenset(), *, cold: bool = True, jobs: bool = True,
            overdue: float | None = None, mixed_seconds: float = 10.0) -> dict[str, Any]:
    """Benchmark one database at one scale.

    ``pages_only``: the pages to load (None: all); ``sections``: MIXED and/or SQL_FLOOR to run on the same data;
    ``jobs``: time the background jobs; ``overdue``: generate the data set with that share of overdue assignments.
    """
    from bench import mixed, sql_floor

    load: Load = wrk if use_wrk else python_load
    print(f"== {kind} scale {scale}" + (f" (overdue share {overdue})" if overdue is not None else ""), flush=True)
    loads = [serve.load_average("generate", database=kind, scale=scale)]
    url = serve.database_url(kind, scale)
    env = serve.env_for(url)
    generated = serve.python_json("bench.generate", env, "--scale", str(scale),
                                  *(["--overdue", str(overdue)] if overdue is not None else []))
    print(f"   generated {generated}", flush=True)
    targets, info = pick_targets(url)
    print(f"   {info['assignments']} assignments, {info['open_assignments']} open, {info['overdue_assignments']} "
          f"overdue ({100 * info['overdue_share']:.1f} %)", flush=True)
    if pages_only is not None:
        targets = [t for t in targets if t.name in pages_only]
    token = serve.api_token(env)
    pages: dict[str, Any] = {}
    rss: list[float] = []
    if targets:
        loads.append(serve.load_average("pages", database=kind, scale=scale))
        pages, rss = _cached_pass(env, targets, info, token, load, seconds)
    floor_targets = targets or (pick_targets(url)[0] if SQL_FLOOR in sections else [])
    if (cold and targets) or (SQL_FLOOR in sections and floor_targets):
        loads.append(serve.load_average("cache off", database=kind, scale=scale))
        cold_rss = _cold_pass(env, floor_targets, info, token, load, seconds, pages)
        rss = [max(a, b) for a, b in zip(rss, cold_rss, strict=False)] if rss else cold_rss
    floor = None
    if SQL_FLOOR in sections:
        loads.append(serve.load_average("sql-floor", database=kind, scale=scale))
        floor = sql_floor.measure(env, floor_targets, info, token)
        for name, measured in floor.items():
            pages.setdefault(name, {})["floor"] = measured
        print(sql_floor.lines(pages), flush=True)
    mixed_result = None
    if MIXED in sections:
        loads.append(serve.load_average("mixed", database=kind, scale=scale))
        mixed_result = mixed.run(env, seconds=mixed_seconds, use_wrk=use_wrk)
    timings = None
    if jobs:
        loads.append(serve.load_average("jobs", database=kind, scale=scale))
        timings = serve.python_json("bench.jobs", env)
        print(f"   jobs {json.dumps(timings)}", flush=True)
    return {"database": kind, "scale": scale, "overdue": overdue, "data": generated, "targets": info,
            "pages": pages, "worker_peak_rss_mb": rss, "jobs": timings, "mixed": mixed_result, "load": loads}
