"""The benchmark's report: the targets with their status, one table per database and scale, the growth from the
smallest to the largest scale, the sections' tables and the machine's load at the start of each section."""

from __future__ import annotations

from typing import Any

from bench import delivery, mixed, plan_import, write_load
from bench.generate import TODAY
from bench.serve import WORKERS
from bench.sql_floor import RATIO_TARGET

#: The targets of issue 10 (PostgreSQL, the largest scale, cache on).
TARGETS = {"dashboard_p95_ms_1": 100, "my_tasks_rps_8": 200, "growth_p50": 1.5, "sweep_s": 2.0, "digests_s": 5.0,
           "rss_mb": 200}
#: Issue 16: 1,000 messages delivered to a loopback SMTP server in this many seconds.
DELIVERY_S = 3.0
#: The targets of issue 16 with the render cache off (PostgreSQL, scale 1): page -> (p50 ms, 8-client req/s).
COLD_TARGETS: dict[str, tuple[float, float | None]] = {
    "overdue_page": (6.0, 300.0), "dashboard": (25.0, None), "my_tasks": (15.0, None), "xlsx": (120.0, None)}


def growth(runs: list[dict[str, Any]], which: str = "c1") -> dict[str, dict[str, float]]:
    """p50 at the largest scale over p50 at the smallest, per database and page (``which``: c1 or cold)."""
    out: dict[str, dict[str, float]] = {}
    for kind in sorted({r["database"] for r in runs}):
        mine = sorted((r for r in runs if r["database"] == kind), key=lambda r: r["scale"])
        if len(mine) < 2:
            continue
        small, large = mine[0], mine[-1]
        out[kind] = {name: round(page[which]["p50_ms"] / max(small["pages"][name][which]["p50_ms"], 0.01), 2)
                     for name, page in large["pages"].items()
                     if name in small["pages"] and which in page and which in small["pages"][name]}
    return out


def _cold_checks(top: dict[str, Any]) -> list[tuple[str, str, bool]]:
    checks = []
    pages = top["pages"]
    for name, (p50, rps) in COLD_TARGETS.items():
        cold = pages.get(name, {}).get("cold")
        if cold is None:
            continue
        checks.append((f"缓存关闭：{pages[name]['label']} p50 ≤ {p50:g} ms", f"{cold['p50_ms']} ms",
                       cold["p50_ms"] <= p50))
        cold8 = pages[name].get("cold8")
        if rps is not None and cold8 is not None:
            checks.append((f"缓存关闭：{pages[name]['label']} ≥ {rps:g} 次/秒（8 个客户端）", f"{cold8['rps']} 次/秒",
                           cold8["rps"] >= rps))
    for page in pages.values():
        floor, cold = page.get("floor"), page.get("cold")
        if floor and cold and floor["floor_ms"]:
            ratio = round(cold["p50_ms"] / floor["floor_ms"], 1)
            checks.append((f"{page['label']}：缓存关闭 p50 ≤ {RATIO_TARGET:g} × SQL 下限",
                           f"{cold['p50_ms']} ms / {floor['floor_ms']} ms = {ratio}×", ratio <= RATIO_TARGET))
    return checks


def checks(runs: list[dict[str, Any]], grown: dict[str, dict[str, float]],
           result: dict[str, Any] | None = None) -> list[tuple[str, str, bool]]:
    """Each target's (name, measured, met) on the largest PostgreSQL run, then the sections' of ``result``."""
    out = _page_checks(runs, grown)
    delivered = ((result or {}).get("delivery") or {}).get("postgresql")
    if delivered:
        out.append((f"投递 {delivered['messages']} 封邮件（delivery 段，批量）≤ {delivery.TARGET_S:g} s",
                    f"{delivered['seconds']} s（收到 {delivered['received']}）", delivery.met(delivered)))
    return out


def _page_checks(runs: list[dict[str, Any]], grown: dict[str, dict[str, float]]) -> list[tuple[str, str, bool]]:
    pg = [r for r in runs if r["database"] == "postgresql"]
    if not pg:
        return []
    top = max(pg, key=lambda r: r["scale"])
    pages, jobs = top["pages"], top["jobs"]
    out = []
    if "c1" in pages.get("dashboard", {}):
        p95 = pages["dashboard"]["c1"]["p95_ms"]
        out.append(("督办总览 p95（1 个客户端）≤ 100 ms", f"{p95} ms", p95 <= TARGETS["dashboard_p95_ms_1"]))
    if "c8" in pages.get("my_tasks", {}):
        rps = pages["my_tasks"]["c8"]["rps"]
        out.append(("我的任务 ≥ 200 次/秒（8 个客户端）", f"{rps} 次/秒", rps >= TARGETS["my_tasks_rps_8"]))
    if grown.get("postgresql"):
        worst = max(grown["postgresql"].items(), key=lambda kv: kv[1])
        out.append(("数据 10 倍，任何页面 p50 增长 ≤ 1.5 倍", f"最大 {worst[1]} 倍（{worst[0]}）",
                    worst[1] <= TARGETS["growth_p50"]))
    out += _cold_checks(top)
    mixed_check = mixed.check(top.get("mixed"))
    if mixed_check:
        out.append(mixed_check)
    failed = sum(m.get("errors", 0) for p in pages.values() for k, m in p.items()
                 if k in ("c1", "c8", "cold", "cold8"))
    if pages:
        out.append(("页面请求全部成功（2xx，重定向也算失败）", f"失败 {failed}", failed == 0))
    if jobs:
        out.append(("提醒扫描 ≤ 2 s", f"{jobs['sweep']['seconds']} s", jobs["sweep"]["seconds"] <= TARGETS["sweep_s"]))
        out.append(("全部周报生成 ≤ 5 s", f"{jobs['digests']['seconds']} s",
                    jobs["digests"]["seconds"] <= TARGETS["digests_s"]))
        delivery = jobs["delivery"]
        out.append((f"投递 {delivery['messages']} 封邮件 ≤ {DELIVERY_S:g} s",
                    f"{delivery['seconds']} s（收到 {delivery['received']}）",
                    delivery["seconds"] <= DELIVERY_S and delivery["received"] == delivery["messages"]))
    rss = max(top["worker_peak_rss_mb"] or [0])
    if rss:
        out.append(("工作进程峰值内存 ≤ 200 MB", f"{rss} MB", rss <= TARGETS["rss_mb"]))
    return out


def _cell(figures: dict[str, Any] | None, key: str) -> Any:
    return "–" if not figures else figures.get(key, "–")


def _run_table(run: dict[str, Any]) -> list[str]:
    d, t = run["data"], run["targets"]
    lines = [f"## {run['database']} · scale {run['scale']}" + (f" · overdue share {run['overdue']}"
                                                                 if run.get("overdue") is not None else ""), "",
             f"{d['plans']} plans, {d['units']} units, {d['users']} users, {d['assignments']} assignments "
             f"({t.get('open_assignments', '?')} open, {t.get('overdue_assignments', '?')} overdue on {TODAY}, "
             f"{100 * t.get('overdue_share', 0):.1f} %), {d['reports']} progress reports, {d['cases']} case reports "
             f"(generated in {d['seconds']} s). 我的任务 of a unit with {t['my_tasks_rows']} open assignments; the "
             f"item pages show {t['item_reports']} and {t.get('item_short_reports', '–')} reports.", "",
             "| page | SQL/req (first, cached) | 1 client p50 ms | p95 ms | req/s | 8 clients req/s | p50 ms "
             "| p95 ms | errors | cache off: SQL/req | p50 ms | p95 ms | 8 clients req/s | errors "
             "| SQL floor ms | cache off ÷ floor |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for page in run["pages"].values():
        c1, c8, cold, cold8, floor = (page.get(k) for k in ("c1", "c8", "cold", "cold8", "floor"))
        errors = sum(m["errors"] for m in (c1, c8) if m) if c1 or c8 else "–"
        cold_errors = sum(m["errors"] for m in (cold, cold8) if m) if cold or cold8 else "–"
        ratio = (round(cold["p50_ms"] / floor["floor_ms"], 1) if cold and floor and floor["floor_ms"] else "–")
        lines.append(f"| {page['label']} | {page.get('queries', '–')}, {page.get('queries_warm', '–')} "
                     f"| {_cell(c1, 'p50_ms')} | {_cell(c1, 'p95_ms')} | {_cell(c1, 'rps')} | {_cell(c8, 'rps')} "
                     f"| {_cell(c8, 'p50_ms')} | {_cell(c8, 'p95_ms')} | {errors} | {_cell(cold, 'queries')} "
                     f"| {_cell(cold, 'p50_ms')} | {_cell(cold, 'p95_ms')} | {_cell(cold8, 'rps')} | {cold_errors} "
                     f"| {_cell(floor, 'floor_ms')} | {ratio} |")
    if any(page.get("floor") for page in run["pages"].values()):
        lines += ["", "SQL floor: the statements one request of the page runs (captured in-process, signed in as its "
                  "reader, the render cache off), replayed on a raw DBAPI connection, median of "
                  "the rounds; statements / rows (the slowest statement): " + ", ".join(
                      f"{name} {page['floor']['statements']} / {page['floor']['rows']} "
                      f"({(page['floor'].get('slowest') or [{'ms': '–'}])[0]['ms']} ms)"
                      for name, page in run["pages"].items() if page.get("floor")) + "; the slowest statements "
                  "themselves are in the JSON (`floor.slowest`)."]
    lines += ["", f"Worker peak RSS: {', '.join(f'{x} MB' for x in run['worker_peak_rss_mb']) or '–'}.  "]
    jobs = run["jobs"]
    if jobs:
        lines += [f"Reminder sweep: {jobs['sweep']['seconds']} s ({jobs['sweep']['messages']} messages, "
                  f"{jobs['sweep']['items']} items; a second run {jobs['sweep_again']['seconds']} s, "
                  f"{jobs['sweep_again']['messages']} new).  ",
                  f"Weekly digests: {jobs['digests']['seconds']} s ({jobs['digests']['messages']} messages).  ",
                  f"Delivery of {jobs['delivery']['messages']} messages to aiosmtpd on loopback: "
                  f"{jobs['delivery']['seconds']} s ({jobs['delivery']['received']} received)."]
    lines.append("")
    lines += mixed.markdown(run.get("mixed"), f"{run['database']}, scale {run['scale']}")
    return lines


def _loads(result: dict[str, Any]) -> list[str]:
    rows = [*(entry for run in result["runs"] for entry in run.get("load", [])),
            *(entry for run in result.get("tracker") or [] for entry in run.get("load", [])),
            *result.get("load", [])]
    if not rows:
        return []
    lines = ["## Load average at the start of each section", "",
             "The machine may be shared: a busy machine stretches wall times, the p99 most.", "",
             "| section | database | scale | at | 1 min | 5 min | 15 min |", "|---|---|---:|---|---:|---:|---:|"]
    lines += [f"| {r['section']} | {r.get('database', '–')} | {r.get('scale', '–')} | {r['at']} | {r['load1']} "
              f"| {r['load5']} | {r['load15']} |" for r in rows]
    return [*lines, ""]


def markdown(result: dict[str, Any]) -> str:
    """Render the results as a markdown report."""
    runs, grown = result["runs"], result["growth"]
    lines = [f"# tasktrack benchmark — {result['started']}", "",
             f"Command: `{result['command']}`  ", f"Machine: {result['machine']}  "]
    if runs or result.get("tracker"):
        lines.append(f"gunicorn {WORKERS} sync workers on loopback, production config; load tool: {result['tool']}; "
                     f"{result['duration']} s per measurement; today pinned to {TODAY}. Every answer that is not "
                     f"2xx (a redirect too) and every socket error counts as an error.")
    lines.append("")
    found = checks(runs, grown, result)
    if found:
        scales = [r["scale"] for r in runs if r["database"] == "postgresql"]
        where = f", scale {max(scales)}" if scales else ""
        lines += [f"## Targets (PostgreSQL{where})", "", "| target | measured | met |", "|---|---|---|"]
        lines += [f"| {name} | {value} | {'✅' if ok else '❌'} |" for name, value, ok in found]
        lines.append("")
    for run in runs:
        lines += _run_table(run)
    cold = result.get("growth_cold") or {}
    if grown:
        columns = [*grown, *(f"{k} (cache off)" for k in cold)]
        lines += ["## Growth of p50 from the smallest to the largest scale (×)", "",
                  "| page | " + " | ".join(columns) + " |", "|---|" + "---:|" * len(columns)]
        first = next(iter(runs))["pages"]
        for name in first:
            cells = [str(g.get(name, "–")) for g in [*grown.values(), *cold.values()]]
            lines.append(f"| {first[name]['label']} | " + " | ".join(cells) + " |")
        lines.append("")
    lines += write_load.markdown(result.get("write_load") or {})
    lines += plan_import.markdown(result.get("plan_import") or {})
    lines += delivery.markdown(result.get("delivery") or {})
    if result.get("province"):
        from bench import province_run

        lines += province_run.markdown(result["province"])
    lines += tracker_markdown(result.get("tracker") or [])
    lines += _loads(result)
    return "\n".join(lines)


def tracker_markdown(tracker: list[dict[str, Any]]) -> list[str]:
    """The general-tracker shapes side by side at the two tracker scales, with the growth of p50."""
    if not tracker:
        return []
    lines = ["## The shapes a general tracker is measured on, at ≈1,000 and ≈10,000 assignments", "",
             "A data set with ~30 % of its assignments overdue on the bench's day (the tracker data's share; "
             "`bench.generate --overdue 0.3`), so 25 and 100 a page are full pages. The province-wide overdue list "
             "as a page (25 a page) and through the API (100 a page), and one assignment's page with ~20 and with ~3 "
             "reports; 1 client p50 / p95 ms, 8 clients req/s, SQL per request (cached), and the cache-off p50.", ""]
    for kind in sorted({r["database"] for r in tracker}):
        mine = sorted((r for r in tracker if r["database"] == kind), key=lambda r: r["scale"])
        heads = [f"{r['data']['assignments']} assignments, {r['targets'].get('overdue_assignments', '?')} overdue "
                 f"(scale {r['scale']})" for r in mine]
        lines += [f"### {kind}", "", "| page | " + " | ".join(heads) + " | growth of p50 |",
                  "|---|" + "---|" * len(mine) + "---:|"]
        for name in mine[0]["pages"]:
            cells = []
            for r in mine:
                page = r["pages"].get(name)
                cells.append("–" if page is None or "c1" not in page else
                             f"{page['c1']['p50_ms']} / {page['c1']['p95_ms']} ms, {page['c8']['rps']} req/s, "
                             f"{page.get('queries_warm', '–')} SQL; cache off {_cell(page.get('cold'), 'p50_ms')} ms")
            first, last = mine[0]["pages"].get(name), mine[-1]["pages"].get(name)
            grown = (round(last["c1"]["p50_ms"] / max(first["c1"]["p50_ms"], 0.01), 2)
                     if first and last and "c1" in first and "c1" in last and len(mine) > 1 else "–")
            lines.append(f"| {mine[0]['pages'][name]['label']} | " + " | ".join(cells) + f" | {grown} |")
        lines.append("")
    return lines


def status_lines(result: dict[str, Any]) -> list[str]:
    """Each target's status for the console."""
    found = checks(result["runs"], result["growth"], result)
    if not found:
        return ["   (none: the targets are measured on PostgreSQL)"]
    return [f"   {'MET    ' if ok else 'NOT MET'} {name}: {value}" for name, value, ok in found]
