"""Hand-made plans for the dashboard, export, API and calendar tests (no seed: every number is known)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from tasktrack.domain.deadlines import DeadlineKind
from tasktrack.extensions import db
from tasktrack.models import (
    Assignment,
    AssignmentStatus,
    Category,
    Plan,
    ProgressReport,
    Role,
    Section,
    Task,
    Unit,
    UnitKind,
    User,
)

NOW = dt.datetime(2024, 7, 18, 2, 0, tzinfo=dt.UTC)


@dataclass
class Small:
    """Ids of the small plan."""

    plan: Plan
    sections: list[Section]
    unit_a: Unit
    unit_b: Unit
    cat_x: Category
    cat_y: Category
    a1: Assignment
    b1: Assignment
    a2: Assignment
    a3: Assignment
    b3: Assignment
    b4: Assignment
    a4_closed: Assignment
    liaison_a: User
    liaison_b: User


def _task(plan: Plan, section: Section, number: int, kind: DeadlineKind, due: dt.date, text: str) -> Task:
    task = Task(plan=plan, section=section, number=number, text=text, deadline_phrase=f"{due:%Y年%m月%d日}前",
                deadline_kind=kind, due_date=due, responsible_phrase="甲单位、乙单位", created_at=NOW)
    db.session.add(task)
    return task


def _assign(task: Task, unit: Unit, *, lead: bool = False) -> Assignment:
    a = Assignment(task=task, unit=unit, is_lead=lead, created_at=NOW)
    db.session.add(a)
    return a


def _user(email: str, unit: Unit) -> User:
    user = User(email=email, name=email.split("@")[0], password_hash="x", role=Role.LIAISON, unit=unit,
                created_at=NOW)
    db.session.add(user)
    return user


def _report(a: Assignment, author: User, when: dt.datetime, status: AssignmentStatus, narrative: str, *,
            percent: int | None = None, completed_on: dt.date | None = None) -> ProgressReport:
    """Add a report row directly and mirror it on the assignment (as services/progress does)."""
    report = ProgressReport(assignment=a, author=author, created_at=when, status=status, percent=percent,
                            completed_on=completed_on, narrative=narrative)
    db.session.add(report)
    a.status, a.percent, a.completed_on, a.last_reported_at = status, percent, completed_on, when
    return report


def small_plan() -> Small:
    """Build the plan whose numbers the tests check by hand (today 2024-07-18, plan issued 2024-03-01).

    | assignment | section | kind       | due        | state                    | light            |
    | A1 (lead)  | 1       | dated      | 2024-06-30 | no report                | red (overdue)    |
    | B1         | 1       | dated      | 2024-06-30 | completed 06-20          | done             |
    | A2         | 1       | dated      | 2024-07-25 | no report                | yellow (due soon)|
    | A3         | 2       | year-round | 2024-12-31 | no report                | yellow (stale)   |
    | B3         | 2       | year-round | 2024-12-31 | report 07-01             | green            |
    | B4         | 2       | dated      | 2024-09-30 | in progress              | green            |
    | A4         | 2       | dated      | 2024-09-30 | closed (left category)   | not counted      |
    """
    cat_x = Category(name="甲类", code="cat_x", sort_order=1)
    cat_y = Category(name="乙类", code="cat_y", sort_order=2)
    unit_a = Unit(name="甲单位", kind=UnitKind.MEMBER, sort_order=1, created_at=NOW, categories=[cat_x])
    unit_b = Unit(name="乙单位", kind=UnitKind.CITY, sort_order=2, created_at=NOW, categories=[cat_y])
    plan = Plan(year=2024, title="测试任务表", issuer="测试专班", issued_on=dt.date(2024, 3, 1), created_at=NOW)
    s1 = Section(plan=plan, number=1, title="强化党建统领")
    s2 = Section(plan=plan, number=2, title="加强规范监管")
    db.session.add_all([cat_x, cat_y, unit_a, unit_b, plan, s1, s2])
    t1 = _task(plan, s1, 1, DeadlineKind.DATED, dt.date(2024, 6, 30), "编印案例汇编，做好宣传")
    t2 = _task(plan, s1, 2, DeadlineKind.DATED, dt.date(2024, 7, 25), "开展专项检查")
    t3 = _task(plan, s2, 3, DeadlineKind.YEAR_ROUND, dt.date(2024, 12, 31), "全年推进规范化建设")
    t4 = _task(plan, s2, 4, DeadlineKind.DATED, dt.date(2024, 9, 30), "完善数据共享机制")
    a1, b1 = _assign(t1, unit_a, lead=True), _assign(t1, unit_b)
    a2 = _assign(t2, unit_a)
    a3, b3 = _assign(t3, unit_a), _assign(t3, unit_b)
    b4 = _assign(t4, unit_b, lead=True)
    a4 = _assign(t4, unit_a)
    a4.closed_at = NOW
    liaison_a, liaison_b = _user("a@example.org", unit_a), _user("b@example.org", unit_b)
    _report(b1, liaison_b, NOW - dt.timedelta(days=28), AssignmentStatus.IN_PROGRESS, "已起草", percent=50)
    _report(b1, liaison_b, NOW - dt.timedelta(days=27), AssignmentStatus.COMPLETED, "汇编已印发，共收录 36 个案例。",
            percent=100, completed_on=dt.date(2024, 6, 20))
    _report(b3, liaison_b, dt.datetime(2024, 7, 1, 2, 0, tzinfo=dt.UTC), AssignmentStatus.IN_PROGRESS,
            "第二季度完成 12 家试点。", percent=40)
    _report(b4, liaison_b, NOW - dt.timedelta(days=2), AssignmentStatus.IN_PROGRESS, "已完成方案起草", percent=20)
    db.session.commit()
    return Small(plan, [s1, s2], unit_a, unit_b, cat_x, cat_y, a1, b1, a2, a3, b3, b4, a4, liaison_a, liaison_b)


def scaled_plan(factor: int) -> Plan:
    """Build a plan with 3 sections, 6·factor tasks, 4·factor units, three assignments per task, reports."""
    cats = [Category(name=f"类别{i}-{factor}", code=f"c{i}-{factor}", sort_order=i) for i in range(2)]
    units = [Unit(name=f"单位{i}-{factor}", kind=UnitKind.MEMBER, sort_order=i, created_at=NOW,
                  categories=[cats[i % 2]]) for i in range(4 * factor)]
    plan = Plan(year=2024, title=f"规模测试{factor}", issuer="测试", issued_on=dt.date(2024, 1, 1), created_at=NOW)
    sections = [Section(plan=plan, number=i + 1, title=f"主要任务{i + 1}") for i in range(3)]
    db.session.add_all([*cats, *units, plan, *sections])
    authors = [_user(f"u{i}-{factor}@example.org", u) for i, u in enumerate(units)]
    kinds = [DeadlineKind.DATED, DeadlineKind.YEAR_ROUND]
    for n in range(6 * factor):
        due = dt.date(2024, 1 + n % 12, 28)
        task = _task(plan, sections[n % 3], n + 1, kinds[n % 2], due, f"任务{n + 1}")
        for k in range(3):
            index = (n + k) % len(units)
            a = _assign(task, units[index], lead=k == 0)
            if (n + k) % 2:
                _report(a, authors[index], NOW - dt.timedelta(days=n % 40), AssignmentStatus.IN_PROGRESS,
                        f"进展{n}-{k}", percent=30)
            if (n + k) % 5 == 0:
                _report(a, authors[index], NOW - dt.timedelta(days=1), AssignmentStatus.COMPLETED, "完成",
                        percent=100, completed_on=dt.date(2024, 7, 1))
    db.session.commit()
    return plan
