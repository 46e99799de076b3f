"""Each work group's secretariat digest (DESIGN §4, issue 12): its own plans' week, its undecomposed 上级下达任务.

One digest per work group, sent to each of the group's active secretariat accounts under its own outbox key
``digest:secretariat:<user id>:<iso week>`` (so once per recipient per week, however often the job runs, and the
row belongs to the recipient's group in the outbox). A group's digest reads only its own part of the tree: the open
assignments of its own plans (by main task, by unit, newly overdue), the inbound tasks addressed to it that are not
yet decomposed (the higher plan's assignments of the unit that stands for it, ``services/read/levels.inbound_rows``),
the case reports of its own units awaiting review, its own units without an address, and the undeliverable messages
of its own outbox. A province's digest has no city unit's work; a city's has neither the province's nor a sibling's.
A digest with nothing to say is not sent. All groups are read in a fixed number of queries.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from tasktrack import notifications
from tasktrack.domain.lights import Light
from tasktrack.domain.rollup import RollupState
from tasktrack.extensions import db
from tasktrack.models import (
    CaseReport,
    CaseStatus,
    Notification,
    NotificationKind,
    NotificationStatus,
    Unit,
    User,
    WorkGroup,
)
from tasktrack.services import outbox, recipients
from tasktrack.services.read.levels import InboundRow, inbound_rows
from tasktrack.services.read.overview import AssignmentRow

RECENT_DAYS = 7
#: Undeliverable messages listed per digest at most (newest first).
UNDELIVERABLE_LIMIT = 50
LIGHTS = [Light.RED, Light.YELLOW, Light.GREEN, Light.DONE]


@dataclass
class SecretariatDigest:
    """The data of one work group's weekly secretariat digest."""

    group: WorkGroup
    by_section: list[tuple[str, dict[Light, int]]] = field(default_factory=list)
    by_unit: list[tuple[Unit, dict[Light, int]]] = field(default_factory=list)
    newly_overdue: list[AssignmentRow] = field(default_factory=list)
    #: 上级下达任务 addressed to the group and not yet decomposed (分解) or linked to its own tasks.
    undecomposed: list[InboundRow] = field(default_factory=list)
    cases_awaiting: int = 0
    #: Open assignments of its plans that their units have not acknowledged yet (待签收, issue 15).
    unacknowledged: int = 0
    units_without_email: list[tuple[Unit, bool]] = field(default_factory=list)
    undeliverable: list[Notification] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        """Nothing to say: no open work of its own, no undecomposed inbound task, no case, no failed mail."""
        return not (self.by_unit or self.undecomposed or self.cases_awaiting or self.undeliverable)


def cases_awaiting_by_group(group_ids: Collection[int]) -> dict[int, int]:
    """Count, per work group, its units' case reports submitted (or resubmitted) and not yet reviewed (one query)."""
    if not group_ids:
        return {}
    return {gid: int(n) for gid, n in db.session.execute(
        sa.select(Unit.work_group_id, sa.func.count(CaseReport.id))
        .join(Unit, CaseReport.unit_id == Unit.id)
        .where(CaseReport.status == CaseStatus.SUBMITTED, Unit.work_group_id.in_(sorted(group_ids)))
        .group_by(Unit.work_group_id))}


def undeliverable_by_group(group_ids: Collection[int], top_ids: Collection[int]) -> dict[int, list[Notification]]:
    """Return each group's newest dead messages (at most UNDELIVERABLE_LIMIT each), two queries.

    A message belongs to its unit's work group, else its reader's, else the top work group (``top_ids``), as in
    ``permissions.owns_notification``.
    """
    if not group_ids:
        return {}
    owner = sa.func.coalesce(Unit.work_group_id, User.work_group_id, -1)
    ranked = (
        sa.select(Notification.id.label("id"), owner.label("owner"),
                  sa.func.row_number().over(partition_by=owner, order_by=Notification.id.desc()).label("rank"))
        .select_from(Notification)
        .outerjoin(Unit, Notification.unit_id == Unit.id).outerjoin(User, Notification.user_id == User.id)
        .where(Notification.status == NotificationStatus.DEAD)
        .subquery())
    wanted = sorted(group_ids) + ([-1] if set(top_ids) & set(group_ids) else [])
    owners = dict(db.session.execute(
        sa.select(ranked.c.id, ranked.c.owner).where(ranked.c.rank <= UNDELIVERABLE_LIMIT, ranked.c.owner.in_(wanted))
    ).tuples().all())
    out: dict[int, list[Notification]] = {gid: [] for gid in group_ids}
    if not owners:
        return out
    rows = db.session.scalars(sa.select(Notification).where(Notification.id.in_(sorted(owners)))
                              .options(joinedload(Notification.unit)).order_by(Notification.id.desc()))
    for row in rows:
        gid = owners[row.id]
        for target in ([g for g in top_ids if g in out] if gid == -1 else [gid]):
            out[target].append(row)
    return out


def group_digests(groups: Sequence[WorkGroup], today: dt.date,
                  rows: Callable[[], list[AssignmentRow]]) -> dict[int, SecretariatDigest]:
    """Collect each group's digest (by group id) from today's open rows, in a fixed number of queries."""
    ids = {g.id for g in groups}
    digests = {g.id: SecretariatDigest(g) for g in groups}
    sections: dict[int, dict[tuple[int, int], tuple[str, dict[Light, int]]]] = defaultdict(dict)
    units: dict[int, dict[int, tuple[Unit, dict[Light, int]]]] = defaultdict(dict)
    for r in rows():
        task = r.assignment.task
        gid = task.plan.work_group_id
        if gid not in ids:
            continue
        key = (task.plan_id, task.section.number)
        sections[gid].setdefault(key, (task.section.title, dict.fromkeys(Light, 0)))[1][r.light.light] += 1
        units[gid].setdefault(r.assignment.unit_id, (r.assignment.unit, dict.fromkeys(Light, 0)))[1][r.light.light] += 1
        if r.assignment.acknowledged_at is None:
            digests[gid].unacknowledged += 1
        if r.light.light is Light.RED and r.light.days_left is not None and -RECENT_DAYS <= r.light.days_left < 0:
            digests[gid].newly_overdue.append(r)
    every_unit = [u for by_id in units.values() for u, _ in by_id.values()]
    addresses = recipients.for_units(every_unit)
    inbound = inbound_rows(ids, today)
    cases = cases_awaiting_by_group(ids)
    dead = undeliverable_by_group(ids, [g.id for g in groups if g.parent_id is None])
    for gid, d in digests.items():
        d.by_section = [sections[gid][k] for k in sorted(sections[gid])]
        d.by_unit = sorted(units[gid].values(), key=lambda pair: (pair[0].sort_order, pair[0].id))
        d.newly_overdue.sort(key=lambda r: r.light.days_left or 0)
        d.units_without_email = [(u, bool(addresses[u.id].to)) for u, _ in d.by_unit if not u.emails]
        d.undecomposed = [i for i in inbound.get(gid, []) if i.rollup.state is RollupState.UNDECOMPOSED]
        d.cases_awaiting = cases.get(gid, 0)
        d.undeliverable = dead.get(gid, [])
    return digests


def send_secretariat_digests(today: dt.date, *, now: dt.datetime, base_url: str, week: str,
                             rows: Callable[[], list[AssignmentRow]]) -> tuple[list[int], int]:
    """Queue this week's digest of every work group to each of its active secretariat accounts (flushes).

    Returns the new outbox ids and how many accounts had nothing to read. The caller checks the weekday.
    """
    if db.session.scalar(sa.select(Notification.id).where(Notification.key == f"digest:secretariat:{week}")):
        return [], 0  # this week's single digest of the time before work groups already went to every office
    accounts = recipients.secretariat_accounts()
    if not accounts:
        return [], 0
    groups = sorted((people[0].work_group for people in accounts.values()), key=lambda g: g.id)
    messages: list[outbox.Outgoing] = []
    skipped = 0
    for gid, d in group_digests(groups, today, rows).items():
        if d.is_empty:
            skipped += len(accounts[gid])
            continue
        letter = notifications.compose(
            "secretariat_digest", subject=f"【清廉社会组织建设】{d.group.name}每周督办摘要（{week}）",
            context={"d": d, "group": d.group, "today": today, "week": week, "lights": LIGHTS},
            recipients=notifications.Recipients(), base_url=base_url)
        for user in accounts[gid]:
            mine = dataclasses.replace(letter, recipients=recipients.for_user(user))
            messages.append(outbox.Outgoing.of(mine, key=f"digest:secretariat:{user.id}:{week}",
                                               kind=NotificationKind.SECRETARIAT_DIGEST, local_date=today,
                                               user_id=user.id))
    return [new_id for new_id in outbox.enqueue_many(messages, now=now) if new_id is not None], skipped
