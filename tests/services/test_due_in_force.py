"""Assignment.due_in_force is coalesce(extended_due, task.due_date) after every write that changes either.

The overdue lists filter by that column (services/read/overdue.py); here each service that writes a due date or an
extension or makes assignments is run, and afterwards no assignment in the database disagrees with the plain
expression — and the overdue list follows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa

from tasktrack.domain.lights import Light
from tasktrack.extensions import db
from tasktrack.models import Assignment, Plan, Role, Task, Unit, User
from tasktrack.services import extension_requests, matters, plan_imports, units
from tasktrack.services import plan_import_edits as edits
from tasktrack.services import plan_next_year as ny
from tasktrack.services import plans as plan_service
from tasktrack.services.plan_imports import Received
from tasktrack.services.read import dashboard as dash
from tasktrack.services.work_groups import default_work_group

TODAY = dt.date(2024, 7, 18)


def disagreeing() -> list[tuple[int, dt.date | None, dt.date | None]]:
    """Return the assignments whose due_in_force is not the due date in force, as the database holds them."""
    db.session.flush()
    in_force = sa.func.coalesce(Assignment.extended_due, Task.due_date)
    return [tuple(r) for r in db.session.execute(
        sa.select(Assignment.id, Assignment.due_in_force, in_force).join(Task, Task.id == Assignment.task_id)
        .where(Assignment.due_in_force.is_distinct_from(in_force)).order_by(Assignment.id))]


def stored(assignment: Assignment) -> dt.date | None:
    return db.session.scalar(sa.select(Assignment.due_in_force).where(Assignment.id == assignment.id))


def red_ids(plan: Plan | None = None) -> set[int]:
    page = dash.assignment_page(plan, TODAY, dash.Filters(light=Light.RED), per_page=1000)
    return {r.assignment.id for r in page.rows}


def plan_2024() -> Plan:
    plan = db.session.scalar(sa.select(Plan).where(Plan.year == 2024, Plan.kind == "plan").order_by(Plan.id))
    assert plan is not None
    return plan


def task_of(plan: Plan, number: int) -> Task:
    task = db.session.scalar(sa.select(Task).where(Task.plan_id == plan.id, Task.number == number))
    assert task is not None
    return task


def assignment_of(task: Task, unit_name: str) -> Assignment:
    unit = units.find_unit(unit_name)
    assert unit is not None
    found = db.session.scalar(sa.select(Assignment).where(Assignment.task_id == task.id,
                                                          Assignment.unit_id == unit.id))
    assert found is not None
    return found


@pytest.fixture
def office(seeded: None, make_user: Callable[..., User]) -> User:
    return make_user(Role.SECRETARIAT)


def test_the_seeded_data_agrees(seeded: None) -> None:
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Assignment)) > 0
    assert disagreeing() == []


def test_an_approved_extension_moves_it_and_a_refused_one_does_not(
        office: User, make_user: Callable[..., User], now: dt.datetime) -> None:
    liaison = make_user("liaison", unit="省民政厅")
    a = assignment_of(task_of(plan_2024(), 1), "省民政厅")  # due 2024-07-31
    assert stored(a) == dt.date(2024, 7, 31)
    request = extension_requests.request_extension(a, author=liaison, requested_due=dt.date(2024, 9, 30),
                                                   reason="待省委审议", now=now)
    extension_requests.decide(request, actor=office, approve=False, note="请按期完成", now=now)
    assert stored(a) == dt.date(2024, 7, 31)
    request = extension_requests.request_extension(a, author=liaison, requested_due=dt.date(2024, 9, 30),
                                                   reason="再申请", now=now)
    extension_requests.decide(request, actor=office, approve=True, note=None, now=now)
    assert stored(a) == dt.date(2024, 9, 30)
    assert disagreeing() == []


def test_editing_a_tasks_deadline_moves_every_assignment_but_an_extended_one(office: User,
                                                                              now: dt.datetime) -> None:
    task = task_of(plan_2024(), 1)
    extended = task.assignments[0]
    extended.extended_due = dt.date(2024, 12, 15)
    db.session.flush()
    others = [a for a in task.assignments if a is not extended]
    assert others
    before = red_ids()
    assert not {a.id for a in task.assignments} & before
    db.session.expire_all()  # the edit reads the task as a view would, not the objects above
    task = task_of(plan_2024(), 1)
    assert plan_service.edit_task(task, text=task.text, deadline_phrase="2024年6月底前",
                                  responsible_phrase=task.responsible_phrase, actor=office, now=now)
    assert task.due_date == dt.date(2024, 6, 30)
    assert {stored(a) for a in others} == {dt.date(2024, 6, 30)}
    assert stored(extended) == dt.date(2024, 12, 15)
    assert disagreeing() == []
    # Now overdue: the overdue list has them at once (and not the extended one).
    open_others = {a.id for a in others if a.closed_at is None}
    assert red_ids() == before | open_others


def test_a_task_moved_in_the_same_flush_as_its_assignment_is_read_or_made(seeded: None, now: dt.datetime) -> None:
    task = task_of(plan_2024(), 2)
    unit = db.session.scalar(sa.select(Unit).where(Unit.id.not_in([a.unit_id for a in task.assignments]))
                             .order_by(Unit.id).limit(1))
    assert unit is not None
    task.due_date = dt.date(2024, 5, 31)
    made = Assignment(task_id=task.id, unit_id=unit.id, created_at=now)  # by id only, beside the retimed task
    db.session.add(made)
    db.session.flush()
    assert stored(made) == dt.date(2024, 5, 31)
    assert disagreeing() == []
    # Moved to another task: the other task's date.
    other = task_of(plan_2024(), 3)
    made.task_id = other.id
    db.session.flush()
    assert stored(made) == other.due_date
    assert disagreeing() == []


def _draft(text: str, now: dt.datetime, name: str) -> Any:
    return plan_imports.start(Received(text.encode(), name), actor=None, now=now, year=2024,  # type: ignore[arg-type]
                              title="专项检查计划")


def test_a_published_draft_its_edits_and_a_republished_plan_agree(seeded: None, now: dt.datetime) -> None:
    imp = _draft("一、加强监管\n（一）开展专项检查。（省民政厅负责，2024年12月底前完成）\n", now, "a.txt")
    row = imp.rows[0]
    edits.save_rows(imp, [edits.RowEdit(row.id, 1, "加强监管", 1, "开展专项检查。", "2024年5月底前", "省民政厅")],
                    version=imp.version, actor=None, now=now)
    plan = plan_imports.publish(imp, actor=None, now=now)
    task = task_of(plan, 1)
    assert task.due_date == dt.date(2024, 5, 31)
    assert [stored(a) for a in task.assignments] == [dt.date(2024, 5, 31)]
    assert {a.id for a in task.assignments} <= red_ids(plan)
    # The same plan published again with a later deadline (the seed's update_existing path) moves them.
    again = _draft("一、加强监管\n（一）开展专项检查。（省民政厅负责，2024年11月底前完成）\n", now, "b.txt")
    plan_imports.publish(again, actor=None, now=now, update_existing=True)
    assert task.due_date == dt.date(2024, 11, 30)
    assert [stored(a) for a in task.assignments] == [dt.date(2024, 11, 30)]
    assert red_ids(plan) == set()
    assert disagreeing() == []


def test_carried_over_assignments_take_their_new_tasks_date(seeded: None, now: dt.datetime) -> None:
    old = plan_2024()
    new_plan = plan_imports.publish(ny.next_year_draft(old, actor=None, now=now), actor=None, now=now,
                                    allow_empty_categories=True)
    assert disagreeing() == []
    a = assignment_of(task_of(old, 1), "省教育厅")
    targets = db.session.scalars(sa.select(Task).where(Task.plan_id == new_plan.id).order_by(Task.number))
    target = next(t for t in targets if a.unit_id not in {x.unit_id for x in t.assignments})
    ny.carry(new_plan, [a.id], {a.id: target.id}, actor=None, now=now)
    created = assignment_of(target, "省教育厅")
    assert created.carried_from_id == a.id
    assert stored(created) == target.due_date
    assert disagreeing() == []


def test_matters_made_and_edited_agree(office: User, now: dt.datetime) -> None:
    matter = matters.create_matter(default_work_group(), source=matters.parse_source("instruction"),
                                   reference="省领导批示〔2024〕12号", text="开展社会组织领域廉洁风险排查",
                                   deadline_phrase="2024年9月底前", responsible_phrase="省民政厅牵头，省教育厅配合",
                                   actor=office, now=now)
    assert {stored(a) for a in matter.task.assignments} == {dt.date(2024, 9, 30)}
    assert matters.edit_matter(matter, reference="新文号", text="开展廉洁风险排查", deadline_phrase="2024年7月10日前",
                               responsible_phrase="省民政厅", actor=office, now=now)
    assert {stored(a) for a in matter.task.assignments} == {dt.date(2024, 7, 10)}
    open_ones = {a.id for a in matter.task.assignments if a.closed_at is None}
    assert open_ones
    assert open_ones <= red_ids()
    assert disagreeing() == []
