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


class DataVersionScope(Base):
    """The version of one scope of the data (``plan:7``, ``unit:12``, ``tree:3``): bumped instead of the global one
    by a write that touches only what those scopes cover (tasktrack/cache_scopes.py). A scope never bumped has no
    row and counts as 0."""

    __tablename__ = "data_version_scopes"

    scope: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    value: Mapped[int] = mapped_column(sa.BigInteger, default=0)
