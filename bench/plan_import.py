"""Plan import speed (issue 11): a generated 200-task plan read into a draft, and the draft's review page.

    python -m bench.plan_import                                   # SQLite, 200 tasks (~15 s)
    python -m bench.plan_import --databases sqlite postgresql --tasks 200 --repeat 3 --gets 20
    python -m bench.run --only plan-import                        # the same section inside `make bench`

A fresh database is migrated and seeded by the app's own commands (``flask db upgrade``, ``flask seed``, run
in-process through the CLI runner, in a subprocess with the production config and today pinned). The plan is
generated (:func:`plan_document`): a 通知 with its preamble and one task table of ``--tasks`` rows under ten
sections, the columns of seed 004's 附表 (主要任务 / 具体工作 / 完成时间节点 / 责任单位), its phrases the kinds real
plans use (dates, month ends, 长期坚持, 每季度末, two-stage phrases, lead and co-owners, categories), one name
in 25 a unit the work group lacks so the review has problems to show. It is built twice, as a ``.docx`` (a
Word table) and as ``.txt`` (tab-separated rows), and each is imported ``--repeat`` times through
``services.plan_imports.start`` — read, layout, the draft and its rows written and committed — the draft
discarded in between (not timed). Then the review page of the last draft is fetched ``--gets`` times through
the app (Flask's test client, signed in as the secretariat through the login form): the median and p95, and
the SQL statements of one request (the app's ``X-Query-Count``). Targets: import ≤ 2 s, review page ≤ 300 ms.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.write_load import PG_ADMIN, PYTHON, ROOT, drop_database, fresh_database, scratch_name, server_env

TASKS = 200
REPEAT = 3
GETS = 20
#: The targets of the issue: a 200-task document imports in ≤ 2 s, its review page renders in ≤ 300 ms.
TARGETS = {"import_s": 2.0, "review_ms": 300.0}
SECRETARIAT = "bench-import@example.org"
PASSWORD = "Daoru-jihua-2025!"
YEAR = 2025
SECTIONS = ("强化党建统领", "健全制度机制", "加强规范监管", "深化专项治理", "推进数智赋能", "培育清廉文化",
            "加强队伍建设", "推动行业自律", "强化宣传引导", "抓好组织落实")
_CN_NUMBERS = "一二三四五六七八九十"
DEADLINES = ("{y}年3月底前", "{y}年6月底前", "{y}年9月底前", "{y}年年底前", "{y}年全年", "长期坚持", "每季度末",
             "{y}年6月", "3月底前启动，12月底前完成", "持续推进")
OWNERS = ("省民政厅", "省民政厅牵头，省委组织部、省财政厅配合", "业务主管单位、行业管理部门、党建工作机构",
          "省教育厅、省科技厅按职责分工负责", "各专班成员单位", "牵头单位：省民政厅；配合单位：省公安厅、省商务厅",
          "省民政厅、各市、县（市、区）", "登记管理机关、综合监管部门", "省卫生健康委、省体育局、省科协")
#: The 17 member units of the 2024 seed: most rows name a few of them, so nearly every 责任单位 phrase is different.
MEMBERS = ("省委组织部", "省发展改革委", "省经信厅", "省教育厅", "省科技厅", "省公安厅", "省民政厅", "省财政厅",
           "省商务厅", "省文化广电和旅游厅", "省卫生健康委", "省体育局", "浙江省税务局", "人行浙江省分行", "省科协",
           "省社科联", "省工商联")
#: A name the provincial work group does not have: every 25th task names it (the review lists it once).
UNKNOWN = "省数据局"
WORKS = ("开展{s}专项行动，对照年度目标逐项细化措施，建立工作台账，定期通报进展",
         "围绕{s}组织调研，梳理存在问题和薄弱环节，形成问题清单并督促整改落实",
         "完善{s}相关制度文本，指导社会组织修订章程和内部管理制度，规范议事决策程序",
         "选树{s}先进典型，总结推广经验做法，编印优秀案例汇编并在全省交流")


@dataclass(frozen=True)
class PlanDocument:
    """A generated plan: the rows of its task table (header first) and the paragraphs around it."""

    title: str
    preamble: tuple[str, ...]
    grid: tuple[tuple[str, ...], ...]

    def text(self) -> str:
        """The plan as plain text: paragraphs, then the table as tab-separated lines."""
        return "\n".join([self.title, *self.preamble, "\t".join(self.grid[0]),
                          *("\t".join(row) for row in self.grid[1:])]) + "\n"

    def docx(self) -> bytes:
        """The plan as a Word document: paragraphs, then the task table as one Word table."""
        import docx

        document = docx.Document()
        document.add_paragraph(self.title)
        for line in self.preamble:
            document.add_paragraph(line)
        table = document.add_table(rows=len(self.grid), cols=len(self.grid[0]))
        for r, row in enumerate(self.grid):
            cells = table.rows[r].cells
            for c, text in enumerate(row):
                if text:
                    cells[c].text = text
        out = io.BytesIO()
        document.save(out)
        return out.getvalue()


def _owners(i: int) -> str:
    """The 责任单位 of row i: one of the fixed kinds (categories, labels) or a lead with co-owners, or shared work."""
    if i % 3 == 0:
        return OWNERS[(i // 3) % len(OWNERS)]
    first, second, third = (MEMBERS[(i + k) % len(MEMBERS)] for k in (0, 5, 11))
    return f"{first}牵头，{second}、{third}配合" if i % 3 == 1 else f"{first}、{second}按职责分工负责"


def plan_document(tasks: int = TASKS, *, year: int = YEAR, unknown_every: int = 25) -> PlanDocument:
    """Generate a plan of ``tasks`` rows in ten sections (deterministic; ``unknown_every``: 0 for none)."""
    per_section = -(-tasks // len(SECTIONS))
    rows: list[tuple[str, ...]] = [("主要任务", "具体工作", "完成时间节点", "责任单位")]
    for i in range(tasks):
        section = i // per_section
        first = i % per_section == 0
        title = f"{_CN_NUMBERS[section]}、{SECTIONS[section]}" if first else ""
        work = WORKS[i % len(WORKS)].format(s=SECTIONS[section])
        owners = _owners(i)
        if unknown_every and i % unknown_every == unknown_every - 1:
            owners = f"{owners}、{UNKNOWN}"
        rows.append((title, f"{i + 1}. {work}（第{i + 1}项）。", DEADLINES[i % len(DEADLINES)].format(y=year), owners))
    return PlanDocument(
        title=f"{year}年全省清廉社会组织建设工作任务表（{tasks}项）",
        preamble=(f"浙江省清廉社会组织建设工作专班关于印发《{year}年全省清廉社会组织建设工作要点》的通知",
                  "各市、县（市、区）清廉社会组织建设工作专班，省级有关单位：",
                  f"现将《{year}年全省清廉社会组织建设工作要点》印发给你们，请结合实际认真贯彻落实。"),
        grid=tuple(rows))


def measure(tasks: int = TASKS, repeat: int = REPEAT, gets: int = GETS) -> dict[str, Any]:
    """Migrate and seed the database of DATABASE_URL, import the generated plan, time the review page."""
    from tasktrack import context, create_app
    from tasktrack.extensions import db
    from tasktrack.models import Role
    from tasktrack.services import plan_imports, users

    app = create_app()
    runner = app.test_cli_runner()
    for command in (["db", "upgrade"], ["seed"]):
        with app.app_context():
            outcome = runner.invoke(args=command)
        if outcome.exit_code != 0:
            raise RuntimeError(f"flask {' '.join(command)} failed: {outcome.output[-2000:]}") from outcome.exception
    document = plan_document(tasks)
    files = {"docx": (document.docx(), "任务表.docx"), "txt": (document.text().encode("utf-8"), "任务表.txt")}
    result: dict[str, Any] = {"tasks": tasks, "repeat": repeat, "gets": gets,
                              "bytes": {kind: len(data) for kind, (data, _) in files.items()}}
    with app.app_context():
        now = context.now()
        office = users.create_user(actor=None, email=SECRETARIAT, name="压力测试专班办公室", role=Role.SECRETARIAT,
                                   unit=None, password=PASSWORD, now=now, fast_hash=True)
        db.session.commit()
        draft = None
        for kind, (data, name) in files.items():
            times, cpu = [], []
            for _ in range(repeat):
                if draft is not None:  # the same file may be imported again once its draft is discarded
                    plan_imports.discard(draft, actor=office, now=now)
                    db.session.commit()
                started, started_cpu = time.perf_counter(), time.process_time()
                draft = plan_imports.start(plan_imports.Received(data, name), actor=office, now=now)
                db.session.commit()
                times.append(time.perf_counter() - started)
                cpu.append(time.process_time() - started_cpu)
            assert draft is not None
            result[kind] = {"median_s": round(statistics.median(times), 3), "max_s": round(max(times), 3),
                            "cpu_s": round(statistics.median(cpu), 3),
                            "rows": len(draft.rows), "problems": plan_imports.review_of(draft).problem_count}
        assert draft is not None
        path = f"/plans/import/{draft.id}"
    result["review"] = _review(app, path, gets)
    return result


def _review(app: Any, path: str, gets: int) -> dict[str, Any]:
    """Sign in as the secretariat through the login form, then GET the review page ``gets`` times."""
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert token is not None, "no CSRF token on /login"
    signed_in = client.post("/login", data={"csrf_token": token[1], "email": SECRETARIAT, "password": PASSWORD})
    assert signed_in.status_code == 302, f"login failed ({signed_in.status_code})"
    first = client.get(path)
    if first.status_code != 200:
        raise RuntimeError(f"{path} answered {first.status_code}")
    times, cpu = [], []
    for _ in range(gets):
        started, started_cpu = time.perf_counter(), time.process_time()
        response = client.get(path)
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
        assert response.status_code == 200
    cuts = statistics.quantiles(times, n=20) if len(times) > 1 else [times[0]] * 19
    return {"path": path, "median_ms": round(statistics.median(times) * 1000, 1), "p95_ms": round(cuts[18] * 1000, 1),
            "cpu_ms": round(statistics.median(cpu) * 1000, 1),
            "queries": int(first.headers.get("X-Query-Count", -1)), "bytes": len(first.data)}


def run(kind: str, *, tasks: int = TASKS, repeat: int = REPEAT, gets: int = GETS, where: Path,
        pg_admin: str = PG_ADMIN) -> dict[str, Any]:
    """Measure on a fresh database of ``kind`` (in a subprocess with the production config); drop it after."""
    where.mkdir(parents=True, exist_ok=True)
    url = fresh_database(kind, where, pg_admin, scratch_name("plan_import"))
    try:
        env = {**server_env(url, where / "uploads"), "TASKTRACK_QUERY_COUNT": "1"}
        done = subprocess.run([PYTHON, "-m", "bench.plan_import", "--measure", "--tasks", str(tasks), "--repeat",
                               str(repeat), "--gets", str(gets)], env=env, cwd=ROOT, capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"the plan-import measurement failed on {kind}:\n{done.stderr[-3000:]}")
        measured: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
        return {"database": kind, **measured, "load": round(os.getloadavg()[0], 1)}
    finally:
        drop_database(url, pg_admin)


def met(result: dict[str, Any]) -> bool:
    """Whether a run meets both targets."""
    return (max(result["docx"]["median_s"], result["txt"]["median_s"]) <= TARGETS["import_s"]
            and result["review"]["median_ms"] <= TARGETS["review_ms"])


def line(result: dict[str, Any]) -> str:
    """One line of figures for the console."""
    docx, txt, review = result["docx"], result["txt"], result["review"]
    return (f"   plan import {result['database']:10} {result['tasks']} tasks: .docx {docx['median_s']} s "
            f"(max {docx['max_s']}, CPU {docx['cpu_s']}), .txt {txt['median_s']} s (max {txt['max_s']}, CPU "
            f"{txt['cpu_s']}), {docx['rows']} rows, {docx['problems']} problems; review page median "
            f"{review['median_ms']} ms (CPU {review['cpu_ms']}), p95 {review['p95_ms']} ms, {review['queries']} SQL, "
            f"{review['bytes'] // 1024} KB; load average {result['load']} — "
            f"{'targets met' if met(result) else 'MISSED'} "
            f"(≤ {TARGETS['import_s']:g} s, ≤ {TARGETS['review_ms']:g} ms)")


def markdown(runs: dict[str, dict[str, Any]]) -> list[str]:
    """The plan-import section of the benchmark report."""
    if not runs:
        return []
    first = next(iter(runs.values()))
    lines = ["## Plan import (issue 11)", "",
             f"A generated {first['tasks']}-task plan (one task table under ten sections) as .docx and as .txt, "
             f"imported {first['repeat']} times each (read, layout, draft written and committed; median wall "
             f"time, max, and the process's CPU time); its review page fetched {first['gets']} times through the "
             f"app in-process, signed in as the secretariat. Targets: import ≤ {TARGETS['import_s']:g} s, review "
             f"page ≤ {TARGETS['review_ms']:g} ms.", "",
             "| database | .docx import s (max; CPU) | .txt import s (max; CPU) | rows | problems "
             "| review p50 ms (CPU) | p95 ms | SQL | load avg | met |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    for kind, r in runs.items():
        docx, txt, review = r["docx"], r["txt"], r["review"]
        lines.append(f"| {kind} | {docx['median_s']} ({docx['max_s']}; {docx['cpu_s']}) "
                     f"| {txt['median_s']} ({txt['max_s']}; {txt['cpu_s']}) | {docx['rows']} | {docx['problems']} "
                     f"| {review['median_ms']} ({review['cpu_ms']}) | {review['p95_ms']} | {review['queries']} "
                     f"| {r['load']} | {'✅' if met(r) else '❌'} |")
    lines.append("")
    return lines


def main(argv: list[str] | None = None) -> None:
    """Command line (``--measure`` is the internal step that runs inside the app's environment)."""
    parser = argparse.ArgumentParser(description="tasktrack plan import: a generated plan, import and review times")
    parser.add_argument("--databases", nargs="+", default=["sqlite"], choices=["postgresql", "sqlite"])
    parser.add_argument("--tasks", type=int, default=TASKS)
    parser.add_argument("--repeat", type=int, default=REPEAT, help="imports of each file (median)")
    parser.add_argument("--gets", type=int, default=GETS, help="GETs of the review page (median)")
    parser.add_argument("--work", default=str(ROOT / "bench" / "work"))
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure:
        print(json.dumps(measure(args.tasks, args.repeat, args.gets), ensure_ascii=False))
        return
    failed = False
    for kind in args.databases:
        result = run(kind, tasks=args.tasks, repeat=args.repeat, gets=args.gets, where=Path(args.work))
        print(line(result), flush=True)
        failed = failed or not met(result)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
