"""Who gets a message: computed here and nowhere else (the sweep, urging, the digests and resend ask here).

A unit is reached at its contact e-mails, then its active liaisons' and observation-point accounts'
addresses (a unit standing for a lower work group, also that group's secretariat). A 督办 notice
(``copy_leader``) also copies the unit's leader, when one is on file, and the secretariat (the office) of the
unit's own work group — exactly the people its text says it copies. A digest goes to its reader: a liaison's to
the liaison, each work group's secretariat digest to each of that group's active secretariat accounts
(:func:`secretariat_accounts`). A stored message with neither a unit nor a reader belongs to the top work group
(``permissions.owns_notification``) and is resent to its office.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from tasktrack.extensions import db
from tasktrack.models import Notification, Role, Unit, User, WorkGroup
from tasktrack.notifications import Recipients

#: The outbox's reason for a unit's message that has nobody to go to (stored dead, shown to the office).
NO_UNIT_ADDRESS = "该单位没有登记联系邮箱，也没有在用的联络员账号"


def unit_addresses(unit_ids: Sequence[int]) -> dict[int, list[str]]:
    """Return each unit's addresses: its contact e-mails, then its active liaisons' (two queries); a unit that
    stands for a lower work group (its assignments are that group's 上级下达任务) also reaches that group's active
    secretariat accounts, who decompose and report on them (one more query when there is such a unit)."""
    out: dict[int, list[str]] = {u: [] for u in unit_ids}
    if not unit_ids:
        return out
    stands_for: dict[int, int] = {}
    for unit in db.session.scalars(sa.select(Unit).where(Unit.id.in_(unit_ids))):
        out[unit.id].extend(unit.emails)
        if unit.represents_work_group_id is not None:
            stands_for[unit.represents_work_group_id] = unit.id
    people = db.session.execute(
        sa.select(User.unit_id, User.email)
        .where(User.unit_id.in_(unit_ids), User.is_active.is_(True),
               User.role.in_([Role.LIAISON, Role.OBSERVATION_POINT]))
        .order_by(User.id)
    )
    for unit_id, email in people:
        if unit_id is not None and email.lower() not in out[unit_id]:
            out[unit_id].append(email.lower())
    if stands_for:
        offices = db.session.execute(
            sa.select(User.work_group_id, User.email)
            .where(User.work_group_id.in_(sorted(stands_for)), User.is_active.is_(True),
                   User.role == Role.SECRETARIAT)
            .order_by(User.id))
        for group_id, email in offices:
            unit_id = stands_for[group_id]
            if email.lower() not in out[unit_id]:
                out[unit_id].append(email.lower())
    return out


def secretariat_addresses(work_group_ids: Collection[int] | None = None) -> list[str]:
    """Return the active secretariat accounts' addresses (of the given work groups only, if given)."""
    query = sa.select(User.email).where(User.role == Role.SECRETARIAT, User.is_active.is_(True)).order_by(User.id)
    if work_group_ids is not None:
        query = query.where(User.work_group_id.in_(sorted(work_group_ids)))
    return list(db.session.scalars(query))


def secretariat_accounts(work_group_ids: Collection[int] | None = None) -> dict[int, list[User]]:
    """Return the active secretariat accounts of each work group (of the given ones only, if given), with their work
    group loaded, one query."""
    query = (sa.select(User).where(User.role == Role.SECRETARIAT, User.is_active.is_(True))
             .options(joinedload(User.work_group)).order_by(User.id))
    if work_group_ids is not None:
        query = query.where(User.work_group_id.in_(sorted(work_group_ids)))
    out: dict[int, list[User]] = {}
    for user in db.session.scalars(query):
        out.setdefault(user.work_group_id, []).append(user)
    return out


def _offices(group_ids: Collection[int]) -> dict[int, list[str]]:
    """Return each work group's active secretariat addresses (one query)."""
    out: dict[int, list[str]] = {g: [] for g in group_ids}
    if group_ids:
        for group_id, email in db.session.execute(
                sa.select(User.work_group_id, User.email)
                .where(User.role == Role.SECRETARIAT, User.is_active.is_(True),
                       User.work_group_id.in_(sorted(group_ids))).order_by(User.id)):
            out[group_id].append(email)
    return out


def for_units(units: Sequence[Unit], *, copy_leader: Collection[int] = ()) -> dict[int, Recipients]:
    """Return each unit's recipients; units whose id is in ``copy_leader`` (督办) copy leader and office.

    Three queries at most, however many units: the sweep asks once for all units of the day.
    """
    addresses = unit_addresses([u.id for u in units])
    # The office copied on a 督办 is the unit's own work group's (the one that supervises it).
    offices = _offices({u.work_group_id for u in units if u.id in copy_leader})
    out: dict[int, Recipients] = {}
    for unit in units:
        cc: list[str] = []
        if unit.id in copy_leader:
            leader = [unit.leader_email] if unit.leader_email else []
            cc = leader + [a for a in offices[unit.work_group_id] if a not in leader]
        out[unit.id] = Recipients.of(addresses[unit.id], cc)
    return out


def for_unit(unit: Unit, *, copy_leader: bool = False) -> Recipients:
    """Return one unit's recipients (see :func:`for_units`)."""
    return for_units([unit], copy_leader={unit.id} if copy_leader else ())[unit.id]


def for_user(user: User) -> Recipients:
    """Return the recipients of a message to one person (their digest)."""
    return Recipients.of([user.email])


def for_secretariat(work_group_ids: Collection[int] | None = None) -> Recipients:
    """Return the recipients of a message to the secretariat: the given work groups' offices (default: all)."""
    return Recipients.of(secretariat_addresses(work_group_ids))


def for_notification(row: Notification) -> Recipients:
    """Re-read whom a stored message is for (resend): its unit, its reader, or else the top work group's office.

    Only To is re-read; the Cc a message already carries is kept by the caller, because its text says whom
    it copies.
    """
    if row.unit_id is not None:
        return Recipients.of(unit_addresses([row.unit_id])[row.unit_id])
    if row.user is not None:
        return for_user(row.user)
    return for_secretariat(db.session.scalars(sa.select(WorkGroup.id).where(WorkGroup.parent_id.is_(None))).all())
