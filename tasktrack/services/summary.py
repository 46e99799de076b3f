"""Gather the 工作总结 draft over a period (``domain/work_summary.py``) and render it: a fixed number of queries.

The period runs from the start of ``start`` to the end of ``end`` (Asia/Shanghai). What moved: each assignment's
latest report made in the period. What is late: the assignments red at the end of the period, as of then (the
bulletin's gathering). Cases: accepted or featured by a review decision in the period. Targets: the plan's
targets with each unit's latest value (``targets.plan_standings``: values are not dated, so they are today's).
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from tasktrack.documents.docx_writer import render
from tasktrack.domain import work_summary as ws
from tasktrack.domain.lights import Light
from tasktrack.extensions import db
from tasktrack.models import AssignmentStatus, CaseReport, Plan
from tasktrack.models.case import CaseReview
from tasktrack.services import targets
from tasktrack.services.reports import check_period, day_start, latest_reports_before, ordered, plan_tasks, states_as_of


def _cases(plan: Plan, since: dt.datetime, until: dt.datetime) -> tuple[ws.CaseLine, ...]:
    """Return the cases accepted or featured by a decision in the period (featured wins), in decision order."""
    reviews = db.session.scalars(
        sa.select(CaseReview).join(CaseReport, CaseReview.case_id == CaseReport.id)
        .where(CaseReport.plan_id == plan.id, CaseReview.action.in_(("accept", "feature")),
               CaseReview.created_at >= since, CaseReview.created_at < until)
        .order_by(CaseReview.created_at, CaseReview.id)
        .options(joinedload(CaseReview.case).joinedload(CaseReport.unit))
    )
    found: dict[int, ws.CaseLine] = {}
    for review in reviews:
        featured = review.action == "feature" or (review.case_id in found and found[review.case_id].featured)
        found[review.case_id] = ws.CaseLine(review.case.title, review.case.unit.name, featured)
    return tuple(found.values())


def _targets(plan: Plan) -> tuple[ws.TargetLine, ...]:
    lines = []
    for standing in targets.plan_standings(plan.id):
        values = tuple(f"{v.unit.name} {v.label}（{'达到' if v.is_met else '未达到'}）" for v in standing.values)
        lines.append(ws.TargetLine(standing.target.label, standing.scope_label, values))
    return tuple(lines)


def summary_data(plan: Plan, start: dt.date, end: dt.date) -> ws.SummaryData:
    """Gather the summary's data over ``start``..``end`` (a fixed number of queries)."""
    check_period(start, end)
    since, until = day_start(start), day_start(end + dt.timedelta(days=1))
    sections = plan_tasks(plan)
    tasks = [t for _s, ts in sections for t in ts]
    states = states_as_of(plan, tasks, end)
    moved = latest_reports_before(list(states), until, since=since)
    section_moves = []
    for section, section_tasks in sections:
        task_moves = []
        for task in section_tasks:
            moves = []
            for state in ordered(task, states):
                report = moved.get(state.assignment.id)
                if report is None or not report.narrative.strip():
                    continue
                done = report.completed_on if report.status is AssignmentStatus.COMPLETED else None
                moves.append(ws.UnitMove(state.assignment.unit.name, report.narrative, done))
            if moves:
                task_moves.append(ws.TaskMoves(task.number, task.text, tuple(moves)))
        section_moves.append(ws.SectionMoves(section.number, section.title, tuple(task_moves)))
    late: dict[str, tuple[tuple[int, int], list[int]]] = {}
    for task in tasks:
        for state in ordered(task, states):
            if state.light.light is Light.RED:
                unit = state.assignment.unit
                late.setdefault(unit.name, ((unit.sort_order, unit.id), []))[1].append(task.number)
    completed = sum(1 for s in states.values() if s.completed and s.report is not None
                    and s.report.completed_on is not None and start <= s.report.completed_on <= end)
    return ws.SummaryData(
        plan_title=plan.title, issuer=plan.issuer, start=start, end=end, assignments=len(states),
        completed=completed, reported=len(moved),
        late=tuple((name, tuple(numbers)) for name, (_o, numbers) in sorted(late.items(), key=lambda i: i[1][0])),
        sections=tuple(section_moves), cases=_cases(plan, since, until), targets=_targets(plan),
    )


def build_summary(plan: Plan, start: dt.date, end: dt.date) -> tuple[str, bytes]:
    """Return the summary draft's file name and .docx bytes."""
    data = summary_data(plan, start, end)
    return ws.filename(data), render(ws.compose(data))
