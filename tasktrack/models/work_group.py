"""Work groups (工作专班): the body that owns units, categories, name aliases and plans.

A plan resolves the names in its 责任单位 phrases only inside its own work group, so a city's plan can never
expand to the province's departments. Work groups form a tree (province → city → county): each reads its own
subtree; a higher plan's task reaches a lower work group through the unit that stands for it
(``Unit.represents_work_group_id``), and the lower group decomposes it into tasks of its own plan (``TaskLink``),
whose assignments roll back up.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tasktrack.models.base import Base, str_enum

if TYPE_CHECKING:
    from tasktrack.models.plan import Assignment, Task
    from tasktrack.models.unit import Category, Unit


class WorkGroupLevel(enum.StrEnum):
    """The administrative level a work group works at."""

    PROVINCE = "province"
    CITY = "city"
    COUNTY = "county"

    @property
    def label(self) -> str:
        """Return the Chinese name shown in the UI."""
        return {"province": "省级", "city": "市级", "county": "县级"}[self.value]


#: The work group the 2024 seed belongs to (and every unit, category and plan created before work groups existed).
DEFAULT_WORK_GROUP_NAME = "浙江省清廉社会组织建设工作专班"


class WorkGroup(Base):
    """One 工作专班."""

    __tablename__ = "work_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    level: Mapped[WorkGroupLevel] = mapped_column(str_enum(WorkGroupLevel))
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("work_groups.id"), index=True)
    created_at: Mapped[dt.datetime]
    #: The group's own reminder windows; NULL: the app's (REMINDER_* settings). Due-soon days as "14,3".
    reminder_due_soon_days: Mapped[str | None] = mapped_column(sa.String(40))
    reminder_overdue_repeat_days: Mapped[int | None]
    reminder_supervision_after_days: Mapped[int | None]
    reminder_period_grace_days: Mapped[int | None]

    parent: Mapped[WorkGroup | None] = relationship(remote_side=[id])

    @property
    def label(self) -> str:
        """Return the name with its level, e.g. 杭州市清廉社会组织建设工作专班（市级）."""
        return f"{self.name}（{self.level.label}）"

    def __repr__(self) -> str:
        return f"<WorkGroup {self.name}>"


class TaskLink(Base):
    """A lower work group's task that carries out (分解) a higher plan's task assigned to it (上级下达任务).

    ``parent_assignment`` is the higher plan's assignment of the unit that stands for the lower work group;
    ``task`` is a task of one of the lower group's plans. The inbound assignment's progress rolls up from the
    assignments of its linked tasks.
    """

    __tablename__ = "task_links"
    __table_args__ = (sa.UniqueConstraint("parent_assignment_id", "task_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    parent_assignment_id: Mapped[int] = mapped_column(sa.ForeignKey("assignments.id"), index=True)
    task_id: Mapped[int] = mapped_column(sa.ForeignKey("tasks.id"), index=True)
    created_at: Mapped[dt.datetime]
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    parent_assignment: Mapped[Assignment] = relationship()
    task: Mapped[Task] = relationship()


class NameAlias(Base):
    """Another way a work group's documents name one of its units or categories (对应到已有单位).

    Recorded when the secretariat maps a name on an import's review page, so later imports read it at once; the
    2024 seed records the category aliases its table uses (相关市、县（市、区） → 各市、县（市、区）, …).
    """

    __tablename__ = "name_aliases"
    __table_args__ = (
        sa.UniqueConstraint("work_group_id", "alias"),
        sa.CheckConstraint("(unit_id IS NULL) <> (category_id IS NULL)", name="unit_xor_category"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    work_group_id: Mapped[int] = mapped_column(sa.ForeignKey("work_groups.id"), index=True)
    #: The name as documents write it.
    alias: Mapped[str] = mapped_column(sa.String(200))
    unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("units.id", ondelete="CASCADE"), index=True)
    category_id: Mapped[int | None] = mapped_column(sa.ForeignKey("categories.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime]

    work_group: Mapped[WorkGroup] = relationship()
    unit: Mapped[Unit | None] = relationship()
    category: Mapped[Category | None] = relationship()
