"""The audit trail: every write records who did what to which object, with before/after."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tasktrack.models.base import Base
from tasktrack.models.unit import Unit
from tasktrack.models.user import User


class AuditEvent(Base):
    """One recorded write."""

    __tablename__ = "audit_events"
    __table_args__ = (
        sa.Index("ix_audit_events_object", "object_type", "object_id"),
        #: The log page filters by action (or an area's actions, a range of codes) and shows newest first.
        sa.Index("ix_audit_events_action_created", "action", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: None for the system (seed, scheduler).
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    #: The actor's unit when the event was recorded (people move between units; the trail must not).
    actor_unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("units.id"), index=True)
    #: Dotted verb, e.g. "user.create", "unit.update", "progress.report".
    action: Mapped[str] = mapped_column(sa.String(64))
    object_type: Mapped[str] = mapped_column(sa.String(64))
    object_id: Mapped[int | None]
    #: One Chinese line for people.
    summary: Mapped[str] = mapped_column(sa.String(500), default="")
    before: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    created_at: Mapped[dt.datetime] = mapped_column(index=True)

    actor: Mapped[User | None] = relationship()
    actor_unit: Mapped[Unit | None] = relationship()
