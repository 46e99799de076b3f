"""Administering the work-group tree: create a lower work group, read the tree, a group's reminder windows.

A province has cities below it, a city has counties; a county has no work group below it. A lower work group is
reached from its parent's plans through the unit that stands for it there (杭州市 in the provincial plan stands for
杭州市清廉社会组织建设工作专班): creating a group names that unit (an existing unit of the parent group, or a new
one). Reading the tree is one query, however many groups a province has.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from dataclasses import dataclass

import sqlalchemy as sa

from tasktrack.domain.reminder_policy import ReminderSettings
from tasktrack.extensions import db
from tasktrack.models import Unit, UnitKind, User, WorkGroup, WorkGroupLevel
from tasktrack.services import Conflict, NotFound, ServiceError, units, work_groups
from tasktrack.services.audit import record, snapshot
from tasktrack.services.inputs import clean_text

logger = logging.getLogger(__name__)

#: The level a child of a group of each level has (a county has no children).
CHILD_LEVEL: dict[WorkGroupLevel, WorkGroupLevel | None] = {
    WorkGroupLevel.PROVINCE: WorkGroupLevel.CITY,
    WorkGroupLevel.CITY: WorkGroupLevel.COUNTY,
    WorkGroupLevel.COUNTY: None,
}
#: The kind of the unit that stands for a lower group in its parent's plans.
UNIT_KIND_FOR: dict[WorkGroupLevel, UnitKind] = {WorkGroupLevel.CITY: UnitKind.CITY,
                                                 WorkGroupLevel.COUNTY: UnitKind.COUNTY}
REMINDER_FIELDS = ("reminder_due_soon_days", "reminder_overdue_repeat_days", "reminder_supervision_after_days",
                   "reminder_period_grace_days")
MAX_WINDOW_DAYS = 366


def get_group(group_id: int) -> WorkGroup:
    """Return a work group by id (NotFound otherwise)."""
    group = db.session.get(WorkGroup, group_id)
    if group is None:
        raise NotFound("工作专班不存在")
    return group


def representing_unit(group: WorkGroup) -> Unit | None:
    """Return the unit of the parent group that stands for this group, if any."""
    return db.session.scalar(sa.select(Unit).where(Unit.represents_work_group_id == group.id))


def create_work_group(actor: User | None, *, name: str, level: WorkGroupLevel, parent: WorkGroup,
                      unit_name: str | None = None, unit: Unit | None = None, now: dt.datetime) -> WorkGroup:
    """Create a work group one level below ``parent``, standing in the parent's plans as a unit of the parent.

    ``unit`` is an existing unit of the parent group; ``unit_name`` names one (used if it exists, created
    otherwise); with neither, the group has no unit in the parent's plans yet (no inbound tasks).
    """
    name = clean_text(name, field="name", label="专班名称", required=True, max_len=200, missing="专班名称不能为空")
    expected = CHILD_LEVEL[parent.level]
    if expected is None:
        raise ServiceError(f"{parent.level.label}工作专班下不能再设下级专班", field="parent")
    if level is not expected:
        raise ServiceError(f"{parent.name}的下级专班应为{expected.label}专班", field="level")
    if db.session.scalar(sa.select(WorkGroup.id).where(WorkGroup.name == name)) is not None:
        raise Conflict(f"工作专班“{name}”已存在", field="name")
    if unit is None and unit_name and unit_name.strip():
        unit_name = clean_text(unit_name, field="unit_name", label="代表单位名称", required=True, max_len=100)
        unit = work_groups.find_unit_in(parent, unit_name)
    if unit is not None:
        if unit.work_group_id != parent.id:
            raise ServiceError("代表单位必须是上级专班的单位", field="unit_name")
        if unit.represents_work_group_id is not None:
            raise Conflict(f"单位“{unit.name}”已代表其他工作专班", field="unit_name")
    group = WorkGroup(name=name, level=level, parent=parent, created_at=now)
    db.session.add(group)
    db.session.flush()
    if unit is None and unit_name:
        unit, _ = units.save_unit(None, actor=actor, name=unit_name, kind=UNIT_KIND_FOR[level], categories=[],
                                  contact_emails="", leader_email=None, work_group=parent, now=now)
    if unit is not None:
        unit.represents_work_group_id = group.id
        db.session.flush()
    record(actor, "work_group.create", group, now=now, summary=f"新建{level.label}工作专班 {name}",
           after={"name": name, "level": level.value, "parent_id": parent.id,
                  "unit": unit.name if unit is not None else None})
    logger.info("work group %s created under %s", name, parent.name)
    return group


@dataclass(frozen=True)
class TreeNode:
    """One work group in a tree listing, with its depth below the listing's root."""

    group: WorkGroup
    depth: int
    child_ids: tuple[int, ...]


def tree(root: WorkGroup) -> list[TreeNode]:
    """Return the root's subtree in pre-order (children by level, then name), one query."""
    groups = list(db.session.scalars(sa.select(WorkGroup).order_by(WorkGroup.id)))
    children: dict[int | None, list[WorkGroup]] = {}
    for group in groups:
        children.setdefault(group.parent_id, []).append(group)
    for kids in children.values():
        kids.sort(key=lambda g: (g.created_at, g.id))
    nodes: list[TreeNode] = []
    seen: set[int] = set()

    def visit(group: WorkGroup, depth: int) -> None:
        if group.id in seen:  # a cycle cannot be made through the services; do not loop if one was typed in
            return
        seen.add(group.id)
        kids = children.get(group.id, [])
        nodes.append(TreeNode(group, depth, tuple(k.id for k in kids)))
        for kid in kids:
            visit(kid, depth + 1)

    visit(root, 0)
    return nodes


def parse_days(text: str) -> tuple[int, ...]:
    """Read a list of day counts such as "14,3" or "14，7，3" (ServiceError when it is not one)."""
    parts = [p.strip() for p in text.replace("，", ",").replace("、", ",").split(",") if p.strip()]
    try:
        days = tuple(int(p) for p in parts)
    except ValueError:
        raise ServiceError("提前提醒天数应为用逗号分隔的整数，例如 14,3", field="due_soon_days") from None
    if not days:
        raise ServiceError("请至少填写一个提前提醒天数，或留空使用系统设置", field="due_soon_days")
    return days


def reminder_settings(group: WorkGroup, defaults: ReminderSettings) -> ReminderSettings:
    """Return the group's reminder windows: its own where set, the app's (``defaults``) where NULL."""
    changes: dict[str, object] = {}
    if group.reminder_due_soon_days:
        try:
            changes["due_soon_days"] = parse_days(group.reminder_due_soon_days)
        except ServiceError:
            logger.warning("work group %s has unreadable due-soon days %r", group.id, group.reminder_due_soon_days)
    for name in ("overdue_repeat_days", "supervision_after_days", "period_grace_days"):
        value = getattr(group, f"reminder_{name}")
        if value is not None:
            changes[name] = value
    if not changes:
        return defaults
    try:
        return dataclasses.replace(defaults, **changes)  # type: ignore[arg-type]  # checked by __post_init__
    except ValueError:
        logger.warning("work group %s has unusable reminder windows; the app's apply", group.id)
        return defaults


def set_reminder_windows(group: WorkGroup, *, actor: User | None, due_soon_days: str | None,
                         overdue_repeat_days: int | None, supervision_after_days: int | None,
                         period_grace_days: int | None, now: dt.datetime) -> WorkGroup:
    """Set (or clear, with None/empty) a group's own reminder windows; the app's settings fill what is empty."""
    days = parse_days(due_soon_days) if due_soon_days and due_soon_days.strip() else None
    values = {"overdue_repeat_days": overdue_repeat_days, "supervision_after_days": supervision_after_days,
              "period_grace_days": period_grace_days}
    labels = {"overdue_repeat_days": "逾期后重复催办间隔", "supervision_after_days": "督办通知（逾期天数）",
              "period_grace_days": "报送周期宽限天数"}
    for field_name, value in values.items():
        if value is not None and not 0 <= value <= MAX_WINDOW_DAYS:
            raise ServiceError(f"{labels[field_name]}应在 0 到 {MAX_WINDOW_DAYS} 天之间", field=field_name)
    if days is not None:
        if any(not 0 <= d <= MAX_WINDOW_DAYS for d in days):
            raise ServiceError(f"提前提醒天数应在 0 到 {MAX_WINDOW_DAYS} 天之间", field="due_soon_days")
        if len(set(days)) != len(days):
            raise ServiceError("提前提醒天数不能重复", field="due_soon_days")
    before = snapshot(group, REMINDER_FIELDS)
    group.reminder_due_soon_days = ",".join(str(d) for d in days) if days is not None else None
    group.reminder_overdue_repeat_days = overdue_repeat_days
    group.reminder_supervision_after_days = supervision_after_days
    group.reminder_period_grace_days = period_grace_days
    after = snapshot(group, REMINDER_FIELDS)
    if before != after:
        db.session.flush()
        record(actor, "work_group.reminders", group, now=now, summary=f"修改 {group.name} 的提醒设置",
               before=before, after=after)
    return group
