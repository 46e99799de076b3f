"""A small work-group tree for the levels tests: a province, two cities under it, a county under the second city.

Every number is known (today 2024-07-18). Built through the work-group service (so each lower group has its unit
in its parent group), with hand-made plans like tests/dashboard_data.py. Independent of the seed: the names are
made up, so it runs on an empty or a seeded database alike.

| group            | unit in parent | own plan (tasks → units, state)                                  |
| province (省)    | —              | 省测试计划: P1 → 甲市 (due 06-30, no report: red, decomposed into A1),  |
|                  |                |   P2 → 甲市 (due 12-31 year-round, undecomposed), P3 → 乙市 (done)      |
| 甲市 (市)        | 甲市           | 甲市计划: A1 → 甲市民政局 (due 06-30, red), 甲市财政局 (done)           |
| 乙市 (市)        | 乙市           | none                                                              |
| 丙县 (县, 乙市下) | 丙县 (in 乙市)  | 丙县计划: C1 → 丙县民政局 (due 09-30, green)                          |
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from tasktrack.domain.deadlines import DeadlineKind
from tasktrack.extensions import db
from tasktrack.models import (
    Assignment,
    AssignmentStatus,
    Plan,
    ProgressReport,
    Role,
    Section,
    Task,
    TaskLink,
    Unit,
    UnitKind,
    User,
    WorkGroup,
    WorkGroupLevel,
)
from tasktrack.services import units, users, work_group_admin
from tasktrack.services.work_groups import default_work_group

NOW = dt.datetime(2024, 7, 18, 2, 0, tzinfo=dt.UTC)
PASSWORD = "correct-horse-battery"


@dataclass
class Tree:
    """The groups, plans, units, inbound assignments and users of the small tree."""

    province: WorkGroup
    city_a: WorkGroup
    city_b: WorkGroup
    county: WorkGroup
    province_plan: Plan
    city_plan: Plan
    county_plan: Plan
    unit_a: Unit  # 甲市 in the province
    unit_b: Unit  # 乙市 in the province
    unit_c: Unit  # 丙县 in 乙市
    inbound_red: Assignment  # P1 → 甲市, decomposed
    inbound_open: Assignment  # P2 → 甲市, undecomposed
    inbound_done: Assignment  # P3 → 乙市, done
    city_red: Assignment  # A1 → 甲市民政局
    users: dict[str, User]


def _plan(group: WorkGroup, title: str) -> tuple[Plan, Section]:
    plan = Plan(work_group_id=group.id, year=2024, title=title, issuer=group.name, issued_on=dt.date(2024, 3, 1),
                created_at=NOW)
    section = Section(plan=plan, number=1, title="重点任务")
    db.session.add_all([plan, section])
    return plan, section


def _task(plan: Plan, section: Section, number: int, due: dt.date, text: str,
          kind: DeadlineKind = DeadlineKind.DATED) -> Task:
    task = Task(plan=plan, section=section, number=number, text=text, deadline_phrase=f"{due:%Y年%m月%d日}前",
                deadline_kind=kind, due_date=due, responsible_phrase="", created_at=NOW)
    db.session.add(task)
    return task


def _assign(task: Task, unit: Unit, *, done: bool = False) -> Assignment:
    a = Assignment(task=task, unit=unit, is_lead=True, created_at=NOW)
    db.session.add(a)
    if done:
        a.status, a.percent, a.completed_on, a.last_reported_at = (AssignmentStatus.COMPLETED, 100,
                                                                   dt.date(2024, 7, 1), NOW - dt.timedelta(days=17))
    return a


def _unit(group: WorkGroup, name: str, email: str) -> Unit:
    unit, _ = units.save_unit(None, actor=None, name=name, kind=UnitKind.MEMBER, categories=[],
                              contact_emails=email, leader_email=None,
                              work_group=group, now=NOW)
    return unit


def _user(key: str, role: Role, group: WorkGroup, unit: Unit | None = None) -> User:
    return users.create_user(actor=None, email=f"{key}@levels.example.org", name=key, role=role, unit=unit,
                             password=PASSWORD, now=NOW, fast_hash=True, work_group=None if unit else group)


def build_tree() -> Tree:
    """Build and commit the tree."""
    province = default_work_group(now=NOW)
    city_a = work_group_admin.create_work_group(None, name="甲市测试专班", level=WorkGroupLevel.CITY,
                                                parent=province, unit_name="甲市", now=NOW)
    city_b = work_group_admin.create_work_group(None, name="乙市测试专班", level=WorkGroupLevel.CITY,
                                                parent=province, unit_name="乙市", now=NOW)
    county = work_group_admin.create_work_group(None, name="丙县测试专班", level=WorkGroupLevel.COUNTY,
                                                parent=city_b, unit_name="丙县", now=NOW)
    unit_a = work_group_admin.representing_unit(city_a)
    unit_b = work_group_admin.representing_unit(city_b)
    unit_c = work_group_admin.representing_unit(county)
    assert unit_a is not None
    assert unit_b is not None
    assert unit_c is not None
    a_civil = _unit(city_a, "甲市民政局", "a-civil@levels.example.org")
    a_finance = _unit(city_a, "甲市财政局", "a-finance@levels.example.org")
    c_civil = _unit(county, "丙县民政局", "c-civil@levels.example.org")

    pplan, ps = _plan(province, "省测试计划")
    p1 = _task(pplan, ps, 1, dt.date(2024, 6, 30), "省任务一：建立工作机制")
    p2 = _task(pplan, ps, 2, dt.date(2024, 12, 31), "省任务二：全年推进", DeadlineKind.YEAR_ROUND)
    p3 = _task(pplan, ps, 3, dt.date(2024, 6, 30), "省任务三：摸底排查")
    inbound_red, inbound_open = _assign(p1, unit_a), _assign(p2, unit_a)
    inbound_done = _assign(p3, unit_b, done=True)

    cplan, cs = _plan(city_a, "甲市测试计划")
    a1 = _task(cplan, cs, 1, dt.date(2024, 6, 30), "市任务一：落实省任务一")
    city_red = _assign(a1, a_civil)
    _assign(a1, a_finance, done=True)

    kplan, ks = _plan(county, "丙县测试计划")
    _assign(_task(kplan, ks, 1, dt.date(2024, 9, 30), "县任务一"), c_civil)
    db.session.flush()
    db.session.add(TaskLink(parent_assignment=inbound_red, task=a1, created_at=NOW))

    people = {
        "sec_province": _user("sec_province", Role.SECRETARIAT, province),
        "sec_a": _user("sec_a", Role.SECRETARIAT, city_a),
        "sec_b": _user("sec_b", Role.SECRETARIAT, city_b),
        "sec_county": _user("sec_county", Role.SECRETARIAT, county),
        "viewer_a": _user("viewer_a", Role.VIEWER, city_a),
        "liaison_a": _user("liaison_a", Role.LIAISON, city_a, a_civil),
        "liaison_county": _user("liaison_county", Role.LIAISON, county, c_civil),
    }
    report = ProgressReport(assignment=inbound_done, author=people["sec_b"], created_at=NOW - dt.timedelta(days=17),
                            status=AssignmentStatus.COMPLETED, percent=100, completed_on=dt.date(2024, 7, 1),
                            narrative="乙市已完成摸底排查。")
    db.session.add(report)
    db.session.commit()
    return Tree(province, city_a, city_b, county, pplan, cplan, kplan, unit_a, unit_b, unit_c, inbound_red,
                inbound_open, inbound_done, city_red, people)
