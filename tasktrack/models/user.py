"""Users, their API tokens, and login throttling state."""

from __future__ import annotations

import datetime as dt
import enum
import secrets
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tasktrack.models.base import Base, str_enum

if TYPE_CHECKING:
    from tasktrack.models.unit import Unit
    from tasktrack.models.work_group import WorkGroup


class Role(enum.StrEnum):
    """What a user may do (DESIGN §1)."""

    SECRETARIAT = "secretariat"
    LIAISON = "liaison"
    OBSERVATION_POINT = "observation_point"
    VIEWER = "viewer"

    @property
    def label(self) -> str:
        """Return the Chinese name shown in the UI."""
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.SECRETARIAT: "专班办公室",
    Role.LIAISON: "联络员",
    Role.OBSERVATION_POINT: "观察点",
    Role.VIEWER: "只读用户",
}

#: Roles that act for one unit and must be bound to it.
UNIT_ROLES = frozenset({Role.LIAISON, Role.OBSERVATION_POINT})


def new_session_token() -> str:
    """Return a fresh random session token."""
    return secrets.token_hex(16)


class User(Base):
    """A person who signs in."""

    __tablename__ = "users"
    __table_args__ = (
        sa.CheckConstraint(
            "role NOT IN ('liaison', 'observation_point') OR unit_id IS NOT NULL", name="unit_role_has_unit"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Login name; stored lower-case.
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    #: Display name (Chinese).
    name: Mapped[str] = mapped_column(sa.String(100))
    #: Argon2id hash.
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    role: Mapped[Role] = mapped_column(str_enum(Role))
    #: The work group (工作专班) the user works in: a secretariat administers it, a viewer reads it; a liaison's or
    #: observation point's is its unit's. Every user reads their own work group and the ones below it.
    work_group_id: Mapped[int] = mapped_column(sa.ForeignKey("work_groups.id"), index=True)
    #: The unit a liaison or observation point acts for.
    unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("units.id"), index=True)
    #: Phone number, shown to the secretariat.
    phone: Mapped[str | None] = mapped_column(sa.String(40))
    #: The person's own DingTalk group-robot webhook: their weekly digest goes there too (pages mask its token).
    dingtalk_webhook: Mapped[str | None] = mapped_column(sa.String(500))
    #: The robot's signing secret, encrypted with a key derived from SECRET_KEY (tasktrack/dingtalk.py); never shown.
    dingtalk_secret: Mapped[str | None] = mapped_column(sa.String(400))
    is_active: Mapped[bool] = mapped_column(default=True)
    #: Part of the login cookie; rotating it logs out every session and remember-me cookie (R9).
    session_token: Mapped[str] = mapped_column(sa.String(64), default=new_session_token)
    created_at: Mapped[dt.datetime]
    last_login_at: Mapped[dt.datetime | None]
    password_changed_at: Mapped[dt.datetime | None]

    unit: Mapped[Unit | None] = relationship(lazy="joined", innerjoin=False)
    work_group: Mapped[WorkGroup] = relationship()

    # -- Flask-Login protocol -------------------------------------------------------------
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        """Return the cookie identity: the id plus the current session token."""
        return f"{self.id}:{self.session_token}"

    @property
    def role_label(self) -> str:
        return self.role.label

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email} {self.role.value}>"


class ApiToken(Base):
    """A bearer token for the JSON API; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    #: Hex SHA-256 of the token.
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    #: First characters of the token, to tell tokens apart in the UI.
    prefix: Mapped[str] = mapped_column(sa.String(12))
    created_at: Mapped[dt.datetime]
    last_used_at: Mapped[dt.datetime | None]
    revoked_at: Mapped[dt.datetime | None]

    user: Mapped[User] = relationship()


class LoginThrottle(Base):
    """A login-attempt counter shared by all workers (R19; README "Login throttling").

    Keys: ``account:<email>`` and ``pair:<email>|<address>`` count attempts not yet followed by a success
    and gate the next attempt (``blocked_until``); ``ip:<address>`` counts the failures of an address in a
    window and only loosens or tightens the per-pair allowance (services/auth.py).
    """

    __tablename__ = "login_throttles"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: "account:<email>", "pair:<email>|<address>" or "ip:<address>".
    key: Mapped[str] = mapped_column(sa.String(300), unique=True)
    #: Attempts counted since the last success (account, pair) or failures in the window (address).
    failures: Mapped[int] = mapped_column(default=0)
    #: The last counted attempt; rows quiet for a day are forgotten.
    last_failure_at: Mapped[dt.datetime | None] = mapped_column(index=True)
    #: No attempt is checked before this instant.
    blocked_until: Mapped[dt.datetime | None]
    #: Start of an address's counting window (address rows only).
    window_started_at: Mapped[dt.datetime | None]
