"""Sign-in: password check with login throttling shared by all workers (R19, R20)."""

from __future__ import annotations

import datetime as dt
import logging
import math
from dataclasses import dataclass

import sqlalchemy as sa

from tasktrack.extensions import db
from tasktrack.models import LoginThrottle, User
from tasktrack.passwords import DUMMY_HASH, verify_password
from tasktrack.services.audit import record

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class LoginResult:
    """The outcome of a sign-in attempt."""

    user: User | None
    #: Chinese message when refused.
    error: str | None = None
    #: Seconds to wait before the next attempt, when throttled.
    retry_after: int = 0


def _keys(email: str, address: str | None) -> list[str]:
    keys = [f"account:{email.strip().lower()}"[:300]]
    if address:
        keys.append(f"ip:{address}"[:300])
    return keys


def _throttle_rows(keys: list[str]) -> dict[str, LoginThrottle]:
    rows = db.session.scalars(sa.select(LoginThrottle).where(LoginThrottle.key.in_(keys)))
    return {row.key: row for row in rows}


def delay_for(failures: int, *, free_attempts: int, max_delay: int) -> int:
    """Return the wait in seconds after ``failures`` consecutive failures (progressive, capped)."""
    if failures < free_attempts:
        return 0
    return min(max_delay, 2 ** min(failures - free_attempts + 1, 30))


def authenticate(
    email: str,
    password: str,
    *,
    address: str | None,
    now: dt.datetime,
    free_attempts: int,
    max_delay: int,
    fast_hash: bool = False,
) -> LoginResult:
    """Check an e-mail and password; count failures per account and per address and slow them down."""
    keys = _keys(email, address)
    rows = _throttle_rows(keys)
    blocked = [r.blocked_until for r in rows.values() if r.blocked_until and r.blocked_until > now]
    if blocked:
        wait = max(1, math.ceil((max(blocked) - now).total_seconds()))
        logger.warning("login throttled for %s from %s (%s s)", email, address, wait)
        return LoginResult(None, f"登录失败次数过多，请 {wait} 秒后再试", retry_after=wait)

    user = db.session.scalar(sa.select(User).where(User.email == email.strip().lower()))
    ok, new_hash = verify_password(user.password_hash if user else DUMMY_HASH, password, fast=fast_hash)
    if user is not None and ok and user.is_active:
        if new_hash:
            user.password_hash = new_hash
        user.last_login_at = now
        account_row = rows.get(keys[0])
        if account_row is not None:
            account_row.failures, account_row.blocked_until = 0, None
        record(user, "user.login", user, now=now, summary=f"{user.email} 登录（{address or '-'}）")
        logger.info("login ok for %s from %s", user.email, address)
        return LoginResult(user)

    for key in keys:
        row = rows.get(key)
        if row is None:
            row = LoginThrottle(key=key, failures=0)
            db.session.add(row)
        row.failures += 1
        row.last_failure_at = now
        wait = delay_for(row.failures, free_attempts=free_attempts, max_delay=max_delay)
        row.blocked_until = now + dt.timedelta(seconds=wait) if wait else None
    db.session.flush()
    reason = "inactive" if (user is not None and ok) else "bad credentials"
    logger.warning("login failed for %s from %s: %s", email, address, reason)
    if user is not None and ok and not user.is_active:
        return LoginResult(None, "该账号已停用，请联系专班办公室")
    return LoginResult(None, "邮箱或密码不正确")
