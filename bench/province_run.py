"""The province benchmark (issue 12, "Scale"): a province of work groups, served by gunicorn, each level's pages.

    python -m bench.province_run                          # scale 1 on PostgreSQL (~10 minutes to generate)
    python -m bench.province_run --scale 0.02 --database sqlite --duration 1     # the test's size
    python -m bench.run --only province                   # the same section inside `make bench`

``bench.province`` generates the data set (``bench.generate --province``); gunicorn (2 workers, the production
config, today pinned) serves it twice: with the render cache, then with ``RENDER_CACHE_SIZE=0``. Each page of
:data:`PAGES` is loaded for ``--duration`` seconds by one client, as the reader its line names: the provincial
secretariat, 杭州's, a liaison of a provincial member unit, a liaison of a county member unit under 杭州, or the
provincial secretariat's API token. A page that answers 404 is not on this branch yet (another helper builds
it): it is listed as waiting, not measured. Then, on the cached server: a county liaison posts a report through
the API and each page is fetched once (``write → page``: the POST plus the first, rebuilt, page; five times, the
median), and the daily sweep over every work group's assignments runs in-process (target ≤ 10 s). A new page is
one line of :data:`PAGES`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from bench import serve as bench
from bench.load import python_load
from bench.province import SAMPLE_CITY

#: The targets of the issue at scale 1 on PostgreSQL.
TARGETS = {"uncached_p95_ms": 100.0, "sweep_s": 10.0}
PG_DB = bench.PG_DB + "_province"


@dataclass(frozen=True)
class Page:
    """A page to load: ``path`` may name {city_group}, {city_plan}, {province_plan}, {county_group}."""

    name: str
    label: str
    path: str
    who: str  # "province", "city", "province_liaison", "county_liaison", "api"


PAGES = [
    Page("dashboard_province", "督办总览（省专班）", "/dashboard", "province"),
    Page("dashboard_city", "督办总览（杭州市专班）", "/dashboard", "city"),
    Page("my_tasks_province", "我的任务（省成员单位联络员）", "/my/tasks", "province_liaison"),
    Page("my_tasks_county", "我的任务（杭州一县成员单位联络员）", "/my/tasks", "county_liaison"),
    Page("overdue_province", "逾期清单（省专班，全部计划）", "/dashboard/assignments?plan=all&light=red", "province"),
    Page("overdue_city", "逾期清单（杭州市专班，全部计划）", "/dashboard/assignments?plan=all&light=red", "city"),
    Page("overdue_api_province", "逾期清单 API（省，100/页）", "/api/v1/assignments?plan=all&light=red&per_page=100",
         "api"),
    Page("work_groups", "工作专班树 /work-groups（省）", "/work-groups", "province"),
    Page("inbound_city", "上级下达任务 /inbound（杭州市）", "/inbound", "city"),
    Page("api_group_dashboard_city", "API 专班汇总（杭州市）", "/api/v1/work-groups/{city_group}/dashboard", "api"),
]


def _who(url: str) -> dict[str, Any]:
    """Find the accounts and ids the pages need in a generated province."""
    from tasktrack.models import Assignment, Plan, Unit, User, WorkGroup

    engine = sa.create_engine(url)
    with engine.connect() as conn:
        province = conn.scalar(sa.select(WorkGroup.id).where(WorkGroup.parent_id.is_(None)))
        city = conn.scalar(sa.select(WorkGroup.id).where(WorkGroup.name == f"{SAMPLE_CITY}清廉社会组织建设工作专班"))
        county = conn.scalar(sa.select(WorkGroup.id).where(WorkGroup.parent_id == city).order_by(WorkGroup.id))

        def secretariat(group: int) -> str:
            return str(conn.scalar(sa.select(User.email).where(User.work_group_id == group, User.role == "secretariat")
                                   .order_by(User.id)))

        def busiest_liaison(group: int) -> tuple[str, int, int]:
            unit, count = conn.execute(
                sa.select(Assignment.unit_id, sa.func.count()).join(Unit, Unit.id == Assignment.unit_id)
                .where(Unit.work_group_id == group, Unit.kind == "member", Assignment.closed_at.is_(None))
                .group_by(Assignment.unit_id).order_by(sa.func.count().desc(), Assignment.unit_id).limit(1)).one()
            email = conn.scalar(sa.select(User.email).where(User.unit_id == unit, User.role == "liaison")
                                .order_by(User.id))
            open_one = conn.scalar(sa.select(Assignment.id).where(Assignment.unit_id == unit,
                                                                  Assignment.closed_at.is_(None)).order_by(Assignment.id))
            return str(email), int(count), int(open_one)

        liaison, liaison_rows, _ = busiest_liaison(province)
        county_liaison, county_rows, county_assignment = busiest_liaison(county)
        found = {"province_group": province, "city_group": city, "county_group": county,
                 "province_plan": conn.scalar(sa.select(Plan.id).where(Plan.work_group_id == province)),
                 "city_plan": conn.scalar(sa.select(Plan.id).where(Plan.work_group_id == city)),
                 "province": secretariat(province), "city": secretariat(city), "province_liaison": liaison,
                 "province_liaison_open": liaison_rows, "county_liaison": county_liaison,
                 "county_liaison_open": county_rows, "county_assignment": county_assignment}
    engine.dispose()
    return found


def _tokens(env: dict[str, str], emails: list[str]) -> list[str]:
    """Issue an API token for each account with the app's `flask users token`, all in one process (:func:`tokens`)."""
    return list(bench.python_json("bench.province_run", env, "--tokens", *emails))


def tokens(emails: list[str]) -> list[str]:
    """Run `flask users token --email …` for each account inside one app (one start-up, not one a token)."""
    from tasktrack import create_app

    runner = create_app().test_cli_runner()
    issued = []
    for email in emails:
        result = runner.invoke(args=["users", "token", "--email", email])
        if result.exit_code != 0:
            raise RuntimeError(f"flask users token --email {email}: {result.output}")
        issued.append(result.output.strip().splitlines()[-1])
    return issued


def _headers(port: int, who: dict[str, Any], tokens: dict[str, str]) -> dict[str, dict[str, str]]:
    headers = {role: {"Cookie": bench.login(port, who[role])}
               for role in ("province", "city", "province_liaison", "county_liaison")}
    headers["api"] = {"Authorization": f"Bearer {tokens['province']}"}
    return headers


def _load(port: int, pages: list[Page], who: dict[str, Any], headers: dict[str, dict[str, str]],
          seconds: float) -> dict[str, Any]:
    measured: dict[str, Any] = {}
    for page in pages:
        path = page.path.format(**who)
        status, answer, _ = bench.request(port, "GET", path, headers[page.who])
        if status == 404:
            measured[page.name] = {"waiting": True, "status": status}
            continue
        if status != 200:
            measured[page.name] = {"error": status}
            continue
        for _ in range(4):  # both workers build (or load) it once
            bench.request(port, "GET", path, headers[page.who])
        figures = python_load(port, path, headers[page.who], 1, seconds)
        figures["queries"] = int(answer.get("x-query-count", 0))
        measured[page.name] = figures
        print(f"   {page.label:30} p50 {figures['p50_ms']} ms, p95 {figures['p95_ms']} ms "
              f"({figures['requests']} requests, {figures['queries']} SQL)", flush=True)
    return measured


def _write_to_page(port: int, pages: list[Page], who: dict[str, Any], headers: dict[str, dict[str, str]],
                   token: str, rounds: int = 5) -> dict[str, Any]:
    """A county liaison's report through the API, then each page once: the time until it shows the new data."""
    times: dict[str, list[float]] = {p.name: [] for p in pages}
    posts: list[float] = []
    for k in range(rounds):
        for page in pages:
            body = json.dumps({"status": "in_progress", "percent": 50 + k,
                               "narrative": f"县级报送第{k + 1}次：{page.name}"})
            began = time.perf_counter()
            status, _, answer = bench.request(port, "POST", f"/api/v1/assignments/{who['county_assignment']}/reports",
                                               {"Authorization": f"Bearer {token}",
                                                "Content-Type": "application/json"}, body)
            posted = time.perf_counter()
            if status != 201:
                raise RuntimeError(f"the county report answered {status}: {answer[:300]!r}")
            status, _, _ = bench.request(port, "GET", page.path.format(**who), headers[page.who])
            if status == 200:
                times[page.name].append((time.perf_counter() - began) * 1000)
                posts.append((posted - began) * 1000)
    result = {name: round(statistics.median(ms), 1) for name, ms in times.items() if ms}
    result["post_only"] = round(statistics.median(posts), 1) if posts else 0.0
    return result


def sweep() -> dict[str, Any]:
    """Run the daily sweep over every assignment of every work group (in-process; the scheduler's job body)."""
    from tasktrack import context, create_app
    from tasktrack import settings as app_settings
    from tasktrack.clock import SHANGHAI
    from tasktrack.extensions import db
    from tasktrack.services import reminders

    app = create_app()
    with app.app_context():
        today = context.today()
        now = dt.datetime.combine(today, dt.time(8, 0), tzinfo=SHANGHAI).astimezone(dt.UTC)
        typed = app_settings.of(app)
        began = time.perf_counter()
        report = reminders.run_sweep(today, typed.reminders, base_url=typed.base_url, now=now)
        db.session.commit()
        return {"seconds": round(time.perf_counter() - began, 3), "messages": len(report.queued),
                "items": report.items}


def run(kind: str = "postgresql", *, scale: float = 1.0, seconds: float = 5.0, pages: list[Page] | None = None,
        cold: bool = True, where: Path = bench.WORK, pg_admin: str = bench.PG_ADMIN, name: str = PG_DB,
        url: str | None = None, workers: int = bench.WORKERS, rounds: int = 5) -> dict[str, Any]:
    """Generate (unless ``url`` names a generated database), serve, load each page cached and uncached.

    ``workers``: gunicorn's; ``rounds``: of write → page (the median is reported).
    """
    from bench import write_load

    pages = PAGES if pages is None else pages
    where.mkdir(parents=True, exist_ok=True)
    result: dict[str, Any] = {"database": kind, "scale": scale}
    if url is None:
        url = write_load.fresh_database(kind, where, pg_admin, name)
        env = bench.env_for(url)
        print(f"== province {kind} scale {scale}: generating", flush=True)
        result["data"] = bench.python_json("bench.generate", env, "--province", "--scale", str(scale))
    env = bench.env_for(url)
    result["who"] = who = _who(url)
    issued = dict(zip(("province", "county_liaison"), _tokens(env, [who["province"], who["county_liaison"]]),
                      strict=True))
    for mode, extra in (("cached", {}), ("uncached", {"RENDER_CACHE_SIZE": "0"})) if cold else (("cached", {}),):
        server = bench.Server({**env, **extra}, workers=workers)
        try:
            headers = _headers(server.port, who, issued)
            print(f"== province {kind}: {mode}", flush=True)
            result[mode] = _load(server.port, pages, who, headers, seconds)
            if mode == "cached":
                live = [p for p in pages if not result[mode][p.name].get("waiting")]
                result["write_to_page"] = _write_to_page(server.port, live, who, headers, issued["county_liaison"],
                                                         rounds)
        finally:
            server.stop()
    result["sweep"] = bench.python_json("bench.province_run", {**env, "PYTHONPATH": str(bench.ROOT)}, "--sweep")
    result["waiting"] = [p.name for p in pages if result["cached"][p.name].get("waiting")]
    return result


def markdown(result: dict[str, Any], pages: list[Page] | None = None) -> list[str]:
    """The province section of the benchmark report."""
    pages = PAGES if pages is None else pages
    data = result.get("data", {})
    lines = [f"## Province of work groups ({result['database']}, scale {result['scale']})", "",
             f"{data.get('groups', '?')} work groups, {data.get('units', '?')} units, {data.get('users', '?')} users, "
             f"{data.get('plans', '?')} plans, {data.get('assignments', '?')} assignments, "
             f"{data.get('reports', '?')} progress reports, {data.get('links', '?')} task links; generated in "
             f"{data.get('seconds', '?')} s. One client; p50 / p95 in ms; SQL statements of one request.", "",
             "| page | cached p50 / p95 | uncached p50 / p95 | SQL (uncached) | write → page (median) |",
             "|---|---|---|---:|---:|"]
    for page in pages:
        cached, uncached = result.get("cached", {}).get(page.name, {}), result.get("uncached", {}).get(page.name, {})
        if cached.get("waiting"):
            lines.append(f"| {page.label} | waits on another branch (404 here) | | | |")
            continue

        def cell(m: dict[str, Any]) -> str:
            return f"{m['p50_ms']} / {m['p95_ms']}" if "p50_ms" in m else str(m.get("error", "–"))

        lines.append(f"| {page.label} | {cell(cached)} | {cell(uncached)} | {uncached.get('queries', '–')} "
                     f"| {result.get('write_to_page', {}).get(page.name, '–')} |")
    sweep = result.get("sweep", {})
    lines += ["", f"Daily sweep over every work group: {sweep.get('seconds', '?')} s ({sweep.get('messages', '?')} "
              f"messages, {sweep.get('items', '?')} items; target ≤ {TARGETS['sweep_s']:g} s). A county report "
              f"through the API alone: {result.get('write_to_page', {}).get('post_only', '?')} ms.", ""]
    return lines


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="tasktrack: the province of work groups benchmark")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--database", choices=["postgresql", "sqlite"], default="postgresql")
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per page and mode")
    parser.add_argument("--url", help="a database generated before (skip the generation)")
    parser.add_argument("--out", default=str(bench.RESULTS))
    parser.add_argument("--sweep", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--tokens", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.tokens:
        print(json.dumps(tokens(args.tokens)))
        return
    if args.sweep:
        print(json.dumps(sweep()))
        return
    started = dt.datetime.now().astimezone()
    result = run(args.database, scale=args.scale, seconds=args.duration, url=args.url)
    text = "\n".join(["# Province benchmark", "", f"Started {started:%Y-%m-%d %H:%M}, {bench.machine()}, "
                      f"`python -m bench.province_run {' '.join(argv or sys.argv[1:])}`.", "", *markdown(result)])
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for stem in (f"province-{started:%Y%m%d-%H%M%S}", "province-latest"):
        (out / f"{stem}.json").write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
        (out / f"{stem}.md").write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
