"""Uploaded files (evidence, case reports, pilot logs): metadata here, bytes in tasktrack.uploads.storage."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tasktrack.models.base import Base
from tasktrack.models.user import User


class Attachment(Base):
    """One stored file, owned by one object (``owner_type`` + ``owner_id``)."""

    __tablename__ = "attachments"
    __table_args__ = (
        sa.Index("ix_attachments_owner", "owner_type", "owner_id"),
        sa.CheckConstraint("size >= 0", name="size_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: What the file belongs to: "progress_report", "case_report", "pilot_log", …
    owner_type: Mapped[str] = mapped_column(sa.String(40))
    owner_id: Mapped[int]
    #: The name the user gave the file (Chinese kept), shown and used for downloads only.
    original_name: Mapped[str] = mapped_column(sa.String(255))
    #: Random storage key (tasktrack.uploads.storage); never derived from user text.
    storage_key: Mapped[str] = mapped_column(sa.String(80), unique=True)
    #: Decided from the content, never from the client.
    content_type: Mapped[str] = mapped_column(sa.String(120))
    kind: Mapped[str] = mapped_column(sa.String(16))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(sa.String(64))
    uploaded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    uploaded_at: Mapped[dt.datetime]

    uploaded_by: Mapped[User] = relationship()

    @property
    def size_label(self) -> str:
        """Return the size for people: 12 KB, 3.4 MB."""
        if self.size < 1024 * 1024:
            return f"{max(1, round(self.size / 1024))} KB"
        return f"{self.size / 1024 / 1024:.1f} MB"
