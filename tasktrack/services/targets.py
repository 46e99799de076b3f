"""Targets (指标) of published plans: which ones a unit reports on, the values it reports, and value against target.

Who reports what: every unit assigned to a task reports its own current value for each of that task's targets; a
target of the whole plan (no task) is offered to the units that lead (牵头) a task of the plan, on the report forms
of the tasks they lead. Values are stored per unit and appended, never overwritten (``TargetValue``); the latest
value of each unit is the one compared with the target. Nothing here ranks units: each value is set against the
target (达标 / 未达标), and pages list units in their own order.

Every reading function issues a fixed number of queries whatever the data size (pages assert it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from tasktrack.domain.targets import TargetParseError, amount_label, parse_value
from tasktrack.extensions import db
from tasktrack.models import Assignment, PlanTarget, ProgressReport, TargetValue, Unit, User
from tasktrack.services import ServiceError

#: A current value as a form or the API gives it: the target's id → the text typed ("" or None: not reported).
TypedValues = Mapping[int, str | None]


def field_name(target: PlanTarget) -> str:
    """Return the report form's field name of a target's current value."""
    return f"target_{target.id}"


def reportable(assignment: Assignment) -> list[PlanTarget]:
    """Return the targets a unit reports with this assignment: its task's, and the plan's own when it leads the task."""
    scope = PlanTarget.task_id == assignment.task_id
    if assignment.is_lead:
        scope = sa.or_(scope, sa.and_(PlanTarget.plan_id == assignment.task.plan_id, PlanTarget.task_id.is_(None)))
    return list(db.session.scalars(sa.select(PlanTarget).where(scope).order_by(PlanTarget.position)))


def check_values(assignment: Assignment, typed: TypedValues) -> list[tuple[PlanTarget, Decimal]]:
    """Read the current values typed for an assignment's targets; refuse a bad one on its field (nothing written)."""
    if not typed:
        return []
    targets = {t.id: t for t in reportable(assignment)}
    values: list[tuple[PlanTarget, Decimal]] = []
    for target_id, text in typed.items():
        target = targets.get(target_id)
        if target is None:
            raise ServiceError(f"指标 {target_id} 不是本任务由本单位报送的指标", field="target_values")
        if text is None or not str(text).strip():
            continue
        try:
            values.append((target, parse_value(str(text), target.unit)))
        except TargetParseError as exc:
            raise ServiceError(f"{target.what}：{exc}", field=field_name(target)) from None
    return values


def record_values(
    report: ProgressReport, values: Sequence[tuple[PlanTarget, Decimal]], *, author: User, now: dt.datetime
) -> dict[str, str]:
    """Append the values reported with a progress report (flushes); return them as the audit trail shows them."""
    rows = [TargetValue(target_id=t.id, unit_id=report.assignment.unit_id, progress_report_id=report.id, value=v,
                        reported_at=now, author_id=author.id) for t, v in values]
    db.session.add_all(rows)
    db.session.flush()
    return {target.label: amount_label(value, target.unit) for target, value in values}


@dataclass(frozen=True)
class UnitValue:
    """A unit's latest value for a target, and whether it meets the target."""

    unit: Unit
    value: TargetValue
    is_met: bool

    @property
    def label(self) -> str:
        return amount_label(self.value.value, self.value.target.unit)


@dataclass(frozen=True)
class Standing:
    """A target with the latest value of every unit that reported one (units in their own order)."""

    target: PlanTarget
    values: list[UnitValue]

    @property
    def by_unit(self) -> dict[int, UnitValue]:
        return {v.unit.id: v for v in self.values}

    @property
    def latest(self) -> UnitValue | None:
        """Return the most recently reported value (whoever reported it)."""
        return max(self.values, key=lambda v: v.value.id, default=None)

    @property
    def met_count(self) -> int:
        return sum(1 for v in self.values if v.is_met)

    @property
    def scope_label(self) -> str:
        return f"任务 {self.target.task.number}" if self.target.task is not None else "全计划"


def _standings(targets: list[PlanTarget]) -> list[Standing]:
    """Attach the latest value of each unit to each target (one query)."""
    latest = latest_values([t.id for t in targets])
    result = []
    for target in targets:
        rows = sorted(latest.get(target.id, []), key=lambda v: (v.unit.sort_order, v.unit.id))
        values = [UnitValue(v.unit, v, target.as_target().is_met_by(v.value)) for v in rows]
        result.append(Standing(target, values))
    return result


def latest_values(target_ids: Sequence[int], *, unit_id: int | None = None) -> dict[int, list[TargetValue]]:
    """Return the latest value of each unit (or of one unit) for each target, in one query."""
    if not target_ids:
        return {}
    newest = sa.select(sa.func.max(TargetValue.id)).where(TargetValue.target_id.in_(list(target_ids)))
    if unit_id is not None:
        newest = newest.where(TargetValue.unit_id == unit_id)
    newest = newest.group_by(TargetValue.target_id, TargetValue.unit_id)
    rows = db.session.scalars(
        sa.select(TargetValue).where(TargetValue.id.in_(newest))
        .options(joinedload(TargetValue.unit))  # the targets are loaded already: their many-to-one needs no query
    )
    found: dict[int, list[TargetValue]] = {}
    for row in rows:
        found.setdefault(row.target_id, []).append(row)
    return found


def task_standings(task_id: int) -> list[Standing]:
    """Return a task's targets with each unit's latest value (two queries)."""
    targets = list(db.session.scalars(
        sa.select(PlanTarget).where(PlanTarget.task_id == task_id).order_by(PlanTarget.position)
    ))
    return _standings(targets)


def plan_standings(plan_id: int) -> list[Standing]:
    """Return every target of a plan (the plan's own and its tasks') with each unit's latest value (two queries)."""
    targets = list(db.session.scalars(
        sa.select(PlanTarget).where(PlanTarget.plan_id == plan_id).options(joinedload(PlanTarget.task))
        .order_by(PlanTarget.task_id.is_not(None), PlanTarget.position)
    ))
    return _standings(targets)
