"""Work-group administration and the levels read model: create, tree, reminder windows, counts, query counts."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from tasktrack.domain.lights import Light
from tasktrack.domain.reminder_policy import ReminderSettings
from tasktrack.domain.rollup import RollupState
from tasktrack.extensions import db
from tasktrack.models import AuditEvent, Unit, UnitKind, WorkGroup, WorkGroupLevel
from tasktrack.permissions import PermissionDenied
from tasktrack.services import Conflict, NotFound, ServiceError, work_group_admin
from tasktrack.services.read import dashboard as dash
from tasktrack.services.read import levels
from tests.levels_data import NOW, build_tree

TODAY = dt.date(2024, 7, 18)


def test_create_checks_level_parent_name_and_unit(app) -> None:
    t = build_tree()
    with pytest.raises(ServiceError, match="下级专班应为市级"):
        work_group_admin.create_work_group(None, name="新县", level=WorkGroupLevel.COUNTY, parent=t.province,
                                           now=NOW)
    with pytest.raises(ServiceError, match="不能再设下级专班"):
        work_group_admin.create_work_group(None, name="新镇", level=WorkGroupLevel.COUNTY, parent=t.county, now=NOW)
    with pytest.raises(Conflict, match="已存在"):
        work_group_admin.create_work_group(None, name="甲市测试专班", level=WorkGroupLevel.CITY, parent=t.province,
                                           now=NOW)
    with pytest.raises(Conflict, match="已代表其他工作专班"):
        work_group_admin.create_work_group(None, name="丁市测试专班", level=WorkGroupLevel.CITY, parent=t.province,
                                           unit_name="甲市", now=NOW)
    with pytest.raises(ServiceError, match="专班名称不能为空"):
        work_group_admin.create_work_group(None, name="  ", level=WorkGroupLevel.CITY, parent=t.province, now=NOW)


def test_create_makes_or_reuses_the_unit_in_the_parent_and_audits(app) -> None:
    t = build_tree()
    assert t.unit_a.work_group_id == t.province.id
    assert t.unit_a.represents_work_group_id == t.city_a.id
    assert t.unit_c.work_group_id == t.city_b.id
    assert t.unit_c.kind.value == "county"
    existing = Unit(work_group_id=t.city_b.id, name="戊县", kind=t.unit_c.kind, created_at=NOW)
    db.session.add(existing)
    db.session.flush()
    group = work_group_admin.create_work_group(None, name="戊县测试专班", level=WorkGroupLevel.COUNTY,
                                               parent=t.city_b, unit_name="戊县", now=NOW)
    assert existing.represents_work_group_id == group.id
    assert db.session.scalar(sa.select(sa.func.count(Unit.id)).where(Unit.name == "戊县")) == 1
    bare = work_group_admin.create_work_group(None, name="己市测试专班", level=WorkGroupLevel.CITY,
                                              parent=t.province, now=NOW)
    assert work_group_admin.representing_unit(bare) is None
    events = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "work_group.create")).all()
    assert {e.summary for e in events} >= {"新建县级工作专班 戊县测试专班", "新建市级工作专班 己市测试专班"}


def test_tree_is_the_subtree_in_preorder(app) -> None:
    t = build_tree()
    nodes = work_group_admin.tree(t.province)
    names = [(n.group.name, n.depth) for n in nodes]
    assert names[0] == (t.province.name, 0)
    assert names[1:] == [("甲市测试专班", 1), ("乙市测试专班", 1), ("丙县测试专班", 2)]
    assert [(n.group.name, n.depth) for n in work_group_admin.tree(t.city_b)] == [("乙市测试专班", 0),
                                                                                 ("丙县测试专班", 1)]
    with pytest.raises(NotFound):
        work_group_admin.get_group(10**6)


def test_reminder_windows_fall_back_to_the_apps(app) -> None:
    t = build_tree()
    defaults = ReminderSettings(due_soon_days=(14, 3), overdue_repeat_days=7, supervision_after_days=30)
    assert work_group_admin.reminder_settings(t.city_a, defaults) == defaults
    work_group_admin.set_reminder_windows(t.city_a, actor=None, due_soon_days="10，5", overdue_repeat_days=None,
                                          supervision_after_days=20, period_grace_days=None, now=NOW)
    mine = work_group_admin.reminder_settings(t.city_a, defaults)
    assert mine == ReminderSettings(due_soon_days=(10, 5), overdue_repeat_days=7, supervision_after_days=20)
    assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id))
                             .where(AuditEvent.action == "work_group.reminders")) == 1
    for bad, field in (("十四", "due_soon_days"), ("3,3", "due_soon_days"), ("400", "due_soon_days")):
        with pytest.raises(ServiceError) as caught:
            work_group_admin.set_reminder_windows(t.city_a, actor=None, due_soon_days=bad, overdue_repeat_days=None,
                                                  supervision_after_days=None, period_grace_days=None, now=NOW)
        assert caught.value.field == field
    with pytest.raises(ServiceError, match="0 到 366"):
        work_group_admin.set_reminder_windows(t.city_a, actor=None, due_soon_days="", overdue_repeat_days=-1,
                                              supervision_after_days=None, period_grace_days=None, now=NOW)
    work_group_admin.set_reminder_windows(t.city_a, actor=None, due_soon_days="", overdue_repeat_days=None,
                                          supervision_after_days=None, period_grace_days=None, now=NOW)
    assert work_group_admin.reminder_settings(t.city_a, defaults) == defaults


def test_group_stats_count_inbound_and_own_work(app) -> None:
    t = build_tree()
    stats = {s.group.name: s for s in levels.group_stats([t.city_a, t.city_b, t.county], TODAY, details=True)}
    a, b, c = stats["甲市测试专班"], stats["乙市测试专班"], stats["丙县测试专班"]
    assert a.unit is not None
    assert a.unit.name == "甲市"
    assert a.inbound.as_dict() == {"total": 2, "undecomposed": 1, "red": 1, "yellow": 1, "green": 0, "done": 0,
                                   "may_claim": 0}
    assert b.inbound.total == 1
    assert b.inbound.done == 1
    assert b.inbound.undecomposed == 0
    assert a.own.as_dict() == {"plans": 1, "total": 2, "red": 1, "done": 1}
    assert b.own.as_dict() == {"plans": 0, "total": 0, "red": 0, "done": 0}
    assert c.own.total == 1
    assert c.own.red == 0
    assert c.inbound.total == 0
    assert [u.name for u in a.secretariat] == ["sec_a"]
    assert [p.title for p in a.plans] == ["甲市测试计划"]
    rows = levels.inbound_rows([t.city_a.id], TODAY)[t.city_a.id]
    assert [(r.assignment.id, r.rollup.state) for r in rows] == [
        (t.inbound_open.id, RollupState.UNDECOMPOSED), (t.inbound_red.id, RollupState.IN_PROGRESS)]
    assert rows[1].rollup.light.light is Light.RED


def test_dashboard_is_scoped_to_the_readers_part_of_the_tree(app) -> None:
    t = build_tree()
    city_scope = frozenset({t.city_a.id})
    d = dash.dashboard(None, TODAY, visible=city_scope, group_id=t.city_a.id, with_levels=True)
    assert d.plan.id == t.city_plan.id
    assert [p.id for p in d.plans] == [t.city_plan.id]
    assert d.levels is not None
    assert [g.name for g in d.levels.path] == ["甲市测试专班"]
    assert [i.assignment.id for i in d.levels.inbound] == [t.inbound_open.id, t.inbound_red.id]
    with pytest.raises(PermissionDenied):  # another part of the tree: refused, not hidden
        dash.dashboard(t.province_plan.id, TODAY, visible=city_scope)
    with pytest.raises(PermissionDenied):
        dash.dashboard(t.county_plan.id, TODAY, visible=city_scope)
    with pytest.raises(NotFound):
        dash.dashboard(999_999, TODAY, visible=city_scope)
    whole = frozenset({t.province.id, t.city_a.id, t.city_b.id, t.county.id})
    d = dash.dashboard(t.province_plan.id, TODAY, visible=whole, with_levels=True)
    assert d.levels is not None
    assert [(s.group.name, s.inbound.red, s.inbound.undecomposed) for s in d.levels.children] == [
        ("甲市测试专班", 1, 1), ("乙市测试专班", 0, 0)]
    county = dash.dashboard(t.county_plan.id, TODAY, visible=whole, with_levels=True)
    assert county.levels is not None
    assert [g.name for g in county.levels.path] == [
        t.province.name, "乙市测试专班", "丙县测试专班"]
    everything = dash.assignment_page(None, TODAY, dash.Filters(), visible=city_scope, per_page=100)
    assert {r.assignment.task.plan_id for r in everything.rows} == {t.city_plan.id}
    red = dash.assignment_page(None, TODAY, dash.Filters(light=Light.RED), visible=city_scope, per_page=100)
    assert [r.assignment.id for r in red.rows] == [t.city_red.id]


def _more_groups(t, n: int) -> None:
    """Add n counties under 甲市, each with an inbound task and a plan of its own (units made directly: the
    hand-made tasks have no 责任单位 terms, so the unit service's re-synchronisation would close them)."""
    from tests.levels_data import _assign, _plan, _task

    for i in range(n):
        stand_in = Unit(work_group_id=t.city_a.id, name=f"扩展县{n}-{i}", kind=UnitKind.COUNTY, created_at=NOW)
        db.session.add(stand_in)
        db.session.flush()
        group = work_group_admin.create_work_group(None, name=f"扩展县{n}-{i}专班", level=WorkGroupLevel.COUNTY,
                                                   parent=t.city_a, unit=stand_in, now=NOW)
        member = Unit(work_group_id=group.id, name=f"扩展县{n}-{i}民政局", kind=UnitKind.MEMBER, created_at=NOW)
        plan, section = _plan(t.city_a, f"扩展计划{n}-{i}")
        _assign(_task(plan, section, 1, dt.date(2024, 6, 1), "扩展任务"), stand_in)
        own_plan, own_section = _plan(group, f"县计划{n}-{i}")
        _assign(_task(own_plan, own_section, 1, dt.date(2024, 8, 1), "县任务"), member)
    db.session.commit()


def _count(count_queries, fn) -> int:
    db.session.expire_all()
    with count_queries() as q:
        fn()
    return q.count


def test_level_queries_do_not_grow_with_groups_and_rows(app, count_queries) -> None:
    t = build_tree()
    whole = frozenset(db.session.scalars(sa.select(WorkGroup.id)))

    def run() -> None:
        scope = frozenset(db.session.scalars(sa.select(WorkGroup.id)))
        dash.dashboard(t.city_plan.id, TODAY, visible=scope, with_levels=True)
        nodes = work_group_admin.tree(t.province)
        levels.group_stats([n.group for n in nodes], TODAY, details=True)

    assert whole
    _more_groups(t, 2)  # 甲市 has lower groups (a group without any skips their queries)
    few = _count(count_queries, run)
    _more_groups(t, 6)
    assert _count(count_queries, run) == few
