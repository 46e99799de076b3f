"""新建年度计划 and 结转: next year's plan copied from this one as a draft, then last year's unfinished work carried
into it or closed with a reason.

新建年度计划 makes an ordinary import draft (``services.plan_imports``): the copied task table
(``domain.next_year``: phrases moved by a year, or by the plan's length) is stored as the draft's source file, as
an upload would be, and the draft remembers the plan it came from (``PlanImport.derived_from_id``). Review and
publish are then the importer's own. Once published, 结转 lists the old plan's open, unfinished assignments (not
confirmed 办结, not closed); each is carried to a task of the new plan (the unit gets an assignment there, which
records ``carried_from_id``; the old one is closed "结转至《新计划》任务N") or closed with a reason. History is
kept, every change audited; a submit handles any number of assignments at once, in one transaction (flush only).
Handling an assignment that is already closed does nothing, so a second submit of the same page changes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from tasktrack.domain.next_year import (
    CopiedRow,
    PeriodError,
    copy_rows,
    default_target,
    moved_title,
    next_period,
    task_table_tsv,
)
from tasktrack.extensions import db
from tasktrack.models import (
    Assignment,
    CompletionState,
    ImportStatus,
    Plan,
    PlanImport,
    PlanImportRow,
    Task,
    Unit,
    User,
    WorkGroup,
)
from tasktrack.services import Conflict, NotFound, ServiceError, attachments
from tasktrack.services.audit import record
from tasktrack.services.inputs import clean_text
from tasktrack.services.plan_imports import AlreadyImported, find_by_hash, sha256
from tasktrack.uploads.names import clean_filename
from tasktrack.uploads.storage import StorageUnavailable

REASON_MAX = 300


# -- 新建年度计划 -------------------------------------------------------------------------------------


def _rows_of(plan: Plan) -> list[CopiedRow]:
    tasks = db.session.scalars(
        sa.select(Task).where(Task.plan_id == plan.id, Task.is_deleted.is_(False))
        .options(joinedload(Task.section)).order_by(Task.number)
    )
    rows = [CopiedRow(section_number=t.section.number, section_title=t.section.title, number=t.number, text=t.text,
                      deadline_phrase=t.deadline_phrase, responsible_phrase=t.responsible_phrase) for t in tasks]
    return sorted(rows, key=lambda r: (r.section_number, r.number))


def _refuse_existing(plan: Plan, year: int, title: str) -> None:
    same_plan = db.session.scalar(
        sa.select(Plan).where(Plan.work_group_id == plan.work_group_id, Plan.year == year, Plan.title == title)
    )
    if same_plan is not None:
        raise Conflict(f"本专班已有 {year} 年的计划《{title}》，无需再生成", field="year")
    draft = db.session.scalar(
        sa.select(PlanImport).where(PlanImport.work_group_id == plan.work_group_id, PlanImport.year == year,
                                    PlanImport.title == title, PlanImport.status == ImportStatus.DRAFT)
    )
    if draft is not None:
        raise Conflict(f"已有 {year} 年的草稿《{title}》（导入草稿 {draft.id}），请继续审核该草稿，或放弃后再生成",
                       field="year")


def _notes(plan: Plan, rows: list[CopiedRow], copied: list[CopiedRow], shift: int) -> str:
    sections = len({r.section_number for r in rows})
    moved = [(a.deadline_phrase, b.deadline_phrase) for a, b in zip(rows, copied, strict=True)
             if a.deadline_phrase != b.deadline_phrase]
    example = f"，如“{moved[0][0]}”→“{moved[0][1]}”" if moved else ""
    return "\n".join([
        f"由计划《{plan.title}》（{plan.period_label}，计划编号 {plan.id}）生成："
        f"{sections}项主要任务、{len(rows)}项具体工作",
        f"完成时间节点中写明的年份顺延{shift}年（{len(moved)}项{example}）；未写年份的（如年底前、每季度、长期坚持）不变",
        "任务内容和责任单位照原计划复制；文号、印发日期和前言未复制，请按新文件核对填写",
        "发布后，可在新计划页面“结转上年度未完成任务”",
    ])


def next_year_draft(plan: Plan, *, year: int | None = None, actor: User | None, now: dt.datetime) -> PlanImport:
    """Copy ``plan`` into a draft of the next period (starting at ``year`` when given) in the same work group.

    Refused when the work group already has a plan or a draft of that year and title, or the plan has no task.
    """
    if plan.is_deleted:
        raise NotFound("计划不存在")
    if plan.is_matters:
        raise ServiceError("交办事项不是工作计划，不能复制为新年度计划", field="year")
    try:
        period = next_period(plan.year, plan.end_year, first_year=year)
    except PeriodError as exc:
        raise ServiceError(str(exc), field="year") from exc
    title = moved_title(plan.title, period.shift)[:200]
    _refuse_existing(plan, period.year, title)
    rows = _rows_of(plan)
    if not rows:
        raise ServiceError("该计划没有任务，无法生成下一年度计划")
    copied = copy_rows(rows, period.shift)
    data = task_table_tsv(copied).encode("utf-8")
    digest = sha256(data)
    group = db.session.get(WorkGroup, plan.work_group_id)
    assert group is not None  # plans.work_group_id is a foreign key
    existing = find_by_hash(group, digest)
    if existing is not None:
        raise AlreadyImported(existing)
    try:
        key = attachments.store_until_commit(data, extension=".tsv")
    except StorageUnavailable as exc:
        raise ServiceError(f"生成的计划表未能保存：{exc.reason}，请稍后再试；如仍不行，请联系专班办公室",
                           code="storage_unavailable") from exc
    imp = PlanImport(
        work_group_id=plan.work_group_id, status=ImportStatus.DRAFT, title=title, year=period.year,
        end_year=period.end_year, issuer=plan.issuer, report_period_months=plan.report_period_months,
        notes=_notes(plan, rows, copied, period.shift), layout="table",
        source_name=clean_filename(f"{title}（由《{plan.title}》生成）.tsv"), source_format="tsv",
        source_size=len(data), source_sha256=digest, source_key=key, derived_from_id=plan.id,
        created_by_id=actor.id if actor else None, created_at=now, updated_at=now,
    )
    for position, row in enumerate(copied, start=1):
        imp.rows.append(PlanImportRow(
            position=position, section_number=row.section_number, section_title=row.section_title,
            number=row.number, text=row.text, deadline_phrase=row.deadline_phrase[:200],
            responsible_phrase=row.responsible_phrase[:500], source=f"原计划任务{row.number}",
        ))
    db.session.add(imp)
    db.session.flush()
    record(actor, "plan_import.next_year", imp, now=now,
           summary=f"由《{plan.title}》生成{period.year}年度计划草稿《{title}》（{len(copied)}项任务）",
           after={"derived_from_id": plan.id, "year": period.year, "end_year": period.end_year,
                  "source_sha256": digest, "rows": len(copied)})
    return imp


# -- 结转 -------------------------------------------------------------------------------------------------


def derived_from(plan: Plan) -> Plan | None:
    """Return the plan ``plan`` was copied from (published from a 新建年度计划 draft), if any."""
    return db.session.scalar(
        sa.select(Plan).join(PlanImport, PlanImport.derived_from_id == Plan.id)
        .where(PlanImport.plan_id == plan.id, PlanImport.status == ImportStatus.PUBLISHED,
               Plan.is_deleted.is_(False))
        .order_by(PlanImport.id.desc()).limit(1)
    )


def _unfinished(old: Plan, ids: Sequence[int] | None = None) -> sa.Select[tuple[Assignment]]:
    query = (
        sa.select(Assignment).join(Task, Assignment.task_id == Task.id)
        .where(Task.plan_id == old.id, Task.is_deleted.is_(False), Assignment.closed_at.is_(None),
               Assignment.completion_state != CompletionState.CONFIRMED)
    )
    return query.where(Assignment.id.in_(list(ids))) if ids is not None else query


@dataclass(frozen=True)
class Unfinished:
    """An open, unfinished assignment of the old plan and the new plan's task it most likely continues."""

    assignment: Assignment
    default_task_id: int | None


@dataclass(frozen=True)
class CarryOver:
    """The 结转 page: the old plan's unfinished assignments by unit, the new plan's tasks, what was carried."""

    plan: Plan
    source: Plan
    groups: list[tuple[Unit, list[Unfinished]]]
    targets: list[Task]
    carried: list[Assignment]

    @property
    def count(self) -> int:
        return sum(len(items) for _unit, items in self.groups)


def _source_of(plan: Plan) -> Plan:
    source = derived_from(plan)
    if source is None:
        raise NotFound("该计划不是由上一年度计划生成的，没有可结转的任务")
    return source


def _targets(plan: Plan) -> list[Task]:
    return list(db.session.scalars(
        sa.select(Task).where(Task.plan_id == plan.id, Task.is_deleted.is_(False)).order_by(Task.number)
    ))


def carry_over_of(plan: Plan) -> CarryOver:
    """Return the 结转 view of a plan copied from an earlier one (NotFound for any other plan)."""
    source = _source_of(plan)
    targets = _targets(plan)
    candidates = [(t.id, t.number, t.text) for t in targets]
    rows = db.session.scalars(
        _unfinished(source).join(Unit, Assignment.unit_id == Unit.id)
        .options(joinedload(Assignment.unit), joinedload(Assignment.task))
        .order_by(Unit.sort_order, Unit.id, Task.number)
    )
    groups: dict[int, tuple[Unit, list[Unfinished]]] = {}
    for a in rows:
        items = groups.setdefault(a.unit_id, (a.unit, []))[1]
        items.append(Unfinished(a, default_target(a.task.number, a.task.text, candidates)))
    carried = list(db.session.scalars(
        sa.select(Assignment).join(Task, Assignment.task_id == Task.id)
        .where(Task.plan_id == plan.id, Assignment.carried_from_id.is_not(None))
        .options(joinedload(Assignment.unit), joinedload(Assignment.task),
                 joinedload(Assignment.carried_from).joinedload(Assignment.task))
        .order_by(Task.number, Assignment.id)
    ))
    return CarryOver(plan=plan, source=source, groups=list(groups.values()), targets=targets,
                     carried=[a for a in carried if a.carried_from is not None
                              and a.carried_from.task.plan_id == source.id])


@dataclass
class Outcome:
    """What one submit did: assignments handled, and picked ones left alone because already handled."""

    handled: list[Assignment] = field(default_factory=list)
    skipped: int = 0


def _picked(plan: Plan, picked: Sequence[int]) -> tuple[Plan, list[Assignment], int]:
    """Lock and return the picked assignments still unfinished (by unit, task), and how many were not."""
    source = _source_of(plan)
    ids = sorted(set(picked))
    if not ids:
        raise ServiceError("请先勾选要处理的任务", field="picked")
    known = set(db.session.scalars(
        sa.select(Assignment.id).join(Task, Assignment.task_id == Task.id)
        .where(Task.plan_id == source.id, Assignment.id.in_(ids)).with_for_update(of=Assignment)
    ))
    if len(known) != len(ids):
        raise ServiceError("所选任务不属于上一年度计划，请刷新页面后重试", field="picked")
    open_ones = list(db.session.scalars(
        _unfinished(source, ids).options(selectinload(Assignment.unit), selectinload(Assignment.task))
    ))
    open_ones.sort(key=lambda a: (a.unit.sort_order, a.unit_id, a.task.number))
    return source, open_ones, len(ids) - len(open_ones)


def _close(old: Assignment, reason: str, *, actor: User | None, now: dt.datetime, summary: str) -> None:
    old.closed_at, old.closed_reason = now, reason
    record(actor, "assignment.close", old, now=now, summary=summary,
           before={"closed_reason": None}, after={"closed_reason": reason})


def carry(plan: Plan, picked: Sequence[int], targets: Mapping[int, int], *, actor: User | None,
          now: dt.datetime) -> Outcome:
    """结转: carry each picked assignment of the old plan to the new plan's task ``targets[id]`` (a task id).

    The unit gets an assignment on that task (created if missing, reopened if closed; it records where it was
    carried from), and the old one is closed "结转至《新计划》任务N". Every picked assignment needs its task.
    """
    source, open_ones, skipped = _picked(plan, picked)
    tasks = {t.id: t for t in _targets(plan)}
    missing = [f"{a.unit.name}任务{a.task.number}" for a in open_ones if targets.get(a.id) not in tasks]
    if missing:
        raise ServiceError("请为以下任务选择结转到新计划的哪项任务：" + "、".join(missing), field="picked")
    outcome = Outcome(skipped=skipped)
    for old in open_ones:
        task = tasks[targets[old.id]]
        new = db.session.scalar(
            sa.select(Assignment).where(Assignment.task_id == task.id, Assignment.unit_id == old.unit_id)
        )
        if new is None:
            new = Assignment(task=task, unit_id=old.unit_id, is_lead=False, created_at=now, carried_from_id=old.id)
            db.session.add(new)
        else:
            if new.closed_at is not None:
                new.closed_at, new.closed_reason = None, None
            if new.carried_from_id is None:
                new.carried_from_id = old.id
        db.session.flush()
        record(actor, "assignment.carry_over", new, now=now,
               summary=f"结转：{old.unit.name}《{source.title}》任务{old.task.number}"
                       f" → 《{plan.title}》任务{task.number}",
               after={"carried_from_id": old.id, "task_id": task.id})
        reason = f"结转至《{plan.title}》任务{task.number}"[:REASON_MAX]
        _close(old, reason, actor=actor, now=now,
               summary=f"任务 {old.task.number} 的 {old.unit.name} 分工{reason}（历史保留）")
        outcome.handled.append(old)
    db.session.flush()
    return outcome


def close(plan: Plan, picked: Sequence[int], *, reason: str | None, actor: User | None,
          now: dt.datetime) -> Outcome:
    """关闭: close each picked unfinished assignment of the old plan with one reason (required)."""
    _source, open_ones, skipped = _picked(plan, picked)
    text = clean_text(reason, field="reason", label="关闭原因", required=True, max_len=REASON_MAX,
                      missing="关闭时请填写原因")
    outcome = Outcome(skipped=skipped)
    for old in open_ones:
        _close(old, text, actor=actor, now=now,
               summary=f"关闭上年度任务 {old.task.number} 的 {old.unit.name} 分工：{text}（历史保留）")
        outcome.handled.append(old)
    db.session.flush()
    return outcome
