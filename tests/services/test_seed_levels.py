"""`seed --demo` adds the levels: 杭州 and 湖州 under the province, 德清 under 湖州, units, plans, accounts."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from flask import Flask

from tasktrack.domain.rollup import RollupState
from tasktrack.extensions import db
from tasktrack.models import (
    Assignment,
    AssignmentStatus,
    AuditEvent,
    Plan,
    PlanImport,
    ProgressReport,
    Role,
    Task,
    TaskLink,
    Unit,
    User,
    WorkGroup,
)
from tasktrack.permissions import visible_group_ids
from tasktrack.services import seeding, work_group_admin
from tasktrack.services.read import levels

#: One `seed --demo` for the module (tests/isolation.py, shared state): each test then seeds again and checks
#: that nothing changed, and its writes are rolled back after it.
pytestmark = pytest.mark.shared_state("seed_levels")


@pytest.fixture
def demo(app: Flask, seeded: None, now: dt.datetime) -> None:
    """The demo seed on top of the baseline, seeded once for the module's tests."""

    def build() -> None:
        seeding.seed_demo(now=now, fast_hash=True)
        db.session.commit()

    app.extensions["tests_isolation"].shared(build)


def _group(name: str) -> WorkGroup:
    group = db.session.scalar(sa.select(WorkGroup).where(WorkGroup.name == name))
    assert group is not None, name
    return group


def _snapshot() -> dict[str, int]:
    return {model.__name__: db.session.scalar(sa.select(sa.func.count()).select_from(model)) or 0
            for model in (WorkGroup, Unit, Plan, Task, Assignment, User, PlanImport)}


def test_demo_seed_builds_three_levels_idempotently(demo, now) -> None:
    first = _snapshot()
    report = seeding.seed_demo(now=now, fast_hash=True)
    db.session.commit()
    assert _snapshot() == first
    assert not report.created
    hz, huz, dq = (_group(f"{n}清廉社会组织建设工作专班") for n in ("杭州市", "湖州市", "德清县"))
    province = _group("浙江省清廉社会组织建设工作专班")
    assert (hz.parent_id, huz.parent_id, dq.parent_id) == (province.id, province.id, huz.id)
    assert [n.group.name for n in work_group_admin.tree(province)][1:] == [hz.name, huz.name, dq.name]
    # The provincial units 杭州市 and 湖州市 stand for the cities; a new unit 德清县 of 湖州's stands for the county.
    for group, unit_name, parent in ((hz, "杭州市", province), (huz, "湖州市", province), (dq, "德清县", huz)):
        unit = work_group_admin.representing_unit(group)
        assert unit is not None
        assert unit.name == unit_name
        assert unit.work_group_id == parent.id
    counts = {g.name: db.session.scalar(sa.select(sa.func.count(Unit.id)).where(Unit.work_group_id == g.id))
              for g in (hz, huz, dq)}
    assert counts == {hz.name: 5, huz.name: 5, dq.name: 3}  # 湖州's four members and the unit for 德清
    # Each group's plan came through the importer, owners resolved among the group's own units only (杭州's sixth
    # task is its decomposition of the provincial task 16, 湖州's fourth the task it added for 德清县).
    for group, n_tasks in ((hz, 6), (huz, 4), (dq, 2)):
        plan = db.session.scalar(sa.select(Plan).where(Plan.work_group_id == group.id))
        assert plan is not None
        imp = db.session.scalar(sa.select(PlanImport).where(PlanImport.plan_id == plan.id))
        assert imp is not None
        assert imp.work_group_id == group.id
        tasks = db.session.scalars(sa.select(Task).where(Task.plan_id == plan.id)).all()
        assert len(tasks) == n_tasks
        owners = db.session.scalars(sa.select(Unit.work_group_id).join(Assignment, Assignment.unit_id == Unit.id)
                                    .join(Task, Assignment.task_id == Task.id).where(Task.plan_id == plan.id))
        assert set(owners) == {group.id}
    # The cities' inbound tasks: the provincial plan's tasks for 各市、县（市、区） (16 and 17).
    inbound = levels.inbound_rows([hz.id, huz.id], dt.date(2024, 7, 18))
    assert sorted(i.assignment.task.number for i in inbound[hz.id]) == [16, 17]
    # Accounts at each level.
    secretariats = {u.email: u.work_group_id for u in db.session.scalars(
        sa.select(User).where(User.role == Role.SECRETARIAT))}
    assert secretariats["hz-office@example.org"] == hz.id
    assert secretariats["dq-office@example.org"] == dq.id
    liaison = db.session.scalar(sa.select(User).where(User.email == "dq-mzj@example.org"))
    assert liaison is not None
    assert liaison.unit is not None
    assert liaison.unit.name == "县民政局"
    assert liaison.work_group_id == dq.id
    huz_office = db.session.scalar(sa.select(User).where(User.email == "huz-office@example.org"))
    assert visible_group_ids(huz_office) == {huz.id, dq.id}
    assert ("hz-mzj@example.org", "联络员", "杭州市专班 · 市民政局") in report.demo_accounts


def test_demo_seed_shows_the_cascade(seeded, now) -> None:
    """杭州 decomposed the provincial task 16 to two of its units, one of which reported; 湖州 linked task 17 to one
    of its tasks; 德清's inbound task (added to 湖州's plan) stays undecomposed. A second seed changes nothing."""
    first = (_snapshot(), _cascade_snapshot())
    report = seeding.seed_demo(now=now, fast_hash=True)
    db.session.commit()
    assert (_snapshot(), _cascade_snapshot()) == first
    assert not report.created
    hz, huz, dq = (_group(f"{n}清廉社会组织建设工作专班") for n in ("杭州市", "湖州市", "德清县"))
    today = now.date()
    rows = levels.inbound_rows([hz.id, huz.id, dq.id], today)
    by_task = {i.assignment.task.number: i for i in rows[hz.id]}
    decomposed = by_task[16]
    assert decomposed.rollup.state is RollupState.IN_PROGRESS
    assert (decomposed.rollup.total, decomposed.rollup.done) == (2, 1)
    assert by_task[17].rollup.state is RollupState.UNDECOMPOSED
    [link] = db.session.scalars(sa.select(TaskLink).where(TaskLink.parent_assignment_id == decomposed.assignment.id))
    assert link.task.plan.work_group_id == hz.id
    subs = {a.unit.name: a for a in link.task.assignments}
    assert set(subs) == {"市民政局", "市财政局"}
    assert subs["市民政局"].status is AssignmentStatus.COMPLETED
    assert subs["市财政局"].last_reported_at is None
    huz_rows = {i.assignment.task.number: i for i in rows[huz.id]}
    assert huz_rows[17].rollup.state is not RollupState.UNDECOMPOSED
    [huz_link] = db.session.scalars(sa.select(TaskLink).where(
        TaskLink.parent_assignment_id == huz_rows[17].assignment.id))
    assert (huz_link.task.plan.work_group_id, huz_link.task.number) == (huz.id, 2)
    assert huz_rows[16].rollup.state is RollupState.UNDECOMPOSED
    [county] = rows[dq.id]
    assert county.rollup.state is RollupState.UNDECOMPOSED
    assert county.assignment.task.plan.work_group_id == huz.id
    # Done through the services, so audited as a user's actions.
    links = db.session.scalars(sa.select(AuditEvent.summary).where(AuditEvent.action == "task_link.create")).all()
    assert sorted(s.split("：")[0] for s in links) == ["关联已有任务", "分解上级下达任务"]


def _cascade_snapshot() -> tuple[int, int]:
    return (db.session.scalar(sa.select(sa.func.count()).select_from(TaskLink)) or 0,
            db.session.scalar(sa.select(sa.func.count()).select_from(ProgressReport)) or 0)
