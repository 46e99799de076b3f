"""签收 as a service: one click, idempotent, the handler fields optional and checked, implied by a report, audited."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from tasktrack.extensions import db
from tasktrack.models import (
    Assignment,
    AssignmentStatus,
    AuditEvent,
    CompletionState,
    Plan,
    PlanKind,
    Role,
    Task,
    Unit,
)
from tasktrack.permissions import Action, AssignmentFacts, acknowledgeable_assignments, can
from tasktrack.services import ServiceError, acknowledgements, progress


def assignment_of(unit: str, number: int) -> Assignment:
    return db.session.scalars(
        sa.select(Assignment).join(Task).join(Unit, Assignment.unit_id == Unit.id)
        .where(Unit.name == unit, Task.number == number)
    ).one()


def audits(action: str, assignment: Assignment) -> list[AuditEvent]:
    return list(db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.action == action, AuditEvent.object_type == "Assignment", AuditEvent.object_id == assignment.id)))


def test_a_published_assignment_starts_unacknowledged(seeded):
    a = assignment_of("省民政厅", 1)
    assert a.acknowledged_at is None
    assert not a.is_acknowledged
    assert (a.acknowledged_by_id, a.handler_name, a.handler_phone) == (None, None, None)


def test_one_click_acknowledges_once_and_a_repeat_changes_nothing(seeded, make_user, now):
    liaison = make_user(Role.LIAISON, unit="省民政厅")
    a = assignment_of("省民政厅", 1)
    first = acknowledgements.acknowledge(a, actor=liaison, now=now)
    db.session.commit()
    assert (first.changed, first.newly) == (True, True)
    assert (a.acknowledged_at, a.acknowledged_by_id) == (now, liaison.id)

    other = make_user(Role.LIAISON, unit="省民政厅")
    again = acknowledgements.acknowledge(a, actor=other, now=now + dt.timedelta(hours=1))
    db.session.commit()
    assert (again.changed, again.newly) == (False, False)
    assert (a.acknowledged_at, a.acknowledged_by_id) == (now, liaison.id)
    assert len(audits("assignment.acknowledge", a)) == 1


def test_handler_fields_are_stored_with_the_click_and_may_be_named_later(seeded, make_user, now):
    liaison = make_user(Role.LIAISON, unit="省民政厅")
    a = assignment_of("省民政厅", 2)
    acknowledgements.acknowledge(a, actor=liaison, now=now, handler_name=" 张三 ", handler_phone="0571-8765 4321")
    db.session.commit()
    assert (a.handler_name, a.handler_phone) == ("张三", "0571-8765 4321")
    event = audits("assignment.acknowledge", a)[0]
    assert event.after["handler_name"] == "张三"
    assert "张三" in event.summary

    same = acknowledgements.acknowledge(a, actor=liaison, now=now, handler_name="张三", handler_phone="")
    assert not same.changed
    changed = acknowledgements.acknowledge(a, actor=liaison, now=now, handler_name="李四")
    db.session.commit()
    assert (changed.changed, changed.newly) == (True, False)
    assert (a.handler_name, a.handler_phone) == ("李四", "0571-8765 4321")
    assert len(audits("assignment.handler", a)) == 1


@pytest.mark.parametrize(("name", "phone", "field"), [
    ("张三", "0571-abc", "handler_phone"),
    ("张三", "1" * 31, "handler_phone"),
    ("张三", "--", "handler_phone"),
    ("张三", "138\x000000", "handler_phone"),
    ("张" * 51, "", "handler_name"),
    ("张\x07三", "", "handler_name"),
])
def test_bad_handler_fields_are_refused_and_nothing_changes(seeded, make_user, now, name, phone, field):
    liaison = make_user(Role.LIAISON, unit="省民政厅")
    a = assignment_of("省民政厅", 3)
    with pytest.raises(ServiceError) as refused:
        acknowledgements.acknowledge(a, actor=liaison, now=now, handler_name=name, handler_phone=phone)
    assert refused.value.field == field
    db.session.rollback()
    assert assignment_of("省民政厅", 3).acknowledged_at is None
    assert audits("assignment.acknowledge", a) == []


def test_a_report_acknowledges_implicitly_and_is_audited(seeded, make_user, now):
    liaison = make_user(Role.LIAISON, unit="省民政厅")
    a = assignment_of("省民政厅", 4)
    progress.submit_report(a, author=liaison, status=AssignmentStatus.IN_PROGRESS, percent=10, completed_on=None,
                           narrative="已部署", now=now)
    db.session.commit()
    assert (a.acknowledged_at, a.acknowledged_by_id) == (now, liaison.id)
    [event] = audits("assignment.acknowledge", a)
    assert "视为已签收" in event.summary
    later = now + dt.timedelta(days=3)
    progress.submit_report(a, author=liaison, status=AssignmentStatus.IN_PROGRESS, percent=20, completed_on=None,
                           narrative="继续推进", now=later)
    db.session.commit()
    assert a.acknowledged_at == now
    assert len(audits("assignment.acknowledge", a)) == 1


def test_a_closed_assignment_is_not_acknowledged(seeded, make_user, now):
    liaison = make_user(Role.LIAISON, unit="省民政厅")
    a = assignment_of("省民政厅", 5)
    a.closed_at = now
    db.session.flush()
    assert not can(liaison, Action.ACKNOWLEDGE, a)
    with pytest.raises(ServiceError):
        acknowledgements.acknowledge(a, actor=liaison, now=now)


def test_policy_the_units_own_people_acknowledge_and_the_filter_agrees(seeded, make_user, now):
    liaison = make_user(Role.LIAISON, unit="省民政厅")
    others = [make_user(Role.LIAISON, unit="省教育厅"), make_user(Role.SECRETARIAT), make_user(Role.VIEWER)]
    own, foreign = assignment_of("省民政厅", 1), assignment_of("省教育厅", 1)
    assert can(liaison, Action.ACKNOWLEDGE, own)
    assert not can(liaison, Action.ACKNOWLEDGE, foreign)
    for user in others[1:]:
        assert not can(user, Action.ACKNOWLEDGE, own)
    for user in (liaison, *others):
        allowed = set(db.session.scalars(sa.select(Assignment.id).where(acknowledgeable_assignments(user))))
        every = db.session.scalars(sa.select(Assignment)).all()
        assert allowed == {a.id for a in every if can(user, Action.ACKNOWLEDGE, a)}


def test_policy_answers_on_columns_as_on_the_assignment(seeded, make_user, now):
    """我的任务 asks can() with an assignment's columns (AssignmentFacts): every role, every assignment, open, closed or
    confirmed, inbound to a lower work group or not, gets the answer the object gets."""
    from tests.levels import build_levels

    lv = build_levels(now)
    confirmed, closed = assignment_of("省民政厅", 2), assignment_of("省民政厅", 3)
    confirmed.completion_state = CompletionState.CONFIRMED
    closed.closed_at = now
    db.session.flush()
    readers = [make_user(Role.LIAISON, unit="省民政厅"), make_user(Role.OBSERVATION_POINT, unit="省民政厅"),
               make_user(Role.LIAISON, unit="省教育厅"), make_user(Role.SECRETARIAT), make_user(Role.VIEWER),
               lv.province_secretariat, lv.city_secretariat, lv.sibling_secretariat, lv.mz_liaison]
    every = db.session.scalars(sa.select(Assignment)).all()
    assert {lv.inbound, confirmed, closed} <= set(every)
    for a in every:
        facts = AssignmentFacts(a.unit_id, a.unit.represents_work_group_id, a.closed_at, a.completion_state)
        for user in readers:
            for action in (Action.REPORT_PROGRESS, Action.ACKNOWLEDGE):
                assert can(user, action, facts) is can(user, action, a), (user.email, action, a.id)
    assert can(lv.city_secretariat, Action.REPORT_PROGRESS, lv.inbound)


def test_the_demo_signs_most_assignments_and_leaves_a_few_pending(app, now):
    from tasktrack.services import seeding

    seeding.seed_base(now=now)
    seeding.seed_demo(now=now, fast_hash=True)
    db.session.commit()
    pending = db.session.execute(
        sa.select(Unit.name, Task.number, Plan.kind).select_from(Assignment).join(Task)
        .join(Plan, Task.plan_id == Plan.id).join(Unit, Assignment.unit_id == Unit.id)
        .where(Assignment.acknowledged_at.is_(None), Assignment.closed_at.is_(None))
    ).all()
    in_plans = sorted((unit, number) for unit, number, kind in pending if kind is PlanKind.PLAN)
    assert in_plans == sorted([("省民政厅", 2), ("省民政厅", 3), ("省教育厅", 2), ("杭州市", 16)])
    matters = db.session.scalar(sa.select(sa.func.count()).select_from(Assignment).join(Task)
                                .join(Plan, Task.plan_id == Plan.id).where(Plan.kind == PlanKind.MATTERS))
    assert matters
    assert len(pending) - len(in_plans) == matters
    again = seeding.seed_demo(now=now + dt.timedelta(days=1), fast_hash=True)  # a second run signs nothing
    assert "acknowledged" not in again.created
