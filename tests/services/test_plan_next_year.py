"""新建年度计划 and 结转 (issue 11, item 5): the copied draft, its refusals, carrying and closing last year's work."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from tasktrack.domain.deadlines import shift_year
from tasktrack.domain.plan_layout import read_plan
from tasktrack.domain.plan_review import DraftRow
from tasktrack.extensions import db
from tasktrack.models import (
    Assignment,
    AssignmentStatus,
    AuditEvent,
    CompletionState,
    ImportStatus,
    Plan,
    PlanImport,
    Task,
    Unit,
)
from tasktrack.services import Conflict, NotFound, ServiceError, attachments, plan_imports, progress, units
from tasktrack.services import plan_next_year as ny
from tasktrack.services import plans as plan_service
from tasktrack.services.assignments import sync_open_tasks
from tasktrack.uploads.text_blocks import read_document


def old_plan() -> Plan:
    plan = db.session.scalar(sa.select(Plan).where(Plan.year == 2024))
    assert plan is not None
    return plan


def tasks_of(plan: Plan) -> dict[int, Task]:
    return {t.number: t for t in db.session.scalars(sa.select(Task).where(Task.plan_id == plan.id))}


def assignment(plan: Plan, number: int, unit_name: str) -> Assignment:
    unit = units.find_unit(unit_name)
    assert unit is not None
    found = db.session.scalar(sa.select(Assignment).join(Task).where(
        Task.plan_id == plan.id, Task.number == number, Assignment.unit_id == unit.id))
    assert found is not None, (number, unit_name)
    return found


def events(action: str) -> int:
    return int(db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)
                                 .where(AuditEvent.action == action)) or 0)


def publish(imp: PlanImport, now: dt.datetime) -> Plan:
    # The seed's 观察点 category has no member yet: the importer's own rule, not this one's.
    return plan_imports.publish(imp, actor=None, now=now, allow_empty_categories=True)


#: The tests on next year's published plan share it (tests/isolation.py, shared state): built once (the module's
#: tests of this key run together, tests/conftest.py), each test's writes rolled back after it.
NEW_PLAN = pytest.mark.shared_state("next_year_plan")


@pytest.fixture
def new_plan(app: Flask, seeded: None, now: dt.datetime) -> Plan:
    def build() -> int:
        return publish(ny.next_year_draft(old_plan(), actor=None, now=now), now).id

    plan = db.session.get(Plan, app.extensions["tests_isolation"].shared(build))
    assert plan is not None
    return plan


# -- 新建年度计划 ------------------------------------------------------------------------------------


def test_the_draft_copies_the_plan_a_year_later(seeded: None, now: dt.datetime) -> None:
    old = old_plan()
    imp = ny.next_year_draft(old, actor=None, now=now)
    db.session.commit()
    assert (imp.status, imp.year, imp.end_year, imp.work_group_id) == (ImportStatus.DRAFT, 2025, None,
                                                                       old.work_group_id)
    assert imp.title == old.title.replace("2024", "2025") != old.title
    assert imp.derived_from_id == old.id
    assert imp.plan_id is None
    assert (imp.issuer, imp.document_number, imp.issued_on) == (old.issuer, "", None)
    tasks = sorted(tasks_of(old).values(), key=lambda t: (t.section.number, t.number))
    assert [(r.section_number, r.section_title, r.number, r.text, r.responsible_phrase, r.deadline_phrase)
            for r in imp.rows] == [
        (t.section.number, t.section.title, t.number, t.text, t.responsible_phrase, shift_year(t.deadline_phrase))
        for t in tasks]
    assert any("2025" in r.deadline_phrase for r in imp.rows)
    assert not any("2024" in r.deadline_phrase for r in imp.rows)
    assert old.title in imp.notes
    assert "顺延1年" in imp.notes
    assert events("plan_import.next_year") == 1


def test_the_draft_keeps_the_copied_table_as_its_source(seeded: None, now: dt.datetime) -> None:
    old = old_plan()
    imp = ny.next_year_draft(old, actor=None, now=now)
    db.session.commit()
    assert imp.source_format == "tsv"
    assert imp.source_name == f"{imp.title}（由《{old.title}》生成）.tsv"
    with attachments.storage().open(imp.source_key) as handle:
        data = handle.read()
    assert (len(data), plan_imports.sha256(data)) == (imp.source_size, imp.source_sha256)
    assert data.decode("utf-8").startswith("主要任务\t序号\t具体工作\t完成时间节点\t责任单位\n")
    items = read_plan(read_document(data, imp.source_name)).items  # the importer reads it as the same rows
    assert [(i.number, i.text, i.deadline_phrase, i.responsible_phrase) for i in items] == [
        (r.number, r.text, r.deadline_phrase, r.responsible_phrase) for r in imp.rows]


@NEW_PLAN
def test_the_draft_publishes_as_next_years_plan(new_plan: Plan) -> None:
    old = old_plan()
    assert (new_plan.year, new_plan.title) == (2025, old.title.replace("2024", "2025"))
    new_tasks, old_tasks = tasks_of(new_plan), tasks_of(old)
    assert sorted(new_tasks) == sorted(old_tasks)
    for number, task in new_tasks.items():
        before = old_tasks[number]
        assert task.deadline_kind == before.deadline_kind
        if before.due_date is not None:
            assert task.due_date == before.due_date.replace(year=before.due_date.year + 1)
        assert {a.unit_id for a in task.assignments} == {a.unit_id for a in before.assignments}
    assert ny.derived_from(new_plan) == old
    assert ny.derived_from(old) is None


def test_a_plan_of_several_years_moves_by_its_length(seeded: None, now: dt.datetime) -> None:
    rows = [
        DraftRow(1, 1, "完善制度", 1, "出台管理办法。", "２０２５年６月底前", "省民政厅"),
        DraftRow(2, 1, "完善制度", 2, "全面推开。", "２０２６年底前", "省民政厅、省财政厅"),
        DraftRow(3, 2, "常态长效", 3, "持续开展检查。", "2025—2027年", "省民政厅"),
        DraftRow(4, 2, "常态长效", 4, "定期通报。", "每季度", "省民政厅"),
    ]
    meta = plan_service.PlanMeta(year=2025, end_year=2027, title="清廉社会组织建设三年行动（２０２５—２０２７年）",
                                 issuer="省民政厅")
    old = plan_service.import_plan(meta, rows, actor=None, now=now).plan
    imp = ny.next_year_draft(old, actor=None, now=now)
    assert (imp.year, imp.end_year, imp.title) == (2028, 2030, "清廉社会组织建设三年行动（２０２８—２０３０年）")
    assert [r.deadline_phrase for r in imp.rows] == ["２０２８年６月底前", "２０２９年底前", "2028—2030年", "每季度"]
    assert plan_imports.review_of(imp).ready


def test_a_chosen_year_moves_the_phrases_by_the_difference(seeded: None, now: dt.datetime) -> None:
    imp = ny.next_year_draft(old_plan(), year=2026, actor=None, now=now)
    assert imp.year == 2026
    assert imp.title.startswith("2026年")
    assert imp.rows[0].deadline_phrase == "2026 年 7 月底前"


def test_a_second_draft_of_the_same_year_is_refused(seeded: None, now: dt.datetime) -> None:
    first = ny.next_year_draft(old_plan(), actor=None, now=now)
    db.session.commit()
    with pytest.raises(Conflict, match=f"已有 2025 年的草稿.*导入草稿 {first.id}"):
        ny.next_year_draft(old_plan(), actor=None, now=now)
    plan_imports.discard(first, actor=None, now=now)
    assert ny.next_year_draft(old_plan(), actor=None, now=now).id != first.id  # a discarded draft is no obstacle


@NEW_PLAN
def test_a_draft_of_a_year_that_has_its_plan_is_refused(new_plan: Plan, now: dt.datetime) -> None:
    with pytest.raises(Conflict, match="本专班已有 2025 年的计划"):
        ny.next_year_draft(old_plan(), actor=None, now=now)
    before = db.session.scalar(sa.select(sa.func.count()).select_from(PlanImport))
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PlanImport)) == before


@pytest.mark.parametrize(("year", "message"), [(2024, "晚于原计划"), (2023, "晚于原计划"), (2101, "2000—2100")])
def test_a_year_that_cannot_follow_is_refused(seeded: None, now: dt.datetime, year: int, message: str) -> None:
    with pytest.raises(ServiceError, match=message) as caught:
        ny.next_year_draft(old_plan(), year=year, actor=None, now=now)
    assert caught.value.field == "year"


def test_a_plan_without_tasks_or_deleted_is_refused(seeded: None, now: dt.datetime) -> None:
    empty = Plan(year=2024, title="空计划", issuer="专班", created_at=now, work_group_id=old_plan().work_group_id)
    db.session.add(empty)
    db.session.flush()
    with pytest.raises(ServiceError, match="没有任务"):
        ny.next_year_draft(empty, actor=None, now=now)
    empty.is_deleted = True
    with pytest.raises(NotFound):
        ny.next_year_draft(empty, actor=None, now=now)


# -- 结转 ----------------------------------------------------------------------------------------------


def finish(a: Assignment, user: Any, now: dt.datetime, *, confirm: bool) -> None:
    progress.submit_report(a, author=user, status=AssignmentStatus.COMPLETED, percent=100,
                           completed_on=now.date(), narrative="已完成", now=now)
    if confirm:
        progress.confirm_completion(a, actor=user, note=None, now=now)


@NEW_PLAN
def test_carry_over_lists_the_old_plans_unfinished_work_by_unit(new_plan: Plan, make_user: Callable[..., Any],
                                                               now: dt.datetime) -> None:
    old = old_plan()
    liaison = make_user("liaison", unit="省民政厅")
    finish(assignment(old, 1, "省民政厅"), liaison, now, confirm=False)  # claimed, not yet confirmed: listed
    confirmed = assignment(old, 2, "省民政厅")
    progress.submit_report(confirmed, author=liaison, status=AssignmentStatus.COMPLETED, percent=100,
                           completed_on=now.date(), narrative="已完成", now=now)
    confirmed.completion_state = CompletionState.CONFIRMED  # 办结: not listed
    view = ny.carry_over_of(new_plan)
    assert view.source == old
    assert view.carried == []
    listed = [i.assignment for _unit, items in view.groups for i in items]
    assert view.count == len(listed) == db.session.scalar(
        sa.select(sa.func.count()).select_from(Assignment).join(Task)
        .where(Task.plan_id == old.id, Assignment.closed_at.is_(None))) - 1
    assert confirmed not in listed
    assert assignment(old, 1, "省民政厅") in listed
    unit_ids = [unit.id for unit, _items in view.groups]
    assert len(unit_ids) == len(set(unit_ids))  # one group per unit
    for unit, items in view.groups:
        assert {i.assignment.unit_id for i in items} == {unit.id}
        for item in items:  # every task kept its text and number: the same-numbered task is offered
            target = db.session.get(Task, item.default_task_id)
            assert target is not None
            assert target.plan_id == new_plan.id
            assert target.number == item.assignment.task.number


def test_carry_over_is_only_for_a_plan_made_from_another(seeded: None) -> None:
    with pytest.raises(NotFound, match="不是由上一年度计划生成"):
        ny.carry_over_of(old_plan())


@NEW_PLAN
def test_carrying_links_the_new_assignment_and_closes_the_old(new_plan: Plan, now: dt.datetime) -> None:
    old, new_tasks = old_plan(), tasks_of(new_plan)
    a = assignment(old, 3, "省民政厅")
    existing = assignment(new_plan, 3, "省民政厅")  # assigned by the copied phrase already
    count = db.session.scalar(sa.select(sa.func.count()).select_from(Assignment))
    outcome = ny.carry(new_plan, [a.id], {a.id: new_tasks[3].id}, actor=None, now=now)
    db.session.commit()
    assert (outcome.handled, outcome.skipped) == ([a], 0)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Assignment)) == count
    assert existing.carried_from_id == a.id
    assert existing.closed_at is None
    assert a.closed_at is not None
    assert a.closed_reason == f"结转至《{new_plan.title}》任务3"
    assert events("assignment.carry_over") == 1
    assert ny.carry_over_of(new_plan).carried == [existing]


@NEW_PLAN
def test_carrying_to_a_task_the_unit_is_not_on_creates_its_assignment(new_plan: Plan, now: dt.datetime) -> None:
    old, new_tasks = old_plan(), tasks_of(new_plan)
    a = assignment(old, 1, "省教育厅")
    target = next(t for n, t in sorted(new_tasks.items()) if a.unit_id not in {x.unit_id for x in t.assignments})
    ny.carry(new_plan, [a.id], {a.id: target.id}, actor=None, now=now)
    db.session.commit()
    created = assignment(new_plan, target.number, "省教育厅")
    assert (created.carried_from_id, created.is_lead, created.closed_at) == (a.id, False, None)
    # A later membership sync keeps both decisions: the carried-in assignment open, the old one closed.
    sync_open_tasks(actor=None, now=now)
    db.session.commit()
    db.session.refresh(created)
    db.session.refresh(a)
    assert created.closed_at is None
    assert a.closed_at is not None


@NEW_PLAN
def test_carrying_twice_changes_nothing_more(new_plan: Plan, now: dt.datetime) -> None:
    old, new_tasks = old_plan(), tasks_of(new_plan)
    picked = [assignment(old, n, "省民政厅") for n in (4, 5)]
    targets = {a.id: new_tasks[a.task.number].id for a in picked}
    ny.carry(new_plan, [a.id for a in picked], targets, actor=None, now=now)
    db.session.commit()
    count = db.session.scalar(sa.select(sa.func.count()).select_from(Assignment))
    audited = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))
    again = ny.carry(new_plan, [a.id for a in picked], targets, actor=None, now=now)
    assert (again.handled, again.skipped) == ([], 2)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Assignment)) == count
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == audited
    closing = ny.close(new_plan, [a.id for a in picked], reason="已结转", actor=None, now=now)
    assert (closing.handled, closing.skipped) == ([], 2)
    assert all(a.closed_reason == f"结转至《{new_plan.title}》任务{a.task.number}" for a in picked)


@NEW_PLAN
def test_closing_takes_one_reason_for_every_picked_assignment(new_plan: Plan, now: dt.datetime) -> None:
    old = old_plan()
    picked = [assignment(old, 6, "省民政厅"), assignment(old, 7, "省教育厅")]
    before = events("assignment.close")
    outcome = ny.close(new_plan, [a.id for a in picked], reason="  年度任务已调整，不再开展  ", actor=None, now=now)
    db.session.commit()
    assert outcome.handled == sorted(picked, key=lambda a: (a.unit.sort_order, a.unit_id))
    assert {a.closed_reason for a in picked} == {"年度任务已调整，不再开展"}
    assert events("assignment.close") == before + 2
    listed = {i.assignment.id for _u, items in ny.carry_over_of(new_plan).groups for i in items}
    assert not listed & {a.id for a in picked}


@NEW_PLAN
@pytest.mark.parametrize("reason", [None, "", "  \u200b "])
def test_closing_needs_a_reason(new_plan: Plan, now: dt.datetime, reason: str | None) -> None:
    a = assignment(old_plan(), 6, "省民政厅")
    with pytest.raises(ServiceError, match="关闭时请填写原因") as caught:
        ny.close(new_plan, [a.id], reason=reason, actor=None, now=now)
    assert caught.value.field == "reason"
    assert a.closed_at is None


@NEW_PLAN
def test_every_picked_assignment_needs_its_new_task(new_plan: Plan, now: dt.datetime) -> None:
    old, new_tasks = old_plan(), tasks_of(new_plan)
    a, b = assignment(old, 8, "省民政厅"), assignment(old, 9, "省民政厅")
    with pytest.raises(ServiceError, match="省民政厅任务9"):
        ny.carry(new_plan, [a.id, b.id], {a.id: new_tasks[8].id}, actor=None, now=now)
    with pytest.raises(ServiceError, match="省民政厅任务8"):  # a task of another plan is no target
        ny.carry(new_plan, [a.id], {a.id: tasks_of(old)[8].id}, actor=None, now=now)
    db.session.rollback()
    assert a.closed_at is None
    assert b.closed_at is None


@NEW_PLAN
def test_picks_must_be_unfinished_work_of_the_old_plan(new_plan: Plan, now: dt.datetime) -> None:
    with pytest.raises(ServiceError, match="请先勾选"):
        ny.close(new_plan, [], reason="x", actor=None, now=now)
    own = assignment(new_plan, 1, "省民政厅")
    with pytest.raises(ServiceError, match="不属于上一年度计划"):
        ny.close(new_plan, [own.id], reason="x", actor=None, now=now)
    with pytest.raises(NotFound):
        ny.close(old_plan(), [own.id], reason="x", actor=None, now=now)


@NEW_PLAN
def test_a_decision_survives_membership_changes(new_plan: Plan, now: dt.datetime) -> None:
    """A sync reopens what it closed itself, never what 结转 or 关闭 closed."""
    old = old_plan()
    a = assignment(old, 10, "省民政厅")
    ny.close(new_plan, [a.id], reason="不再开展", actor=None, now=now)
    unit = db.session.get(Unit, a.unit_id)
    assert unit is not None
    units.save_unit(unit, actor=None, name=unit.name, kind=unit.kind, categories=list(unit.categories),
                    contact_emails="", leader_email=None, now=now)
    sync_open_tasks(actor=None, now=now)
    db.session.commit()
    db.session.refresh(a)
    assert (a.closed_at is not None, a.closed_reason) == (True, "不再开展")
