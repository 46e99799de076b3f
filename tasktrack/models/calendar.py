"""Secret calendar-feed addresses: one per user, only the token's SHA-256 is stored."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tasktrack.models.base import Base
from tasktrack.models.user import User


class CalendarToken(Base):
    """The secret in a user's iCalendar feed URL; regenerating it replaces the row's hash."""

    __tablename__ = "calendar_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: One feed address per user.
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), unique=True)
    #: Hex SHA-256 of the token in the URL.
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[dt.datetime]
    #: Last time a calendar client fetched the feed.
    last_used_at: Mapped[dt.datetime | None]

    user: Mapped[User] = relationship()
