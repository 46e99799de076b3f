"""Work groups (工作专班): the body that owns units, categories, name aliases and plans.

A plan resolves the names in its 责任单位 phrases only inside its own work group, so a city's plan can never
expand to the province's departments. Levels and parents are recorded now; how levels cascade is issue 12.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tasktrack.models.base import Base, str_enum

if TYPE_CHECKING:
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

    parent: Mapped[WorkGroup | None] = relationship(remote_side=[id])

    def __repr__(self) -> str:
        return f"<WorkGroup {self.name}>"


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
