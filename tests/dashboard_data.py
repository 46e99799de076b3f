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
    CompletionState,
    Plan,
    ProgressReport,
    Role,
    Section,
    Task,
    Unit,
    UnitKind,
    User,
)
from tasktrack.services.work_groups import default_work_group

NOW = dt.datetime(2024, 7, 18, 2, 0, tzinfo=dt.UTC)


def _gid() -> int:
    """Return the id of the provincial work group every test unit, category and plan belongs to."""
    return default_work_group(now=NOW).id


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
                work_group_id=unit.work_group_id,
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
    cat_x = Category(work_group_id=_gid(), name="甲类", code="cat_x", sort_order=1)
    cat_y = Category(work_group_id=_gid(), name="乙类", code="cat_y", sort_order=2)
    unit_a = Unit(work_group_id=_gid(),
                  name="甲单位", kind=UnitKind.MEMBER, sort_order=1, created_at=NOW, categories=[cat_x])
    unit_b = Unit(work_group_id=_gid(),
                  name="乙单位", kind=UnitKind.CITY, sort_order=2, created_at=NOW, categories=[cat_y])
    plan = Plan(work_group_id=_gid(),
                year=2024, title="测试任务表", issuer="测试专班", issued_on=dt.date(2024, 3, 1), created_at=NOW)
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
    cats = [Category(work_group_id=_gid(),
                     name=f"类别{i}-{factor}", code=f"c{i}-{factor}", sort_order=i) for i in range(2)]
    units = [Unit(work_group_id=_gid(), name=f"单位{i}-{factor}", kind=UnitKind.MEMBER, sort_order=i, created_at=NOW,
                  categories=[cats[i % 2]]) for i in range(4 * factor)]
    plan = Plan(work_group_id=_gid(),
                year=2024, title=f"规模测试{factor}", issuer="测试", issued_on=dt.date(2024, 1, 1), created_at=NOW)
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


@dataclass
class Mixed:
    """The plans of ``mixed_plans``: plans and units by key, and the assignments a person counts as red."""

    plans: dict[str, Plan]
    sections: dict[str, Section]
    units: dict[str, Unit]
    red: dict[str, set[int]]

    @property
    def all_red(self) -> set[int]:
        """Return the red assignments of every plan that is not deleted."""
        return set().union(*(ids for key, ids in self.red.items() if not self.plans[key].is_deleted))


#: Rows of ``mixed_plans``: (section, task number, kind, due, task deleted, [(unit, lead, state, extended due)]).
#: States: new (no report), doing (in progress), done (on time), late (completed late), claimed (completion
#: awaiting 办结), returned (claim sent back: in progress again), closed (the unit left the task).
D, Y = DeadlineKind.DATED, DeadlineKind.YEAR_ROUND
MIXED_TASKS: dict[str, list[tuple]] = {
    "province": [
        (1, 1, D, dt.date(2024, 6, 30), False, [("u1", True, "new", None), ("u2", False, "doing", None),
                                                 ("u3", False, "done", None), ("u4", False, "late", None)]),
        (1, 2, D, dt.date(2024, 7, 18), False, [("u1", True, "new", None),  # due today: not red yet
                                                 ("u2", False, "doing", dt.date(2024, 7, 10))]),  # still past
        (1, 3, D, dt.date(2024, 7, 17), False, [("u1", False, "new", None), ("u2", False, "claimed", None),
                                                 ("u3", True, "returned", None), ("u4", False, "closed", None)]),
        (2, 4, Y, dt.date(2024, 12, 31), False, [("u1", True, "new", None), ("u2", False, "doing", None)]),
        (2, 5, D, dt.date(2024, 5, 31), True, [("u1", True, "new", None), ("u2", False, "new", None)]),
        (2, 6, D, dt.date(2024, 6, 30), False, [("u1", False, "doing", dt.date(2024, 8, 31)),  # moved ahead
                                                 ("u2", True, "new", None),
                                                 ("u3", False, "new", dt.date(2024, 7, 1)),  # still past
                                                 ("u4", False, "new", None)]),
    ],
    # Same numbers and dates as the province plan: ties that only the plan id breaks.
    "city": [
        (1, 1, D, dt.date(2024, 6, 30), False, [("u2", True, "new", None), ("u1", False, "new", None),
                                                 ("u4", False, "doing", None)]),
        (1, 3, D, dt.date(2024, 7, 17), False, [("u3", True, "doing", None), ("u4", False, "done", None)]),
        (2, 6, D, dt.date(2024, 6, 30), False, [("u1", True, "new", None), ("u3", False, "late", None)]),
        (2, 7, Y, dt.date(2024, 12, 31), False, [("u4", True, "doing", None)]),
    ],
    # Last year's plan: its year-round work is overdue since 2023-12-31 unless it was finished.
    "last_year": [
        (1, 1, Y, dt.date(2023, 12, 31), False, [("u1", True, "doing", None), ("u2", False, "done", None),
                                                  ("u3", False, "new", dt.date(2024, 8, 1))]),
        (1, 2, D, dt.date(2023, 6, 30), False, [("u3", True, "new", None), ("u4", False, "late", None)]),
    ],
    "deleted": [
        (1, 1, D, dt.date(2024, 6, 30), False, [("u1", True, "new", None), ("u2", False, "doing", None)]),
    ],
}


def mixed_plans() -> Mixed:
    """Build three plans and a deleted one with every kind of row the overdue list must tell apart.

    Units u1 and u2 share a sort order (ties broken by lead first, then unit id); u3 is in both categories,
    u4 in none. Today is 2024-07-18.
    """
    cat_x = Category(work_group_id=_gid(), name="混合甲类", code="mix_x", sort_order=1)
    cat_y = Category(work_group_id=_gid(), name="混合乙类", code="mix_y", sort_order=2)
    units = {
        "u1": Unit(work_group_id=_gid(),
                   name="混合单位一", kind=UnitKind.MEMBER, sort_order=1, created_at=NOW, categories=[cat_x]),
        "u2": Unit(work_group_id=_gid(),
                   name="混合单位二", kind=UnitKind.MEMBER, sort_order=1, created_at=NOW, categories=[cat_y]),
        "u3": Unit(work_group_id=_gid(),
                   name="混合单位三", kind=UnitKind.CITY, sort_order=2, created_at=NOW, categories=[cat_x, cat_y]),
        "u4": Unit(work_group_id=_gid(), name="混合单位四", kind=UnitKind.COUNTY, sort_order=0, created_at=NOW),
    }
    db.session.add_all([cat_x, cat_y, *units.values()])
    authors = {key: _user(f"mixed-{key}@example.org", unit) for key, unit in units.items()}
    specs = {"province": (2024, "省级任务表"), "city": (2024, "杭州市任务表"), "last_year": (2023, "上年任务表"),
             "deleted": (2024, "已删除任务表")}
    plans: dict[str, Plan] = {}
    sections: dict[str, Section] = {}
    red: dict[str, set[int]] = {}
    today = NOW.date()
    for key, (year, title) in specs.items():
        plan = Plan(work_group_id=_gid(),
                    year=year, title=title, issuer="测试", issued_on=dt.date(year, 2, 1), created_at=NOW,
                    is_deleted=key == "deleted")
        plans[key] = plan
        for n in (1, 2):
            sections[f"{key}.{n}"] = Section(plan=plan, number=n, title=f"{title}主要任务{n}")
        db.session.add_all([plan, sections[f"{key}.1"], sections[f"{key}.2"]])
        pending: list[tuple[Assignment, bool]] = []
        for section_no, number, kind, due, task_deleted, rows in MIXED_TASKS[key]:
            task = _task(plan, sections[f"{key}.{section_no}"], number, kind, due, f"{title}任务{number}")
            task.is_deleted = task_deleted
            for unit_key, lead, state, extended in rows:
                a = _assign(task, units[unit_key], lead=lead)
                a.extended_due = extended
                _mixed_state(a, authors[unit_key], state, due)
                finished = state in ("done", "late", "claimed")
                past_due = (extended or due) < today
                counted = not task_deleted and state != "closed"
                pending.append((a, counted and not finished and past_due))
        db.session.flush()
        red[key] = {a.id for a, is_red in pending if is_red}
    db.session.commit()
    return Mixed(plans, sections, units, red)


def _mixed_state(a: Assignment, author: User, state: str, due: dt.date) -> None:
    when = NOW - dt.timedelta(days=5)
    if state == "doing":
        _report(a, author, when, AssignmentStatus.IN_PROGRESS, "推进中", percent=40)
    elif state in ("done", "late", "claimed"):
        finished = due - dt.timedelta(days=3) if state != "late" else due + dt.timedelta(days=4)
        _report(a, author, when, AssignmentStatus.COMPLETED, "已完成", percent=100, completed_on=finished)
        a.completion_state = CompletionState.CLAIMED if state == "claimed" else CompletionState.CONFIRMED
    elif state == "returned":
        _report(a, author, when, AssignmentStatus.IN_PROGRESS, "退回后继续推进", percent=80)
        a.completion_state = CompletionState.RETURNED
    elif state == "closed":
        a.closed_at = NOW
