"""Work groups and the names their plans may use: units, categories and aliases, one work group at a time."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from tasktrack.domain.text import normalize
from tasktrack.extensions import db
from tasktrack.models import (
    DEFAULT_WORK_GROUP_NAME,
    Category,
    NameAlias,
    Unit,
    User,
    WorkGroup,
    WorkGroupLevel,
)
from tasktrack.services import Conflict, ServiceError
from tasktrack.services.audit import record


def default_work_group(*, now: dt.datetime | None = None) -> WorkGroup:
    """Return the provincial work group, creating it when ``now`` is given and it does not exist yet."""
    group = db.session.scalar(sa.select(WorkGroup).where(WorkGroup.name == DEFAULT_WORK_GROUP_NAME))
    if group is None:
        if now is None:
            raise ServiceError("尚未建立工作专班，请先运行 flask seed")
        group = WorkGroup(name=DEFAULT_WORK_GROUP_NAME, level=WorkGroupLevel.PROVINCE, created_at=now)
        db.session.add(group)
        db.session.flush()
        record(None, "work_group.create", group, now=now, summary=f"新建工作专班 {group.name}")
    return group


def home_work_group(actor: User | None) -> WorkGroup:
    """Return the work group a user works in (a secretariat administers it); the provincial one for the system."""
    if actor is None or getattr(actor, "work_group_id", None) is None:
        return default_work_group()
    group = db.session.get(WorkGroup, actor.work_group_id)
    assert group is not None
    return group


def parents() -> dict[int, int | None]:
    """Return every work group's parent id (one query: a province has about a hundred work groups)."""
    return dict(db.session.execute(sa.select(WorkGroup.id, WorkGroup.parent_id)).tuples().all())


def subtree_ids(group_id: int, tree: dict[int, int | None] | None = None) -> frozenset[int]:
    """Return the group's id and the ids of every work group below it."""
    tree = parents() if tree is None else tree
    children: dict[int | None, list[int]] = {}
    for child, parent in tree.items():
        children.setdefault(parent, []).append(child)
    found, todo = {group_id}, [group_id]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return frozenset(found)


def ancestor_ids(group_id: int, tree: dict[int, int | None] | None = None) -> list[int]:
    """Return the ids of the groups above this one, nearest first."""
    tree = parents() if tree is None else tree
    found: list[int] = []
    parent = tree.get(group_id)
    while parent is not None and parent not in found:
        found.append(parent)
        parent = tree.get(parent)
    return found


@dataclass(frozen=True)
class NameTable:
    """The names one work group's plans may use, ready for the pure owner reader."""

    unit_names: tuple[str, ...]
    #: alias → canonical category name (each category's own name included).
    category_aliases: dict[str, str]
    #: alias → canonical unit name (mapped on a review page).
    unit_aliases: dict[str, str]
    #: category name → its active members' names, in listing order.
    members: dict[str, list[str]]
    unit_order: tuple[str, ...]

    @property
    def all_unit_names(self) -> tuple[str, ...]:
        """Return unit names and unit aliases: everything that names a unit."""
        return self.unit_names + tuple(self.unit_aliases)


def name_table(group: WorkGroup) -> NameTable:
    """Read one work group's units, categories, members and aliases (three queries)."""
    units = list(
        db.session.scalars(
            sa.select(Unit)
            .where(Unit.work_group_id == group.id)
            .options(selectinload(Unit.categories))
            .order_by(Unit.sort_order, Unit.id)
        )
    )
    categories = list(db.session.scalars(sa.select(Category).where(Category.work_group_id == group.id)))
    members: dict[str, list[str]] = {c.name: [] for c in categories}
    for unit in units:
        if unit.is_active:
            for category in unit.categories:
                members.setdefault(category.name, []).append(unit.name)
    category_aliases = {c.name: c.name for c in categories}
    unit_aliases: dict[str, str] = {}
    for alias in db.session.scalars(
        sa.select(NameAlias)
        .where(NameAlias.work_group_id == group.id)
        .options(selectinload(NameAlias.unit), selectinload(NameAlias.category))
    ):
        if alias.category is not None:
            category_aliases[alias.alias] = alias.category.name
        elif alias.unit is not None:
            unit_aliases[alias.alias] = alias.unit.name
    return NameTable(
        unit_names=tuple(u.name for u in units),
        category_aliases=category_aliases,
        unit_aliases=unit_aliases,
        members=members,
        unit_order=tuple(u.name for u in units if u.is_active),
    )


def find_unit_in(group: WorkGroup, name: str) -> Unit | None:
    """Return the group's unit with exactly this name."""
    return db.session.scalar(sa.select(Unit).where(Unit.work_group_id == group.id, Unit.name == name.strip()))


def find_category_in(group: WorkGroup, name: str) -> Category | None:
    """Return the group's category with exactly this name."""
    return db.session.scalar(
        sa.select(Category).where(Category.work_group_id == group.id, Category.name == name.strip())
    )


def add_alias(
    group: WorkGroup, alias: str, *, unit: Unit | None = None, category: Category | None = None,
    actor: User | None, now: dt.datetime,
) -> NameAlias:
    """Record that the group's documents call a unit or category by another name (对应到已有单位)."""
    alias = alias.strip()
    if not alias or not normalize(alias):
        raise ServiceError("名称不能为空", field="alias")
    if (unit is None) == (category is None):
        raise ServiceError("请选择要对应的单位或类别", field="target")
    target = unit if unit is not None else category
    assert target is not None
    if target.work_group_id != group.id:
        raise ServiceError("只能对应到本专班的单位或类别", field="target")
    if find_unit_in(group, alias) is not None or find_category_in(group, alias) is not None:
        raise Conflict(f"“{alias}”已是本专班的单位或类别名称，无需对应", field="alias")
    existing = db.session.scalar(
        sa.select(NameAlias).where(NameAlias.work_group_id == group.id, NameAlias.alias == alias)
    )
    if existing is not None:
        raise Conflict(f"“{alias}”已对应到其他单位或类别", field="alias")
    row = NameAlias(work_group_id=group.id, alias=alias, unit=unit, category=category, created_at=now)
    db.session.add(row)
    db.session.flush()
    record(actor, "alias.create", row, now=now, summary=f"名称“{alias}”对应到“{target.name}”",
           after={"alias": alias, "target": target.name})
    return row
