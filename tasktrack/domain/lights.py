"""The traffic light (红黄绿灯) of an assignment and of a task: one documented pure function each.

An assignment's light on a given day:

* **done** (已完成) – the latest report says completed; ``late`` when it was completed after the due date.
  A *claimed* completion (待确认办结, awaiting the secretariat's 办结) already lights done, from the
  completion date the unit reported: the unit has done its part, and the secretariat's review time must
  not turn it red. The page shows the claim next to the light. A send-back (退回) turns the assignment's
  status back to in progress, so from then on it lights as open work again (red when past due).
* **red** (红灯, 逾期) – the due date has passed and the work is not completed.
* **yellow** (黄灯) – not completed and either
  - *due soon*: a dated deadline falls within the plan's warning window (default 14 days), or
  - *stale* (未按期报送): year-round or recurring work with no report in the last reporting period
    (a rolling window of ``period_months`` months ending today; the plan's start counts as a report,
    so nobody is stale in the plan's first period).
* **green** (绿灯) – on track: none of the above.

A milestone (one stage of a staged deadline, "3月底前启动，12月底前完成") lights as a dated deadline at the
milestone's date for the assignment's status (``milestone_light``): done when the assignment is completed (late when
completed after the milestone), red once the date has passed, yellow within the warning window, else green. The
assignment's own light keeps using the task's final date.

A task's light is the worst light among its open assignments (red > yellow > green > done); a task whose
assignments are all done is done, and late when any of them finished late.
"""

from __future__ import annotations

import calendar
import datetime as dt
import enum
from collections.abc import Iterable
from dataclasses import dataclass

from tasktrack.domain.deadlines import DeadlineKind


class Light(enum.StrEnum):
    """A traffic-light colour."""

    RED = "red"
    YELLOW = "yellow"
    GREEN = "green"
    DONE = "done"

    @property
    def label(self) -> str:
        """Return the Chinese name shown in the UI."""
        return LIGHT_LABELS[self]

    @property
    def severity(self) -> int:
        """Return the sort rank: red first."""
        return _SEVERITY[self]


LIGHT_LABELS = {Light.RED: "逾期", Light.YELLOW: "预警", Light.GREEN: "正常", Light.DONE: "已完成"}
_SEVERITY = {Light.RED: 0, Light.YELLOW: 1, Light.GREEN: 2, Light.DONE: 3}


class Reason(enum.StrEnum):
    """Why a light has its colour."""

    OVERDUE = "overdue"
    DUE_SOON = "due_soon"
    STALE = "stale"
    ON_TRACK = "on_track"
    COMPLETED = "completed"
    COMPLETED_LATE = "completed_late"


REASON_LABELS = {
    Reason.OVERDUE: "已逾期",
    Reason.DUE_SOON: "临近截止",
    Reason.STALE: "本期未报送进展",
    Reason.ON_TRACK: "按计划推进",
    Reason.COMPLETED: "已完成",
    Reason.COMPLETED_LATE: "逾期完成",
}


@dataclass(frozen=True)
class LightResult:
    """A light with its reason and the days left (negative when late)."""

    light: Light
    reason: Reason
    days_left: int | None

    @property
    def reason_label(self) -> str:
        return REASON_LABELS[self.reason]

    @property
    def is_late(self) -> bool:
        return self.reason in (Reason.OVERDUE, Reason.COMPLETED_LATE)


def months_before(day: dt.date, months: int) -> dt.date:
    """Return the same day ``months`` calendar months earlier (clamped to the month's end)."""
    index = day.year * 12 + (day.month - 1) - months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def assignment_light(
    *,
    today: dt.date,
    due: dt.date | None,
    kind: DeadlineKind,
    is_completed: bool,
    completed_on: dt.date | None,
    last_report_on: dt.date | None,
    starts_on: dt.date,
    warning_days: int = 14,
    period_months: int = 3,
) -> LightResult:
    """Return the traffic light of one assignment on ``today`` (see the module docstring).

    ``is_completed`` is true for claimed and confirmed completions alike; ``due`` is the due date in force
    (an approved extension, else the task's date).
    """
    days_left = (due - today).days if due is not None else None
    if is_completed:
        late = due is not None and completed_on is not None and completed_on > due
        return LightResult(Light.DONE, Reason.COMPLETED_LATE if late else Reason.COMPLETED, days_left)
    if days_left is not None and days_left < 0:
        return LightResult(Light.RED, Reason.OVERDUE, days_left)
    if kind is DeadlineKind.DATED:
        if days_left is not None and days_left <= warning_days:
            return LightResult(Light.YELLOW, Reason.DUE_SOON, days_left)
        return LightResult(Light.GREEN, Reason.ON_TRACK, days_left)
    # Year-round and recurring work: a report is expected every period.
    window_start = months_before(today, period_months)
    last_seen = max(d for d in (last_report_on, starts_on) if d is not None)
    if last_seen <= window_start:
        return LightResult(Light.YELLOW, Reason.STALE, days_left)
    return LightResult(Light.GREEN, Reason.ON_TRACK, days_left)


def milestone_light(
    *, today: dt.date, due: dt.date, is_completed: bool, completed_on: dt.date | None, warning_days: int = 14,
) -> LightResult:
    """Return the light of one milestone of an assignment: a dated deadline at the milestone's date."""
    return assignment_light(today=today, due=due, kind=DeadlineKind.DATED, is_completed=is_completed,
                            completed_on=completed_on, last_report_on=None, starts_on=due, warning_days=warning_days)


def task_light(lights: Iterable[LightResult]) -> LightResult | None:
    """Return the worst light of a task's open assignments; None when it has none."""
    results = list(lights)
    if not results:
        return None
    worst = min(results, key=lambda r: (r.light.severity, r.days_left if r.days_left is not None else 0))
    if worst.light is Light.DONE and any(r.reason is Reason.COMPLETED_LATE for r in results):
        return LightResult(Light.DONE, Reason.COMPLETED_LATE, worst.days_left)
    return worst
