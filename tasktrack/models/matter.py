"""交办事项 (assigned matters) and 联络员会议 (liaison meetings).

A matter is a task of its work group's yearly matters container (``Plan.kind == "matters"``) plus what a plan task
lacks: its source, the reference (meeting, 文号 or instruction text) and the meeting it came from. Its assignments,
reports, lights, review, extensions and reminders are the task's, unchanged. A meeting records who was invited and
who came (attendance is recorded, never ranked), its minutes and files; its decisions (议定事项) are matters whose
``meeting_id`` points back to it.
"""

from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tasktrack.models.base import Base, str_enum
from tasktrack.models.plan import Task
from tasktrack.models.unit import Unit
from tasktrack.models.user import User


class MatterSource(enum.StrEnum):
    """Where a matter comes from."""

    MEETING = "meeting"  # 会议议定
    INSTRUCTION = "instruction"  # 领导批示
    HIGHER = "higher"  # 上级交办
    OTHER = "other"  # 其他

    @property
    def label(self) -> str:
        """Return the Chinese name shown in the UI (also the title of the container's section)."""
        return MATTER_SOURCE_LABELS[self]


MATTER_SOURCE_LABELS = {
    MatterSource.MEETING: "会议议定",
    MatterSource.INSTRUCTION: "领导批示",
    MatterSource.HIGHER: "上级交办",
    MatterSource.OTHER: "其他",
}


class Meeting(Base):
    """A 联络员会议 of a work group."""

    __tablename__ = "meetings"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The work group that holds the meeting (its secretariat records it; its units are invited).
    work_group_id: Mapped[int] = mapped_column(sa.ForeignKey("work_groups.id"), index=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    held_on: Mapped[dt.date]
    place: Mapped[str] = mapped_column(sa.String(200), default="")
    agenda: Mapped[str] = mapped_column(sa.Text, default="")
    #: 会议纪要, as written (empty until recorded).
    minutes: Mapped[str] = mapped_column(sa.Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    created_at: Mapped[dt.datetime]
    updated_at: Mapped[dt.datetime]

    units: Mapped[list[MeetingUnit]] = relationship(back_populates="meeting", order_by="MeetingUnit.id",
                                                    cascade="all, delete-orphan")
    matters: Mapped[list[Matter]] = relationship(back_populates="meeting", order_by="Matter.id")
    created_by: Mapped[User | None] = relationship()

    @property
    def invited(self) -> list[Unit]:
        return [m.unit for m in self.units if m.is_invited]

    @property
    def present(self) -> list[Unit]:
        return [m.unit for m in self.units if m.is_present]

    def __repr__(self) -> str:
        return f"<Meeting {self.id} {self.held_on} {self.title}>"


class MeetingUnit(Base):
    """One unit at a meeting: invited (the notice goes to it) and whether it was present."""

    __tablename__ = "meeting_units"
    __table_args__ = (sa.UniqueConstraint("meeting_id", "unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meetings.id"), index=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"), index=True)
    is_invited: Mapped[bool] = mapped_column(default=True)
    is_present: Mapped[bool] = mapped_column(default=False)

    meeting: Mapped[Meeting] = relationship(back_populates="units")
    unit: Mapped[Unit] = relationship()


class Matter(Base):
    """A 交办事项: a task of the matters container, with its source and reference."""

    __tablename__ = "matters"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(sa.ForeignKey("tasks.id"), unique=True)
    #: The container plan's work group (kept here so lists filter without joining the plan).
    work_group_id: Mapped[int] = mapped_column(sa.ForeignKey("work_groups.id"), index=True)
    source: Mapped[MatterSource] = mapped_column(str_enum(MatterSource, 16))
    #: The meeting's name, the 文号 or the instruction text, as written.
    reference: Mapped[str] = mapped_column(sa.String(500), default="")
    #: The meeting whose decision (议定事项) this is.
    meeting_id: Mapped[int | None] = mapped_column(sa.ForeignKey("meetings.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    created_at: Mapped[dt.datetime]

    task: Mapped[Task] = relationship()
    meeting: Mapped[Meeting | None] = relationship(back_populates="matters")
    created_by: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<Matter {self.id} task={self.task_id}>"
