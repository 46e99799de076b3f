"""Users: create, update, deactivate, passwords, API tokens."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
from dataclasses import dataclass

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from sqlalchemy.orm import joinedload

from tasktrack.extensions import db
from tasktrack.models import ApiToken, CalendarToken, Role, Unit, User, WorkGroup
from tasktrack.models.user import UNIT_ROLES, new_session_token
from tasktrack.passwords import hash_password, password_problem
from tasktrack.services import Conflict, ServiceError
from tasktrack.services.audit import record, snapshot
from tasktrack.services.inputs import clean_text, optional_text

logger = logging.getLogger(__name__)

USER_FIELDS = ("email", "name", "role", "work_group_id", "unit_id", "phone", "is_active")


def normalize_email(email: str) -> str:
    """Return the canonical (lower-case, validated) form of an e-mail; raise ServiceError if invalid."""
    try:
        result = validate_email(email.strip(), check_deliverability=False, test_environment=True)
    except EmailNotValidError as exc:
        raise ServiceError(f"邮箱地址格式不正确：{email.strip()}", field="email") from exc
    return result.normalized.lower()


def find_by_email(email: str) -> User | None:
    """Return the user with this e-mail, if any."""
    return db.session.scalar(sa.select(User).where(User.email == email.strip().lower()))


def _check_role_unit(role: Role, unit: Unit | None) -> None:
    if role in UNIT_ROLES and unit is None:
        raise ServiceError(f"角色“{role.label}”必须指定所属单位", field="unit")
    if role not in UNIT_ROLES and unit is not None:
        raise ServiceError(f"角色“{role.label}”不属于某个单位，请不要选择单位", field="unit")


def _work_group_for(actor: User | None, unit: Unit | None, work_group: WorkGroup | None,
                    now: dt.datetime) -> WorkGroup:
    """The new user's work group: their unit's; else the one named; else the actor's (a secretariat creates
    accounts in its own work group); else the provincial one (the CLI, the seed; created on an empty database)."""
    from tasktrack.services.work_groups import default_work_group

    if unit is not None:
        if work_group is not None and work_group.id != unit.work_group_id:
            raise ServiceError("所选单位不属于该工作专班", field="unit")
        return unit.work_group
    if work_group is not None:
        return work_group
    if actor is not None:
        return actor.work_group
    return default_work_group(now=now)


def create_user(
    *,
    actor: User | None,
    email: str,
    name: str,
    role: Role,
    unit: Unit | None,
    password: str,
    now: dt.datetime,
    fast_hash: bool = False,
    phone: str | None = None,
    demo_account: bool = False,
    work_group: WorkGroup | None = None,
) -> User:
    """Create a user; an existing e-mail, a weak password or a role without its unit is refused.

    The user joins ``work_group``, or their unit's, or the actor's (see ``_work_group_for``).
    ``demo_account`` is for `seed --demo` only: it lets the README's demo password through (passwords.py).
    """
    address = normalize_email(email)
    if find_by_email(address) is not None:
        raise Conflict(f"邮箱 {address} 已被其他账号使用", field="email")
    _check_role_unit(role, unit)
    group = _work_group_for(actor, unit, work_group, now)
    display_name = clean_text(name or address.split("@")[0], field="name", label="姓名", required=True, max_len=100)
    phone = optional_text(phone, field="phone", label="电话", max_len=40)
    problem = password_problem(password, email=address, name=display_name, demo_account=demo_account)
    if problem:
        raise ServiceError(problem, field="password")
    user = User(
        email=address,
        name=display_name,
        role=role,
        unit=unit,
        work_group=group,
        phone=(phone or None),
        password_hash=hash_password(password, fast=fast_hash),
        created_at=now,
        password_changed_at=now,
        is_active=True,
    )
    db.session.add(user)
    db.session.flush()
    record(actor, "user.create", user, now=now, summary=f"创建账号 {address}（{role.label}）",
           after=snapshot(user, USER_FIELDS))
    return user


def update_user(
    user: User,
    *,
    actor: User,
    name: str,
    role: Role,
    unit: Unit | None,
    phone: str | None,
    now: dt.datetime,
) -> User:
    """Change a user's name, role, unit or phone; a change of role or unit ends their sessions.

    A user with a unit follows it into its work group; one without keeps their work group.
    """
    _check_role_unit(role, unit)
    name = clean_text(name, field="name", label="姓名", required=True, max_len=100)
    phone = optional_text(phone, field="phone", label="电话", max_len=40)
    before = snapshot(user, USER_FIELDS)
    privileges_changed = user.role is not role or user.unit_id != (unit.id if unit else None)
    user.name, user.role, user.unit, user.phone = name, role, unit, phone
    if unit is not None:
        user.work_group = unit.work_group
    if privileges_changed:
        user.session_token = new_session_token()
    db.session.flush()
    record(actor, "user.update", user, now=now, summary=f"修改账号 {user.email}", before=before,
           after=snapshot(user, USER_FIELDS))
    return user


def set_active(user: User, *, actor: User, active: bool, now: dt.datetime) -> User:
    """Deactivate (ending every session) or reactivate a user."""
    if actor.id == user.id and not active:
        raise ServiceError("不能停用自己的账号")
    before = snapshot(user, USER_FIELDS)
    user.is_active = active
    user.session_token = new_session_token()
    if not active:
        for token in db.session.scalars(sa.select(ApiToken).where(ApiToken.user_id == user.id,
                                                                  ApiToken.revoked_at.is_(None))):
            token.revoked_at = now
    db.session.flush()
    record(actor, "user.activate" if active else "user.deactivate", user, now=now,
           summary=f"{'启用' if active else '停用'}账号 {user.email}", before=before,
           after=snapshot(user, USER_FIELDS))
    return user


@dataclass(frozen=True)
class PasswordChange:
    """What a new password ended besides the old password."""

    user: User
    #: API tokens revoked.
    tokens_revoked: int
    #: Whether the user's calendar feed address stopped working.
    calendar_revoked: bool


def revoke_credentials(user: User, *, now: dt.datetime) -> tuple[int, bool]:
    """Revoke a user's API tokens and calendar feed address; return (tokens revoked, feed revoked)."""
    tokens = list(db.session.scalars(sa.select(ApiToken).where(ApiToken.user_id == user.id,
                                                               ApiToken.revoked_at.is_(None))))
    for token in tokens:
        token.revoked_at = now
    feed = db.session.scalar(sa.select(CalendarToken).where(CalendarToken.user_id == user.id))
    if feed is not None:
        db.session.delete(feed)
    db.session.flush()
    return len(tokens), feed is not None


def set_password(
    user: User, *, actor: User | None, password: str, now: dt.datetime, fast_hash: bool = False
) -> PasswordChange:
    """Set a new password; end every session and remember-me cookie (R9) and revoke API tokens and the feed.

    A new password is what one does after a password may have leaked, so nothing that the old one could
    have obtained keeps working: other sessions, API tokens, the secret calendar address (it is made anew
    on the 日历订阅 page). The caller re-signs-in the session that made the change, if it is the user's own.
    """
    problem = password_problem(password, email=user.email, name=user.name)
    if problem:
        raise ServiceError(problem, field="password")
    user.password_hash = hash_password(password, fast=fast_hash)
    user.password_changed_at = now
    user.session_token = new_session_token()
    tokens, feed = revoke_credentials(user, now=now)
    by_self = actor is not None and actor.id == user.id
    ended = f"，吊销 API 令牌 {tokens} 个" + ("，日历订阅地址失效" if feed else "")
    record(actor, "user.password_change" if by_self else "user.password_reset", user, now=now,
           summary=f"{'修改' if by_self else '重置'}账号 {user.email} 的密码，其他登录已退出{ended}")
    logger.info("password %s for %s: %s tokens revoked, feed revoked: %s",
                "changed" if by_self else "reset", user.email, tokens, feed)
    return PasswordChange(user, tokens, feed)


def end_sessions(user: User, *, now: dt.datetime) -> None:
    """Invalidate all cookies of a user (logout everywhere)."""
    user.session_token = new_session_token()
    db.session.flush()
    record(user, "user.logout", user, now=now, summary=f"{user.email} 退出登录")


def token_hash(token: str) -> str:
    """Return the stored form of an API token."""
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(user: User, *, actor: User | None, now: dt.datetime) -> str:
    """Create a new API bearer token for a user and return it (only its hash is stored)."""
    if not user.is_active:
        raise ServiceError(f"账号 {user.email} 已停用，不能签发令牌")
    token = "tt_" + secrets.token_urlsafe(32)
    row = ApiToken(user=user, token_hash=token_hash(token), prefix=token[:10], created_at=now)
    db.session.add(row)
    db.session.flush()
    record(actor, "token.create", row, now=now, summary=f"为 {user.email} 签发 API 令牌 {row.prefix}…")
    return token


#: A token's "last used" time is written at most this often (each write is a write transaction on every call).
STAMP_EVERY = dt.timedelta(minutes=1)


def stamp_due(last_used_at: dt.datetime | None, now: dt.datetime) -> bool:
    """Return whether a token used ``now`` should have its last-use time written again."""
    return last_used_at is None or abs(now - last_used_at) >= STAMP_EVERY  # abs: a pinned day wraps at midnight


def active_token(token: str) -> ApiToken | None:
    """Return the unrevoked API token row of an active user for a bearer token, or None (reads only)."""
    row = db.session.scalar(
        sa.select(ApiToken).where(ApiToken.token_hash == token_hash(token), ApiToken.revoked_at.is_(None))
        .options(joinedload(ApiToken.user))
    )
    if row is None or not row.user.is_active:
        return None
    return row


def stamp_token(token_id: int, *, now: dt.datetime) -> None:
    """Record that an API token was used (no audit entry: it is a usage stamp, not a change)."""
    db.session.execute(sa.update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=now))


def list_users(work_group_id: int | None = None) -> list[User]:
    """Return the users (of one work group when given), secretariat first, then by unit and e-mail."""
    query = sa.select(User)
    if work_group_id is not None:
        query = query.where(User.work_group_id == work_group_id)
    return list(db.session.scalars(query.order_by(User.role, User.unit_id, User.email)))
