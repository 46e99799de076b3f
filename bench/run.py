"""The province-scale benchmark: generate, serve with gunicorn (2 workers), load with wrk, time the jobs.

    python -m bench.run                          # scales 0.1 and 1, PostgreSQL and SQLite (make bench)
    python -m bench.run --scales 0.1 --databases postgresql --duration 3
    python -m bench.run --scales 1 --databases postgresql --only mixed sql-floor

For every database and scale (``bench.pages``): a fresh database, ``bench.generate``, gunicorn on loopback with
the production config, then each page is loaded for ``--duration`` seconds with 1 client (latency) and with 8
clients (throughput) by wrk (Debian's package; a Python client when wrk is missing; ``bench.load``), with the
render cache on and then off; the SQL statements of one request are read from the app's X-Query-Count header,
and the peak RSS of each worker from /proc. ``bench.sql_floor`` replays the SQL of one request of each page on a
raw connection (the page's floor), ``bench.mixed`` has 8 readers on the overdue page and the dashboard while a
writer posts reports at 0, 1, 5 and 20 a second, and ``bench.jobs`` times the reminder sweep, the weekly digests
and the delivery of 1,000 messages. ``bench.write_load`` has 50 API clients post progress reports at once to
gunicorn -w 4 on each database; ``bench.delivery`` delivers 1,000 messages through the batched outbox on a fresh
database; ``bench.plan_import`` times the import of a generated 200-task plan and its
review page; ``bench.province_run`` the province of work groups. The shapes a general tracker is measured on run
last, on a data set with ~30 % of its assignments overdue. ``--only`` names pages and/or sections. Results: JSON
and markdown under bench/results/ (``bench.summary``), with each target's status and the machine's load at the
start of each section.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
import sys
from pathlib import Path
from typing import Any

from bench import delivery, plan_import, serve, summary, write_load
from bench.pages import MIXED, PAGE_NAMES, SQL_FLOOR, run_one

#: The shapes a general tracker is measured on, loaded again at ~1,000 and ~10,000 assignments
#: (scale 0.05: 896 assignments, 0.51: ~9,900; a scale adds or removes whole county plans), on a data set with
#: TRACKER_OVERDUE of its assignments overdue (the tracker data's share).
TRACKER_PAGES = ("overdue_page", "overdue_api", "item", "item_short")
TRACKER_SCALES = (0.05, 0.51)
TRACKER_OVERDUE = 0.3
#: The names of the sections for --only (beside the page names of bench/pages.py).
WRITE_LOAD = "write-load"
PLAN_IMPORT = "plan-import"
PROVINCE = "province"
DELIVERY = "delivery"  # bench/delivery.py
SECTIONS = (WRITE_LOAD, PLAN_IMPORT, PROVINCE, DELIVERY, MIXED, SQL_FLOOR)
#: Kept for callers of the old single module.
TARGETS = summary.TARGETS


def main(argv: list[str] | None = None) -> None:
    """Command line."""
    parser = argparse.ArgumentParser(description="tasktrack province-scale benchmark")
    parser.add_argument("--scales", type=float, nargs="+", default=[0.1, 1.0])
    parser.add_argument("--databases", nargs="+", default=["postgresql", "sqlite"], choices=["postgresql", "sqlite"])
    parser.add_argument("--duration", type=float, default=3.0, help="seconds per measurement")
    parser.add_argument("--only", nargs="*", choices=[*PAGE_NAMES, *SECTIONS], metavar="NAME",
                        help=f"pages ({', '.join(PAGE_NAMES)}) and/or sections ({', '.join(SECTIONS)}) "
                             "(default: all)")
    parser.add_argument("--client", choices=["wrk", "python"], default="wrk" if shutil.which("wrk") else "python")
    parser.add_argument("--no-cold", action="store_true", help="skip the pass with the render cache off")
    parser.add_argument("--tracker-scales", type=float, nargs="*", default=list(TRACKER_SCALES),
                        help="scales for the general-tracker shapes at ~1,000 and ~10,000 assignments (none: skip)")
    parser.add_argument("--mixed-duration", type=float, default=10.0, help="seconds per rate of the mixed run")
    parser.add_argument("--write-load-writers", type=int, default=write_load.WRITERS,
                        help="API clients posting reports at once in the write-load section")
    parser.add_argument("--write-load-duration", type=float, default=write_load.DURATION,
                        help="seconds of the write-load section, per database")
    parser.add_argument("--province-scale", type=float, default=1.0,
                        help=f"the scale of the {PROVINCE} section (1: 1 + 11 + 90 work groups, 2,000,000 reports)")
    parser.add_argument("--out", default=str(serve.RESULTS))
    args = parser.parse_args(argv)
    serve.WORK.mkdir(parents=True, exist_ok=True)
    started = dt.datetime.now().astimezone()
    chosen = set(args.only) if args.only else None
    pages_only = chosen & set(PAGE_NAMES) if chosen is not None else None
    sections = chosen & set(SECTIONS) if chosen is not None else set(SECTIONS)
    on_data = sections & {MIXED, SQL_FLOOR}
    page_runs = pages_only is None or bool(pages_only) or bool(on_data)
    use_wrk = args.client == "wrk"
    runs = [run_one(kind, scale, args.duration, use_wrk, pages_only, on_data, cold=not args.no_cold,
                    jobs=pages_only is None or bool(pages_only), mixed_seconds=args.mixed_duration)
            for kind in args.databases for scale in sorted(args.scales)] if page_runs else []
    result: dict[str, Any] = {
        "started": started.isoformat(timespec="seconds"), "machine": serve.machine(), "tool": args.client,
        "duration": args.duration, "command": "python -m bench.run " + " ".join(argv or sys.argv[1:]),
        "runs": runs, "growth": summary.growth(runs), "growth_cold": summary.growth(runs, "cold"), "tracker": [],
        "write_load": {}, "plan_import": {}, "province": {}, "delivery": {}, "load": []}
    if WRITE_LOAD in sections:
        for kind in args.databases:
            print(f"== {kind} write load", flush=True)
            result["load"].append(serve.load_average(WRITE_LOAD, database=kind))
            measured = write_load.run(kind, writers=args.write_load_writers, seconds=args.write_load_duration,
                                      where=serve.WORK, pg_admin=serve.PG_ADMIN)
            print(write_load.line(kind, measured), flush=True)
            result["write_load"][kind] = measured.as_dict()
    if PLAN_IMPORT in sections:
        for kind in args.databases:
            print(f"== {kind} plan import", flush=True)
            result["load"].append(serve.load_average(PLAN_IMPORT, database=kind))
            imported = plan_import.run(kind, where=serve.WORK, pg_admin=serve.PG_ADMIN)
            print(plan_import.line(imported), flush=True)
            result["plan_import"][kind] = imported
    if DELIVERY in sections:
        for kind in args.databases:
            print(f"== {kind} delivery", flush=True)
            result["load"].append(serve.load_average(DELIVERY, database=kind))
            delivered = delivery.run(kind, where=serve.WORK, pg_admin=serve.PG_ADMIN)
            print(delivery.line(delivered), flush=True)
            result["delivery"][kind] = delivered
    if PROVINCE in sections:
        from bench import province_run

        print("== postgresql province", flush=True)
        result["load"].append(serve.load_average(PROVINCE, database="postgresql", scale=args.province_scale))
        result["province"] = province_run.run("postgresql", scale=args.province_scale, seconds=args.duration,
                                              pg_admin=serve.PG_ADMIN)
    latest = bool(runs)  # a run of the sections alone leaves latest as it is
    _save(result, Path(args.out), started, latest=latest)  # kept even if a tracker run fails
    tracker_pages = set(TRACKER_PAGES) & pages_only if pages_only is not None else set(TRACKER_PAGES)
    if tracker_pages:
        result["tracker"] = [run_one(kind, scale, args.duration, use_wrk, tracker_pages, cold=not args.no_cold,
                                     jobs=False, overdue=TRACKER_OVERDUE)
                             for kind in args.databases for scale in sorted(args.tracker_scales or [])]
    print(_save(result, Path(args.out), started, latest=latest))
    print("\n".join(["Targets:", *summary.status_lines(result)]))


def _save(result: dict[str, Any], out: Path, started: dt.datetime, latest: bool = True) -> str:
    """Write the results (JSON and markdown, with a timestamp and, if ``latest``, as latest); return the markdown."""
    out.mkdir(parents=True, exist_ok=True)
    stamp = started.strftime("%Y%m%d-%H%M%S")
    report = summary.markdown(result)
    for name in (stamp, "latest") if latest else (stamp,):
        (out / f"{name}.json").write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
        (out / f"{name}.md").write_text(report, encoding="utf-8")
    return report


if __name__ == "__main__":
    main()
