"""Build a province-scale data set for the benchmark (seeded, repeatable).

At ``--scale 1``: the provincial 2024 plan (the real seed, imported through the same code a user would use)
plus one plan per city and county that mirrors it — about 100 plans × 20 tasks — about 170 units,
1,000 users, ~20,000 assignments, ~400,000 progress reports and 3,000 case reports. ``--scale 0.1`` is a
tenth of everything but the 28 seed units. The bulk rows go in through SQLAlchemy Core inserts with explicit
ids (a generator, not a user); the assignments mirror their latest report exactly as services/progress.py
keeps them, so lights, reminders and digests see what production would.

    python -m bench.generate --scale 0.1        # needs DATABASE_URL (an empty database)
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import time
from collections import defaultdict
from typing import Any

import sqlalchemy as sa

from bench.rows import (
    SHANGHAI,
    Ids,
    Stats,
    _fix_sequences,
    _insert,
    _month_end,
    _sign_and_point,
    _start_ids,
    _unit,
    _utc,
)
from tasktrack.domain.deadlines import DeadlineKind
from tasktrack.extensions import db
from tasktrack.models import (
    Assignment,
    CaseReport,
    CaseReview,
    CaseVersion,
    Category,
    FocusItem,
    Plan,
    ProgressReport,
    Section,
    Task,
    TaskTerm,
    Unit,
    User,
)
from tasktrack.models.unit import unit_categories
from tasktrack.passwords import hash_password
from tasktrack.services import work_groups

#: The day the benchmark runs on (the demo's day inside the 2024 plan).
TODAY = dt.date(2024, 7, 18)
PLAN_START = dt.date(2024, 1, 15)
PASSWORD = "Bench-2024-zj"
SECRETARIAT_EMAIL = "bench-office@example.org"
TASKS_PER_PLAN = 20
REPORTS_PER_ASSIGNMENT = 20
#: One assignment in SHORT_EVERY keeps only its last SHORT_REPORTS reports: the item page of a young assignment.
SHORT_EVERY = 25
SHORT_REPORTS = 3
#: The chance that dated work past its due date was completed (the default data set).
COMPLETES_PAST_DUE = 0.7

NARRATIVES = [
    "已召开专题会议部署{n}项重点工作，明确责任分工和时间节点，正在按计划推进。",
    "完成对{n}家社会组织的走访调研，梳理问题清单，督促整改落实到位。",
    "组织开展清廉社会组织建设培训{n}场次，覆盖社会组织负责人和党组织书记。",
    "推动{n}家社会组织修订完善章程和内部管理制度，规范议事决策程序。",
    "联合相关部门开展专项检查，发现问题{n}个，已整改完成大部分，其余正在推进。",
    "指导业务主管单位落实监管责任，建立定期沟通机制，本期报送情况{n}份。",
    "开展“评比表彰”活动清理，取消不规范活动{n}项，情况已报专班办公室。",
    "选树清廉社会组织建设先进典型{n}个，总结经验做法，准备报送典型案例。",
]
SECTION_TITLES = ["一、强化党建统领", "二、健全制度机制", "三、加强监督管理", "四、培育清廉文化", "五、抓好组织落实"]


def generate(scale: float, *, seed: int = 2024, now: dt.datetime | None = None, overdue: float | None = None) -> Stats:
    """Fill an empty (migrated) database with a province-scale data set; commits.

    ``overdue``: the share of assignments that are overdue on TODAY (the shape a general tracker is measured on,
    ~0.3). The mirrored plans' tasks then fall due at month ends through the year (task n at the end of month
    ``(n - 1) % 12 + 1``) and dated work past its date is completed just often enough to leave that share open.
    Without it (the default data set) they keep the provincial plan's dates, and ~2 % are overdue.
    """
    from tasktrack.services import assignments, seeding

    started = time.perf_counter()
    rng = random.Random(seed)
    now = now or _utc(PLAN_START, 9 * 60)
    stats = Stats()
    seeding.seed_base(now=now)
    db.session.commit()

    group = work_groups.default_work_group(now=now).id  # every generated unit and plan is the provincial group's
    ids = Ids()
    _start_ids(ids, "units", "users", "plans", "sections", "tasks", "task_terms", "assignments",
               "progress_reports", "case_reports", "case_versions", "case_reviews")
    categories = {c.code: c.id for c in db.session.scalars(sa.select(Category))}
    cities = list(db.session.execute(
        sa.select(Unit.id, Unit.name).where(Unit.kind == "city").order_by(Unit.sort_order, Unit.id)))

    # -- units: counties under the cities (8 a city, filled city by city), observation points -------------
    # Filling city by city keeps every unit's workload the same at every scale: a bigger province has more
    # cities and counties, not more work for an existing county.
    n_counties = max(1, round(88 * scale))
    n_points = max(1, round(50 * scale))
    unit_rows: list[dict[str, Any]] = []
    memberships: list[dict[str, Any]] = []
    counties: list[tuple[int, int]] = []  # (county id, city id)
    points: dict[int, list[int]] = defaultdict(list)  # city id -> its observation points
    for i in range(n_counties):
        city_id, city_name = cities[(i // 8) % len(cities)]
        uid = ids.take("units")
        name = f"{city_name.removesuffix('市')}第{i % 8 + 1 + i // 88 * 8}县（区）"
        unit_rows.append({**_unit(uid, name, "county", city_id, 1000 + i, now), "work_group_id": group})
        memberships.append({"unit_id": uid, "category_id": categories["cities_counties"]})
        counties.append((uid, city_id))
    for i in range(n_points):
        uid = ids.take("units")
        county_id, city_id = counties[i * len(counties) // n_points]
        unit_rows.append({**_unit(uid, f"观察点{i + 1:03d}号社会组织服务中心", "observation_point", county_id,
                                  2000 + i, now), "work_group_id": group})
        memberships.append({"unit_id": uid, "category_id": categories["observation_points"]})
        points[city_id].append(uid)
    _insert(Unit, unit_rows)
    _insert(unit_categories, memberships)
    db.session.execute(sa.update(Unit).where(Unit.contact_emails == "")
                       .values(contact_emails=sa.literal("unit") + sa.cast(Unit.id, sa.String) + "@bench.example.org"))
    db.session.flush()
    # The provincial plan's category terms (各市、县, 观察点) reach the new units the way a membership edit would.
    assignments.sync_open_tasks(actor=None, now=now)
    db.session.flush()
    _start_ids(ids, "assignments")

    all_units = list(db.session.scalars(sa.select(Unit.id).order_by(Unit.id)))
    stats.units = len(all_units)

    # -- users: the secretariat, a few viewers, liaisons spread over the units ---------------------------
    password_hash = hash_password(PASSWORD)
    user_rows: list[dict[str, Any]] = []
    liaisons: dict[int, list[int]] = defaultdict(list)
    total_users = max(len(all_units) + 6, round(1000 * scale))

    def add_user(email: str, name: str, role: str, unit_id: int | None) -> int:
        uid = ids.take("users")
        user_rows.append({"id": uid, "email": email, "name": name, "password_hash": password_hash, "role": role,
                          "unit_id": unit_id, "work_group_id": group, "is_active": True,
                          "session_token": f"bench{uid:027d}", "created_at": now})
        return uid

    secretariat = add_user(SECRETARIAT_EMAIL, "专班办公室（压测）", "secretariat", None)
    for i in range(3):
        add_user(f"bench-office{i + 1}@example.org", f"办公室{i + 1}", "secretariat", None)
    add_user("bench-viewer@example.org", "领导（只读）", "viewer", None)
    point_set = {p for ps in points.values() for p in ps}
    for n in range(total_users - len(user_rows)):
        unit_id = all_units[n % len(all_units)] if n < len(all_units) else rng.choice(all_units)
        role = "observation_point" if unit_id in point_set else "liaison"
        liaisons[unit_id].append(add_user(f"u{len(user_rows):05d}@bench.example.org", f"联络员{len(user_rows)}",
                                          role, unit_id))
    _insert(User, user_rows)
    stats.users = len(user_rows)

    # -- the mirrored plans: one per city (as many as the scale allows) and one per county ----------------
    province = db.session.scalar(sa.select(Plan).order_by(Plan.id))
    assert province is not None
    templates = list(db.session.execute(
        sa.select(Task.text, Task.deadline_phrase, Task.deadline_kind, Task.due_date, Task.period_months)
        .where(Task.plan_id == province.id).order_by(Task.number)))
    while len(templates) < TASKS_PER_PLAN:
        templates.append(templates[len(templates) % 8])
    owners: list[tuple[int, str, list[int]]] = []  # (owner unit, title, pool of co-owners)
    n_city_plans = len({city for _, city in counties})
    children: dict[int, list[int]] = defaultdict(list)
    for county_id, city_id in counties:
        children[city_id].append(county_id)
    names = dict(db.session.execute(sa.select(Unit.id, Unit.name)).tuples().all())
    for city_id, city_name in cities[:n_city_plans]:
        owners.append((city_id, f"{city_name}2024年清廉社会组织建设工作任务表", [*children[city_id], *points[city_id]]))
    for county_id, city_id in counties:
        siblings = [c for c in children[city_id] if c != county_id]
        owners.append((county_id, f"{names[county_id]}2024年清廉社会组织建设工作任务表",
                       [*siblings, city_id, *points[city_id]]))

    plan_rows, section_rows, task_rows, term_rows, assignment_rows = [], [], [], [], []
    for owner, title, pool in owners:
        plan_id = ids.take("plans")
        plan_rows.append({"id": plan_id, "work_group_id": group, "year": 2024, "title": title,
                          "issuer": f"{names[owner]}清廉社会组织建设工作专班", "document_number": "",
                          "issued_on": PLAN_START, "report_period_months": 3,
                          "warning_days": 14, "is_closed": False, "is_deleted": False, "created_at": now,
                          "case_task_number": None, "focus_choice_deadline": None})
        section_ids = []
        for number, section_title in enumerate(SECTION_TITLES, start=1):
            sid = ids.take("sections")
            section_rows.append({"id": sid, "plan_id": plan_id, "number": number, "title": section_title})
            section_ids.append(sid)
        for number, (text, phrase, kind, due, period) in enumerate(templates[:TASKS_PER_PLAN], start=1):
            if overdue is not None:
                kind, due = DeadlineKind.DATED, _month_end(2024, (number - 1) % 12 + 1)
                phrase = f"{due.month}月底前完成"
            tid = ids.take("tasks")
            units = [owner, *rng.sample(pool, min(len(pool), rng.randint(5, 13)))]
            units = list(dict.fromkeys(units))
            task_rows.append({"id": tid, "plan_id": plan_id, "section_id": section_ids[(number - 1) * 5 // 20],
                              "number": number, "text": text, "deadline_phrase": phrase, "deadline_kind": kind,
                              "due_date": due, "period_months": period, "is_deleted": False, "created_at": now,
                              "responsible_phrase": "、".join(names[u] for u in units)[:500]})
            for position, unit_id in enumerate(units):
                term_rows.append({"id": ids.take("task_terms"), "task_id": tid, "position": position,
                                  "text": names[unit_id], "unit_id": unit_id, "category_id": None})
                assignment_rows.append({"id": ids.take("assignments"), "task_id": tid, "unit_id": unit_id,
                                        "is_lead": position == 0, "created_at": now, "_due": due, "_kind": kind})
    _insert(Plan, plan_rows)
    _insert(Section, section_rows)
    _insert(Task, task_rows)
    _insert(TaskTerm, term_rows)
    stats.plans = len(plan_rows) + 1

    # The provincial plan's own assignments (made by the importer and the sync above) get reports too.
    provincial = [
        {"id": a_id, "_due": due, "_kind": kind, "unit_id": unit_id}
        for a_id, unit_id, due, kind in db.session.execute(
            sa.select(Assignment.id, Assignment.unit_id, Task.due_date, Task.deadline_kind)
            .join(Task, Assignment.task_id == Task.id).where(Task.plan_id == province.id))
    ]

    # -- progress reports and the assignment mirror ------------------------------------------------------
    report_rows: list[dict[str, Any]] = []
    mirrors: dict[int, dict[str, Any]] = {}
    completes = COMPLETES_PAST_DUE
    if overdue is not None:
        past_due = sum(1 for row in assignment_rows + provincial if row["_due"] is not None and row["_due"] < TODAY)
        share = past_due / max(1, len(assignment_rows) + len(provincial))
        completes = max(0.0, 1 - overdue / share) if share else 0.0
    for row in assignment_rows + provincial:
        authors = liaisons.get(row["unit_id"]) or [secretariat]
        mirrors[row["id"]] = _reports(rng, ids, row["id"], row["_due"], row["_kind"], authors, report_rows,
                                      completes_past_due=completes, short_every=SHORT_EVERY)
    for row in assignment_rows:
        # A bulk insert passes by the ORM flush that keeps the due date in force (models/due_in_force.py).
        row["due_in_force"] = row.pop("_due")
        del row["_kind"]
        row.update(mirrors[row["id"]])
    _insert(Assignment, assignment_rows)
    if provincial:
        table = Assignment.__table__
        db.session.execute(sa.update(table).where(table.c.id == sa.bindparam("b_id")).values(
            status=sa.bindparam("status"), percent=sa.bindparam("percent"), completed_on=sa.bindparam("completed_on"),
            last_reported_at=sa.bindparam("last_reported_at"), completion_state=sa.bindparam("completion_state")),
            [{"b_id": r["id"], **mirrors[r["id"]]} for r in provincial])
    _insert(ProgressReport, report_rows)
    # In July every unit has long since signed for (签收) its work: as migration 0018 does for rows before 签收; and
    # each assignment points at its newest report (the reports went in past the ORM that keeps it).
    _sign_and_point()
    stats.assignments = len(assignment_rows) + len(provincial)
    stats.reports = len(report_rows)

    # -- case reports from observation points and counties -----------------------------------------------
    reporters = [*point_set, *(c for c, _ in counties)]
    stats.cases = _cases(rng, ids, round(3000 * scale), province.id, sorted(reporters), liaisons,
                         secretariat, list(db.session.scalars(sa.select(FocusItem.id))))
    _fix_sequences("units", "users", "plans", "sections", "tasks", "task_terms", "assignments", "progress_reports",
                   "case_reports", "case_versions", "case_reviews")
    db.session.commit()
    settle()
    stats.seconds = round(time.perf_counter() - started, 1)
    return stats


def settle() -> None:
    """Do now what autovacuum does soon after a bulk load: ANALYZE (without statistics the task page's latest
    reports took a sequential scan, 40 ms, not 4) and, on PostgreSQL, VACUUM (until the visibility map and hint
    bits are set every read of a loaded row checks its transaction: the province's counts took 5.3 ms, not 2.9)."""
    with db.engine.connect() as conn:
        conn = conn.execution_options(isolation_level="AUTOCOMMIT")
        conn.exec_driver_sql("VACUUM ANALYZE" if conn.dialect.name == "postgresql" else "ANALYZE")


def _reports(rng: random.Random, ids: Ids, assignment_id: int, due: dt.date | None, kind: DeadlineKind,
             authors: list[int], out: list[dict[str, Any]], *, completes_past_due: float = COMPLETES_PAST_DUE,
             short_every: int | None = None) -> dict[str, Any]:
    """Append one assignment's report history to ``out``; return the assignment's mirror of the last one.

    With ``short_every``, one assignment in that many keeps only its last SHORT_REPORTS reports (drawn the same
    way, so the random stream and everything else in the data set stay as they were).
    """
    count = rng.randint(REPORTS_PER_ASSIGNMENT // 4, REPORTS_PER_ASSIGNMENT * 7 // 4)
    dated = kind is DeadlineKind.DATED
    past_due = due is not None and due < TODAY
    completes = rng.random() < (completes_past_due if (dated and past_due) else 0.12)
    # Some year-round work has gone quiet for a quarter (it lights yellow, 未按期报送).
    quiet = not dated and rng.random() < 0.25
    last_day = TODAY - dt.timedelta(days=rng.randint(100, 150) if quiet else rng.randint(1, 40))
    span = max(1, (last_day - PLAN_START).days)
    moments = sorted(_utc(PLAN_START + dt.timedelta(days=rng.randint(0, span)), rng.randint(510, 1060))
                     for _ in range(count - 1))
    moments.append(max([_utc(last_day, rng.randint(510, 1060)), *moments[-1:]]))
    percent = 0
    previous: int | None = None
    first = len(out)
    completed_on = None
    status = "in_progress"
    for index, moment in enumerate(moments):
        day = moment.astimezone(SHANGHAI).date()
        last = index == len(moments) - 1
        percent = min(95, percent + rng.randint(0, 7))
        status = "in_progress" if percent else "not_started"
        completed_on = None
        if last and completes:
            status, percent = "completed", 100
            late = dated and due is not None and rng.random() < 0.2
            completed_on = (due + dt.timedelta(days=rng.randint(1, 10))) if late and due else day
            completed_on = min(completed_on, day)
        report_id = ids.take("progress_reports")
        out.append({"id": report_id, "assignment_id": assignment_id, "author_id": rng.choice(authors),
                    "created_at": moment, "status": status, "percent": percent,
                    "completed_on": completed_on, "narrative": rng.choice(NARRATIVES).format(n=rng.randint(2, 60)),
                    "supersedes_id": None, "base_report_id": previous, "reason": None})
        previous = report_id
    if short_every and assignment_id % short_every == 0 and len(out) - first > SHORT_REPORTS:
        del out[first:len(out) - SHORT_REPORTS]
        out[first]["base_report_id"] = None
    last_row = out[-1]
    return {"status": status, "percent": percent, "completed_on": completed_on,
            "last_reported_at": last_row["created_at"],
            "completion_state": "confirmed" if status == "completed" else "none"}


def _cases(rng: random.Random, ids: Ids, count: int, plan_id: int, units: list[int], liaisons: dict[int, list[int]],
           reviewer: int, focus_items: list[int]) -> int:
    cases, versions, reviews = [], [], []
    kinds = ["positive", "practice", "practice", "negative"]
    for i in range(count):
        unit_id = units[i % len(units)]
        author = rng.choice(liaisons.get(unit_id) or [reviewer])
        case_id = ids.take("case_reports")
        day = PLAN_START + dt.timedelta(days=rng.randint(10, (TODAY - PLAN_START).days - 1))
        at = _utc(day, rng.randint(540, 1020))
        status = rng.choices(["submitted", "accepted", "returned", "featured"], [5, 3, 1, 1])[0]
        title = f"第{i + 1}号案例：{rng.choice(NARRATIVES).format(n=rng.randint(2, 30))[:30]}"
        body = "".join(rng.choice(NARRATIVES).format(n=rng.randint(2, 90)) for _ in range(8))
        kind = rng.choice(kinds)
        focus = rng.choice(focus_items) if focus_items and rng.random() < 0.5 else None
        cases.append({"id": case_id, "plan_id": plan_id, "year": 2024, "unit_id": unit_id, "kind": kind,
                      "title": title, "summary": body[:120], "body": body, "task_id": None, "focus_item_id": focus,
                      "status": status, "feature_order": i if status == "featured" else None, "version": 1,
                      "created_by_id": author, "created_at": at, "submitted_at": at})
        versions.append({"id": ids.take("case_versions"), "case_id": case_id, "number": 1, "kind": kind,
                         "title": title, "summary": body[:120], "body": body, "task_id": None,
                         "focus_item_id": focus, "author_id": author, "created_at": at})
        if status != "submitted":
            action = {"accepted": "accept", "returned": "return", "featured": "feature"}[status]
            reviews.append({"id": ids.take("case_reviews"), "case_id": case_id, "version": 1, "action": action,
                            "comment": "请补充具体数据。" if action == "return" else "", "actor_id": reviewer,
                            "created_at": at + dt.timedelta(days=3)})
    _insert(CaseReport, cases)
    _insert(CaseVersion, versions)
    _insert(CaseReview, reviews)
    return len(cases)


def main(argv: list[str] | None = None) -> None:
    """Command line: generate into the database named by DATABASE_URL."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=0.1)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--overdue", type=float, default=None,
                        help="the share of assignments overdue on the bench's day (the tracker shape: 0.3)")
    parser.add_argument("--province", action="store_true",
                        help="a province of work groups: 1 + 11 cities + 90 counties at scale 1 (bench/province.py)")
    args = parser.parse_args(argv)
    from flask_migrate import upgrade

    from tasktrack import create_app

    app = create_app()
    with app.app_context():
        upgrade()
        if db.session.scalar(sa.select(sa.func.count()).select_from(ProgressReport)):
            raise SystemExit("the database already holds progress reports; give an empty one")
        if args.province:
            from bench.province import generate_province

            stats = generate_province(args.scale, seed=args.seed)
        else:
            stats = generate(args.scale, seed=args.seed, overdue=args.overdue)
    print(json.dumps(stats.as_dict()))


if __name__ == "__main__":
    main()
