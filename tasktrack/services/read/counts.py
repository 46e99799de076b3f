"""督办总览's counts: open assignments by light, per plan, section and unit (the dashboard's, the API's totals).

A plan has a thousand open assignments but few kinds of them: :func:`tally` counts rows alike (one section, one unit,
one light, the same claim and 签收) together, each kind once into each of its three Counts.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from tasktrack.domain.lights import Light, LightResult, Reason
from tasktrack.models import CompletionState, Section
from tasktrack.services.read import lean
from tasktrack.services.read.overview import AssignmentRow


@dataclass
class Counts:
    """Open assignments counted by light, with the reasons the office asks about."""

    total: int = 0
    red: int = 0
    yellow: int = 0
    green: int = 0
    done: int = 0
    stale: int = 0
    due_soon: int = 0
    completed_late: int = 0
    claimed: int = 0
    #: 待签收: the unit has not acknowledged the assignment yet (issue 15).
    unacknowledged: int = 0

    def add(self, row: AssignmentRow | lean.LeanRow) -> None:
        """Count one row (an assignment with its light, or the lean path's tuple)."""
        if isinstance(row, AssignmentRow):
            self.count(row.light, row.assignment.completion_state, row.assignment.acknowledged_at)
        else:
            self.count(row.light, row.completion_state, row.acknowledged_at)

    def count(self, light: LightResult, completion_state: CompletionState,
              acknowledged_at: dt.datetime | None) -> None:
        """Count one assignment by its light, its completion claim and its 签收."""
        self.count_alike(light, completion_state is CompletionState.CLAIMED, acknowledged_at is None)

    def count_alike(self, light: LightResult, claimed: bool, unacknowledged: bool, n: int = 1) -> None:
        """Count ``n`` assignments alike: the same light, claimed or not, acknowledged or not."""
        self.total += n
        colour = light.light
        if colour is Light.RED:
            self.red += n
        elif colour is Light.YELLOW:
            self.yellow += n
        elif colour is Light.GREEN:
            self.green += n
        else:
            self.done += n
        reason = light.reason
        if reason is Reason.STALE:
            self.stale += n
        elif reason is Reason.DUE_SOON:
            self.due_soon += n
        elif reason is Reason.COMPLETED_LATE:
            self.completed_late += n
        if claimed:
            self.claimed += n
        if unacknowledged:
            self.unacknowledged += n

    @property
    def rate(self) -> int:
        """Return the completed share in whole percent (0 when there is nothing)."""
        return round(100 * self.done / self.total) if self.total else 0

    def as_dict(self) -> dict[str, int]:
        return {"total": self.total, "red": self.red, "yellow": self.yellow, "green": self.green,
                "done": self.done, "stale": self.stale, "due_soon": self.due_soon,
                "completed_late": self.completed_late, "claimed": self.claimed,
                "unacknowledged": self.unacknowledged, "completion_rate": self.rate}


@dataclass
class SectionStat:
    """A section (主要任务) with its counts."""

    section: Section
    counts: Counts = field(default_factory=Counts)


@dataclass
class UnitStat:
    """One unit's line of the per-unit table."""

    unit: lean.UnitRef
    counts: Counts = field(default_factory=Counts)
    last_report_at: dt.datetime | None = None


def tally(rows: list[lean.LeanRow], sections: dict[int, SectionStat],
           members: set[int] | None) -> tuple[Counts, dict[int, UnitStat]]:
    """Count the rows into the plan's totals, their sections' and their units' (only ``members``, when given), in
    plan order of the units' first rows.

    Rows alike (one section, one unit, one light, the same claim and 签收) are counted together.
    """
    alike: dict[tuple[int, int, int, bool, bool], int] = {}
    lights: dict[int, LightResult] = {}
    units: dict[int, UnitStat] = {}
    claimed = CompletionState.CLAIMED
    for row in rows:
        light, unit = row.light, row.unit
        key = (row.section_id, unit.id, id(light), row.completion_state is claimed, row.acknowledged_at is None)
        alike[key] = alike.get(key, 0) + 1
        lights[id(light)] = light
        if members is not None and unit.id not in members:
            continue
        stat = units.get(unit.id)
        if stat is None:
            stat = units[unit.id] = UnitStat(unit)
        reported = row.last_reported_at
        if reported is not None and (stat.last_report_at is None or reported > stat.last_report_at):
            stat.last_report_at = reported
    counts = Counts()
    for (section_id, unit_id, light_id, is_claimed, unacknowledged), n in alike.items():
        light = lights[light_id]
        counts.count_alike(light, is_claimed, unacknowledged, n)
        sections[section_id].counts.count_alike(light, is_claimed, unacknowledged, n)
        stat = units.get(unit_id)
        if stat is not None:
            stat.counts.count_alike(light, is_claimed, unacknowledged, n)
    return counts, units
