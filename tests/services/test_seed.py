"""The seed: the 2024 table transcribed, loaded through the importer, idempotent."""

from __future__ import annotations

import sqlalchemy as sa

from tasktrack.extensions import db
from tasktrack.models import (
    Assignment,
    AuditEvent,
    Category,
    FocusItem,
    Plan,
    Section,
    Task,
    Unit,
    UnitKind,
    User,
)
from tasktrack.services import seeding


def counts() -> dict[str, int]:
    return {model.__name__: db.session.scalar(sa.select(sa.func.count()).select_from(model)) for model in
            (Plan, Section, Task, Unit, Category, FocusItem, Assignment, AuditEvent, User)}


def units_of(number: int) -> tuple[set[str], set[str]]:
    task = db.session.scalar(sa.select(Task).where(Task.number == number))
    open_rows = [a for a in task.assignments if a.closed_at is None]
    return {a.unit.name for a in open_rows}, {a.unit.name for a in open_rows if a.is_lead}


def test_seed_loads_the_2024_table(seeded):
    assert counts() | {"AuditEvent": 0} == {
        "Plan": 1, "Section": 5, "Task": 17, "Unit": 28, "Category": 8, "FocusItem": 4,
        "Assignment": 197, "AuditEvent": 0, "User": 0,
    }
    plan = db.session.scalar(sa.select(Plan))
    assert plan.title == "2024年省清廉社会组织建设工作任务表"
    assert plan.focus_choice_deadline.isoformat() == "2024-04-30"
    assert [s.title for s in plan.sections] == [
        "强化党建统领", "加强规范监管", "深化专项治理", "推进“数智”赋能", "加强工作协同",
    ]
    task1 = db.session.scalar(sa.select(Task).where(Task.number == 1))
    assert task1.deadline_phrase == "2024 年 7 月底前"
    assert task1.due_date.isoformat() == "2024-07-31"
    assert task1.responsible_phrase == "业务主管单位、行业管理部门、党建工作机构"
    task16 = db.session.scalar(sa.select(Task).where(Task.number == 16))
    assert task16.deadline_kind.value == "year_round"
    assert [t.category.name for t in task16.terms] == ["各专班成员单位", "各市、县（市、区）"]
    assert sum(1 for u in db.session.scalars(sa.select(Unit)) if u.kind is UnitKind.CITY) == 11


def test_responsibility_sets_in_the_database(seeded):
    members = {u.name for u in db.session.scalars(sa.select(Unit).where(Unit.kind == UnitKind.MEMBER))}
    cities = {u.name for u in db.session.scalars(sa.select(Unit).where(Unit.kind == UnitKind.CITY))}
    assert units_of(6) == ({"省民政厅"}, {"省民政厅"})
    assert units_of(8) == ({"省民政厅"}, {"省民政厅"})
    assert units_of(15) == (members, set())
    assert units_of(16) == (members | cities, set())
    assert units_of(17) == (cities, set())  # no observation points in the base seed
    names, lead = units_of(4)
    assert lead == {"省民政厅"}
    assert "省委组织部" in names
    assert "省公安厅" not in names


def test_seed_twice_changes_nothing(app, now):
    seeding.seed_base(now=now)
    db.session.commit()
    first = counts()
    report = seeding.seed_base(now=now)
    db.session.commit()
    assert counts() == first
    assert not any(report.created.values())


def test_seed_keeps_what_the_secretariat_edited(seeded, now):
    unit = db.session.scalar(sa.select(Unit).where(Unit.name == "省体育局"))
    unit.contact_emails = "tyj@example.org"
    db.session.commit()
    seeding.seed_base(now=now)
    db.session.commit()
    assert db.session.scalar(sa.select(Unit.contact_emails).where(Unit.name == "省体育局")) == "tyj@example.org"


def test_demo_seed_is_idempotent_too(seeded, now):
    seeding.seed_demo(now=now, fast_hash=True)
    db.session.commit()
    first = counts()
    seeding.seed_demo(now=now, fast_hash=True)
    db.session.commit()
    assert counts() == first
    assert first["User"] == 6 + 7  # demo.yaml's six, and seed/levels.yaml's three secretariats and four liaisons
    # the two demo observation points joined 观察点 and so took task 17
    assert len(units_of(17)[0]) == 13
