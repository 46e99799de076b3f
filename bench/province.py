"""A province of work groups for the benchmark (issue 12, "Scale"): ``python -m bench.generate --province``.

At ``--scale 1``: the provincial work group (the real seed: 17 member units, 11 cities and the 2024 plan), 11 city
work groups and 90 county work groups (8 or 9 a city) with parent links; each city's seed unit stands for its
city group, and each county has a unit in its city's group that stands for it. Member units: 25 a city, 29 a
county (~3,000 units); ~10,000 users (three secretariat accounts a group, liaisons spread over the units); one
plan a group (~100 plans) of 47 tasks with 15–35 units each (~100,000 assignments); ~20 progress reports an
assignment (~2,000,000, written with COPY on PostgreSQL). The cascade: a city plan's first ten tasks go to every
county of the city, and each inbound assignment (the province's tasks to a city, a city's to a county) is
decomposed into 1–3 tasks of the lower group's plan (``TaskLink``), as its secretariat would do. A smaller scale
shrinks every count but the 11 cities (the harness's test runs at 0.02).
"""

from __future__ import annotations

import datetime as dt
import random
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from bench.generate import (
    PASSWORD,
    PLAN_START,
    SECRETARIAT_EMAIL,
    SECTION_TITLES,
    Ids,
    Stats,
    _fix_sequences,
    _insert,
    _reports,
    _sign_and_point,
    _start_ids,
    _unit,
    _utc,
    settle,
)
from tasktrack.extensions import db
from tasktrack.models import (
    Assignment,
    Plan,
    ProgressReport,
    Section,
    Task,
    TaskLink,
    TaskTerm,
    Unit,
    User,
    WorkGroup,
)
from tasktrack.passwords import hash_password
from tasktrack.services import work_groups

#: Rows of progress reports held in memory before they are written.
CHUNK = 100_000
#: A city plan's first tasks go to every county of the city (the counties' inbound tasks).
CASCADE_TASKS = 10
#: The city whose secretariat and liaison the harness signs in as.
SAMPLE_CITY = "杭州市"
REPORT_COLUMNS = ("id", "assignment_id", "author_id", "created_at", "status", "percent", "completed_on", "narrative",
                  "supersedes_id", "base_report_id", "reason")


@dataclass(frozen=True)
class Shape:
    """The counts at one scale."""

    counties: int
    city_members: int
    county_members: int
    tasks: int
    users: int

    @classmethod
    def at(cls, scale: float) -> Shape:
        return cls(counties=max(11, round(90 * scale)), city_members=max(3, round(25 * scale)),
                   county_members=max(3, round(29 * scale)), tasks=max(CASCADE_TASKS + 2, round(47 * scale)),
                   users=round(10_000 * scale))


def city_email(n: int) -> str:
    return f"bench-city{n:02d}@example.org"


def generate_province(scale: float, *, seed: int = 2024, now: dt.datetime | None = None) -> Stats:
    """Fill an empty (migrated) database with a province of work groups; commits."""
    from tasktrack.services import seeding

    started = time.perf_counter()
    rng = random.Random(seed)
    now = now or _utc(PLAN_START, 9 * 60)
    shape = Shape.at(scale)
    stats = Stats()
    seeding.seed_base(now=now)
    db.session.commit()
    province = work_groups.default_work_group(now=now)
    ids = Ids()
    _start_ids(ids, "work_groups", "units", "users", "plans", "sections", "tasks", "task_terms", "assignments",
               "progress_reports", "task_links")
    cities = list(db.session.execute(sa.select(Unit.id, Unit.name).where(
        Unit.kind == "city", Unit.work_group_id == province.id).order_by(Unit.sort_order, Unit.id)))

    # -- the tree: a group for each city (its seed unit stands for it) and each county -----------------
    group_rows: list[dict[str, Any]] = []
    unit_rows: list[dict[str, Any]] = []
    members: dict[int, list[int]] = {}  # group -> its member units
    stand_ins: dict[int, list[int]] = defaultdict(list)  # group -> its units standing for lower groups
    represents: dict[int, int] = {}  # unit -> the group it stands for
    group_names: dict[int, str] = {}
    unit_names: dict[int, str] = {}

    def add_group(name: str, level: str, parent: int) -> int:
        gid = ids.take("work_groups")
        group_rows.append({"id": gid, "name": name, "level": level, "parent_id": parent, "created_at": now})
        group_names[gid] = name
        return gid

    def add_units(group: int, prefix: str, count: int) -> None:
        members[group] = []
        for k in range(count):
            uid = ids.take("units")
            name = f"{prefix}第{k + 1}成员单位"
            unit_rows.append({**_unit(uid, name, "member", None, 3000 + k, now), "work_group_id": group})
            members[group].append(uid)
            unit_names[uid] = name

    city_groups: list[int] = []
    for city_unit, city_name in cities:
        gid = add_group(f"{city_name}清廉社会组织建设工作专班", "city", province.id)
        city_groups.append(gid)
        represents[city_unit] = gid
        stand_ins[province.id].append(city_unit)
        add_units(gid, city_name.removesuffix("市") + "市", shape.city_members)
    for i in range(shape.counties):
        city = city_groups[i % len(city_groups)]
        county_name = f"{cities[i % len(cities)][1].removesuffix('市')}第{i // len(cities) + 1}县（市、区）"
        gid = add_group(f"{county_name}清廉社会组织建设工作专班", "county", city)
        uid = ids.take("units")
        unit_rows.append({**_unit(uid, county_name, "county", None, 2000 + i, now), "work_group_id": city})
        unit_names[uid] = county_name
        represents[uid] = gid
        stand_ins[city].append(uid)
        add_units(gid, county_name, shape.county_members)
    _insert(WorkGroup, group_rows)
    _insert(Unit, unit_rows)
    db.session.execute(sa.update(Unit.__table__).where(Unit.id == sa.bindparam("u_id"))
                       .values(represents_work_group_id=sa.bindparam("g_id")),
                       [{"u_id": u, "g_id": g} for u, g in represents.items()])
    stats.units = db.session.scalar(sa.select(sa.func.count()).select_from(Unit)) or 0

    # -- users: three secretariat accounts a group, liaisons over every unit -----------------------------
    password_hash = hash_password(PASSWORD)
    unit_group = {u["id"]: u["work_group_id"] for u in unit_rows}
    unit_group.update(dict(db.session.execute(sa.select(Unit.id, Unit.work_group_id)).tuples().all()))
    user_rows: list[dict[str, Any]] = []
    liaisons: dict[int, list[int]] = defaultdict(list)

    def add_user(email: str, name: str, role: str, unit_id: int | None, group: int) -> int:
        uid = ids.take("users")
        user_rows.append({"id": uid, "email": email, "name": name, "password_hash": password_hash, "role": role,
                          "unit_id": unit_id, "work_group_id": group, "is_active": True,
                          "session_token": f"bench{uid:027d}", "created_at": now})
        return uid

    secretariats: dict[int, int] = {}
    for gid in [province.id, *group_names]:
        for k in range(3):
            email = SECRETARIAT_EMAIL if gid == province.id and k == 0 else \
                city_email(city_groups.index(gid)) if gid in city_groups and k == 0 else \
                f"bench-office-g{gid}-{k}@example.org"
            account = add_user(email, f"专班办公室{gid}-{k}", "secretariat", None, gid)
            secretariats.setdefault(gid, account)
    units = sorted(unit_group)
    for n in range(max(len(units), shape.users - len(user_rows))):
        unit_id = units[n % len(units)]
        liaisons[unit_id].append(add_user(f"u{n:05d}@bench.example.org", f"联络员{n}", "liaison", unit_id,
                                          unit_group[unit_id]))
    _insert(User, user_rows)
    stats.users = len(user_rows)

    # -- one plan a lower group; tasks; assignments --------------------------------------------------------
    templates = list(db.session.execute(
        sa.select(Task.text, Task.deadline_phrase, Task.deadline_kind, Task.due_date, Task.period_months)
        .join(Plan, Plan.id == Task.plan_id).where(Plan.work_group_id == province.id).order_by(Task.number)))
    plan_rows, section_rows, task_rows, term_rows, assignment_rows = [], [], [], [], []
    plan_tasks: dict[int, list[int]] = {}  # group -> its plan's tasks
    for gid, name in group_names.items():
        plan_id = ids.take("plans")
        plan_rows.append({"id": plan_id, "work_group_id": gid, "year": 2024,
                          "title": f"{name.removesuffix('清廉社会组织建设工作专班')}2024年清廉社会组织建设工作任务表",
                          "issuer": name, "document_number": "", "issued_on": PLAN_START,
                          "report_period_months": 3, "warning_days": 14, "is_closed": False, "is_deleted": False,
                          "created_at": now, "case_task_number": None, "focus_choice_deadline": None})
        sections = []
        for number, title in enumerate(SECTION_TITLES, start=1):
            sid = ids.take("sections")
            section_rows.append({"id": sid, "plan_id": plan_id, "number": number, "title": title})
            sections.append(sid)
        plan_tasks[gid] = []
        for number in range(1, shape.tasks + 1):
            text, phrase, kind, due, period = templates[(number - 1) % len(templates)]
            tid = ids.take("tasks")
            plan_tasks[gid].append(tid)
            pool = members[gid]
            chosen = rng.sample(pool, min(len(pool), rng.randint(15, 35)))
            if number <= CASCADE_TASKS:
                chosen = [*chosen[: max(1, len(chosen) // 2)], *stand_ins[gid]]  # to every county of a city
            chosen = list(dict.fromkeys(chosen))
            task_rows.append({"id": tid, "plan_id": plan_id, "section_id": sections[(number - 1) * 5 // shape.tasks],
                              "number": number, "text": text, "deadline_phrase": phrase, "deadline_kind": kind,
                              "due_date": due, "period_months": period, "is_deleted": False, "created_at": now,
                              "responsible_phrase": "、".join(unit_names[u] for u in chosen)[:500]})
            for position, unit_id in enumerate(chosen):
                term_rows.append({"id": ids.take("task_terms"), "task_id": tid, "position": position,
                                  "text": unit_names[unit_id], "unit_id": unit_id, "category_id": None})
                assignment_rows.append({"id": ids.take("assignments"), "task_id": tid, "unit_id": unit_id,
                                        "is_lead": position == 0, "created_at": now, "_due": due, "_kind": kind})
    _insert(Plan, plan_rows)
    _insert(Section, section_rows)
    _insert(Task, task_rows)
    _insert(TaskTerm, term_rows)
    stats.plans = len(plan_rows) + 1
    provincial = [{"id": a_id, "_due": due, "_kind": kind, "unit_id": unit_id}
                  for a_id, unit_id, due, kind in db.session.execute(
                      sa.select(Assignment.id, Assignment.unit_id, Task.due_date, Task.deadline_kind)
                      .join(Task, Assignment.task_id == Task.id).join(Plan, Plan.id == Task.plan_id)
                      .where(Plan.work_group_id == province.id))]

    # -- reports (streamed), the assignment mirror, the decomposition links -------------------------------
    authors_of = {u: liaisons.get(u) or [secretariats[unit_group[u]]] for u in unit_group}
    for u, g in represents.items():  # the lower secretariat writes the summary of an inbound task
        authors_of[u] = [secretariats[g]]
    reports: list[dict[str, Any]] = []
    mirrors: dict[int, dict[str, Any]] = {}
    sink = _Sink(db.session.get_bind().dialect.name == "postgresql")
    for row in assignment_rows + provincial:
        mirrors[row["id"]] = _reports(rng, ids, row["id"], row["_due"], row["_kind"], authors_of[row["unit_id"]],
                                      reports)
        if len(reports) >= CHUNK:
            sink.keep(reports)
    sink.keep(reports)
    for row in assignment_rows:
        # A bulk insert passes by the ORM flush that keeps the due date in force (models/due_in_force.py).
        row["due_in_force"] = row.pop("_due")
        del row["_kind"]
        row.update(mirrors[row["id"]])
    _insert(Assignment, assignment_rows)
    table = Assignment.__table__
    db.session.execute(sa.update(table).where(table.c.id == sa.bindparam("b_id")).values(
        status=sa.bindparam("status"), percent=sa.bindparam("percent"), completed_on=sa.bindparam("completed_on"),
        last_reported_at=sa.bindparam("last_reported_at"), completion_state=sa.bindparam("completion_state")),
        [{"b_id": r["id"], **mirrors[r["id"]]} for r in provincial])
    stats.reports = sink.write()
    # In July every unit has long since signed for (签收) its work: as migration 0018 does for rows before 签收; and
    # each assignment points at its newest report (the reports went in past the ORM that keeps it).
    _sign_and_point()
    stats.assignments = len(assignment_rows) + len(provincial)
    links = []
    for row in assignment_rows + provincial:
        lower = represents.get(row["unit_id"])
        if lower is not None:
            for task_id in rng.sample(plan_tasks[lower], rng.randint(1, 3)):
                links.append({"id": ids.take("task_links"), "parent_assignment_id": row["id"], "task_id": task_id,
                              "created_at": now, "created_by_id": secretariats[lower]})
    _insert(TaskLink, links)
    stats.links = len(links)
    _fix_sequences("work_groups", "units", "users", "plans", "sections", "tasks", "task_terms", "assignments",
                   "progress_reports", "task_links")
    db.session.commit()
    settle()
    stats.groups = len(group_rows) + 1
    stats.seconds = round(time.perf_counter() - started, 1)
    return stats


class _Sink:
    """Progress reports kept until their assignments are written: as COPY text in a temporary file on PostgreSQL
    (two million rows would not fit in memory as dicts), as rows elsewhere (the small scales)."""

    def __init__(self, copy: bool) -> None:
        self.copy = copy
        self.file = tempfile.TemporaryFile("w+", encoding="utf-8") if copy else None  # noqa: SIM115  # closed by write()
        self.rows: list[dict[str, Any]] = []
        self.count = 0

    def keep(self, rows: list[dict[str, Any]]) -> None:
        self.count += len(rows)
        if self.file is None:
            self.rows.extend(rows)
        else:
            self.file.writelines("\t".join(_copy_value(row[c]) for c in REPORT_COLUMNS) + "\n" for row in rows)
        rows.clear()

    def write(self) -> int:
        """Write every kept report (COPY on PostgreSQL: ten times the pace of multi-row INSERTs)."""
        if self.file is None:
            _insert(ProgressReport, self.rows)
            return self.count
        self.file.seek(0)
        raw = db.session.connection().connection.driver_connection
        with raw.cursor() as cursor, \
                cursor.copy(f"COPY progress_reports ({', '.join(REPORT_COLUMNS)}) FROM STDIN") as out:
            while block := self.file.read(1 << 20):
                out.write(block)
        self.file.close()
        return self.count


def _copy_value(value: Any) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
