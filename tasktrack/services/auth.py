"""Sign-in: the password check behind a login throttle shared by all workers (R19, R20).

The policy (README "Login throttling") keeps guessing slow without letting anyone keep other people out:

* ``pair:<email>|<address>`` counts the attempts for one account from one address since its last success:
  ``LOGIN_FREE_ATTEMPTS`` go through at once, then each further attempt waits 2, 4, 8 … seconds (capped at
  ``LOGIN_MAX_DELAY_SECONDS``). This is what stops one source guessing one account.
* ``account:<email>`` counts the attempts for one account from anywhere, with a looser allowance
  (``LOGIN_ACCOUNT_FREE_ATTEMPTS``) and the same delays: many sources guessing one account are slowed too.
* ``ip:<address>`` counts the failures of an address in a window (``LOGIN_ADDRESS_WINDOW_MINUTES``). It never
  refuses anyone by itself: past ``LOGIN_ADDRESS_LIMIT`` failures it only takes away the free attempts of the
  pairs at that address (the first attempt for an account still goes through, the next waits 2 s, …), which
  slows one password sprayed over many accounts. A colleague behind the same NAT whose own account has no
  failures signs in at once, however hard someone next to them hammers another account.

A success clears its account's counter and its own pair's counter, nothing else; a counter with no attempt
for ``LOGIN_FORGET_AFTER_HOURS`` starts again from zero. Nothing is ever a permanent lock-out.

Exactly the allowed number of passwords is checked under any concurrency (issue 10, item 7): each attempt
*reserves* its place before the password is checked, with one statement per counter,

    INSERT … VALUES (:key, 1, …) ON CONFLICT (key) DO UPDATE
        SET failures = failures + 1, last_failure_at = :now, blocked_until = CASE <new count> WHEN … END
        WHERE blocked_until IS NULL OR blocked_until <= :now
    RETURNING failures

which counts the attempt, decides whether it may go ahead and fixes when the next one may, in one step, on
SQLite and PostgreSQL alike (no read-then-write, no unique-key race). The reservation is committed before
the password is checked — the one commit inside a service here, as with the outbox's claim — so no check
runs uncounted and no transaction (on SQLite, no write lock) is open during the deliberately slow hash.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import math
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from tasktrack.extensions import db
from tasktrack.models import LoginThrottle, User
from tasktrack.passwords import DUMMY_HASH, verify_password
from tasktrack.services.audit import record

logger = logging.getLogger(__name__)

_T = cast(sa.Table, LoginThrottle.__table__)  # a mapped class's __table__ is typed FromClause


@dataclasses.dataclass(frozen=True)
class ThrottlePolicy:
    """The login throttle's settings (LOGIN_*, typed in tasktrack/settings.py; README "Login throttling")."""

    free_attempts: int = 5
    account_free_attempts: int = 10
    max_delay: int = 900
    address_limit: int = 30
    address_window: dt.timedelta = dt.timedelta(hours=1)
    forget_after: dt.timedelta = dt.timedelta(hours=24)


@dataclasses.dataclass(frozen=True)
class LoginResult:
    """The outcome of a sign-in attempt (or of confirming one's current password)."""

    user: User | None
    #: Chinese message when refused.
    error: str | None = None
    #: Seconds to wait before the next attempt, when throttled.
    retry_after: int = 0


def delay_for(failures: int, *, free_attempts: int, max_delay: int) -> int:
    """Return the wait in seconds after the ``failures``-th attempt without success (progressive, capped)."""
    if failures < free_attempts:
        return 0
    return min(max_delay, 1 << min(failures - free_attempts + 1, 30))


def account_key(email: str) -> str:
    """Return the counter key of an account."""
    return f"account:{email.strip().lower()}"[:300]


def pair_key(email: str, address: str) -> str:
    """Return the counter key of an account at one address."""
    return f"pair:{email.strip().lower()}|{address}"[:300]


def address_key(address: str) -> str:
    """Return the counter key of an address."""
    return f"ip:{address}"[:300]


def _insert() -> Any:
    dialect = db.session.get_bind().dialect.name
    return postgresql.insert(_T) if dialect == "postgresql" else sqlite.insert(_T)


def _at(instant: dt.datetime | None) -> Any:
    """Bind an instant with the column's type (so SQLite compares it in the stored form)."""
    return sa.null() if instant is None else sa.literal(instant, _T.c.blocked_until.type)


def _reserve(key: str, *, free: int, now: dt.datetime, policy: ThrottlePolicy) -> bool:
    """Count one attempt on a gate and say whether it may be checked, in one atomic statement."""
    forgotten = sa.or_(_T.c.last_failure_at.is_(None), _T.c.last_failure_at < now - policy.forget_after)
    count = sa.case((forgotten, 1), else_=_T.c.failures + 1)

    def blocked_after(n: int) -> dt.datetime | None:
        wait = delay_for(n, free_attempts=free, max_delay=policy.max_delay)
        return now + dt.timedelta(seconds=wait) if wait else None

    # Every count before the delay reaches its cap gets its own instant; past it, the cap.
    whens: dict[int, Any] = {}
    n = 1
    while delay_for(n, free_attempts=free, max_delay=policy.max_delay) < policy.max_delay:
        whens[n] = _at(blocked_after(n))
        n += 1
    blocked_until = sa.case(whens, value=count, else_=_at(now + dt.timedelta(seconds=policy.max_delay)))
    statement = (
        _insert()
        .values(key=key, failures=1, last_failure_at=now, blocked_until=blocked_after(1))
        .on_conflict_do_update(
            index_elements=[_T.c.key],
            set_={"failures": count, "last_failure_at": now, "blocked_until": blocked_until},
            where=sa.or_(_T.c.blocked_until.is_(None), _T.c.blocked_until <= now),
        )
        .returning(_T.c.failures)
    )
    return db.session.execute(statement).first() is not None


def _count_address_failure(address: str, *, now: dt.datetime, policy: ThrottlePolicy) -> None:
    """Add a failure to an address's window (a new window when the old one is over), in one statement."""
    over = sa.or_(_T.c.window_started_at.is_(None), _T.c.window_started_at < now - policy.address_window)
    statement = (
        _insert()
        .values(key=address_key(address), failures=1, last_failure_at=now, window_started_at=now)
        .on_conflict_do_update(
            index_elements=[_T.c.key],
            set_={"failures": sa.case((over, 1), else_=_T.c.failures + 1), "last_failure_at": now,
                  "window_started_at": sa.case((over, _at(now)), else_=_T.c.window_started_at)},
        )
    )
    db.session.execute(statement)


def _address_is_busy(address: str, *, now: dt.datetime, policy: ThrottlePolicy) -> bool:
    row = db.session.execute(
        sa.select(_T.c.failures, _T.c.window_started_at).where(_T.c.key == address_key(address))
    ).first()
    return bool(row and row.window_started_at and row.window_started_at >= now - policy.address_window
                and row.failures >= policy.address_limit)


def _blocked_until(keys: list[str], now: dt.datetime) -> dt.datetime | None:
    until: dt.datetime | None = db.session.scalar(sa.select(sa.func.max(_T.c.blocked_until))
                             .where(_T.c.key.in_(keys), _T.c.blocked_until > now))
    return until


def _wait(keys: list[str], now: dt.datetime) -> int:
    until = _blocked_until(keys, now)
    return max(1, math.ceil((until - now).total_seconds())) if until else 1


def _forget_quiet(*, now: dt.datetime, policy: ThrottlePolicy) -> None:
    """Delete the counters with no attempt for LOGIN_FORGET_AFTER_HOURS (they would start from zero anyway).

    Rows another attempt holds are skipped (SKIP LOCKED on PostgreSQL), so this never waits on, or deadlocks
    with, a concurrent reservation; SQLite runs one writer at a time.
    """
    quiet = (
        sa.select(_T.c.id)
        .where(_T.c.last_failure_at < now - policy.forget_after,
               sa.or_(_T.c.blocked_until.is_(None), _T.c.blocked_until <= now))
        .with_for_update(skip_locked=True)
    )
    db.session.execute(sa.delete(LoginThrottle).where(LoginThrottle.id.in_(quiet)))


@dataclasses.dataclass(frozen=True)
class _Checked:
    user_id: int | None
    #: The password matched an existing account.
    ok: bool
    #: That account is active (only then does a match clear the counters).
    active: bool
    new_hash: str | None
    wait: int = 0


def _check(email: str, password: str, *, address: str | None, now: dt.datetime, policy: ThrottlePolicy,
           fast_hash: bool) -> _Checked:
    """Reserve the attempt (committed), check the password with no transaction open, then count the result."""
    email = email.strip().lower()
    busy = address is not None and _address_is_busy(address, now=now, policy=policy)
    # The tighter gate first: an attempt that the pair refuses leaves the account's counter alone. (One that the
    # account refuses after the pair took it stays counted on the pair: only in a race, and on the safe side.)
    gates = [(pair_key(email, address), 1 if busy else policy.free_attempts)] if address else []
    gates.append((account_key(email), policy.account_free_attempts))
    keys = [key for key, _ in gates]
    refused = _blocked_until(keys, now) is not None  # a plain read first, so a refused attempt counts nowhere
    for key, free in gates:
        refused = refused or not _reserve(key, free=free, now=now, policy=policy)
    if refused:
        wait = _wait(keys, now)
        db.session.commit()
        return _Checked(None, False, False, None, wait)
    user = db.session.scalar(sa.select(User).where(User.email == email))
    user_id, stored = (user.id, user.password_hash) if user is not None else (None, DUMMY_HASH)
    active = user is not None and user.is_active
    db.session.commit()  # the reservation stands before the password is checked

    ok, new_hash = verify_password(stored, password, fast=fast_hash)
    ok = ok and user_id is not None
    if ok and active:
        for key in keys:  # one by one, in the reservations' order: no lock cycle with a concurrent attempt
            db.session.execute(sa.delete(LoginThrottle).where(LoginThrottle.key == key))
        _forget_quiet(now=now, policy=policy)
    elif address:
        _count_address_failure(address, now=now, policy=policy)
    return _Checked(user_id, ok, active, new_hash)


def _throttled(email: str, address: str | None, wait: int) -> LoginResult:
    logger.warning("login throttled for %s from %s (%s s)", email, address, wait)
    return LoginResult(None, f"登录失败次数过多，请 {wait} 秒后再试", retry_after=wait)


def authenticate(
    email: str,
    password: str,
    *,
    address: str | None,
    now: dt.datetime,
    policy: ThrottlePolicy | None = None,
    fast_hash: bool = False,
    free_attempts: int | None = None,
    max_delay: int | None = None,
) -> LoginResult:
    """Check an e-mail and password behind the login throttle; flush the result (the reservation is committed).

    ``free_attempts`` and ``max_delay`` are the older way to give two of the policy's settings.
    """
    policy = policy or ThrottlePolicy()
    if free_attempts is not None:
        policy = dataclasses.replace(policy, free_attempts=free_attempts)
    if max_delay is not None:
        policy = dataclasses.replace(policy, max_delay=max_delay)
    checked = _check(email, password, address=address, now=now, policy=policy, fast_hash=fast_hash)
    if checked.wait:
        return _throttled(email, address, checked.wait)
    user = db.session.get(User, checked.user_id) if checked.user_id is not None else None
    if user is not None and checked.ok and checked.active:
        if checked.new_hash:
            user.password_hash = checked.new_hash
        user.last_login_at = now
        db.session.flush()
        record(user, "user.login", user, now=now, summary=f"{user.email} 登录（{address or '-'}）")
        logger.info("login ok for %s from %s", user.email, address)
        return LoginResult(user)
    db.session.flush()
    if user is not None and checked.ok:
        logger.warning("login failed for %s from %s: inactive", email, address)
        return LoginResult(None, "该账号已停用，请联系专班办公室")
    logger.warning("login failed for %s from %s: bad credentials", email, address)
    return LoginResult(None, "邮箱或密码不正确")


def confirm_password(
    user: User, password: str, *, address: str | None, now: dt.datetime, policy: ThrottlePolicy,
    fast_hash: bool = False,
) -> LoginResult:
    """Check a signed-in user's current password (before a change) behind the same throttle as sign-in."""
    email = user.email
    checked = _check(email, password, address=address, now=now, policy=policy, fast_hash=fast_hash)
    db.session.flush()
    if checked.wait:
        return _throttled(email, address, checked.wait)
    if not (checked.ok and checked.active):
        logger.warning("current password wrong for %s from %s", email, address)
        return LoginResult(None, "当前密码不正确")
    return LoginResult(db.session.get(User, checked.user_id))
