"""Case reports (正负面典型案例、经验做法): every submitted version kept, reviews recorded."""

from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tasktrack.models.attachment import Attachment
from tasktrack.models.base import Base, str_enum
from tasktrack.models.observation import FocusItem
from tasktrack.models.plan import Plan, Task
from tasktrack.models.unit import Unit
from tasktrack.models.user import User


class CaseKind(enum.StrEnum):
    """What a case report is."""

    POSITIVE = "positive"
    NEGATIVE = "negative"
    PRACTICE = "practice"

    @property
    def label(self) -> str:
        """Return the Chinese name shown in the UI."""
        return CASE_KIND_LABELS[self]


CASE_KIND_LABELS = {
    CaseKind.POSITIVE: "正面典型案例",
    CaseKind.NEGATIVE: "负面典型案例",
    CaseKind.PRACTICE: "经验做法",
}


class CaseStatus(enum.StrEnum):
    """Where a case report stands in review: submitted → accepted / returned → featured."""

    SUBMITTED = "submitted"
    RETURNED = "returned"
    ACCEPTED = "accepted"
    FEATURED = "featured"

    @property
    def label(self) -> str:
        """Return the Chinese name shown in the UI."""
        return CASE_STATUS_LABELS[self]


CASE_STATUS_LABELS = {
    CaseStatus.SUBMITTED: "待审核",
    CaseStatus.RETURNED: "已退回修改",
    CaseStatus.ACCEPTED: "已采用",
    CaseStatus.FEATURED: "入选汇编",
}


class CaseReport(Base):
    """A unit's case report. The text columns mirror the latest version (for search and lists);
    ``CaseVersion`` rows keep every submitted text."""

    __tablename__ = "case_reports"
    __table_args__ = (
        sa.Index("ix_case_reports_plan_status", "plan_id", "status"),
        sa.CheckConstraint("(status = 'featured') = (feature_order IS NOT NULL)", name="featured_has_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(sa.ForeignKey("plans.id"))
    #: The plan's year, kept here for the library's year filter.
    year: Mapped[int] = mapped_column(index=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"), index=True)
    kind: Mapped[CaseKind] = mapped_column(str_enum(CaseKind))
    title: Mapped[str] = mapped_column(sa.String(200))
    summary: Mapped[str] = mapped_column(sa.Text)
    body: Mapped[str] = mapped_column(sa.Text)
    task_id: Mapped[int | None] = mapped_column(sa.ForeignKey("tasks.id"), index=True)
    focus_item_id: Mapped[int | None] = mapped_column(sa.ForeignKey("focus_items.id"), index=True)
    status: Mapped[CaseStatus] = mapped_column(str_enum(CaseStatus), default=CaseStatus.SUBMITTED)
    #: Position in the year's compilation (1 = first chapter); set only while featured.
    feature_order: Mapped[int | None]
    #: The number of the latest version.
    version: Mapped[int] = mapped_column(default=1)
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    created_at: Mapped[dt.datetime]
    #: When the latest version was submitted.
    submitted_at: Mapped[dt.datetime]

    plan: Mapped[Plan] = relationship()
    unit: Mapped[Unit] = relationship()
    task: Mapped[Task | None] = relationship()
    focus_item: Mapped[FocusItem | None] = relationship()
    created_by: Mapped[User] = relationship()
    versions: Mapped[list[CaseVersion]] = relationship(
        back_populates="case", order_by="CaseVersion.number", cascade="all, delete-orphan"
    )
    reviews: Mapped[list[CaseReview]] = relationship(
        back_populates="case", order_by="CaseReview.id", cascade="all, delete-orphan"
    )


class CaseVersion(Base):
    """One submitted text of a case report; never updated."""

    __tablename__ = "case_versions"
    __table_args__ = (sa.UniqueConstraint("case_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("case_reports.id"), index=True)
    number: Mapped[int]
    kind: Mapped[CaseKind] = mapped_column(str_enum(CaseKind))
    title: Mapped[str] = mapped_column(sa.String(200))
    summary: Mapped[str] = mapped_column(sa.Text)
    body: Mapped[str] = mapped_column(sa.Text)
    task_id: Mapped[int | None] = mapped_column(sa.ForeignKey("tasks.id"))
    focus_item_id: Mapped[int | None] = mapped_column(sa.ForeignKey("focus_items.id"))
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    created_at: Mapped[dt.datetime]

    case: Mapped[CaseReport] = relationship(back_populates="versions")
    author: Mapped[User] = relationship()
    #: The files this version carries: its own uploads and the earlier ones the unit kept.
    files: Mapped[list[Attachment]] = relationship(secondary="case_version_files", order_by="Attachment.id",
                                                   viewonly=True)


class CaseVersionFile(Base):
    """A file carried by a case version. Readers of a case see the files of its current (accepted) version
    only; a file an earlier version carried is for the unit and the secretariat (permissions.py)."""

    __tablename__ = "case_version_files"

    version_id: Mapped[int] = mapped_column(sa.ForeignKey("case_versions.id"), primary_key=True)
    attachment_id: Mapped[int] = mapped_column(sa.ForeignKey("attachments.id"), primary_key=True, index=True)


class CaseReview(Base):
    """A review decision of the secretariat on one version: accept, return (with comment) or feature."""

    __tablename__ = "case_reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("case_reports.id"), index=True)
    #: The version number the decision was about.
    version: Mapped[int]
    action: Mapped[str] = mapped_column(sa.String(20))
    comment: Mapped[str] = mapped_column(sa.Text, default="")
    actor_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    created_at: Mapped[dt.datetime]

    case: Mapped[CaseReport] = relationship(back_populates="reviews")
    actor: Mapped[User] = relationship()

    @property
    def action_label(self) -> str:
        """Return the decision in Chinese."""
        return {"accept": "采用", "return": "退回修改", "feature": "入选汇编", "unfeature": "移出汇编"}.get(
            self.action, self.action)
