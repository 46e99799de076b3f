"""Observation points' focus items (工作要求（三）)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from tasktrack.models.base import Base


class FocusItem(Base):
    """One of the four focus items an observation point may choose."""

    __tablename__ = "focus_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(50), unique=True)
    #: As written in the plan, e.g. 清理优化“评比表彰”活动
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    sort_order: Mapped[int] = mapped_column(default=0)
