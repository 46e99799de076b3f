"""Observation points: focus choices (1–2 items, versioned, locked after the deadline), reopenings, the
secretariat's matrix, and pilot logs.

Rules (DESIGN §2, issue 5):
- a choice names 1 or 2 of the focus items, each with a short plan; anything else is refused and nothing
  is saved;
- every save is a new ``FocusChoice`` version; older versions stay as history (``is_current`` moves);
- after the plan's ``focus_choice_deadline`` the choice is locked, unless the secretariat reopened it for
  that unit; a reopening is used up by the unit's next save, and a choice saved after the deadline is late;
- pilot logs are kept whatever the unit chooses later: logs of an item no longer chosen stay on every
  view (the point's page, the matrix, the API), marked as no longer chosen; new logs go on chosen items only.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from tasktrack.clock import local_date
from tasktrack.extensions import db
from tasktrack.models import (
    Attachment,
    FocusChoice,
    FocusChoiceItem,
    FocusItem,
    FocusReopen,
    PilotLog,
    Plan,
    Unit,
    UnitKind,
    User,
)
from tasktrack.services import ServiceError
from tasktrack.services.attachments import Upload, attach, attachments_of, check_files
from tasktrack.services.audit import record
from tasktrack.services.inputs import check_past_date, clean_text

logger = logging.getLogger(__name__)

MIN_ITEMS, MAX_ITEMS = 1, 2
PLAN_TEXT_MAX = 1000
NOTE_MAX = 5000
REASON_MAX = 500


def list_focus_items() -> list[FocusItem]:
    """Return the focus items in their fixed order."""
    return list(db.session.scalars(sa.select(FocusItem).order_by(FocusItem.sort_order, FocusItem.id)))


def list_observation_points(*, active_only: bool = True, work_group_id: int | None = None) -> list[Unit]:
    """Return the observation points (of one work group when given) in listing order."""
    query = sa.select(Unit).where(Unit.kind == UnitKind.OBSERVATION_POINT)
    if work_group_id is not None:
        query = query.where(Unit.work_group_id == work_group_id)
    if active_only:
        query = query.where(Unit.is_active.is_(True))
    return list(db.session.scalars(query.order_by(Unit.sort_order, Unit.id)))


def _choice_query(plan: Plan) -> sa.Select[tuple[FocusChoice]]:
    return (
        sa.select(FocusChoice)
        .where(FocusChoice.plan_id == plan.id)
        .options(selectinload(FocusChoice.items).selectinload(FocusChoiceItem.focus_item),
                 selectinload(FocusChoice.created_by))
    )


def current_choice(plan: Plan, unit: Unit) -> FocusChoice | None:
    """Return the unit's current choice for the plan, with its items."""
    return db.session.scalar(
        _choice_query(plan).where(FocusChoice.unit_id == unit.id, FocusChoice.is_current.is_(True))
    )


def choice_history(plan: Plan, unit: Unit) -> list[FocusChoice]:
    """Return every version of the unit's choice, newest first."""
    return list(db.session.scalars(
        _choice_query(plan).where(FocusChoice.unit_id == unit.id).order_by(FocusChoice.version.desc())
    ))


def open_reopen(plan: Plan, unit: Unit) -> FocusReopen | None:
    """Return the unit's unused reopening, if the secretariat gave one."""
    return db.session.scalar(
        sa.select(FocusReopen).where(FocusReopen.plan_id == plan.id, FocusReopen.unit_id == unit.id,
                                     FocusReopen.used_at.is_(None)).order_by(FocusReopen.id.desc()).limit(1)
    )


@dataclass(frozen=True)
class ChoiceState:
    """Whether a unit may change its choice today, and whether a save would be late."""

    deadline: dt.date | None
    past_deadline: bool
    reopened: bool

    @property
    def locked(self) -> bool:
        return self.past_deadline and not self.reopened

    @property
    def would_be_late(self) -> bool:
        return self.past_deadline


def choice_state(plan: Plan, unit: Unit, today: dt.date) -> ChoiceState:
    """Return the unit's lock state on ``today``."""
    deadline = plan.focus_choice_deadline
    past = deadline is not None and today > deadline
    return ChoiceState(deadline=deadline, past_deadline=past, reopened=past and open_reopen(plan, unit) is not None)


def _deadline_label(day: dt.date | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else ""


def validate_choice(items: Sequence[int], plans: Mapping[int, str], known: Mapping[int, FocusItem]) -> dict[int, str]:
    """Check a choice; return {focus item id: cleaned plan text} or raise ServiceError."""
    chosen = list(dict.fromkeys(items))
    unknown = [i for i in chosen if i not in known]
    if unknown:
        raise ServiceError("所选工作重点不存在，请刷新页面后重新选择", field="items")
    if len(chosen) < MIN_ITEMS:
        raise ServiceError("请至少选择 1 项工作重点（可选 1 至 2 项）", field="items")
    if len(chosen) > MAX_ITEMS:
        raise ServiceError(f"最多只能选择 2 项工作重点，您选择了 {len(chosen)} 项，未保存", field="items")
    cleaned: dict[int, str] = {}
    for item_id in chosen:
        name = known[item_id].name
        cleaned[item_id] = clean_text(plans.get(item_id), field="plans", label=f"“{name}”的试点计划", required=True,
                                      max_len=PLAN_TEXT_MAX)
    return cleaned


def save_choice(
    plan: Plan, unit: Unit, *, actor: User, items: Sequence[int], plans: Mapping[int, str], now: dt.datetime,
) -> FocusChoice:
    """Save a new version of the unit's focus choice (1–2 items with plans); refuse when locked or invalid."""
    if unit.kind is not UnitKind.OBSERVATION_POINT:
        raise ServiceError("只有观察点需要选择工作重点")
    known = {f.id: f for f in list_focus_items()}
    cleaned = validate_choice(items, plans, known)
    state = choice_state(plan, unit, local_date(now))
    if state.locked:
        raise ServiceError(
            f"已过工作重点选择截止日期（{_deadline_label(state.deadline)}），选择已锁定；"
            "如需调整，请联系专班办公室重新开放", field="items", code="locked")
    current = current_choice(plan, unit)
    if current is not None and {i.focus_item_id: i.plan_text for i in current.items} == cleaned:
        raise ServiceError("选择与当前保存的内容相同，无需重复提交", field="items", code="conflict")
    before = None
    if current is not None:
        before = {"version": current.version, "items": {i.focus_item.name: i.plan_text for i in current.items}}
        current.is_current = False
        db.session.flush()  # the partial "one current" rule holds at every moment
    choice = FocusChoice(plan_id=plan.id, unit_id=unit.id, version=(current.version + 1) if current else 1,
                         is_current=True, is_late=state.would_be_late, created_by=actor, created_at=now,
                         items=[FocusChoiceItem(focus_item_id=i, plan_text=t) for i, t in cleaned.items()])
    db.session.add(choice)
    if state.reopened:
        reopen = open_reopen(plan, unit)
        if reopen is not None:
            reopen.used_at = now
    db.session.flush()
    names = "、".join(known[i].name for i in cleaned)
    record(actor, "focus.choose", choice, now=now,
           summary=f"{unit.name} 选择工作重点（第 {choice.version} 版{'，逾期' if choice.is_late else ''}）：{names}",
           before=before,
           after={"version": choice.version, "late": choice.is_late,
                  "items": {known[i].name: t for i, t in cleaned.items()}})
    return choice


def reopen_choice(plan: Plan, unit: Unit, *, actor: User, reason: str, now: dt.datetime) -> FocusReopen:
    """Let the unit change its locked choice once more (a later save is marked late)."""
    if unit.kind is not UnitKind.OBSERVATION_POINT:
        raise ServiceError("只能为观察点重新开放工作重点选择")
    if open_reopen(plan, unit) is not None:
        raise ServiceError(f"{unit.name} 的工作重点选择已处于重新开放状态", code="conflict")
    text = clean_text(reason, field="reason", label="原因", max_len=REASON_MAX)
    reopen = FocusReopen(plan_id=plan.id, unit_id=unit.id, reason=text,
                         created_by_id=actor.id, created_at=now)
    db.session.add(reopen)
    db.session.flush()
    record(actor, "focus.reopen", reopen, now=now, summary=f"重新开放 {unit.name} 的工作重点选择",
           after={"reason": reopen.reason})
    return reopen


def set_choice_deadline(plan: Plan, *, actor: User, deadline: dt.date | None, now: dt.datetime) -> None:
    """Set the plan's focus-choice deadline."""
    before = {"focus_choice_deadline": plan.focus_choice_deadline}
    if before["focus_choice_deadline"] == deadline:
        return
    if deadline is not None and deadline.year not in (plan.year - 1, plan.year, plan.year + 1):
        raise ServiceError(f"截止日期应在 {plan.year} 年前后", field="deadline")
    plan.focus_choice_deadline = deadline
    db.session.flush()
    record(actor, "plan.focus_deadline", plan, now=now,
           summary=f"设置 {plan.title} 的工作重点选择截止日期为 {_deadline_label(deadline) or '（无）'}",
           before=before, after={"focus_choice_deadline": deadline})


@dataclass
class MatrixRow:
    """One observation point in the matrix."""

    unit: Unit
    choice: FocusChoice | None
    chosen_ids: set[int] = field(default_factory=set)
    reopened: bool = False
    #: Pilot logs per focus item, chosen or not (nothing recorded is hidden).
    log_counts: dict[int, int] = field(default_factory=dict)

    @property
    def logs(self) -> int:
        return sum(self.log_counts.values())

    @property
    def logs_not_chosen(self) -> int:
        """Count the logs on items the point no longer chooses."""
        return sum(n for item_id, n in self.log_counts.items() if item_id not in self.chosen_ids)


@dataclass
class Matrix:
    """Which point chose which items, counts per item, who has not chosen yet."""

    items: list[FocusItem]
    rows: list[MatrixRow]
    counts: dict[int, int]

    @property
    def missing(self) -> list[Unit]:
        return [r.unit for r in self.rows if r.choice is None]


def matrix(plan: Plan) -> Matrix:
    """Build the matrix of the plan's work group's observation points in a fixed number of queries."""
    items = list_focus_items()
    points = list_observation_points(work_group_id=plan.work_group_id)
    choices = {c.unit_id: c for c in db.session.scalars(_choice_query(plan).where(FocusChoice.is_current.is_(True)))}
    reopened = set(db.session.scalars(
        sa.select(FocusReopen.unit_id).where(FocusReopen.plan_id == plan.id, FocusReopen.used_at.is_(None))
    ))
    log_counts: dict[int, dict[int, int]] = {}
    for unit_id, item_id, n in db.session.execute(
        sa.select(PilotLog.unit_id, PilotLog.focus_item_id, sa.func.count())
        .where(PilotLog.plan_id == plan.id).group_by(PilotLog.unit_id, PilotLog.focus_item_id)
    ):
        log_counts.setdefault(unit_id, {})[item_id] = n
    rows = []
    counts = {i.id: 0 for i in items}
    for unit in points:
        choice = choices.get(unit.id)
        chosen = {i.focus_item_id for i in choice.items} if choice else set()
        for item_id in chosen:
            counts[item_id] = counts.get(item_id, 0) + 1
        rows.append(MatrixRow(unit=unit, choice=choice, chosen_ids=chosen, reopened=unit.id in reopened,
                              log_counts=log_counts.get(unit.id, {})))
    return Matrix(items=items, rows=rows, counts=counts)


def add_pilot_log(
    plan: Plan, unit: Unit, focus_item: FocusItem, *, actor: User, log_date: dt.date | None, note: str,
    files: Sequence[Upload], now: dt.datetime,
) -> PilotLog:
    """Add a dated pilot note (with attachments) on one of the unit's chosen items."""
    current = current_choice(plan, unit)
    if current is None or focus_item.id not in {i.focus_item_id for i in current.items}:
        raise ServiceError("只能就本单位已选择的工作重点记录试点进展", field="focus_item_id")
    text = clean_text(note, field="note", label="试点进展", required=True, max_len=NOTE_MAX)
    if log_date is None:
        raise ServiceError("请填写日期", field="log_date")
    check_past_date(log_date, plan=plan, today=local_date(now), field="log_date", label="日期")
    check_files(files)  # refuse bad files before any row exists
    log = PilotLog(plan_id=plan.id, unit_id=unit.id, focus_item_id=focus_item.id, log_date=log_date, note=text,
                   author_id=actor.id, created_at=now)
    db.session.add(log)
    db.session.flush()
    if files:
        attach("pilot_log", log.id, files, actor=actor, now=now)
    record(actor, "pilot_log.create", log, now=now,
           summary=f"{unit.name} 记录“{focus_item.name}”试点进展（{log_date.isoformat()}）")
    return log


@dataclass(frozen=True)
class TimelineGroup:
    """The logs of one focus item; ``is_chosen`` is False for an item the point no longer chooses."""

    item: FocusItem
    logs: list[PilotLog]
    is_chosen: bool


@dataclass
class Timeline:
    """Pilot logs of a unit grouped by focus item, newest first, with their attachments."""

    by_item: dict[int, list[PilotLog]]
    files: dict[int, list[Attachment]]
    #: The chosen items first (in the choice's order, even without logs), then every other item that has
    #: logs: what was recorded under an earlier choice stays visible.
    groups: list[TimelineGroup] = field(default_factory=list)


def pilot_timeline(plan: Plan, unit: Unit, chosen: Sequence[FocusItem] = ()) -> Timeline:
    """Return all the unit's pilot logs, grouped (``chosen``: the current choice's items), in two queries."""
    logs = list(db.session.scalars(
        sa.select(PilotLog).where(PilotLog.plan_id == plan.id, PilotLog.unit_id == unit.id)
        .options(selectinload(PilotLog.author), selectinload(PilotLog.focus_item))
        .order_by(PilotLog.log_date.desc(), PilotLog.id.desc())
    ))
    by_item: dict[int, list[PilotLog]] = {}
    for log in logs:
        by_item.setdefault(log.focus_item_id, []).append(log)
    chosen_ids = {item.id for item in chosen}
    earlier = sorted({log.focus_item.id: log.focus_item for log in logs if log.focus_item_id not in chosen_ids}
                     .values(), key=lambda item: (item.sort_order, item.id))
    groups = [TimelineGroup(item, by_item.get(item.id, []), True) for item in chosen]
    groups += [TimelineGroup(item, by_item[item.id], False) for item in earlier]
    return Timeline(by_item=by_item, files=attachments_of("pilot_log", [log.id for log in logs]), groups=groups)
