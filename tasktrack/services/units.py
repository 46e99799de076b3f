"""Units and their categories; a change of categories re-synchronises assignments."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from tasktrack.extensions import db
from tasktrack.models import Category, Unit, UnitKind, User, WorkGroup
from tasktrack.models.unit import split_emails
from tasktrack.services import Conflict, ServiceError, work_groups
from tasktrack.services.assignments import SyncResult, sync_open_tasks
from tasktrack.services.audit import record, snapshot
from tasktrack.services.inputs import clean_text
from tasktrack.services.users import normalize_email

UNIT_FIELDS = ("name", "kind", "contact_emails", "leader_email", "parent_id", "is_active", "category_names")


def list_units(work_group_id: int | None = None, *, where: sa.ColumnElement[bool] | None = None) -> list[Unit]:
    """Return the units (of one work group, if given; those ``where`` selects, e.g. permissions.visible_units) with
    their categories, in listing order."""
    query = sa.select(Unit).options(selectinload(Unit.categories)).order_by(Unit.sort_order, Unit.id)
    if work_group_id is not None:
        query = query.where(Unit.work_group_id == work_group_id)
    if where is not None:
        query = query.where(where)
    return list(db.session.scalars(query))


def list_categories(work_group_id: int | None = None) -> list[Category]:
    """Return the categories (of one work group, if given) in their fixed order."""
    query = sa.select(Category).order_by(Category.sort_order, Category.id)
    if work_group_id is not None:
        query = query.where(Category.work_group_id == work_group_id)
    return list(db.session.scalars(query))


def find_unit(name: str, group: WorkGroup | None = None) -> Unit | None:
    """Return the unit with exactly this name in a work group (by default the provincial one)."""
    group = group or work_groups.default_work_group()
    return work_groups.find_unit_in(group, name)


def clean_emails(text: str) -> str:
    """Validate a free-form list of e-mails; return them one per line."""
    return "\n".join(normalize_email(address) for address in split_emails(text))


def _validate(name: str, unit: Unit | None, group: WorkGroup) -> str:
    name = clean_text(name, field="name", label="单位名称", required=True, max_len=100, missing="单位名称不能为空")
    other = find_unit(name, group)
    if other is not None and other is not unit:
        raise Conflict(f"单位“{name}”已存在", field="name")
    return name


def save_unit(
    unit: Unit | None,
    *,
    actor: User | None,
    name: str,
    kind: UnitKind,
    categories: list[Category],
    contact_emails: str,
    leader_email: str | None,
    parent: Unit | None = None,
    is_active: bool = True,
    work_group: WorkGroup | None = None,
    now: dt.datetime,
) -> tuple[Unit, SyncResult]:
    """Create or update a unit; joining or leaving a category opens or closes its assignments.

    A new unit joins ``work_group`` (by default the provincial one); a unit never changes work group.
    """
    group = unit.work_group if unit is not None else work_group or work_groups.default_work_group(now=now)
    if any(c.work_group_id != group.id for c in categories):
        raise ServiceError("只能选择本专班的责任单位类别", field="categories")
    name = _validate(name, unit, group)
    emails = clean_emails(contact_emails)
    leader = normalize_email(leader_email) if leader_email and leader_email.strip() else None
    creating = unit is None
    before = None if unit is None else snapshot(unit, UNIT_FIELDS)
    if unit is None:
        top = db.session.scalar(sa.select(sa.func.max(Unit.sort_order))) or 0
        unit = Unit(created_at=now, sort_order=top + 1, work_group=group)
        db.session.add(unit)
    membership_changed = creating or (
        {c.id for c in unit.categories} != {c.id for c in categories} or unit.is_active != is_active
    )
    unit.name, unit.kind, unit.contact_emails, unit.leader_email = name, kind, emails, leader
    unit.parent, unit.is_active = parent, is_active
    unit.categories = list(categories)
    db.session.flush()
    after = snapshot(unit, UNIT_FIELDS)
    if creating or before != after:
        record(actor, "unit.create" if creating else "unit.update", unit, now=now,
               summary=f"{'新增' if creating else '修改'}单位 {name}", before=before, after=after)
    result = sync_open_tasks(actor=actor, now=now) if membership_changed else SyncResult()
    return unit, result
