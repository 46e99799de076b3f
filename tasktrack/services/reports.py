"""The secretariat's drafted documents: the 工作进展情况通报 as of a date and the 工作总结 over a period.

Gather (a fixed number of queries whatever the plan's size: tests guard it), compose (``domain/bulletin.py``,
``domain/work_summary.py``), render (``documents/docx_writer.py``). "As of a date" means the reports made by the
end of that day (Asia/Shanghai): a later report, a later send-back or a later extension does not count.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from tasktrack.clock import SHANGHAI, local_date
from tasktrack.documents.docx_writer import render
from tasktrack.domain import bulletin
from tasktrack.domain.lights import LightResult, assignment_light, months_before
from tasktrack.extensions import db
from tasktrack.models import (
    Assignment,
    AssignmentStatus,
    ExtensionRequest,
    Plan,
    ProgressReport,
    Section,
    SupervisionRecord,
    Task,
)
from tasktrack.models.progress import ExtensionStatus, SupervisionKind
from tasktrack.services import NotFound, ServiceError


def get_plan(plan_id: int) -> Plan:
    """Return a plan that is not deleted, or raise NotFound."""
    plan = db.session.get(Plan, plan_id)
    if plan is None or plan.is_deleted:
        raise NotFound("工作计划不存在")
    return plan


def day_start(day: dt.date) -> dt.datetime:
    """Return the first instant of a Shanghai day, in UTC."""
    return dt.datetime.combine(day, dt.time(0), tzinfo=SHANGHAI).astimezone(dt.UTC)


def check_period(start: dt.date, end: dt.date) -> None:
    """Refuse a period that ends before it starts or is longer than two years."""
    if end < start:
        raise ServiceError("结束日期不能早于开始日期", field="to")
    if (end - start).days > 731:
        raise ServiceError("总结期间不能超过两年", field="to")


@dataclass(frozen=True)
class AssignmentAsOf:
    """An assignment as it stood at a cut-off: its latest report by then and its light on the day."""

    assignment: Assignment
    report: ProgressReport | None
    completed: bool
    light: LightResult


def plan_tasks(plan: Plan) -> list[tuple[Section, list[Task]]]:
    """Return the plan's sections with their live tasks, each task's assignments and units loaded (4 queries)."""
    sections = list(db.session.scalars(
        sa.select(Section).where(Section.plan_id == plan.id).order_by(Section.number)
        .options(selectinload(Section.tasks).selectinload(Task.assignments).joinedload(Assignment.unit))
    ))
    return [(s, [t for t in s.tasks if not t.is_deleted]) for s in sections]


def latest_reports_before(assignment_ids: Sequence[int], cutoff: dt.datetime,
                          since: dt.datetime | None = None) -> dict[int, ProgressReport]:
    """Return each assignment's latest report made before ``cutoff`` (and at or after ``since``), in one query."""
    if not assignment_ids:
        return {}
    newest = sa.select(sa.func.max(ProgressReport.id)).where(
        ProgressReport.assignment_id.in_(list(assignment_ids)), ProgressReport.created_at < cutoff)
    if since is not None:
        newest = newest.where(ProgressReport.created_at >= since)
    rows = db.session.scalars(
        sa.select(ProgressReport).where(ProgressReport.id.in_(newest.group_by(ProgressReport.assignment_id))))
    return {r.assignment_id: r for r in rows}


def states_as_of(plan: Plan, tasks: list[Task], day: dt.date) -> dict[int, AssignmentAsOf]:
    """Return every assignment open at the end of ``day`` with its state then (3 queries)."""
    cutoff = day_start(day + dt.timedelta(days=1))
    live = [a for t in tasks for a in t.assignments
            if a.created_at < cutoff and (a.closed_at is None or a.closed_at >= cutoff)]
    ids = [a.id for a in live]
    reports = latest_reports_before(ids, cutoff)
    sent_back = set(db.session.scalars(sa.select(SupervisionRecord.report_id).where(
        SupervisionRecord.kind == SupervisionKind.SEND_BACK, SupervisionRecord.created_at < cutoff,
        SupervisionRecord.report_id.in_([r.id for r in reports.values()]))))
    extended: dict[int, dt.date] = {}
    for request in db.session.scalars(
        sa.select(ExtensionRequest).where(ExtensionRequest.assignment_id.in_(ids),
                                          ExtensionRequest.status == ExtensionStatus.APPROVED,
                                          ExtensionRequest.decided_at < cutoff)
        .order_by(ExtensionRequest.decided_at)
    ) if ids else ():
        extended[request.assignment_id] = request.requested_due
    states = {}
    for a in live:
        report = reports.get(a.id)
        completed = (report is not None and report.status is AssignmentStatus.COMPLETED
                     and report.id not in sent_back)
        light = assignment_light(
            today=day, due=extended.get(a.id) or a.task.due_date, kind=a.task.deadline_kind, is_completed=completed,
            completed_on=report.completed_on if completed and report else None,
            last_report_on=local_date(report.created_at) if report else None, starts_on=plan.starts_on,
            warning_days=plan.warning_days, period_months=a.task.period_months or plan.report_period_months)
        states[a.id] = AssignmentAsOf(a, report, completed, light)
    return states


def ordered(task: Task, states: dict[int, AssignmentAsOf]) -> list[AssignmentAsOf]:
    """Return a task's assignments open then: the lead units first, then in the units' own order."""
    rows = [states[a.id] for a in task.assignments if a.id in states]
    rows.sort(key=lambda s: (not s.assignment.is_lead, s.assignment.unit.sort_order, s.assignment.unit.id))
    return rows


def bulletin_data(plan: Plan, as_of: dt.date) -> bulletin.BulletinData:
    """Gather the bulletin's data as of the end of ``as_of`` (7 queries)."""
    sections = plan_tasks(plan)
    states = states_as_of(plan, [t for _s, tasks in sections for t in tasks], as_of)
    period_start = max(months_before(as_of, plan.report_period_months), plan.starts_on)
    return bulletin.BulletinData(
        plan_title=plan.title, issuer=plan.issuer, as_of=as_of, period_start=period_start,
        sections=tuple(
            bulletin.SectionState(section.number, section.title, tuple(
                bulletin.TaskState(task.number, task.text, task.deadline_phrase, tuple(
                    bulletin.UnitState(
                        unit=s.assignment.unit.name, is_lead=s.assignment.is_lead, light=s.light,
                        narrative=s.report.narrative if s.report else None, completed=s.completed,
                        reported_in_period=s.report is not None and local_date(s.report.created_at) >= period_start,
                        unit_order=(s.assignment.unit.sort_order, s.assignment.unit.id))
                    for s in ordered(task, states)))
                for task in tasks))
            for section, tasks in sections),
    )


def build_bulletin(plan: Plan, as_of: dt.date) -> tuple[str, bytes]:
    """Return the bulletin's file name and .docx bytes for a plan as of a date."""
    if as_of.year < plan.year - 1:
        raise ServiceError(f"截止日期早于{plan.period_label}计划", field="as_of")
    data = bulletin_data(plan, as_of)
    return bulletin.filename(data), render(bulletin.compose(data))
