"""Create or update a plan from reviewed rows (the importer's publish step and ``flask seed``)."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

import sqlalchemy as sa

from tasktrack.domain.owners import OwnerTerm
from tasktrack.domain.plan_review import DraftRow, Names, Review, RowReview, review
from tasktrack.extensions import db
from tasktrack.models import Category, Plan, Section, Task, TaskMilestone, TaskTerm, Unit, User, WorkGroup
from tasktrack.services import ServiceError, work_groups
from tasktrack.services.assignments import SyncResult, sync_tasks, task_reading
from tasktrack.services.audit import record, snapshot
from tasktrack.services.inputs import clean_text

logger = logging.getLogger(__name__)

TASK_FIELDS = ("number", "text", "deadline_phrase", "deadline_kind", "due_date", "period_months",
               "responsible_phrase", "section_id")
EMPTY_CATEGORY = frozenset({"empty_category"})
#: Problems listed in one refusal before "…等N处".
_SHOWN_PROBLEMS = 30


@dataclass(frozen=True)
class PlanMeta:
    """A plan's header data."""

    year: int
    title: str
    issuer: str
    document_number: str = ""
    issued_on: dt.date | None = None
    focus_choice_deadline: dt.date | None = None
    report_period_months: int = 3
    warning_days: int = 14
    end_year: int | None = None
    context: str = ""


@dataclass
class ImportResult:
    """What an import changed."""

    plan: Plan
    created: bool = False
    tasks_created: int = 0
    tasks_updated: int = 0
    assignments: SyncResult = field(default_factory=SyncResult)

    @property
    def changed(self) -> bool:
        return self.created or bool(self.tasks_created or self.tasks_updated) or self.assignments.changed


def group_names(group: WorkGroup) -> Names:
    """Return the names a work group's plans may use, in the pure reviewer's form."""
    table = work_groups.name_table(group)
    return Names(
        unit_names=table.unit_names,
        category_aliases=table.category_aliases,
        unit_aliases=table.unit_aliases,
        members=table.members,
        unit_order=table.unit_order,
    )


def review_rows(rows: list[DraftRow], group: WorkGroup, *, year: int, end_year: int | None) -> Review:
    """Review rows against a work group's current names."""
    return review(rows, group_names(group), year=year, end_year=end_year)


def problem_lines(result: Review) -> list[str]:
    """Return "任务 N：message" for every problem, in row order."""
    return [f"任务 {r.row.number}：{p.message}" for r in result.rows for p in r.problems]


def import_plan(
    meta: PlanMeta, rows: list[DraftRow], *, actor: User | None, now: dt.datetime, work_group: WorkGroup | None = None,
    allow_empty_categories: bool = False,
) -> ImportResult:
    """Create or update a plan of a work group (by default the provincial one) from reviewed rows.

    Every problem is reported at once and nothing is written while any is left (``allow_empty_categories``: a
    category with no member yet is accepted; its units are assigned when they join). Running it again with the same
    rows changes nothing.
    """
    if not rows:
        raise ServiceError("任务表中没有任务")
    group = work_group or work_groups.default_work_group(now=now)
    result_review = review_rows(rows, group, year=meta.year, end_year=meta.end_year)
    if not result_review.ready_ignoring(EMPTY_CATEGORY if allow_empty_categories else frozenset()):
        lines = problem_lines(result_review)
        more = f"\n……共{len(lines)}处" if len(lines) > _SHOWN_PROBLEMS else ""
        raise ServiceError("任务有问题，未导入任何内容：\n" + "\n".join(lines[:_SHOWN_PROBLEMS]) + more)
    plan = db.session.scalar(
        sa.select(Plan).where(Plan.work_group_id == group.id, Plan.year == meta.year, Plan.title == meta.title)
    )
    created = plan is None
    if plan is None:
        plan = Plan(year=meta.year, title=meta.title, issuer=meta.issuer, created_at=now, work_group_id=group.id)
        db.session.add(plan)
    result = ImportResult(plan=plan, created=created)
    for name in ("issuer", "document_number", "issued_on", "focus_choice_deadline",
                 "report_period_months", "warning_days", "end_year", "context"):
        setattr(plan, name, getattr(meta, name))
    db.session.flush()
    if result.created:
        record(actor, "plan.create", plan, now=now, summary=f"导入工作计划 {plan.title}")

    sections = {s.number: s for s in plan.sections}
    for row in rows:
        section = sections.get(row.section_number)
        if section is None:
            section = Section(plan=plan, number=row.section_number, title=row.section_title)
            db.session.add(section)
            sections[section.number] = section
        elif section.title != row.section_title:
            section.title = row.section_title
    db.session.flush()

    units = {u.name: u for u in db.session.scalars(sa.select(Unit).where(Unit.work_group_id == group.id))}
    categories = {
        c.name: c for c in db.session.scalars(sa.select(Category).where(Category.work_group_id == group.id))
    }
    existing = {t.number: t for t in db.session.scalars(sa.select(Task).where(Task.plan_id == plan.id))}
    touched: list[Task] = []
    for reviewed in result_review.rows:
        task = _save_task(plan, existing.get(reviewed.row.number), reviewed, sections, units, categories,
                          actor=actor, now=now, result=result)
        touched.append(task)
    db.session.flush()
    result.assignments = sync_tasks(touched, actor=actor, now=now)
    logger.info("plan %s imported: %s new tasks, %s updated", plan.title, result.tasks_created,
                result.tasks_updated)
    return result


def _save_task(
    plan: Plan, task: Task | None, reviewed: RowReview, sections: dict[int, Section], units: dict[str, Unit],
    categories: dict[str, Category], *, actor: User | None, now: dt.datetime, result: ImportResult,
) -> Task:
    row, deadline = reviewed.row, reviewed.deadline
    assert deadline is not None  # a ready review has a deadline and owners on every row
    assert reviewed.owners is not None
    values = {
        "text": row.text,
        "deadline_phrase": row.deadline_phrase,
        "deadline_kind": deadline.kind,
        "due_date": deadline.due,
        "period_months": deadline.period_months,
        "responsible_phrase": row.responsible_phrase,
        "section_id": sections[row.section_number].id,
    }
    terms = [t for t in reviewed.owners.terms if t.unit is not None or t.category is not None]
    milestones = [(m.label, m.due) for m in deadline.milestones]
    if task is None:
        task = Task(plan=plan, number=row.number, created_at=now, is_deleted=False, **values)
        db.session.add(task)
        _set_terms(task, terms, units, categories)
        _set_milestones(task, milestones)
        db.session.flush()
        record(actor, "task.create", task, now=now, summary=f"新增任务 {task.number}",
               after=snapshot(task, TASK_FIELDS))
        result.tasks_created += 1
        return task
    before = snapshot(task, TASK_FIELDS)
    for name, value in values.items():
        setattr(task, name, value)
    if list(task_reading(task).terms) != terms:
        task.terms.clear()
        db.session.flush()
        _set_terms(task, terms, units, categories)
    if [(m.label, m.due_date) for m in task.milestones] != milestones:
        task.milestones.clear()
        db.session.flush()
        _set_milestones(task, milestones)
    task.is_deleted = False
    db.session.flush()
    after = snapshot(task, TASK_FIELDS)
    if before != after:
        record(actor, "task.update", task, now=now, summary=f"修改任务 {task.number}", before=before, after=after)
        result.tasks_updated += 1
    return task


def _set_terms(task: Task, terms: list[OwnerTerm], units: dict[str, Unit], categories: dict[str, Category]) -> None:
    for position, term in enumerate(terms):
        category = None
        if term.category is not None:
            category = categories.get(term.category)
            if category is None:
                raise ServiceError(f"责任单位类别“{term.category}”不存在，请先在单位管理中添加")
        task.terms.append(
            TaskTerm(position=position, text=term.text, role=term.role,
                     unit=units[term.unit] if term.unit else None, category=category)
        )


def _set_milestones(task: Task, milestones: list[tuple[str, dt.date]]) -> None:
    for position, (label, due) in enumerate(milestones):
        task.milestones.append(TaskMilestone(position=position, label=label, due_date=due))


#: The section a plan's tasks added one at a time go to (分解 of an inbound task), created when first needed.
ADDED_SECTION_TITLE = "承接上级下达任务"
TASK_TEXT_MAX = 2_000
#: Where a row's problem belongs on a one-task form.
_PROBLEM_FIELDS = {"text": "text", "deadline": "deadline_phrase", "owners": "responsible_phrase"}


def add_task(
    plan: Plan, *, text: str, deadline_phrase: str, responsible_phrase: str, actor: User | None, now: dt.datetime,
    section_title: str = ADDED_SECTION_TITLE,
) -> Task:
    """Add one task to a plan, read like an imported row, and open its assignments (flushes, audits).

    The 完成时间节点 is read by the same parser as an import, inside the plan's period; the 责任单位 only among the
    plan's own work group's units, categories and aliases. The first problem is raised on its field
    (``text`` / ``deadline_phrase`` / ``responsible_phrase``) and nothing is written.
    """
    if plan.is_deleted or plan.is_closed:
        raise ServiceError("该工作计划已关闭，不能再添加任务", field="plan")
    group = db.session.get(WorkGroup, plan.work_group_id)
    assert group is not None
    number = (db.session.scalar(sa.select(sa.func.max(Task.number)).where(Task.plan_id == plan.id)) or 0) + 1
    section = next((s for s in plan.sections if s.title == section_title), None)
    section_number = section.number if section is not None else max((s.number for s in plan.sections), default=0) + 1
    reviewed = _review_one(plan, group, number=number, section_number=section_number, section_title=section_title,
                           text=text, deadline_phrase=deadline_phrase, responsible_phrase=responsible_phrase)
    if section is None:
        section = Section(plan=plan, number=section_number, title=section_title)
        db.session.add(section)
        db.session.flush()
    units, categories = _group_names(group)
    result = ImportResult(plan=plan)
    task = _save_task(plan, None, reviewed, {section_number: section}, units, categories, actor=actor, now=now,
                      result=result)
    sync_tasks([task], actor=actor, now=now)
    logger.info("task %s added to plan %s", task.number, plan.title)
    return task


def edit_task(task: Task, *, text: str, deadline_phrase: str, responsible_phrase: str, actor: User | None,
              now: dt.datetime) -> bool:
    """Change one task's text, 完成时间节点 and 责任单位, read like :func:`add_task`, and resync its assignments.

    Audited as ``task.update`` with before and after (the history). Returns whether anything changed; the first
    problem is raised on its field and nothing is written.
    """
    plan = task.plan
    if plan.is_deleted or plan.is_closed:
        raise ServiceError("该工作计划已关闭，不能再修改任务", field="plan")
    group = db.session.get(WorkGroup, plan.work_group_id)
    assert group is not None
    section = task.section
    reviewed = _review_one(plan, group, number=task.number, section_number=section.number,
                           section_title=section.title, text=text, deadline_phrase=deadline_phrase,
                           responsible_phrase=responsible_phrase)
    units, categories = _group_names(group)
    result = ImportResult(plan=plan)
    _save_task(plan, task, reviewed, {section.number: section}, units, categories, actor=actor, now=now,
               result=result)
    sync_tasks([task], actor=actor, now=now)
    return bool(result.tasks_updated)


def _review_one(plan: Plan, group: WorkGroup, *, number: int, section_number: int, section_title: str, text: str,
                deadline_phrase: str, responsible_phrase: str) -> RowReview:
    """Check one typed task like an imported row; raise its first problem on its field."""
    row = DraftRow(
        key=number, section_number=section_number, section_title=section_title, number=number,
        text=clean_text(text, field="text", label="具体工作", required=True, max_len=TASK_TEXT_MAX),
        deadline_phrase=clean_text(deadline_phrase, field="deadline_phrase", label="完成时间节点", required=True,
                                   max_len=100),
        responsible_phrase=clean_text(responsible_phrase, field="responsible_phrase", label="责任单位",
                                      required=True, max_len=500),
    )
    reviewed = review_rows([row], group, year=plan.year, end_year=plan.end_year).rows[0]
    if reviewed.problems:
        problem = reviewed.problems[0]
        raise ServiceError(problem.message, field=_PROBLEM_FIELDS.get(problem.field))
    return reviewed


def _group_names(group: WorkGroup) -> tuple[dict[str, Unit], dict[str, Category]]:
    units = {u.name: u for u in db.session.scalars(sa.select(Unit).where(Unit.work_group_id == group.id))}
    categories = {
        c.name: c for c in db.session.scalars(sa.select(Category).where(Category.work_group_id == group.id))
    }
    return units, categories
