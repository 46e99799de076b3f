"""The data version behind the render cache (tasktrack/cache.py): one row, bumped by every writing transaction."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from tasktrack.models.base import Base


class DataVersion(Base):
    """A counter that every transaction that writes increments; cached pages are keyed by it."""

    __tablename__ = "data_version"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    value: Mapped[int] = mapped_column(sa.BigInteger, default=0)
