"""上级下达任务: decomposition, links, refusals and the roll-up, as services (tests/levels.py builds the tree)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from tasktrack.clock import SHANGHAI
from tasktrack.domain.lights import Light, months_before
from tasktrack.domain.rollup import RollupState
from tasktrack.extensions import db
from tasktrack.models import Assignment, AssignmentStatus, AuditEvent, Task, TaskLink
from tasktrack.permissions import PermissionDenied
from tasktrack.services import Conflict, NotFound, ServiceError, cascade, progress, rollups
from tasktrack.services.read import levels
from tests.levels import Levels, shared_levels

TODAY = dt.date(2024, 7, 18)


#: One two-level setup for the module (tests/isolation.py, shared state): each test's writes are rolled back.
pytestmark = pytest.mark.shared_state("cascade")


@pytest.fixture
def lv(app: Flask, seeded: None, now: dt.datetime) -> Levels:
    return shared_levels(app, now)


def _decompose(lv: Levels, now: dt.datetime, *, owners: str = "市民政局、市财政局",
               deadline: str = "2024年6月底前") -> Task:
    return cascade.decompose(lv.inbound, plan=lv.city_plan, text="全市社会组织清廉建设专项行动",
                             deadline_phrase=deadline, responsible_phrase=owners, actor=lv.city_secretariat,
                             now=now).task


def _report(a: Assignment, lv: Levels, now: dt.datetime, status: AssignmentStatus,
            completed_on: dt.date | None = None) -> None:
    author = lv.mz_liaison if a.unit_id == lv.mz.id else lv.cz_liaison
    progress.submit_report(a, author=author, status=status, percent=None, completed_on=completed_on,
                           narrative="已按要求推进", now=now)


def _ours(lv: Levels, rows: list[cascade.InboundRow]) -> list[cascade.InboundRow]:
    """The rows of the builder's provincial plan (the seeded plan also addresses tasks 16 and 17 to every city)."""
    return [r for r in rows if r.plan.id == lv.province_plan.id]


def test_inbound_lists_the_groups_assignments_undecomposed(lv: Levels) -> None:
    everything = cascade.inbound_assignments(lv.city, TODAY)
    assert {r.assignment.unit.name for r in everything} == {"杭州市"}
    assert {r.task.number for r in everything if r.plan.id != lv.province_plan.id} == {16, 17}
    rows = _ours(lv, everything)
    assert [r.assignment.id for r in rows] == [lv.inbound.id]
    assert rows[0].is_undecomposed
    assert rows[0].rollup.state is RollupState.UNDECOMPOSED
    sibling = _ours(lv, cascade.inbound_assignments(lv.sibling, TODAY))
    assert [r.assignment.id for r in sibling] == [lv.sibling_inbound.id]
    assert cascade.inbound_assignments(lv.province, TODAY) == []


def test_decompose_adds_a_task_for_the_lower_groups_units_and_links_it(lv: Levels, now: dt.datetime) -> None:
    task = _decompose(lv, now)
    assert task.plan_id == lv.city_plan.id
    assert task.section.title == "承接上级下达任务"
    assert task.number == 2
    assert {a.unit.name for a in task.assignments} == {"市民政局", "市财政局"}
    assert {a.unit.work_group_id for a in task.assignments} == {lv.city.id}
    assert db.session.scalar(sa.select(TaskLink).where(TaskLink.task_id == task.id)).parent_assignment_id == \
        lv.inbound.id
    actions = set(db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.actor_id == lv.city_secretariat.id)))
    assert {"task.create", "assignment.open", "task_link.create"} <= actions
    row = _ours(lv, cascade.inbound_assignments(lv.city, TODAY))[0]
    assert not row.is_undecomposed
    assert [t.task.id for t in row.linked] == [task.id]
    assert row.rollup.total == 2


@pytest.mark.parametrize(("owners", "deadline", "field"), [
    ("省民政厅", "2024年9月底前", "responsible_phrase"),  # the province's unit: not one of 杭州's names
    ("杭州市", "2024年9月底前", "responsible_phrase"),
    ("市民政局", "明年再说", "deadline_phrase"),
    ("", "2024年9月底前", "responsible_phrase"),
])
def test_decompose_reads_phrases_in_the_lower_group_only(lv: Levels, now: dt.datetime, owners: str, deadline: str,
                                                        field: str) -> None:
    with pytest.raises(ServiceError) as caught:
        _decompose(lv, now, owners=owners, deadline=deadline)
    assert caught.value.field == field
    assert db.session.scalar(sa.select(sa.func.count()).select_from(TaskLink)) == 0


def test_decompose_refusals(lv: Levels, now: dt.datetime) -> None:
    with pytest.raises(ServiceError) as caught:  # a plan of another group (the province's)
        cascade.decompose(lv.inbound, plan=lv.province_plan, text="x", deadline_phrase="2024年9月底前",
                          responsible_phrase="省民政厅", actor=lv.city_secretariat, now=now)
    assert caught.value.field == "plan"
    with pytest.raises(PermissionDenied):  # 湖州's inbound assignment is not 杭州's
        cascade.decompose(lv.sibling_inbound, plan=lv.city_plan, text="x", deadline_phrase="2024年9月底前",
                          responsible_phrase="市民政局", actor=lv.city_secretariat, now=now)
    with pytest.raises(PermissionDenied):  # the provincial secretariat reads it but does not decompose it
        _decompose_as(lv, lv.province_secretariat, now)
    with pytest.raises(PermissionDenied):  # a liaison of the city
        _decompose_as(lv, lv.mz_liaison, now)
    with pytest.raises(NotFound):  # not an inbound assignment at all
        cascade.inbound_detail(lv.city_plan.sections[0].tasks[0].assignments[0], TODAY)


def _decompose_as(lv: Levels, actor: Any, now: dt.datetime) -> None:
    cascade.decompose(lv.inbound, plan=lv.city_plan, text="x", deadline_phrase="2024年9月底前",
                      responsible_phrase="市民政局", actor=actor, now=now)


def test_link_and_unlink_an_existing_task(lv: Levels, now: dt.datetime) -> None:
    existing = lv.city_plan.sections[0].tasks[0]
    assert [t.id for t in cascade.linkable_tasks(lv.inbound, lv.city.id)] == [existing.id]
    cascade.link(lv.inbound, existing, actor=lv.city_secretariat, now=now)
    assert cascade.linkable_tasks(lv.inbound, lv.city.id) == []
    with pytest.raises(Conflict):
        cascade.link(lv.inbound, existing, actor=lv.city_secretariat, now=now)
    assert cascade.rollup_of(lv.inbound, TODAY).total == 1
    cascade.unlink(lv.inbound, existing, actor=lv.city_secretariat, now=now)
    assert cascade.rollup_of(lv.inbound, TODAY).state is RollupState.UNDECOMPOSED
    assert db.session.get(Task, existing.id) is not None  # the task stays in the city's plan
    with pytest.raises(NotFound):
        cascade.unlink(lv.inbound, existing, actor=lv.city_secretariat, now=now)
    actions = list(db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.object_type == "TaskLink")))
    assert actions == ["task_link.create", "task_link.delete"]


def test_link_refuses_another_groups_task(lv: Levels, now: dt.datetime) -> None:
    provincial = lv.province_plan.sections[0].tasks[0]
    with pytest.raises(ServiceError) as caught:
        cascade.link(lv.inbound, provincial, actor=lv.city_secretariat, now=now)
    assert caught.value.field == "task_id"
    with pytest.raises(PermissionDenied):
        cascade.link(lv.sibling_inbound, lv.city_plan.sections[0].tasks[0], actor=lv.city_secretariat, now=now)


def test_rollup_red_names_the_overdue_unit_then_may_claim(lv: Levels, now: dt.datetime) -> None:
    task = _decompose(lv, now)  # due 2024-06-30: already past on 2024-07-18
    mz, cz = sorted(task.assignments, key=lambda a: a.unit.name != "市民政局")
    _report(mz, lv, now, AssignmentStatus.COMPLETED, dt.date(2024, 6, 28))
    row = _ours(lv, cascade.inbound_assignments(lv.city, TODAY))[0]
    assert row.rollup.state is RollupState.IN_PROGRESS
    assert row.rollup.light.light is Light.RED
    assert (row.rollup.done, row.rollup.overdue) == (1, 1)
    assert row.overdue_units == ["市财政局"]
    batch = rollups.rollups([lv.inbound.id, lv.sibling_inbound.id], TODAY)
    assert batch[lv.inbound.id].light.light is Light.RED
    # The batch (rows read as columns, for dashboards) and the page's roll-up (objects) agree, field by field.
    assert batch[lv.inbound.id] == cascade.rollup_of(lv.inbound, TODAY)
    assert batch[lv.sibling_inbound.id] == cascade.rollup_of(lv.sibling_inbound, TODAY)

    with pytest.raises(ServiceError) as caught:  # the city may not claim completion yet
        progress.submit_report(lv.inbound, author=lv.city_secretariat, status=AssignmentStatus.COMPLETED,
                               percent=100, completed_on=TODAY, narrative="全部完成", now=now)
    assert caught.value.field == "status"
    assert "1/2" in caught.value.message

    _report(cz, lv, now, AssignmentStatus.COMPLETED, dt.date(2024, 7, 10))
    assert cascade.rollup_of(lv.inbound, TODAY).state is RollupState.MAY_CLAIM
    assert rollups.rollups([lv.inbound.id], TODAY)[lv.inbound.id] == cascade.rollup_of(lv.inbound, TODAY)
    progress.submit_report(lv.inbound, author=lv.city_secretariat, status=AssignmentStatus.COMPLETED,
                           percent=100, completed_on=TODAY, narrative="杭州市两家单位均已完成", now=now)
    assert cascade.rollup_of(lv.inbound, TODAY).state is RollupState.COMPLETED
    progress.confirm_completion(lv.inbound, actor=lv.province_secretariat, note=None, now=now)
    assert lv.inbound.completion_state.value == "confirmed"
    with pytest.raises(Conflict):  # no more changes to a confirmed decomposition
        cascade.unlink(lv.inbound, task, actor=lv.city_secretariat, now=now)


def test_undecomposed_inbound_cannot_be_claimed_but_takes_progress(lv: Levels, now: dt.datetime) -> None:
    with pytest.raises(ServiceError) as caught:
        progress.submit_report(lv.inbound, author=lv.city_secretariat, status=AssignmentStatus.COMPLETED,
                               percent=100, completed_on=TODAY, narrative="完成", now=now)
    assert "尚未分解" in caught.value.message
    progress.submit_report(lv.inbound, author=lv.city_secretariat, status=AssignmentStatus.IN_PROGRESS,
                           percent=30, completed_on=None, narrative="正在部署", now=now)
    assert lv.inbound.status is AssignmentStatus.IN_PROGRESS


def test_rollup_stale_when_nobody_reported_this_period(lv: Levels, now: dt.datetime) -> None:
    task = _decompose(lv, now - dt.timedelta(days=200), deadline="2024年12月底前")
    result = cascade.rollup_of(lv.inbound, TODAY)
    assert result.state is RollupState.IN_PROGRESS
    assert (result.light.light, result.light.reason.value, result.reported_this_period) == (Light.YELLOW, "stale", 0)
    _report(task.assignments[0], lv, now, AssignmentStatus.IN_PROGRESS)
    fresh = cascade.rollup_of(lv.inbound, TODAY)
    assert fresh.light.reason.value != "stale"
    assert fresh.reported_this_period == 1


def test_a_fresh_decomposition_is_not_stale(lv: Levels, now: dt.datetime) -> None:
    _decompose(lv, now, deadline="2024年12月底前")
    assert cascade.rollup_of(lv.inbound, TODAY).light.light is Light.GREEN


def _period_start_instant(months: int) -> dt.datetime:
    """The first instant (UTC) of the first day of a period of ``months`` months ending on TODAY (Asia/Shanghai)."""
    day = months_before(TODAY, months) + dt.timedelta(days=1)
    return dt.datetime.combine(day, dt.time(), tzinfo=SHANGHAI).astimezone(dt.UTC)


EDGE = dt.timedelta(microseconds=1)


@pytest.mark.parametrize(("edge", "inbound_period", "own_period"), [
    # the light's 本期未报送: a report on the last instant before the sub-assignment's own period, or its first
    ("own", 6, 3), ("own", 12, 5), ("own", 7, 4),
    # the roll-up's: a report before the inbound task's period, or on its first instant
    ("inbound", 3, 6), ("inbound", 5, 12), ("inbound", 4, 7),
    # the hand-over: a sub-assignment never reported, created before the inbound task's period or on its first instant
    ("created", 3, 3), ("created", 5, 5),
])
@pytest.mark.parametrize("inside", [False, True])
def test_batch_rollups_agree_with_the_page_on_the_edges_of_a_period(lv: Levels, now: dt.datetime, edge: str,
                                                                    inbound_period: int, own_period: int,
                                                                    inside: bool) -> None:
    """The batch compares the sub-assignments' instants in SQL with each period's first instant (for the cadences the
    reminders know: 1, 2, 3, 4, 6, 12 months) or reads them as they are (5, 7 months): the same roll-up as the
    page's either way, on the last microsecond before a period and on its first (Shanghai's midnight, 16:00 UTC)."""
    lv.province_plan.report_period_months = inbound_period
    lv.city_plan.report_period_months = own_period
    deadline = "2024年12月底前" if edge == "created" else "全年"  # a dated task is never stale on its own
    task = _decompose(lv, now - dt.timedelta(days=300), owners="市民政局", deadline=deadline)
    sub = task.assignments[0]
    first = _period_start_instant(own_period if edge == "own" else inbound_period)
    at = first if inside else first - EDGE
    if edge == "created":
        sub.created_at = at
    else:
        sub.last_reported_at = at
    db.session.flush()
    db.session.expire_all()
    single = cascade.rollup_of(lv.inbound, TODAY)
    assert rollups.rollups([lv.inbound.id], TODAY)[lv.inbound.id] == single
    assert (single.light.light, single.light.reason.value) == \
        ((Light.GREEN, "on_track") if inside else (Light.YELLOW, "stale"))
    reported = {"own": 1, "inbound": int(inside), "created": 0}[edge]
    assert (single.total, single.reported_this_period) == (1, reported)
    by_page = levels.InboundCounts()
    for row in cascade.inbound_assignments(lv.city, TODAY):  # each with its page's roll-up (objects)
        by_page.add(row.rollup)
    assert levels.group_stats([lv.city], TODAY)[0].inbound == by_page  # the province's counts (columns, grouped)


@pytest.mark.parametrize(("before", "light"), [(True, Light.YELLOW), (False, Light.GREEN)])
def test_a_link_on_the_first_instant_of_the_period_is_a_hand_over_in_it(lv: Levels, before: bool,
                                                                       light: Light) -> None:
    """An old task linked on the period's first instant counts as handed over in this period (not stale); one
    microsecond earlier it does not: the batch and the page agree."""
    existing = lv.city_plan.sections[0].tasks[0]  # due 2024-10-31: green unless stale
    for a in existing.assignments:
        a.created_at = dt.datetime(2024, 1, 5, tzinfo=dt.UTC)
    first = _period_start_instant(lv.province_plan.report_period_months)
    cascade.link(lv.inbound, existing, actor=lv.city_secretariat,
                 now=first - EDGE if before else first)
    db.session.flush()
    db.session.expire_all()
    single = cascade.rollup_of(lv.inbound, TODAY)
    assert rollups.rollups([lv.inbound.id], TODAY)[lv.inbound.id] == single
    assert (single.light.light, single.reported_this_period) == (light, 0)


def test_reading_inbound_is_flat_in_queries(lv: Levels, now: dt.datetime,
                                            count_queries: Callable[[], Any]) -> None:
    _decompose(lv, now)
    db.session.flush()
    db.session.expire_all()
    with count_queries() as few:
        cascade.inbound_assignments(lv.city, TODAY)
        rollups.rollups([lv.inbound.id], TODAY)
    for n in range(2, 6):  # more provincial tasks to 杭州市, each decomposed into two tasks
        from tasktrack.domain.plan_review import DraftRow
        from tasktrack.services import plans

        rows = [DraftRow(key=k, section_number=1, section_title="一、推进清廉社会组织建设", number=k,
                         text=f"任务{k}", deadline_phrase="2024年12月底前", responsible_phrase="杭州市")
                for k in range(1, n + 1)]
        plans.import_plan(plans.PlanMeta(year=2024, title="2024年省级下达任务", issuer="省专班"), rows,
                          actor=None, now=now, work_group=lv.province)
    for row in cascade.inbound_assignments(lv.city, TODAY):
        if row.is_undecomposed:
            _decompose_inbound(row.assignment, lv, now)
            _decompose_inbound(row.assignment, lv, now)
    db.session.flush()
    db.session.expire_all()
    with count_queries() as many:
        rows = cascade.inbound_assignments(lv.city, TODAY)
        rollups.rollups([r.assignment.id for r in rows], TODAY)
    assert len(_ours(lv, rows)) == 5
    assert len(rows) == 7
    assert many.count == few.count, many.statements


def _decompose_inbound(inbound: Assignment, lv: Levels, now: dt.datetime) -> None:
    cascade.decompose(inbound, plan=lv.city_plan, text="分解任务", deadline_phrase="2024年12月底前",
                      responsible_phrase="市民政局、市财政局", actor=lv.city_secretariat, now=now)
