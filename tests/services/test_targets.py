"""Targets (指标): offered on a draft, kept / removed / moved / typed, published, reported with progress, read back."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa

from tasktrack.domain.targets import Comparator
from tasktrack.extensions import db
from tasktrack.models import (
    Assignment,
    AssignmentStatus,
    AuditEvent,
    PlanTarget,
    ProgressReport,
    Role,
    TargetValue,
    Task,
    User,
)
from tasktrack.services import (
    Conflict,
    ServiceError,
    plan_imports,
    progress,
    target_drafts,
    targets,
)
from tasktrack.services import plan_import_targets as edits
from tests.target_data import draft, published, target_named


def _offered(imp: Any) -> list[tuple[str, int | None, str, bool]]:
    numbers = {r.id: r.number for r in imp.rows}
    return [(t.source, numbers.get(t.row_id) if t.row_id else None, t.label, t.is_kept)
            for t in target_drafts.draft_targets(imp)]


def test_a_new_draft_offers_the_targets_of_its_preamble_and_of_each_row(app: Any, seeded: None, now: Any) -> None:
    imp = draft(None, now)
    assert _offered(imp) == [
        ("正文", None, "社会组织党建入章率 ≥ 98%", True),
        ("正文", None, "4A级及以上社会组织 ≥ 200 家", True),
        ("任务1", 1, "培育社区社会组织 ≥ 50 个", True),
        ("任务2", 2, "年检率 ≥ 95%", True),
    ]
    first = target_drafts.draft_targets(imp)[0]
    assert (first.year, first.phrase) == (2024, "全省社会组织党建入章率达到98%以上")


def test_a_draft_without_targets_offers_none(app: Any, seeded: None, now: Any) -> None:
    imp = draft(None, now, text="2024年工作要点\n二、主要任务\n（一）清理评比表彰活动。（省民政厅）\n")
    assert target_drafts.draft_targets(imp) == []


def test_remove_move_and_type_targets_then_publish_the_kept_ones(app: Any, seeded: None, now: Any,
                                                                 make_user: Callable[..., User]) -> None:
    actor = make_user(Role.SECRETARIAT)
    imp = draft(actor, now)
    offered = target_drafts.draft_targets(imp)
    rows = {r.number: r.id for r in imp.rows}
    changes = [
        edits.TargetEdit(offered[0].id, None, True),  # unchanged
        edits.TargetEdit(offered[1].id, rows[2], True),  # the plan's 4A target moved to task 2
        edits.TargetEdit(offered[2].id, rows[1], False),  # removed
        edits.TargetEdit(offered[3].id, None, True),  # task 2's 年检率 given to the whole plan
    ]
    version = imp.version
    assert edits.save_targets(imp, changes, version=version, actor=actor, now=now) == 3
    assert imp.version == version + 1
    typed = edits.add_target(imp, "参评社会组织 ≥ 30 家（2024年）", row_id=rows[3], version=imp.version,
                                     actor=actor, now=now)
    assert (typed.source, typed.what, typed.comparator, typed.value, typed.unit, typed.year) == (
        "手工", "参评社会组织", Comparator.GE, Decimal(30), "家", 2024)
    assert _offered(imp)[2] == ("任务1", 1, "培育社区社会组织 ≥ 50 个", False)  # removed, still listed

    plan = plan_imports.publish(imp, actor=actor, now=now, version=imp.version)
    got = db.session.scalars(sa.select(PlanTarget).where(PlanTarget.plan_id == plan.id)
                             .order_by(PlanTarget.position)).all()
    numbers = {t.id: t.number for t in db.session.scalars(sa.select(Task).where(Task.plan_id == plan.id))}
    assert [(numbers.get(t.task_id), t.label) for t in got] == [
        (None, "社会组织党建入章率 ≥ 98%"),
        (2, "4A级及以上社会组织 ≥ 200 家"),
        (None, "年检率 ≥ 95%"),
        (3, "参评社会组织 ≥ 30 家"),
    ]
    actions = db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.action.like("plan%target%"))).all()
    assert sorted(actions) == ["plan.targets", "plan_import.target", "plan_import.target", "plan_import.target",
                               "plan_import.target_add"]
    assert target_drafts.publish(imp, plan, actor=actor, now=now) == []  # publishing again adds nothing


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("党建入章率 98%", "比较符号"),
        ("≥ 98%", "缺少名称"),
        ("党建入章率 ≥", "缺少数值"),
        ("", "请填写指标"),
        ("社会组织党建入章率 ≥ 98%", "全计划已有指标"),  # offered already, for the same scope
        ("指标" * 120 + " ≥ 1 个", "名称过长"),
    ],
)
def test_a_typed_target_that_cannot_be_read_is_refused_on_its_field(app: Any, seeded: None, now: Any, typed: str,
                                                                      message: str) -> None:
    imp = draft(None, now)
    with pytest.raises(ServiceError, match=message) as refused:
        edits.add_target(imp, typed, row_id=None, version=imp.version, actor=None, now=now)
    assert refused.value.field == "text"


def test_target_edits_follow_the_drafts_version_and_state(app: Any, seeded: None, now: Any) -> None:
    imp = draft(None, now)
    first = target_drafts.draft_targets(imp)[0]
    stale = imp.version - 1
    with pytest.raises(Conflict, match="已被他人修改"):
        edits.save_targets(imp, [edits.TargetEdit(first.id, None, False)], version=stale,
                                   actor=None, now=now)
    with pytest.raises(Conflict, match="已被他人修改"):
        edits.add_target(imp, "参评社会组织 ≥ 30 家", row_id=None, version=stale, actor=None, now=now)
    with pytest.raises(ServiceError, match="不在本草稿中") as wrong_row:
        edits.save_targets(imp, [edits.TargetEdit(first.id, 999_999, True)], version=imp.version,
                                   actor=None, now=now)
    assert wrong_row.value.field == f"targets-{first.id}-row"
    with pytest.raises(ServiceError, match="不存在"):
        edits.save_targets(imp, [edits.TargetEdit(999_999, None, True)], version=imp.version,
                                   actor=None, now=now)
    plan_imports.discard(imp, actor=None, now=now, version=imp.version)
    with pytest.raises(Conflict, match="已放弃"):
        edits.add_target(imp, "参评社会组织 ≥ 30 家", row_id=None, version=imp.version, actor=None, now=now)


def _assignment(plan_id: int, number: int, unit: str) -> Assignment:
    found = db.session.scalar(
        sa.select(Assignment).join(Task).where(Task.plan_id == plan_id, Task.number == number)
        .where(Assignment.unit.has(name=unit)))
    assert found is not None
    return found


def _report(a: Assignment, author: User, now: dt.datetime, values: dict[int, str | None]) -> ProgressReport:
    return progress.submit_report(a, author=author, status=AssignmentStatus.IN_PROGRESS, percent=None,
                                  completed_on=None, narrative="推进中", now=now, target_values=values)


def test_each_unit_reports_its_tasks_targets_and_a_lead_unit_the_plans_too(app: Any, seeded: None, now: Any,
                                                                            make_user: Callable[..., User]) -> None:
    plan = published(None, now)
    lead, co = _assignment(plan.id, 1, "省民政厅"), _assignment(plan.id, 1, "省委组织部")
    assert [t.what for t in targets.reportable(lead)] == ["社会组织党建入章率", "4A级及以上社会组织",
                                                          "培育社区社会组织"]
    assert [t.what for t in targets.reportable(co)] == ["培育社区社会组织"]


def test_values_are_appended_with_reports_and_the_latest_is_set_against_the_target(
        app: Any, seeded: None, now: Any, make_user: Callable[..., User]) -> None:
    plan = published(None, now)
    liaison = make_user(Role.LIAISON, unit="省民政厅")
    other = make_user(Role.LIAISON, unit="省委组织部")
    lead, co = _assignment(plan.id, 1, "省民政厅"), _assignment(plan.id, 1, "省委组织部")
    rate, grow = target_named(plan, "社会组织党建入章率"), target_named(plan, "培育社区社会组织")

    report = _report(lead, liaison, now, {rate.id: "97.5%", grow.id: "30"})
    later = now + dt.timedelta(days=1)
    _report(lead, liaison, later, {grow.id: "52 个", rate.id: ""})  # 入章率 not reported this time
    _report(co, other, later, {grow.id: "12"})
    db.session.commit()

    history = db.session.scalars(sa.select(TargetValue).where(TargetValue.target_id == grow.id)
                                 .order_by(TargetValue.id)).all()
    assert [(v.value, v.unit.name) for v in history] == [(Decimal(30), "省民政厅"), (Decimal(52), "省民政厅"),
                                                        (Decimal(12), "省委组织部")]
    assert history[0].progress_report_id == report.id
    [standing] = targets.task_standings(lead.task_id)
    assert [(v.unit.name, v.label, v.is_met) for v in standing.values] == [("省委组织部", "12 个", False),
                                                                          ("省民政厅", "52 个", True)]  # units' order
    board = {s.target.what: s for s in targets.plan_standings(plan.id)}
    # the plan's own targets first
    assert list(board) == ["社会组织党建入章率", "4A级及以上社会组织", "培育社区社会组织", "年检率"]
    assert (board["社会组织党建入章率"].latest.label, board["社会组织党建入章率"].latest.is_met) == ("97.5%", False)
    assert board["4A级及以上社会组织"].latest is None
    assert (board["培育社区社会组织"].met_count, board["培育社区社会组织"].scope_label) == (1, "任务 1")
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.object_type == "ProgressReport",
                                                           AuditEvent.object_id == report.id)).one()
    assert event.after["target_values"] == {"社会组织党建入章率 ≥ 98%": "97.5%", "培育社区社会组织 ≥ 50 个": "30 个"}


def test_a_bad_value_is_refused_on_its_field_and_nothing_is_saved(app: Any, seeded: None, now: Any,
                                                                 make_user: Callable[..., User]) -> None:
    plan = published(None, now)
    liaison = make_user(Role.LIAISON, unit="省民政厅")
    lead, co = _assignment(plan.id, 1, "省民政厅"), _assignment(plan.id, 1, "省委组织部")
    rate, other_task = target_named(plan, "社会组织党建入章率"), target_named(plan, "年检率")
    before = db.session.scalar(sa.select(sa.func.count(ProgressReport.id)))
    with pytest.raises(ServiceError, match="当前值须为数字") as bad:
        _report(lead, liaison, now, {rate.id: "九十八点五"})
    assert bad.value.field == f"target_{rate.id}"
    with pytest.raises(ServiceError, match="不是本任务由本单位报送的指标") as foreign:
        _report(lead, liaison, now, {other_task.id: "96"})  # a target of task 2
    assert foreign.value.field == "target_values"
    with pytest.raises(ServiceError, match="不是本任务"):
        _report(co, liaison, now, {rate.id: "99"})  # a co-owner does not report the plan's targets
    assert db.session.scalar(sa.select(sa.func.count(ProgressReport.id))) == before
    assert db.session.scalar(sa.select(sa.func.count(TargetValue.id))) == 0


def test_reading_values_takes_the_same_queries_whatever_their_number(
        app: Any, seeded: None, now: Any, make_user: Callable[..., User], count_queries: Callable[[], Any]) -> None:
    plan = published(None, now)
    liaison = make_user(Role.LIAISON, unit="省民政厅")
    lead = _assignment(plan.id, 1, "省民政厅")
    grow = target_named(plan, "培育社区社会组织")
    task_id, plan_id = lead.task_id, plan.id

    def counted() -> tuple[int, int]:
        db.session.expire_all()
        with count_queries() as on_task:
            targets.task_standings(task_id)
        with count_queries() as on_plan:
            targets.plan_standings(plan_id)
        return on_task.count, on_plan.count

    _report(lead, liaison, now, {grow.id: "1"})
    db.session.commit()
    few = counted()
    for day in range(1, 15):
        _report(lead, liaison, now + dt.timedelta(days=day), {grow.id: str(day)})
    db.session.commit()
    assert counted() == few == (2, 2)
