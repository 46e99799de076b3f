"""The roll-up of 上级下达任务 (inbound assignments) from their sub-assignments, batched for dashboards of any level.

An inbound assignment rolls up from the open assignments of the tasks linked to it (services/cascade.py builds the
links; domain/rollup.py is the rule). ``rollups`` and its two variants answer for many inbound assignments in one or
two queries: the database groups alike sub-assignments and each group's light is computed once by the one light
function (overview.light_from). ``derive`` and ``sub_facts_of`` are shared with cascade's page-sized reading.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from tasktrack.clock import SHANGHAI, local_date
from tasktrack.domain.lights import LightResult, months_before
from tasktrack.domain.rollup import Rollup, SubAssignment, rollup
from tasktrack.extensions import db
from tasktrack.models import Assignment, AssignmentStatus, Plan, Task, TaskLink, Unit
from tasktrack.models.base import UTCDateTime
from tasktrack.services.read.overview import LIGHT_COLUMNS, LightColumns, light_columns, light_from

#: What makes an assignment an open inbound one of a live, open plan (its unit, task and plan joined).
OPEN_INBOUND = (Unit.represents_work_group_id.is_not(None), Assignment.closed_at.is_(None),
                 Task.is_deleted.is_(False), Plan.is_deleted.is_(False), Plan.is_closed.is_(False))


def period_start(period_months: int, today: dt.date) -> dt.date:
    """Return the first day of a reporting period of ``period_months`` months ending today: the day after the
    light's window start (domain/lights.py), so "reported this period" and "not stale" are the same test."""
    return months_before(today, period_months) + dt.timedelta(days=1)


@dataclass(frozen=True)
class SubFacts:
    """What the roll-up reads of ``count`` sub-assignments alike: their light, the day they count as reported on
    for the roll-up (None: not in the current period), and whether they really reported in it."""

    light: LightResult
    report_on: dt.date | None
    reported: bool
    count: int = 1


def sub_facts_of(light: LightResult, last_reported_at: dt.datetime | None, created_at: dt.datetime,
           linked_at: dt.datetime, start: dt.date) -> SubFacts:
    """Return one sub-assignment's facts from its instants (``start``: the first day of the inbound's period)."""
    # As for a plain assignment's light, being handed the work counts as a report (no instant "stale"): the later
    # of its last report (else its creation) and its link. The count shown is of real reports only.
    report_on = max(local_date(last_reported_at or created_at), local_date(linked_at))
    reported = last_reported_at is not None and local_date(last_reported_at) >= start
    return SubFacts(light, report_on, reported)


def _tie_key(f: SubFacts) -> tuple[int, int, str, bool]:
    light = f.light
    return (light.light.severity, light.days_left if light.days_left is not None else 0, light.reason.value,
            light.days_left is None)


def derive(status: AssignmentStatus, own: LightResult, start: dt.date, facts: Sequence[SubFacts]) -> Rollup:
    """Return an inbound assignment's roll-up from its status, its own light, the first day of its period and its
    sub-assignments' facts."""
    # The worst light's ties (same colour and days left, another reason) go the same way whoever gathered the facts.
    subs = [SubAssignment(f.light, f.report_on, f.count) for f in (sorted(facts, key=_tie_key) if len(facts) > 1
                                                                      else facts)]
    result = rollup(own, subs, period_start=start, own_completed=status is AssignmentStatus.COMPLETED)
    reported = sum(f.count for f in facts if f.reported)
    return Rollup(result.state, result.light, result.total, result.done, result.overdue, reported)


def rollups(inbound_ids: Iterable[int], today: dt.date) -> dict[int, Rollup]:
    """Return the roll-up of each given inbound assignment, by id, in a fixed number of queries.

    For dashboards of any level: pass the ids of the assignments of units that stand for lower work groups (the
    ids of other assignments, and of closed or deleted ones, are left out of the answer). Each ``Rollup`` carries
    the state (未分解 / 推进中 / 可申报完成 / 已完成), the light and the counts (sub-assignments, done, overdue,
    reported this period).
    """
    ids = sorted(set(inbound_ids))
    if not ids:
        return {}
    found = db.session.execute(
        sa.select(Assignment.id, *LIGHT_COLUMNS)
        .join(Unit, Assignment.unit_id == Unit.id)
        .join(Task, Assignment.task_id == Task.id)
        .join(Plan, Task.plan_id == Plan.id)
        .where(*OPEN_INBOUND, Assignment.id.in_(ids))
    ).tuples().all()
    return rollups_of_open({aid: LightColumns(*columns) for aid, *columns in found}, today)


def rollups_of_loaded(inbound: Iterable[Assignment], today: dt.date) -> dict[int, Rollup]:
    """Like :func:`rollups`, for open inbound assignments already loaded with their task and plan (one query fewer);
    those of closed plans are left out of the answer."""
    return rollups_of_open({a.id: light_columns(a, a.task, a.task.plan) for a in inbound if not a.task.plan.is_closed},
                           today)


#: The reporting periods (months) whose first instant the database is always given (:func:`_sub_facts`): the
#: cadences a reminder knows (domain/reminder_policy.py), and the inbound tasks' own periods are added to them. A
#: sub-assignment whose own period is another is read with its last report as it is, so any period is exact.
KNOWN_PERIODS = (1, 2, 3, 4, 6, 12)


def _window_end(period_months: int, today: dt.date) -> dt.datetime:
    """Return the first instant (UTC) of the first day of a period of ``period_months`` months ending today: a
    report at or after it falls in the period (its Asia/Shanghai day is on or after :func:`period_start`)."""
    day = period_start(period_months, today)
    return dt.datetime.combine(day, dt.time(), tzinfo=SHANGHAI).astimezone(dt.UTC)


def rollups_of_open(inbound: Mapping[int, LightColumns], today: dt.date) -> dict[int, Rollup]:
    """Return the roll-up of each open inbound assignment of an open plan, given as its light's columns, by id
    (one query: :func:`rollups` without its first)."""
    facts: dict[int, list[SubFacts]] = {aid: [] for aid in inbound}
    periods = {aid: c.period_months or c.report_period_months for aid, c in inbound.items()}
    starts = {p: period_start(p, today) for p in set(periods.values())}
    if inbound:
        for parent_id, fact in _sub_facts(periods, today):
            facts[parent_id].append(fact)
    return {aid: derive(c.status, light_from(c, today), starts[periods[aid]], facts[aid])
            for aid, c in inbound.items()}


def _sub_facts(parents: Mapping[int, int], today: dt.date) -> Iterator[tuple[int, SubFacts]]:
    """Yield the facts of the open sub-assignments of these inbound assignments (id → its period in months), alike
    ones counted together.

    A province's tree has tens of thousands of sub-assignments: the database groups them by what their light and
    the roll-up read, and each group's light is computed once by the one light function (overview.light_from).
    Of a sub-assignment's instants only comparisons with a period's first instant (:func:`_window_end`) are read:
    its last report against its own period (the light's 本期未报送), its last report and its hand-over against the
    inbound task's period (the roll-up's). Those first instants come in time order, so each instant is read as how
    many of them it has reached (a step, 0 … n), which answers every comparison; the group is then given instants
    that answer them the same way. Of a completion date only "after the due date" is read (逾期完成), so a group
    keeps any one of them.
    """
    known = sorted(set(KNOWN_PERIODS) | set(parents.values()), reverse=True)  # the oldest first instant first
    ends = [_window_end(p, today) for p in known]
    reached = {p: k + 1 for k, p in enumerate(known)}  # the step at which an instant is in a period of p months
    starts = {p: period_start(p, today) for p in known}
    lights: dict[tuple[Any, ...], LightResult] = {}  # alike groups of different inbound tasks share a light
    alike: dict[tuple[int, dt.date | None, bool, int], SubFacts] = {}  # and their facts, when these agree too
    for (parent_id, status, extended_due, due_date, kind, period_months, issued_on, year, warning_days,
         report_period_months, _late, last_step, own_step, linked_step, last_reported_at, completed_on,
         count) in db.session.execute(_sub_facts_statement(len(known)),
                                      {"parents": sorted(parents), "known": known,
                                       **{f"end_{k}": end for k, end in enumerate(ends)}}):
        period = parents[parent_id]
        own_period = period_months or report_period_months
        if last_reported_at is None and own_period in reached:  # an instant that reaches the same steps
            last_reported_at = ends[reached[own_period] - 1] if last_step >= reached[own_period] else None
        columns = (status, completed_on, extended_due, last_reported_at, due_date, kind, period_months, issued_on,
                   year, warning_days, report_period_months)
        light = lights.get(columns)
        if light is None:
            light = lights[columns] = light_from(LightColumns(*columns), today)
        report_on = starts[period] if max(own_step, linked_step) >= reached[period] else None
        reported = last_step >= reached[period]
        facts = alike.get((id(light), report_on, reported, count))
        if facts is None:
            facts = alike[(id(light), report_on, reported, count)] = SubFacts(light, report_on, reported, count)
        yield parent_id, facts


@functools.cache
def _sub_facts_statement(steps: int) -> sa.Select[Any]:
    """The grouped SELECT of :func:`_sub_facts` for ``steps`` first instants, built once: the inbound ids
    (``parents``), the periods read in steps (``known``) and their first instants, oldest first (``end_0`` …)."""
    sub = aliased(Assignment)

    def step(instant: sa.ColumnExpressionArgument[Any]) -> sa.ColumnElement[int]:
        """How many of the first instants ``instant`` has reached (0 when it is NULL or older than all)."""
        return sa.case(*[(instant >= sa.bindparam(f"end_{k}", type_=UTCDateTime()), k + 1)
                         for k in reversed(range(steps))], else_=0)

    own_period = sa.func.coalesce(sa.func.nullif(Task.period_months, 0), Plan.report_period_months)
    rows = (
        sa.select(
            TaskLink.parent_assignment_id.label("parent_id"), sub.status, sub.extended_due, Task.due_date,
            Task.deadline_kind, Task.period_months, Plan.issued_on, Plan.year, Plan.warning_days,
            Plan.report_period_months,
            sa.case((sub.completed_on > sa.func.coalesce(sub.extended_due, Task.due_date), 1), else_=0).label("late"),
            step(sub.last_reported_at).label("last_step"),
            step(sa.func.coalesce(sub.last_reported_at, sub.created_at)).label("own_step"),
            step(TaskLink.created_at).label("linked_step"),
            # A period not read in steps: the last report as it is.
            sa.case((own_period.not_in(sa.bindparam("known", expanding=True)), sub.last_reported_at))
            .label("last_reported_at"),
            sub.completed_on)
        .join(Task, TaskLink.task_id == Task.id)
        .join(Plan, Task.plan_id == Plan.id)
        .join(sub, sub.task_id == Task.id)
        .where(TaskLink.parent_assignment_id.in_(sa.bindparam("parents", expanding=True)),
               Task.is_deleted.is_(False), Plan.is_deleted.is_(False), sub.closed_at.is_(None))
    ).subquery()
    keys = [c for c in rows.c if c.key != "completed_on"]
    return sa.select(*keys, sa.func.max(rows.c.completed_on), sa.func.count()).group_by(*keys)


