"""Joining a category assigns its open tasks; leaving closes them and keeps their history."""

from __future__ import annotations

import sqlalchemy as sa

from tasktrack.extensions import db
from tasktrack.models import Assignment, AssignmentStatus, AuditEvent, Category, Task, Unit, UnitKind
from tasktrack.services import progress, units


def category(name: str) -> Category:
    return db.session.scalar(sa.select(Category).where(Category.name == name))


def open_tasks_of(unit: Unit) -> set[int]:
    rows = db.session.scalars(sa.select(Assignment).where(Assignment.unit_id == unit.id))
    return {a.task.number for a in rows if a.closed_at is None}


def test_new_observation_point_gets_task_17(seeded, now):
    unit, result = units.save_unit(None, actor=None, name="温州市鹿城区观察点", kind=UnitKind.OBSERVATION_POINT,
                                   categories=[category("观察点")], contact_emails="lc@example.org",
                                   leader_email=None, now=now)
    db.session.commit()
    assert open_tasks_of(unit) == {17}
    assert [a.task.number for a in result.opened] == [17]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "assignment.open")) >= 1


def test_new_county_joins_the_cities_and_counties(seeded, now):
    unit, _ = units.save_unit(None, actor=None, name="杭州市上城区", kind=UnitKind.COUNTY,
                              categories=[category("各市、县（市、区）")], contact_emails="", leader_email=None,
                              parent=units.find_unit("杭州市"), now=now)
    db.session.commit()
    assert open_tasks_of(unit) == {16, 17}


def test_leaving_a_category_closes_without_deleting_history(seeded, make_user, now):
    unit = units.find_unit("省科协")  # 业务主管单位 + member
    assert open_tasks_of(unit) == {1, 2, 3, 4, 5, 7, 10, 11, 12, 14, 15, 16}
    liaison = make_user("liaison", unit="省科协")
    task2 = db.session.scalar(sa.select(Assignment).join(Task).where(Assignment.unit_id == unit.id,
                                                                      Task.number == 2))
    progress.submit_report(task2, author=liaison, status=AssignmentStatus.IN_PROGRESS, percent=20,
                           completed_on=None, narrative="已部署", now=now)
    db.session.commit()

    _, result = units.save_unit(unit, actor=None, name=unit.name, kind=unit.kind,
                                categories=[category("各专班成员单位")], contact_emails="", leader_email=None,
                                now=now)
    db.session.commit()
    assert open_tasks_of(unit) == {15, 16}
    assert {a.task.number for a in result.closed} == {1, 2, 3, 4, 5, 7, 10, 11, 12, 14}
    db.session.refresh(task2)
    assert task2.closed_at is not None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(task2.reports.select().subquery())) == 1

    # rejoining reopens the same assignment with its history
    units.save_unit(unit, actor=None, name=unit.name, kind=unit.kind,
                    categories=[category("业务主管单位"), category("各专班成员单位")], contact_emails="",
                    leader_email=None, now=now)
    db.session.commit()
    db.session.refresh(task2)
    assert task2.closed_at is None
    assert task2.status is AssignmentStatus.IN_PROGRESS


def test_deactivated_unit_loses_its_open_assignments(seeded, now):
    unit = units.find_unit("省体育局")
    units.save_unit(unit, actor=None, name=unit.name, kind=unit.kind, categories=list(unit.categories),
                    contact_emails="", leader_email=None, is_active=False, now=now)
    db.session.commit()
    assert open_tasks_of(unit) == set()


def test_duplicate_unit_name_is_refused(seeded, now):
    import pytest

    from tasktrack.services import ServiceError

    with pytest.raises(ServiceError, match="已存在"):
        units.save_unit(None, actor=None, name="省民政厅", kind=UnitKind.MEMBER, categories=[],
                        contact_emails="", leader_email=None, now=now)


def test_bad_contact_email_is_refused(seeded, now):
    import pytest

    from tasktrack.services import ServiceError

    with pytest.raises(ServiceError, match="邮箱地址格式不正确"):
        units.save_unit(None, actor=None, name="新单位", kind=UnitKind.OTHER, categories=[],
                        contact_emails="a@example.org, not-an-address", leader_email=None, now=now)
