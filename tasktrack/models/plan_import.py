"""Plan imports: a received document read into a draft plan that no unit sees, reviewed row by row, then published.

A draft keeps the phrases as written; their readings and problems are computed afresh from the work group's names
each time (``tasktrack.domain.plan_review``), so creating a unit or mapping a name on the review page clears every
row it fixes. Publishing creates the plan, its tasks and assignments in one transaction and keeps the source file.
"""

from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tasktrack.models.base import Base, str_enum
from tasktrack.models.plan import Plan
from tasktrack.models.work_group import WorkGroup


class ImportStatus(enum.StrEnum):
    """Where a plan import stands."""

    DRAFT = "draft"
    PUBLISHED = "published"
    DISCARDED = "discarded"

    @property
    def label(self) -> str:
        """Return the Chinese name shown in the UI."""
        return {"draft": "草稿", "published": "已发布", "discarded": "已放弃"}[self.value]


class PlanImport(Base):
    """One received document and the draft plan read from it."""

    __tablename__ = "plan_imports"
    __table_args__ = (sa.Index("ix_plan_imports_group_hash", "work_group_id", "source_sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    work_group_id: Mapped[int] = mapped_column(sa.ForeignKey("work_groups.id"), index=True)
    status: Mapped[ImportStatus] = mapped_column(str_enum(ImportStatus), default=ImportStatus.DRAFT)
    title: Mapped[str] = mapped_column(sa.String(200))
    year: Mapped[int]
    end_year: Mapped[int | None]
    issuer: Mapped[str] = mapped_column(sa.String(200), default="")
    document_number: Mapped[str] = mapped_column(sa.String(200), default="")
    issued_on: Mapped[dt.date | None]
    addressees: Mapped[str] = mapped_column(sa.String(500), default="")
    context: Mapped[str] = mapped_column(sa.Text, default="")
    #: The member units listed in the document's attachment (附件2), one per line, offered for creation.
    member_units: Mapped[str] = mapped_column(sa.Text, default="")
    #: What the reader decided (找到任务表：17行 …), one sentence per line.
    notes: Mapped[str] = mapped_column(sa.Text, default="")
    #: The layout found: table / numbered / prose.
    layout: Mapped[str] = mapped_column(sa.String(20), default="")
    report_period_months: Mapped[int] = mapped_column(default=3)
    # The source document, stored as received.
    source_name: Mapped[str] = mapped_column(sa.String(255))
    source_format: Mapped[str] = mapped_column(sa.String(10))
    source_size: Mapped[int]
    source_sha256: Mapped[str] = mapped_column(sa.String(64))
    source_key: Mapped[str] = mapped_column(sa.String(300))
    plan_id: Mapped[int | None] = mapped_column(sa.ForeignKey("plans.id"), index=True)
    #: The plan this draft was copied from (新建年度计划): the published plan's 结转 lists that plan's unfinished work.
    derived_from_id: Mapped[int | None] = mapped_column(sa.ForeignKey("plans.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[dt.datetime]
    updated_at: Mapped[dt.datetime]
    #: Raised by every edit; a form carries the version it was read at, so two editors cannot overwrite each other.
    version: Mapped[int] = mapped_column(default=1)

    work_group: Mapped[WorkGroup] = relationship()
    plan: Mapped[Plan | None] = relationship(foreign_keys=[plan_id])
    derived_from: Mapped[Plan | None] = relationship(foreign_keys=[derived_from_id])
    rows: Mapped[list[PlanImportRow]] = relationship(
        back_populates="plan_import", order_by="PlanImportRow.position", cascade="all, delete-orphan"
    )

    @property
    def last_year(self) -> int:
        return self.end_year or self.year

    @property
    def period(self) -> tuple[int, int]:
        return (self.year, self.last_year)


class PlanImportRow(Base):
    """One task of a draft, as written (phrases unparsed: their readings are computed when shown)."""

    __tablename__ = "plan_import_rows"
    __table_args__ = (sa.UniqueConstraint("import_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    import_id: Mapped[int] = mapped_column(sa.ForeignKey("plan_imports.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    section_number: Mapped[int]
    section_title: Mapped[str] = mapped_column(sa.String(200))
    number: Mapped[int]
    text: Mapped[str] = mapped_column(sa.Text)
    deadline_phrase: Mapped[str] = mapped_column(sa.String(200), default="")
    responsible_phrase: Mapped[str] = mapped_column(sa.String(500), default="")
    #: 一是…二是… runs kept under their task, one per line.
    sub_items: Mapped[str] = mapped_column(sa.Text, default="")
    #: Where in the document the row came from (任务表第3行, 第12段).
    source: Mapped[str] = mapped_column(sa.String(100), default="")

    plan_import: Mapped[PlanImport] = relationship(back_populates="rows")
