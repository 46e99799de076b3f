"""Quantitative targets (指标) of a plan or task, the values units report against them, and a draft's offered targets.

A target is what is measured, a comparator, a value and its unit ("党建入章率 ≥ 98%"); it belongs to a whole plan
(``task_id`` None) or to one task. Values are appended with progress reports and never overwritten: the latest
value of each unit is the one shown, the earlier ones are its history.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tasktrack.domain.targets import Comparator, Target
from tasktrack.models.base import Base, str_enum
from tasktrack.models.plan import Plan, Task
from tasktrack.models.plan_import import PlanImport, PlanImportRow
from tasktrack.models.unit import Unit
from tasktrack.models.user import User

#: Targets and values keep four decimals ("98.5%", "1.25万元" = 12500).
TARGET_NUMBER = sa.Numeric(18, 4)


class _TargetFields:
    """What a target says, shared by a plan's targets and a draft's offered ones."""

    what: Mapped[str] = mapped_column(sa.String(200))
    comparator: Mapped[Comparator] = mapped_column(str_enum(Comparator, length=8))
    value: Mapped[Decimal] = mapped_column(TARGET_NUMBER)
    #: The measure word as written: %, 家, 个, 元 … ("" when none).
    unit: Mapped[str] = mapped_column(sa.String(20), default="")
    #: The year it is due by, when the sentence says one.
    year: Mapped[int | None]
    #: The words it was read from (or as typed by the secretariat).
    phrase: Mapped[str] = mapped_column(sa.String(500), default="")

    def as_target(self) -> Target:
        """Return the pure form (label, comparison)."""
        return Target(what=self.what, comparator=self.comparator, value=self.value, unit=self.unit, year=self.year,
                      phrase=self.phrase)

    @property
    def label(self) -> str:
        return self.as_target().label


class PlanTarget(_TargetFields, Base):
    """A published target of a plan (``task_id`` None) or of one of its tasks."""

    __tablename__ = "plan_targets"
    __table_args__ = (sa.UniqueConstraint("plan_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(sa.ForeignKey("plans.id"), index=True)
    #: The task the target measures; None for a target of the whole plan.
    task_id: Mapped[int | None] = mapped_column(sa.ForeignKey("tasks.id"), index=True)
    #: Order on pages and in the export (the document's reading order).
    position: Mapped[int]
    created_at: Mapped[dt.datetime]

    plan: Mapped[Plan] = relationship()
    task: Mapped[Task | None] = relationship()

    def __repr__(self) -> str:
        return f"<PlanTarget {self.plan_id}/{self.position} {self.what}>"


class TargetValue(Base):
    """One value a unit reported for a target (with a progress report, or through the API). Never updated."""

    __tablename__ = "target_values"
    __table_args__ = (sa.Index("ix_target_values_target_unit", "target_id", "unit_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    target_id: Mapped[int] = mapped_column(sa.ForeignKey("plan_targets.id"))
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"), index=True)
    #: The progress report the value came with.
    progress_report_id: Mapped[int | None] = mapped_column(sa.ForeignKey("progress_reports.id"), index=True)
    value: Mapped[Decimal] = mapped_column(TARGET_NUMBER)
    reported_at: Mapped[dt.datetime]
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)

    target: Mapped[PlanTarget] = relationship()
    unit: Mapped[Unit] = relationship()
    author: Mapped[User] = relationship()


class PlanImportTarget(_TargetFields, Base):
    """A target offered on a draft's review page: found in its text, or typed; kept or removed before publishing."""

    __tablename__ = "plan_import_targets"
    __table_args__ = (sa.UniqueConstraint("import_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    import_id: Mapped[int] = mapped_column(sa.ForeignKey("plan_imports.id", ondelete="CASCADE"), index=True)
    #: The draft row (task) it measures; None for the whole plan. A deleted row leaves its targets to the plan.
    row_id: Mapped[int | None] = mapped_column(sa.ForeignKey("plan_import_rows.id", ondelete="SET NULL"), index=True)
    position: Mapped[int]
    #: Where it came from: 正文 (the preamble), 任务N (a row's text) or 手工 (typed on the review page).
    source: Mapped[str] = mapped_column(sa.String(20))
    #: Removed targets stay listed (and can be kept again); only kept ones are published.
    is_kept: Mapped[bool] = mapped_column(default=True)

    plan_import: Mapped[PlanImport] = relationship()
    row: Mapped[PlanImportRow | None] = relationship()
