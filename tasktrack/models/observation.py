"""Observation points: focus items (工作要求（三）), their choices (versioned), reopenings and pilot logs."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tasktrack.models.base import Base
from tasktrack.models.unit import Unit
from tasktrack.models.user import User


class FocusItem(Base):
    """One of the four focus items an observation point may choose."""

    __tablename__ = "focus_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(50), unique=True)
    #: As written in the plan, e.g. 清理优化“评比表彰”活动
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    sort_order: Mapped[int] = mapped_column(default=0)


class FocusChoice(Base):
    """One saved version of an observation point's focus choice for a plan (history: never updated but
    ``is_current``, which moves to the newest version)."""

    __tablename__ = "focus_choices"
    __table_args__ = (
        sa.UniqueConstraint("plan_id", "unit_id", "version"),
        sa.Index("ix_focus_choices_current", "plan_id", "is_current"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(sa.ForeignKey("plans.id"), index=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"), index=True)
    #: 1, 2, 3… per (plan, unit).
    version: Mapped[int]
    #: Only the newest version of a unit is current; older ones are the history.
    is_current: Mapped[bool] = mapped_column(default=True)
    #: Saved after the plan's choice deadline (while the secretariat had reopened it).
    is_late: Mapped[bool] = mapped_column(default=False)
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    created_at: Mapped[dt.datetime]

    items: Mapped[list[FocusChoiceItem]] = relationship(
        back_populates="choice", order_by="FocusChoiceItem.id", cascade="all, delete-orphan"
    )
    unit: Mapped[Unit] = relationship()
    created_by: Mapped[User] = relationship()


class FocusChoiceItem(Base):
    """One chosen focus item within a choice version, with the unit's short plan for it."""

    __tablename__ = "focus_choice_items"
    __table_args__ = (sa.UniqueConstraint("choice_id", "focus_item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    choice_id: Mapped[int] = mapped_column(sa.ForeignKey("focus_choices.id"), index=True)
    focus_item_id: Mapped[int] = mapped_column(sa.ForeignKey("focus_items.id"), index=True)
    #: 试点计划: what the unit means to try on this item.
    plan_text: Mapped[str] = mapped_column(sa.Text)

    choice: Mapped[FocusChoice] = relationship(back_populates="items")
    focus_item: Mapped[FocusItem] = relationship()


class FocusReopen(Base):
    """The secretariat reopened a unit's locked choice; the unit's next saved choice uses it up."""

    __tablename__ = "focus_reopens"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(sa.ForeignKey("plans.id"), index=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"), index=True)
    reason: Mapped[str] = mapped_column(sa.String(500), default="")
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    created_at: Mapped[dt.datetime]
    #: Set when the unit saved a choice with it (or the secretariat locked it again).
    used_at: Mapped[dt.datetime | None]


class PilotLog(Base):
    """A dated note on the progress of trying out one chosen focus item (试点进展)."""

    __tablename__ = "pilot_logs"
    __table_args__ = (sa.Index("ix_pilot_logs_unit_item", "plan_id", "unit_id", "focus_item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(sa.ForeignKey("plans.id"))
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"), index=True)
    focus_item_id: Mapped[int] = mapped_column(sa.ForeignKey("focus_items.id"), index=True)
    #: The day the note is about.
    log_date: Mapped[dt.date]
    note: Mapped[str] = mapped_column(sa.Text)
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    created_at: Mapped[dt.datetime]

    focus_item: Mapped[FocusItem] = relationship()
    author: Mapped[User] = relationship()
