"""How a lower work group's progress on a higher task rolls back up (多级任务下发, 逐级汇总).

A higher plan's task assigned to a unit that stands for a lower work group (杭州市 in the provincial plan) is that
group's 上级下达任务. The lower group carries it out through tasks of its own plan (分解); the assignments of those
tasks are the *sub-assignments*. The inbound assignment's state on a day derives from them:

* **undecomposed** (未分解) – no linked task yet: the inbound assignment lights as its own work (it is chased like any
  unreported work: red when past due, yellow when stale or due soon);
* **may claim** (可申报完成) – every sub-assignment is done (claimed or confirmed): the lower secretariat may claim
  completion of the inbound assignment, which the higher secretariat confirms (办结) as usual;
* **red** – any sub-assignment is overdue (the worst sub-light wins: red > yellow > green);
* **stale** (本期未报送) – none of the open sub-assignments reported in the current period: yellow, reason stale;
* otherwise the worst light among the open sub-assignments.

Once the inbound assignment itself is completed (claimed or confirmed) its own light — done — stands.
Pure: the caller gathers each sub-assignment's light and last report date.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Sequence
from dataclasses import dataclass

from tasktrack.domain.lights import Light, LightResult, Reason, task_light


class RollupState(enum.StrEnum):
    """Where an inbound assignment stands with respect to its decomposition."""

    UNDECOMPOSED = "undecomposed"
    IN_PROGRESS = "in_progress"
    MAY_CLAIM = "may_claim"
    COMPLETED = "completed"

    @property
    def label(self) -> str:
        """Return the Chinese name shown in the UI."""
        return {"undecomposed": "未分解", "in_progress": "推进中", "may_claim": "下级已全部完成，可申报完成",
                "completed": "已完成"}[self.value]


@dataclass(frozen=True)
class SubAssignment:
    """One assignment of a lower work group's task linked to the inbound assignment (or ``count`` alike ones)."""

    light: LightResult
    last_report_on: dt.date | None
    count: int = 1


@dataclass(frozen=True)
class Rollup:
    """The inbound assignment's derived state and light, with the counts a dashboard shows."""

    state: RollupState
    light: LightResult
    total: int
    done: int
    overdue: int
    reported_this_period: int

    @property
    def label(self) -> str:
        return self.state.label


def rollup(own: LightResult, subs: Sequence[SubAssignment], *, period_start: dt.date,
           own_completed: bool = False) -> Rollup:
    """Return the inbound assignment's state and light from its own light and its sub-assignments'.

    ``own`` is the inbound assignment's light as plain work (used while it is undecomposed, and once it is itself
    completed); ``period_start`` is the first day of the current reporting period (a report on or after it
    counts as reported this period).
    """
    total = sum(s.count for s in subs)
    done = sum(s.count for s in subs if s.light.light is Light.DONE)
    overdue = sum(s.count for s in subs if s.light.light is Light.RED)
    reported = sum(s.count for s in subs if s.last_report_on is not None and s.last_report_on >= period_start)
    counts = {"total": total, "done": done, "overdue": overdue, "reported_this_period": reported}
    if own_completed:
        return Rollup(RollupState.COMPLETED, own, **counts)
    if not subs:
        return Rollup(RollupState.UNDECOMPOSED, own, **counts)
    if done == total:
        worst = task_light(s.light for s in subs)
        assert worst is not None
        return Rollup(RollupState.MAY_CLAIM, worst, **counts)
    open_subs = [s for s in subs if s.light.light is not Light.DONE]
    worst = task_light(s.light for s in open_subs)
    assert worst is not None
    if worst.light is not Light.RED and not any(s.last_report_on is not None and s.last_report_on >= period_start
                                                for s in open_subs):
        return Rollup(RollupState.IN_PROGRESS, LightResult(Light.YELLOW, Reason.STALE, worst.days_left), **counts)
    return Rollup(RollupState.IN_PROGRESS, worst, **counts)
