"""Import a year's task table, and read plans for pages (eager-loaded, lights computed)."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

import sqlalchemy as sa

from tasktrack.domain.deadlines import DeadlineParseError, parse_deadline
from tasktrack.domain.plan_table import TaskRow
from tasktrack.domain.responsibility import (
    DEFAULT_CATEGORY_ALIASES,
    ResponsibilityParseError,
    ResponsibleTerm,
    parse_responsible,
)
from tasktrack.extensions import db
from tasktrack.models import Category, Plan, Section, Task, TaskTerm, Unit, User
from tasktrack.services import ServiceError
from tasktrack.services.assignments import SyncResult, sync_tasks, task_terms
from tasktrack.services.audit import record, snapshot

logger = logging.getLogger(__name__)

TASK_FIELDS = ("number", "text", "deadline_phrase", "deadline_kind", "due_date", "period_months",
               "responsible_phrase", "section_id")


@dataclass(frozen=True)
class PlanMeta:
    """A plan's header data (seed/plans/<year>/plan.yaml)."""

    year: int
    title: str
    issuer: str
    document_number: str = ""
    issued_on: dt.date | None = None
    focus_choice_deadline: dt.date | None = None
    report_period_months: int = 3
    warning_days: int = 14


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


@dataclass(frozen=True)
class _ParsedRow:
    row: TaskRow
    deadline_kind: object
    due: dt.date | None
    period_months: int | None
    terms: list[ResponsibleTerm]


def _parse_rows(meta: PlanMeta, rows: list[TaskRow]) -> list[_ParsedRow]:
    """Parse every deadline and responsible phrase; report all problems at once."""
    units = {u.name: u for u in db.session.scalars(sa.select(Unit))}
    aliases = dict(DEFAULT_CATEGORY_ALIASES)
    aliases.update({c.name: c.name for c in db.session.scalars(sa.select(Category))})
    problems: list[str] = []
    parsed: list[_ParsedRow] = []
    for row in rows:
        try:
            deadline = parse_deadline(row.deadline_phrase, default_year=meta.year)
        except DeadlineParseError as exc:
            problems.append(f"第{row.line}行（任务 {row.number}）：{exc}")
            deadline = None
        try:
            terms = parse_responsible(row.responsible_phrase, unit_names=units, category_aliases=aliases)
        except ResponsibilityParseError as exc:
            problems.append(f"第{row.line}行（任务 {row.number}）：{exc}")
            terms = []
        if deadline is not None:
            parsed.append(_ParsedRow(row, deadline.kind, deadline.due, deadline.period_months, terms))
    if problems:
        raise ServiceError("任务表有错误，未导入任何内容：\n" + "\n".join(problems))
    return parsed


def import_plan(meta: PlanMeta, rows: list[TaskRow], *, actor: User | None, now: dt.datetime) -> ImportResult:
    """Create or update a plan from its task table; running it again with the same data changes nothing."""
    if not rows:
        raise ServiceError("任务表中没有任务")
    parsed = _parse_rows(meta, rows)
    plan = db.session.scalar(sa.select(Plan).where(Plan.year == meta.year, Plan.title == meta.title))
    created = plan is None
    if plan is None:
        plan = Plan(year=meta.year, title=meta.title, issuer=meta.issuer, created_at=now)
        db.session.add(plan)
    result = ImportResult(plan=plan, created=created)
    for name in ("issuer", "document_number", "issued_on", "focus_choice_deadline",
                 "report_period_months", "warning_days"):
        setattr(plan, name, getattr(meta, name))
    db.session.flush()
    if result.created:
        record(actor, "plan.create", plan, now=now, summary=f"导入工作计划 {plan.title}")

    sections = {s.number: s for s in plan.sections}
    for p in parsed:
        section = sections.get(p.row.section_number)
        if section is None:
            section = Section(plan=plan, number=p.row.section_number, title=p.row.section_title)
            db.session.add(section)
            sections[section.number] = section
        elif section.title != p.row.section_title:
            section.title = p.row.section_title
    db.session.flush()

    units = {u.name: u for u in db.session.scalars(sa.select(Unit))}
    categories = {c.name: c for c in db.session.scalars(sa.select(Category))}
    existing = {t.number: t for t in db.session.scalars(sa.select(Task).where(Task.plan_id == plan.id))}
    touched: list[Task] = []
    for p in parsed:
        task = existing.get(p.row.number)
        values = {
            "text": p.row.text,
            "deadline_phrase": p.row.deadline_phrase,
            "deadline_kind": p.deadline_kind,
            "due_date": p.due,
            "period_months": p.period_months,
            "responsible_phrase": p.row.responsible_phrase,
            "section_id": sections[p.row.section_number].id,
        }
        if task is None:
            task = Task(plan=plan, number=p.row.number, created_at=now, is_deleted=False, **values)
            db.session.add(task)
            _set_terms(task, p.terms, units, categories)
            db.session.flush()
            record(actor, "task.create", task, now=now, summary=f"新增任务 {task.number}",
                   after=snapshot(task, TASK_FIELDS))
            result.tasks_created += 1
        else:
            before = snapshot(task, TASK_FIELDS)
            for name, value in values.items():
                setattr(task, name, value)
            if [(t.text, t.unit, t.category) for t in task_terms(task)] != [
                (t.text, t.unit, t.category) for t in p.terms
            ]:
                task.terms.clear()
                db.session.flush()
                _set_terms(task, p.terms, units, categories)
            task.is_deleted = False
            db.session.flush()
            after = snapshot(task, TASK_FIELDS)
            if before != after:
                record(actor, "task.update", task, now=now, summary=f"修改任务 {task.number}",
                       before=before, after=after)
                result.tasks_updated += 1
        touched.append(task)
    db.session.flush()
    result.assignments = sync_tasks(touched, actor=actor, now=now)
    logger.info("plan %s imported: %s new tasks, %s updated", plan.title, result.tasks_created,
                result.tasks_updated)
    return result


def _set_terms(task: Task, terms: list[ResponsibleTerm], units: dict[str, Unit],
               categories: dict[str, Category]) -> None:
    for position, term in enumerate(terms):
        category = None
        if term.category is not None:
            category = categories.get(term.category)
            if category is None:
                raise ServiceError(f"责任单位类别“{term.category}”不存在，请先在单位管理中添加")
        task.terms.append(
            TaskTerm(position=position, text=term.text,
                     unit=units[term.unit] if term.unit else None, category=category)
        )
