"""Units (member units, cities, counties, observation points) and their categories."""

from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tasktrack.models.base import Base, str_enum
from tasktrack.models.work_group import WorkGroup


class UnitKind(enum.StrEnum):
    """What kind of body a unit is."""

    MEMBER = "member"
    CITY = "city"
    COUNTY = "county"
    OBSERVATION_POINT = "observation_point"
    OTHER = "other"

    @property
    def label(self) -> str:
        """Return the Chinese name shown in the UI."""
        return UNIT_KIND_LABELS[self]


UNIT_KIND_LABELS = {
    UnitKind.MEMBER: "专班成员单位",
    UnitKind.CITY: "设区市",
    UnitKind.COUNTY: "县（市、区）",
    UnitKind.OBSERVATION_POINT: "观察点",
    UnitKind.OTHER: "其他",
}

unit_categories = sa.Table(
    "unit_categories",
    Base.metadata,
    sa.Column("unit_id", sa.ForeignKey("units.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("category_id", sa.ForeignKey("categories.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Category(Base):
    """A kind of responsible unit (责任单位类别) that a task may name instead of units."""

    __tablename__ = "categories"
    __table_args__ = (sa.UniqueConstraint("work_group_id", "name"), sa.UniqueConstraint("work_group_id", "code"))

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The work group whose plans may name this category.
    work_group_id: Mapped[int] = mapped_column(sa.ForeignKey("work_groups.id"), index=True)
    #: Canonical Chinese name, e.g. 业务主管单位.
    name: Mapped[str] = mapped_column(sa.String(100))
    #: ASCII slug, used in URLs and filters.
    code: Mapped[str] = mapped_column(sa.String(50))
    description: Mapped[str] = mapped_column(sa.String(300), default="")
    sort_order: Mapped[int] = mapped_column(default=0)

    units: Mapped[list[Unit]] = relationship(
        secondary=unit_categories, back_populates="categories", order_by="Unit.sort_order"
    )

    def __repr__(self) -> str:
        return f"<Category {self.name}>"


class Unit(Base):
    """A body that owns assignments and reports on them."""

    __tablename__ = "units"
    __table_args__ = (sa.UniqueConstraint("work_group_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The work group the unit is a member of; its plans resolve names among its own units only.
    work_group_id: Mapped[int] = mapped_column(sa.ForeignKey("work_groups.id"), index=True)
    #: Chinese name, unique within the work group.
    name: Mapped[str] = mapped_column(sa.String(100))
    kind: Mapped[UnitKind] = mapped_column(str_enum(UnitKind))
    #: Contact e-mail addresses, one per line; reminders go here and to the unit's liaisons.
    contact_emails: Mapped[str] = mapped_column(sa.Text, default="")
    #: The unit leader's e-mail, copied on supervision notices (督办).
    leader_email: Mapped[str | None] = mapped_column(sa.String(254))
    #: The unit's DingTalk (浙政钉) group-robot webhook: reminders and urging go there too (pages mask its token).
    dingtalk_webhook: Mapped[str | None] = mapped_column(sa.String(500))
    #: The robot's signing secret, encrypted with a key derived from SECRET_KEY (tasktrack/dingtalk.py); never shown.
    dingtalk_secret: Mapped[str | None] = mapped_column(sa.String(400))
    #: A unit of a higher work group that stands for a lower one (杭州市 in the provincial plan stands for
    #: 杭州市清廉社会组织建设工作专班): its assignments are that work group's 上级下达任务 (inbound tasks).
    represents_work_group_id: Mapped[int | None] = mapped_column(sa.ForeignKey("work_groups.id"), unique=True)
    #: For a county: the city it belongs to.
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("units.id"), index=True)
    #: Listing order (附件2 order for member units).
    sort_order: Mapped[int] = mapped_column(default=0)
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime]

    categories: Mapped[list[Category]] = relationship(
        secondary=unit_categories, back_populates="units", order_by="Category.sort_order"
    )
    parent: Mapped[Unit | None] = relationship(remote_side=[id])
    work_group: Mapped[WorkGroup] = relationship(foreign_keys=[work_group_id])
    represents: Mapped[WorkGroup | None] = relationship(foreign_keys=[represents_work_group_id])

    @property
    def emails(self) -> list[str]:
        """Return the contact e-mails as a list."""
        return split_emails(self.contact_emails)

    @property
    def category_names(self) -> list[str]:
        return [c.name for c in self.categories]

    def __repr__(self) -> str:
        return f"<Unit {self.name}>"


def split_emails(text: str | None) -> list[str]:
    """Split a free-form list of e-mails (newlines, commas, semicolons, spaces) into addresses."""
    if not text:
        return []
    for sep in ",;，；、\n\r\t":
        text = text.replace(sep, " ")
    seen: list[str] = []
    for part in text.split():
        address = part.strip().lower()
        if address and address not in seen:
            seen.append(address)
    return seen
