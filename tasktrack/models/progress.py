"""Progress reports: append-only; the latest one gives the assignment's state."""

from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tasktrack.models.base import Base, str_enum
from tasktrack.models.plan import Assignment, AssignmentStatus
from tasktrack.models.user import User


class ProgressReport(Base):
    """One report by a liaison on an assignment. Never updated: a correction is a new row."""

    __tablename__ = "progress_reports"
    __table_args__ = (
        sa.CheckConstraint("percent IS NULL OR (percent >= 0 AND percent <= 100)", name="percent_range"),
        sa.CheckConstraint("status <> 'completed' OR completed_on IS NOT NULL", name="completed_has_date"),
        sa.Index("ix_progress_reports_assignment_created", "assignment_id", "created_at"),
        # The latest reports of a whole plan (dashboard 最近进展): walked newest first, no sort of every report.
        sa.Index("ix_progress_reports_created_id", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(sa.ForeignKey("assignments.id"))
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    created_at: Mapped[dt.datetime]
    status: Mapped[AssignmentStatus] = mapped_column(str_enum(AssignmentStatus))
    percent: Mapped[int | None]
    completed_on: Mapped[dt.date | None]
    narrative: Mapped[str] = mapped_column(sa.Text)
    #: The earlier report this one corrects (a new version of it), if any.
    supersedes_id: Mapped[int | None] = mapped_column(sa.ForeignKey("progress_reports.id"))
    #: The latest report when the form was opened; a newer one by then means the form was stale.
    base_report_id: Mapped[int | None] = mapped_column(sa.ForeignKey("progress_reports.id"))
    #: Why a completed assignment was reopened, or why a report was corrected.
    reason: Mapped[str | None] = mapped_column(sa.Text)

    assignment: Mapped[Assignment] = relationship(back_populates="reports", foreign_keys=[assignment_id])
    author: Mapped[User] = relationship(foreign_keys=[author_id])


class ExtensionStatus(enum.StrEnum):
    """Where an extension request (延期申请) stands."""

    PENDING = "pending"
    APPROVED = "approved"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"


class ExtensionRequest(Base):
    """A unit asks for a later due date on an assignment; the secretariat decides."""

    __tablename__ = "extension_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(sa.ForeignKey("assignments.id"), index=True)
    requested_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    created_at: Mapped[dt.datetime]
    #: The due date in force when asked.
    current_due: Mapped[dt.date | None]
    requested_due: Mapped[dt.date]
    reason: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[ExtensionStatus] = mapped_column(str_enum(ExtensionStatus), default=ExtensionStatus.PENDING)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    decided_at: Mapped[dt.datetime | None]
    decision_note: Mapped[str | None] = mapped_column(sa.Text)

    assignment: Mapped[Assignment] = relationship()
    requested_by: Mapped[User] = relationship(foreign_keys=[requested_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])


class SupervisionKind(enum.StrEnum):
    """Supervision actions that matter and are kept as records (DESIGN §4a)."""

    URGE = "urge"  # 催办
    CONFIRM = "confirm"  # 办结 (completion confirmed)
    SEND_BACK = "send_back"  # 退回 (claimed completion sent back)
    SUPERVISION_NOTICE = "supervision_notice"  # 督办
    REOPEN = "reopen"  # a completed assignment reopened: by its unit (a claim), by the secretariat (办结)


class SupervisionRecord(Base):
    """One supervision action on an assignment: who, when, what was said."""

    __tablename__ = "supervision_records"
    __table_args__ = (sa.Index("ix_supervision_records_assignment_created", "assignment_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(sa.ForeignKey("assignments.id"))
    kind: Mapped[SupervisionKind] = mapped_column(str_enum(SupervisionKind))
    #: None when the system acted (an automatic supervision notice).
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    created_at: Mapped[dt.datetime]
    note: Mapped[str | None] = mapped_column(sa.Text)
    #: The report this action is about (the claimed completion confirmed or sent back), if any.
    report_id: Mapped[int | None] = mapped_column(sa.ForeignKey("progress_reports.id"))

    assignment: Mapped[Assignment] = relationship()
    actor: Mapped[User | None] = relationship()
