"""Progress reports: append-only; the latest one gives the assignment's state."""

from __future__ import annotations

import datetime as dt

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

    assignment: Mapped[Assignment] = relationship(back_populates="reports")
    author: Mapped[User] = relationship()
