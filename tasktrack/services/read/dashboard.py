"""Read models of the secretariat dashboard, the filtered assignment list and the unit page.

Every function loads its rows in a fixed number of queries (one eager-loaded pass over the plan's open
assignments, plus a few small lookups) and computes lights and counts in Python, because the light is a
pure function of the row and today (domain/lights.py), not something SQL can compute. Tests guard that the
number of statements does not grow with the data. The one exception is the overdue list: red is a plain
predicate, so services/read/overdue.py pages it in SQL and loads only the page's rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from tasktrack.domain.inputs import parse_id
from tasktrack.domain.lights import Light, Reason
from tasktrack.domain.paging import PageMath
from tasktrack.extensions import db
from tasktrack.models import (
    Assignment,
    Attachment,
    Category,
    Plan,
    PlanKind,
    ProgressReport,
    Section,
    Task,
    Unit,
    WorkGroup,
)
from tasktrack.permissions import PermissionDenied
from tasktrack.services import NotFound, ServiceError
from tasktrack.services import targets as target_service
from tasktrack.services.assignments import get_assignment
from tasktrack.services.attachments import attachments_of
from tasktrack.services.read import lean, levels, overdue
from tasktrack.services.read.counts import Counts as Counts  # the views and the API name it dash.Counts
from tasktrack.services.read.counts import SectionStat, UnitStat, tally
from tasktrack.services.read.filters import Filters as Filters  # the views name it dash.Filters
from tasktrack.services.read.overview import AssignmentRow, light_of, unit_rows
from tasktrack.services.read.overview import list_plans as list_plans  # the views name it dash.list_plans
from tasktrack.services.read.overview import plan_choices as plan_choices  # and dash.plan_choices
from tasktrack.services.read.recent import RecentReport
from tasktrack.services.read.recent import recent_reports as recent_reports  # tests name it dash.recent_reports

PER_PAGE = 25
#: A list's row: an assignment object with its light, or the overdue lists' columns (overdue.ListRow).
RowT = TypeVar("RowT", AssignmentRow, overdue.ListRow)
#: The ``plan`` value of the list page and the API that means every plan (全部计划).
ALL_PLANS = "all"
#: Filters of the list pages that select by why a light has its colour (or by a claimed completion).
REASON_FILTERS = {r.value for r in Reason} | {"claimed", "unacknowledged"}
UNIT_SORTS = ("order", "assigned", "completed", "rate", "overdue", "stale", "last_report")


@dataclass
class Dashboard:
    """Everything the dashboard page and the dashboard API show for one plan."""

    plan: Plan
    plans: list[Plan]
    counts: Counts
    sections: list[SectionStat]
    units: list[UnitStat]
    overdue: list[overdue.ListRow]
    recent: list[RecentReport]
    categories: list[Category]
    category: Category | None
    sort: str
    descending: bool
    #: The plan's targets (指标) with each unit's latest value against the target.
    targets: list[target_service.Standing]
    #: The work group whose 督办总览 this is, and the work-group levels around it (levels.LevelView).
    group: WorkGroup | None = None
    levels: levels.LevelView | None = None


@dataclass
class Page(PageMath):
    """One page of assignment rows (the overdue list's: column tuples of the same shape, overdue.ListRow)."""

    rows: list[AssignmentRow] | list[overdue.ListRow]
    total: int
    page: int
    per_page: int


def resolve_plan(plan_id: int | None, today: dt.date, *, visible: Collection[int] | None = None,
                 group_id: int | None = None) -> Plan:
    """Return the plan asked for, else the current plan of the group (NotFound when there is none).

    :param visible: the work groups the reader reads (``permissions.visible_group_ids``); a plan of any other
        group is refused (PermissionDenied: 403). None: every group (the CLI, the exports' own callers).
    :param group_id: whose plan is meant when no plan is named (the reader's own work group); the plan of today's
        year first, else the group's newest, else (no group given) any plan's.
    """
    plan = find_plan(plan_id, today, visible=visible, group_id=group_id)
    if plan is None:
        raise NotFound("工作计划不存在")
    return plan


def find_plan(plan_id: int | None, today: dt.date, *, visible: Collection[int] | None = None,
              group_id: int | None = None) -> Plan | None:
    """Like :func:`resolve_plan`, but None when the group has no plan (NotFound still for a plan named)."""
    return pick_plan(plan_id, today, visible=visible, group_id=group_id).plan


def _group_only(visible: Collection[int] | None, group_id: int) -> list[int]:
    """The visible groups narrowed to ``group_id`` (no plan named: only that group's plans are chosen from)."""
    return [group_id] if visible is None or group_id in visible else []


def _pick_plan(plans: list[Plan], plan_id: int | None, today: dt.date, group_id: int | None) -> Plan | None:
    """Return :func:`find_plan`'s answer among ``plans`` (the reader's, with the matters containers when a plan is
    named)."""
    if plan_id is not None:
        plan = next((p for p in plans if p.id == plan_id), None)
        if plan is None:
            other = db.session.get(Plan, plan_id)
            if other is not None and not other.is_deleted:
                raise PermissionDenied("view_plan")  # another part of the tree: refused (403), as web/scope.py
            raise NotFound("工作计划不存在")
        return plan
    if group_id is not None:
        plans = [p for p in plans if p.work_group_id == group_id]
    return next((p for p in plans if p.year == today.year), plans[0] if plans else None)


def plan_rows(plan: Plan, today: dt.date) -> list[AssignmentRow]:
    """Return every open assignment of a plan with its light, in plan order (two queries)."""
    assignments = db.session.scalars(
        sa.select(Assignment)
        .join(Task, Assignment.task_id == Task.id)
        .where(Task.plan_id == plan.id, Task.is_deleted.is_(False), Assignment.closed_at.is_(None))
        .options(
            joinedload(Assignment.unit).selectinload(Unit.categories),
            joinedload(Assignment.task).joinedload(Task.section),
        )
    ).unique().all()
    rows = [AssignmentRow(a, light_of(a, a.task, plan, today)) for a in assignments]
    rows.sort(key=lambda r: (r.assignment.task.section.number, r.assignment.task.number,
                             not r.assignment.is_lead, r.unit.sort_order, r.unit.id))
    return rows


def all_plan_rows(today: dt.date, groups: Collection[int] | None = None) -> list[AssignmentRow]:
    """Return the open assignments of every plan (of ``groups``, if given) not deleted, with lights (two queries)."""
    scope = [Plan.work_group_id.in_(sorted(groups))] if groups is not None else []
    assignments = db.session.scalars(
        sa.select(Assignment)
        .join(Task, Assignment.task_id == Task.id)
        .join(Plan, Task.plan_id == Plan.id)
        .where(Plan.is_deleted.is_(False), Task.is_deleted.is_(False), Assignment.closed_at.is_(None), *scope)
        .options(
            contains_eager(Assignment.task).contains_eager(Task.plan),
            contains_eager(Assignment.task).joinedload(Task.section),
            joinedload(Assignment.unit).selectinload(Unit.categories),
        )
    ).unique().all()
    return [AssignmentRow(a, light_of(a, a.task, a.task.plan, today)) for a in assignments]


def worst_first(rows: Iterable[RowT]) -> list[RowT]:
    """Sort rows red first, then by days left (most late first), then task, unit and plan order.

    The key is total (it ends with the assignment id), so a page is the same whichever path built it; the
    SQL of the overdue list orders by the same key (services/read/overdue.py).
    """
    return sorted(rows, key=overdue.row_key)


#: The statements of a 督办总览's sections and categories, built once (each keeps its cache key).
_SECTIONS = sa.select(Section).where(Section.plan_id == sa.bindparam("plan_id")).order_by(Section.number)
_CATEGORIES = (sa.select(Category).where(Category.work_group_id == sa.bindparam("group_id"))
               .order_by(Category.sort_order, Category.id))


def _sections(plan: Plan) -> list[Section]:
    return list(db.session.scalars(_SECTIONS, {"plan_id": plan.id}))


def _categories(group_id: int) -> list[Category]:
    return list(db.session.scalars(_CATEGORIES, {"group_id": group_id}))


def _unit_sort_key(sort: str) -> Callable[[UnitStat], tuple[Any, ...]]:
    never = dt.datetime.min.replace(tzinfo=dt.UTC)
    keys: dict[str, Callable[[UnitStat], tuple[Any, ...]]] = {
        "order": lambda s: (s.unit.sort_order, s.unit.id),
        "assigned": lambda s: (s.counts.total, -s.unit.sort_order),
        "completed": lambda s: (s.counts.done, -s.unit.sort_order),
        "rate": lambda s: (s.counts.rate, -s.unit.sort_order),
        "overdue": lambda s: (s.counts.red, -s.unit.sort_order),
        "stale": lambda s: (s.counts.stale, -s.unit.sort_order),
        "last_report": lambda s: (s.last_report_at or never, -s.unit.sort_order),
    }
    return keys[sort]


@dataclass(frozen=True)
class PlanPick:
    """The plan a 督办总览 shows (None: the group has no plan yet) and the plans its selector offers: the plan's own
    work group's (plans, not 交办事项 containers), newest year first."""

    plan: Plan | None
    plans: list[Plan]


def pick_plan(plan_id: int | None, today: dt.date, *, visible: Collection[int] | None = None,
              group_id: int | None = None) -> PlanPick:
    """Return the plan a 督办总览 shows (:func:`find_plan`) with the plan selector's choices, from one list of plans."""
    if plan_id is None and group_id is not None:  # the group's own plans: not every plan of the tree below it
        visible = _group_only(visible, group_id)
    listed = list_plans(visible, with_matters=plan_id is not None)
    plan = _pick_plan(listed, plan_id, today, group_id)
    plans = [] if plan is None else [p for p in listed
                                     if p.kind is PlanKind.PLAN and p.work_group_id == plan.work_group_id]
    return PlanPick(plan, plans)


def dashboard(plan_id: int | None, today: dt.date, *, category: str | None = None, sort: str = "order",
              descending: bool = False, visible: Collection[int] | None = None,
              group_id: int | None = None, with_levels: bool = False, picked: PlanPick | None = None) -> Dashboard:
    """Return the dashboard of a plan: totals, sections, the per-unit table, overdue and recent reports.

    ``visible`` and ``group_id`` choose the plan as in :func:`resolve_plan`; the plan selector offers the plan's
    own work group's plans; ``with_levels`` adds the group's place in the tree (levels.level_view). ``picked``: the
    plan and choices :func:`pick_plan` already gave the caller (no plan read again).
    """
    if sort not in UNIT_SORTS:
        raise ServiceError("不支持的排序方式", field="sort")
    if picked is None:
        picked = pick_plan(plan_id, today, visible=visible, group_id=group_id)
    plan = picked.plan
    if plan is None:
        raise NotFound("工作计划不存在")
    categories = _categories(plan.work_group_id)
    chosen = None
    if category:
        chosen = next((c for c in categories if c.code == category), None)
        if chosen is None:
            raise ServiceError("单位类别不存在", field="category")
    rows = lean.plan_light_rows(plan, today)  # tuples: the page counts them all and shows only the red ones
    members = lean.category_members(chosen.id) if chosen is not None else None
    sections = {s.id: SectionStat(s) for s in _sections(plan)}
    counts, units = tally(rows, sections, members)
    unit_stats = sorted(units.values(), key=_unit_sort_key(sort), reverse=descending)
    red = worst_first(overdue.list_rows([r.id for r in rows if r.light.light is Light.RED], today))  # as columns
    group = db.session.get(WorkGroup, plan.work_group_id)
    return Dashboard(plan=plan, plans=picked.plans, counts=counts, sections=list(sections.values()),
                     units=unit_stats, overdue=red, recent=recent_reports(plan), categories=categories,
                     category=chosen, sort=sort, descending=descending,
                     targets=target_service.plan_standings(plan.id), group=group,
                     levels=levels.level_view(group, today, visible) if with_levels and group else None)


def assignment_page(plan: Plan | None, today: dt.date, filters: Filters, *, page: int = 1,
                    per_page: int = PER_PAGE, visible: Collection[int] | None = None) -> Page:
    """Return one page of open assignments matching the filters, worst light first.

    :param plan: the plan to list, or None for every plan that is not deleted (全部计划) of the ``visible``
        work groups (every group when None).

    The overdue list (red selected) is filtered and paged by the database; the other filters need every
    row's light, so they filter the scope's rows in Python. Both give the same order (``worst_first``).
    """
    page = max(1, page)
    start = (page - 1) * per_page
    if overdue.selects_red(filters):
        rows, total = overdue.overdue_rows(plan, today, filters, offset=start, limit=per_page, groups=visible)
        return Page(rows=rows, total=total, page=page, per_page=per_page)
    scope = plan_rows(plan, today) if plan is not None else all_plan_rows(today, visible)
    matching = worst_first(r for r in scope if filters.matches(r))
    return Page(rows=matching[start:start + per_page], total=len(matching), page=page, per_page=per_page)


@dataclass
class UnitView:
    """A unit page's data: its open assignments with lights and its whole report history."""

    unit: Unit
    rows: list[AssignmentRow]
    counts: Counts
    reports: list[ProgressReport]
    attachments: dict[int, list[Attachment]]


def unit_view(unit_id: int, today: dt.date) -> UnitView:
    """Return a unit with its open assignments and every progress report it ever made, newest first."""
    unit = db.session.scalar(sa.select(Unit).where(Unit.id == unit_id).options(selectinload(Unit.categories)))
    if unit is None:
        raise NotFound("单位不存在")
    rows = unit_rows(unit.id, today)
    counts = Counts()
    for row in rows:
        counts.add(row)
    reports = reports_of_unit(unit.id)
    return UnitView(unit=unit, rows=rows, counts=counts, reports=reports,
                    attachments=attachments_of("progress_report", [r.id for r in reports]))


def reports_of_unit(unit_id: int) -> list[ProgressReport]:
    """Return every progress report on a unit's assignments (open or closed), newest first."""
    return list(db.session.scalars(
        sa.select(ProgressReport)
        .join(Assignment, ProgressReport.assignment_id == Assignment.id)
        .where(Assignment.unit_id == unit_id)
        .order_by(ProgressReport.created_at.desc(), ProgressReport.id.desc())
        .options(joinedload(ProgressReport.author),
                 joinedload(ProgressReport.assignment).joinedload(Assignment.task))
    ))


def find_assignment(assignment_id: int, today: dt.date) -> AssignmentRow:
    """Return one assignment (open or closed) with its task, plan, section and unit, and its light."""
    assignment = get_assignment(assignment_id)
    return AssignmentRow(assignment, light_of(assignment, assignment.task, assignment.task.plan, today))


def find_unit_id(value: str, *, groups: Collection[int] | None = None, prefer: int | None = None) -> int | None:
    """Return the id of a unit given by id or by exact name; None when there is no such unit.

    Names are unique within a work group only (each city has its 市民政局): a name is looked up among ``groups``
    (the reader's part of the tree, when given), the ``prefer`` group's unit first, then the nearest to the top.
    """
    text = value.strip()
    if text.isdigit():  # an id, or digits that cannot be one (too large, ² …): no such unit
        unit_id = parse_id(text)
        return db.session.scalar(sa.select(Unit.id).where(Unit.id == unit_id)) if unit_id is not None else None
    query = sa.select(Unit.id).where(Unit.name == text)
    if groups is not None:
        query = query.where(Unit.work_group_id.in_(sorted(groups)))
    first = [sa.case((Unit.work_group_id == prefer, 0), else_=1)] if prefer is not None else []
    return db.session.scalar(query.order_by(*first, Unit.work_group_id, Unit.id).limit(1))
