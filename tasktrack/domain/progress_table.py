"""The 工作进展情况表 of a plan: one row per task, its units' progress written inside the row.

The workbook's first sheet and the print view show the same thing an office hands to leaders: the task text
once, then who did what. Pure functions over each unit's state (no database, no Flask):

* :func:`state_of` puts a unit in one group, checked in this order (the first that holds wins):

  ========== ============================================================================
  已完成     the light is done (completed, or a claimed completion awaiting 办结)
  逾期       past due and not completed (red)
  未报送     the unit never reported on the assignment
  本期未报送 year-round or recurring work with no report in the reporting period (yellow, stale)
  临近截止   a dated deadline within the warning window (yellow, due soon)
  未开始     the latest report says not started
  进行中     everything else
  ========== ============================================================================

* :func:`state_summary` writes the groups in one line (已完成：A、B；进行中：C（40%）；逾期：D；未报送：E);
* :func:`progress_lines` gives one line per unit that reported ("省民政厅（牵头）：进行中，40%。<narrative>") and one
  line naming the units that never did;
* :func:`problem_lines` states the facts the lights record (逾期 N 天, 距截止 N 天, 本期未报送进展), named per unit and
  never ranked or scored (基层减负);
* :func:`shorten` trims a narrative for the print view at a sentence end where it can.

The plan has no 存在问题 or 下步计划 field in its reports, so 存在问题 is :func:`problem_lines` and 下步计划 is left
for the office to write.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from tasktrack.domain.lights import Light, LightResult, Reason


class State(enum.StrEnum):
    """The group a unit's work on a task is shown in."""

    DONE = "done"
    IN_PROGRESS = "in_progress"
    NOT_STARTED = "not_started"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    STALE = "stale"
    UNREPORTED = "unreported"

    @property
    def label(self) -> str:
        """Return the Chinese name of the group."""
        return STATE_LABELS[self]


STATE_LABELS = {
    State.DONE: "已完成",
    State.IN_PROGRESS: "进行中",
    State.NOT_STARTED: "未开始",
    State.DUE_SOON: "临近截止",
    State.OVERDUE: "逾期",
    State.STALE: "本期未报送",
    State.UNREPORTED: "未报送",
}
#: The order the groups are written in: work done first, then work moving, then what needs chasing.
STATE_ORDER = (State.DONE, State.IN_PROGRESS, State.NOT_STARTED, State.DUE_SOON, State.OVERDUE, State.STALE,
               State.UNREPORTED)
STATUS_LABELS = {"not_started": "未开始", "in_progress": "进行中", "completed": "已完成"}
#: Narratives in the print view: about two lines of the column.
NOTE_LIMIT = 60
_SENTENCE_END = re.compile(r"[。；！？;!?]")


@dataclass(frozen=True)
class UnitProgress:
    """One unit's work on one task, as the caller read it (plain values)."""

    unit: str
    is_lead: bool
    light: LightResult
    #: The assignment's status value: not_started / in_progress / completed.
    status: str
    percent: int | None
    completed_on: dt.date | None
    #: The latest report's narrative; None when the unit never reported.
    narrative: str | None

    @property
    def name(self) -> str:
        """Return the unit's name, marked （牵头） when it leads the task."""
        return f"{self.unit}（牵头）" if self.is_lead else self.unit


def state_of(u: UnitProgress) -> State:
    """Return the group of one unit's work (the table in the module docstring)."""
    if u.light.light is Light.DONE:
        return State.DONE
    if u.light.reason is Reason.OVERDUE:
        return State.OVERDUE
    if u.narrative is None:
        return State.UNREPORTED
    if u.light.reason is Reason.STALE:
        return State.STALE
    if u.light.reason is Reason.DUE_SOON:
        return State.DUE_SOON
    if u.status == "not_started":
        return State.NOT_STARTED
    return State.IN_PROGRESS


def _item(u: UnitProgress, state: State) -> str:
    """Return a unit as listed in its group: the name, with the percent where the work is open and reported."""
    if u.percent is not None and state in (State.IN_PROGRESS, State.DUE_SOON, State.OVERDUE, State.STALE):
        return f"{u.unit}（{u.percent}%）"
    return u.unit


def state_groups(units: Iterable[UnitProgress]) -> list[tuple[State, list[str]]]:
    """Return the non-empty groups in :data:`STATE_ORDER`, each with its units in the order given."""
    groups: dict[State, list[str]] = {s: [] for s in STATE_ORDER}
    for u in units:
        state = state_of(u)
        groups[state].append(_item(u, state))
    return [(s, names) for s, names in groups.items() if names]


def state_summary(units: Iterable[UnitProgress]) -> str:
    """Return the groups in one line: 已完成：A、B；进行中：C（40%）；逾期：D."""
    return "；".join(f"{s.label}：{'、'.join(names)}" for s, names in state_groups(units))


def clean(text: str) -> str:
    """Return a narrative on one line: runs of white space (line breaks included) become one space."""
    return " ".join(text.split())


def shorten(text: str, limit: int = NOTE_LIMIT) -> str:
    """Return a narrative in at most ``limit`` characters.

    A longer text is cut at its last sentence end within the limit when that keeps at least half of it,
    else at the limit with an ellipsis (…), so a shortened text never reads as complete when it is not.
    """
    text = clean(text)
    if len(text) <= limit:
        return text
    ends = [m.end() for m in _SENTENCE_END.finditer(text, 0, limit)]
    if ends and ends[-1] >= limit // 2:
        return text[:ends[-1]] + "…"
    return text[:limit - 1] + "…"


def _status_phrase(u: UnitProgress) -> str:
    parts = [STATUS_LABELS.get(u.status, u.status)]
    if u.status == "completed":
        if u.completed_on:
            parts.append(f"{u.completed_on.year}年{u.completed_on.month}月{u.completed_on.day}日完成")
    elif u.percent is not None:
        parts.append(f"{u.percent}%")
    return "，".join(parts)


def progress_lines(units: Sequence[UnitProgress]) -> list[str]:
    """Return one line per unit that reported, in the order given, then one line naming the units that never did."""
    lines = []
    for u in units:
        if u.narrative is None:
            continue
        narrative = clean(u.narrative)
        lines.append(f"{u.name}：{_status_phrase(u)}。{narrative}" if narrative else f"{u.name}：{_status_phrase(u)}。")
    silent = [u.name for u in units if u.narrative is None]
    if silent:
        lines.append(f"尚未报送：{'、'.join(silent)}")
    return lines


def _problem(u: UnitProgress) -> str | None:
    days = u.light.days_left
    if u.light.reason is Reason.OVERDUE:
        return f"逾期{-days}天" if days is not None and days < 0 else "逾期"
    if u.light.reason is Reason.DUE_SOON:
        return f"距截止{days}天" if days is not None else "临近截止"
    if u.light.reason is Reason.STALE:
        return "本期未报送进展"
    return None


def problem_lines(units: Sequence[UnitProgress]) -> list[str]:
    """Return the lights' facts, one line per fact with the units it holds for: 逾期18天：A、B.

    A fact that holds for every unit of a task with several says so instead of naming them all again (the
    进展情况 cell beside it names them): 本期未报送进展：全部12家责任单位.
    """
    facts: dict[str, list[str]] = {}
    for u in units:
        fact = _problem(u)
        if fact is not None:
            facts.setdefault(fact, []).append(u.unit)
    return [f"{fact}：全部{len(names)}家责任单位" if len(names) == len(units) > 1 else f"{fact}：{'、'.join(names)}"
            for fact, names in facts.items()]
