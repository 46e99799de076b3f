"""The daily reminder sweep: from the database alone, one e-mail per unit per day (DESIGN §4, §4a).

The sweep is level-triggered: ``domain.reminder_policy`` yields every item due by ``today`` with an
idempotency key; items whose key is already in ``notification_items`` (UNIQUE) were sent before and
are dropped; the rest become one line per assignment at its highest rung (the lower rungs due with it are
covered by the line and recorded with it, so they are never sent later on their own), grouped per unit
into ONE message, keyed ``reminders:<unit>:<date>``. A
second run on the same day, a second scheduler or a restart adds nothing; a missed day is caught up
by the next run, because the policy keeps an item due until its rung is superseded.

A unit with new items but no address at all gets its message stored as dead ("没有收件人地址"), so
the secretariat sees it in the outbox and in its digest instead of the items being dropped silently.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from tasktrack import notifications
from tasktrack.clock import local_date
from tasktrack.domain.reminder_policy import (
    RUNGS,
    AssignmentFacts,
    DueItem,
    FocusChoiceFacts,
    Line,
    MessageKind,
    ReminderSettings,
    due_items,
    focus_choice_items,
    one_line_per_assignment,
)
from tasktrack.extensions import db
from tasktrack.models import (
    Assignment,
    AssignmentStatus,
    FocusChoice,
    NotificationItem,
    NotificationKind,
    Plan,
    SupervisionKind,
    SupervisionRecord,
    Task,
    Unit,
    UnitKind,
)
from tasktrack.services import outbox, recipients

logger = logging.getLogger(__name__)

_CHUNK = 500


# -- facts ----------------------------------------------------------------------------------------

def assignment_facts() -> list[AssignmentFacts]:
    """Return the policy's facts for every open assignment of open plans (one query)."""
    rows = db.session.execute(
        sa.select(Assignment.id, Assignment.unit_id, Assignment.task_id, Assignment.extended_due, Task.due_date,
                  Task.deadline_kind, Assignment.status, Assignment.last_reported_at, Task.period_months,
                  Plan.report_period_months, Plan.issued_on, Plan.year, Assignment.acknowledged_at,
                  Assignment.created_at)
        .join(Task, Assignment.task_id == Task.id)
        .join(Plan, Task.plan_id == Plan.id)
        .join(Unit, Assignment.unit_id == Unit.id)
        .where(Assignment.closed_at.is_(None), Task.is_deleted.is_(False), Plan.is_deleted.is_(False),
               Plan.is_closed.is_(False), Unit.is_active.is_(True))
        .order_by(Assignment.id)
    )
    return [
        AssignmentFacts(
            assignment_id=r.id, unit_id=r.unit_id, task_id=r.task_id, due=r.extended_due or r.due_date,
            deadline_kind=r.deadline_kind.value, is_completed=r.status is AssignmentStatus.COMPLETED,
            last_report_on=local_date(r.last_reported_at) if r.last_reported_at else None,
            period_months=(r.period_months or r.report_period_months) if r.deadline_kind.value != "dated" else 0,
            starts_on=r.issued_on or dt.date(r.year, 1, 1),
            is_acknowledged=r.acknowledged_at is not None, assigned_on=local_date(r.created_at),
        )
        for r in rows
    ]


def units_with_focus_choice(plan_ids: Sequence[int]) -> set[tuple[int, int]]:
    """Return (plan id, unit id) pairs whose observation point has a current focus choice."""
    if not plan_ids:
        return set()
    query = (
        sa.select(FocusChoice.plan_id, FocusChoice.unit_id)
        .distinct()
        .where(FocusChoice.plan_id.in_(plan_ids), FocusChoice.is_current.is_(True))
    )
    return {(p, u) for p, u in db.session.execute(query)}


def focus_facts() -> list[FocusChoiceFacts]:
    """Return focus-choice facts of active observation points for open plans with a choice deadline."""
    plans = db.session.execute(
        sa.select(Plan.id, Plan.focus_choice_deadline)
        .where(Plan.focus_choice_deadline.is_not(None), Plan.is_deleted.is_(False), Plan.is_closed.is_(False))
    ).all()
    if not plans:
        return []
    unit_ids = db.session.scalars(
        sa.select(Unit.id).where(Unit.kind == UnitKind.OBSERVATION_POINT, Unit.is_active.is_(True))
    ).all()
    chosen = units_with_focus_choice([p.id for p in plans])
    return [FocusChoiceFacts(unit_id=u, plan_id=p.id, deadline=p.focus_choice_deadline,
                             has_choice=(p.id, u) in chosen) for p in plans for u in unit_ids]


def already_sent(keys: Iterable[str]) -> set[str]:
    """Return the keys among ``keys`` that are already in a message (chunked IN queries)."""
    keys = list(keys)
    found: set[str] = set()
    for i in range(0, len(keys), _CHUNK):
        chunk = keys[i:i + _CHUNK]
        found.update(db.session.scalars(sa.select(NotificationItem.item_key).where(NotificationItem.item_key.in_(chunk))))
    return found


# Kept for old callers; whom a message goes to is decided in services/recipients.py.
unit_recipients = recipients.unit_addresses
secretariat_emails = recipients.secretariat_addresses


# -- messages -------------------------------------------------------------------------------------

KIND_ORDER = list(RUNGS)


@dataclass(frozen=True)
class ItemView:
    """One line of the e-mail: an assignment's highest-rung due item (and the items it covers)."""

    item: DueItem
    title: str
    label: str
    #: The unit's own page for the item: its assignment (where the report form is) or its focus choice.
    url: str
    #: Lower rungs of the same assignment that this line stands for (recorded as sent with it).
    covers: tuple[DueItem, ...] = ()

    @property
    def kind(self) -> MessageKind:
        return self.item.kind

    @property
    def unacknowledged(self) -> bool:
        """Return whether the line is (or also says) 未签收."""
        return any(i.kind is MessageKind.UNACKNOWLEDGED for i in (self.item, *self.covers))


@dataclass(frozen=True)
class PlannedMessage:
    """One message the sweep would send (or has queued)."""

    key: str
    unit: Unit
    to: list[str]
    cc: list[str]
    subject: str
    text: str
    html: str
    items: list[ItemView]
    #: The DingTalk robot's markdown (templates/dingtalk/reminder.md).
    markdown: str | None = None


def item_label(item: DueItem) -> str:
    """Describe an item's urgency in Chinese."""
    d = item.days
    if item.kind is MessageKind.DUE_SOON:
        return "今天到期" if d == 0 else f"{d}天后到期"
    if item.kind is MessageKind.OVERDUE:
        return f"已逾期{d}天"
    if item.kind is MessageKind.OVERDUE_REPEAT:
        return f"已逾期{d}天（催办）"
    if item.kind is MessageKind.SUPERVISION:
        return f"已逾期{d}天（督办）"
    if item.kind is MessageKind.PERIOD_REPORT:
        return "本报送周期尚未报送进展" + (f"（{-d}天前已截止）" if d < 0 else f"（{d}天后截止）")
    if item.kind is MessageKind.UNACKNOWLEDGED:
        return f"未签收（已下达{d}天，请登录系统签收）"
    return "请在截止日前选择重点事项" if d >= 0 else f"重点事项选择已超过截止日期{-d}天"


def _subject(unit: Unit, items: list[ItemView], today: dt.date) -> str:
    counts: dict[str, int] = defaultdict(int)
    for v in items:
        if v.kind is MessageKind.SUPERVISION:
            counts["督办"] += 1
        elif v.kind in (MessageKind.OVERDUE, MessageKind.OVERDUE_REPEAT):
            counts["已逾期"] += 1
        elif v.kind is MessageKind.DUE_SOON:
            counts["即将到期"] += 1
        elif v.kind is MessageKind.UNACKNOWLEDGED:
            counts["未签收"] += 1
        else:
            counts["待报送"] += 1
    parts = [f"{n}项{what}" for what, n in counts.items()]
    return f"【清廉社会组织建设】{unit.name}任务提醒：{'、'.join(parts)}（{today.month}月{today.day}日）"


def _views(lines: list[Line], base_url: str) -> list[ItemView]:
    task_ids = {line.item.task_id for line in lines if line.item.task_id}
    tasks = {t.id: t for t in db.session.scalars(
        sa.select(Task).where(Task.id.in_(task_ids)).options(sa.orm.joinedload(Task.section))
    )} if task_ids else {}
    views = []
    for line in sorted(lines, key=lambda li: (KIND_ORDER.index(li.item.kind), li.item.anchor, li.item.task_id)):
        item = line.item
        if item.kind is MessageKind.FOCUS_CHOICE:
            title = f"观察点重点事项选择（截止 {item.anchor.month}月{item.anchor.day}日）"
            url = notifications.link(base_url, "everyone.observation_point", unit_id=item.unit_id, _anchor="choose")
        else:
            task = tasks[item.task_id]
            title = f"{task.number}. {task.text}（{task.deadline_phrase}）"
            url = notifications.link(base_url, "everyone.assignment", assignment_id=item.assignment_id)
        label = item_label(item)
        if any(c.kind is MessageKind.UNACKNOWLEDGED for c in line.covers):
            label += "；尚未签收"  # the 未签收 fact rides on the assignment's one line (and is spent with it)
        views.append(ItemView(item, title, label, url, line.covers))
    return views


def group_windows(defaults: ReminderSettings) -> tuple[dict[int, int], dict[int, ReminderSettings]]:
    """Return each unit's work group and each work group's reminder windows (NULL → ``defaults``); two queries."""
    from tasktrack.models import WorkGroup
    from tasktrack.services.work_group_admin import reminder_settings

    unit_group = dict(db.session.execute(sa.select(Unit.id, Unit.work_group_id)).tuples().all())
    windows = {g.id: reminder_settings(g, defaults) for g in db.session.scalars(sa.select(WorkGroup))}
    return unit_group, windows


def due_by_group(today: dt.date, defaults: ReminderSettings) -> list[DueItem]:
    """Return today's due items, each unit's chased with its own work group's windows (DESIGN §4, issue 12)."""
    unit_group, windows = group_windows(defaults)
    facts: dict[ReminderSettings, list[AssignmentFacts]] = defaultdict(list)
    for f in assignment_facts():
        facts[windows.get(unit_group.get(f.unit_id, -1), defaults)].append(f)
    focus: dict[ReminderSettings, list[FocusChoiceFacts]] = defaultdict(list)
    for c in focus_facts():
        focus[windows.get(unit_group.get(c.unit_id, -1), defaults)].append(c)
    items: list[DueItem] = []
    for settings, group_facts in facts.items():
        items.extend(due_items(group_facts, today, settings))
    for settings, group_focus in focus.items():
        items.extend(focus_choice_items(group_focus, today, settings))
    return items


def plan_messages(today: dt.date, settings: ReminderSettings, *, base_url: str,
                  work_group_ids: Collection[int] | None = None) -> list[PlannedMessage]:
    """Return the messages the sweep would queue today: one per unit with new due items.

    ``settings`` are the app's windows; a work group's own windows (work_group_admin) apply to its units. With
    ``work_group_ids``, only the messages to those groups' units (a secretariat's preview of its own mail); the
    sweep passes none and covers every group.
    """
    items = due_by_group(today, settings)
    sent = already_sent(i.key for i in items)
    by_unit: dict[int, list[Line]] = defaultdict(list)
    for line in one_line_per_assignment(i for i in items if i.key not in sent):
        by_unit[line.item.unit_id].append(line)
    if not by_unit:
        return []
    units = {u.id: u for u in db.session.scalars(sa.select(Unit).where(Unit.id.in_(by_unit)))}
    if work_group_ids is not None:
        units = {uid: u for uid, u in units.items() if u.work_group_id in work_group_ids}
        by_unit = {uid: lines for uid, lines in by_unit.items() if uid in units}
        if not by_unit:
            return []
    views = _views([line for group in by_unit.values() for line in group], base_url)
    supervised = {v.item.unit_id for v in views if v.kind is MessageKind.SUPERVISION}
    addressed = recipients.for_units(list(units.values()), copy_leader=supervised)
    views_of: dict[int, list[ItemView]] = defaultdict(list)  # grouped once: a province has ~3,000 units × 20,000 lines
    for view in views:
        views_of[view.item.unit_id].append(view)
    messages = []
    for unit_id in sorted(by_unit, key=lambda u: (units[u].sort_order, u)):
        unit, to = units[unit_id], addressed[unit_id]
        unit_views = views_of[unit_id]
        # The body says who is copied only as far as it is true: the leader needs an address on file.
        leader_copied = unit_id in supervised and bool(unit.leader_email)
        context = {"unit": unit, "items": unit_views, "today": today, "supervised": unit_id in supervised,
                   "leader_copied": leader_copied,
                   "office_copied": any(a != unit.leader_email for a in to.cc),
                   "supervision_days": settings.supervision_after_days}
        letter = notifications.compose("reminder", subject=_subject(unit, unit_views, today), context=context,
                                       recipients=to, base_url=base_url)
        messages.append(PlannedMessage(
            key=f"reminders:{unit_id}:{today.isoformat()}", unit=unit, to=list(letter.to), cc=list(letter.cc),
            subject=letter.subject, text=letter.text, html=letter.html, items=unit_views, markdown=letter.markdown,
        ))
    return messages


@dataclass
class SweepReport:
    """What one sweep queued."""

    queued: list[int]
    undeliverable_units: list[str]
    #: Lines in the queued messages (one per assignment).
    items: int
    #: Lower-rung items the lines covered, recorded as sent with them.
    covered: int = 0


def run_sweep(today: dt.date, settings: ReminderSettings, *, base_url: str, now: dt.datetime) -> SweepReport:
    """Queue today's reminder messages and record their items (flushes; the caller commits).

    All messages go out in a few multi-row INSERTs (outbox.enqueue_many), and their items and supervision
    records in one bulk INSERT each: a province has thousands of items on a busy day.
    """
    report = SweepReport(queued=[], undeliverable_units=[], items=0)
    messages = plan_messages(today, settings, base_url=base_url)
    reasons = [None if m.to else recipients.NO_UNIT_ADDRESS for m in messages]
    ids = outbox.enqueue_many([
        outbox.Outgoing(key=m.key, kind=NotificationKind.REMINDER, local_date=today, to=m.to, cc=m.cc,
                        subject=m.subject, text=m.text, html=m.html, unit_id=m.unit.id, undeliverable_reason=reason,
                        markdown=m.markdown)
        for m, reason in zip(messages, reasons, strict=True)], now=now)
    items: list[dict[str, Any]] = []
    notices: list[dict[str, Any]] = []
    for message, reason, new_id in zip(messages, reasons, ids, strict=True):
        if new_id is None:
            continue  # this unit already has today's message; new items wait for tomorrow's (still due)
        for view in message.items:
            item = view.item
            for spent in (item, *view.covers):  # a covered item is sent as part of this line, never later
                items.append({"item_key": spent.key, "notification_id": new_id, "kind": spent.kind.value,
                              "assignment_id": spent.assignment_id or None, "unit_id": spent.unit_id,
                              "anchor": spent.anchor, "days": spent.days, "created_at": now})
            report.covered += len(view.covers)
            if item.kind is MessageKind.SUPERVISION:
                notices.append({"assignment_id": item.assignment_id, "kind": SupervisionKind.SUPERVISION_NOTICE,
                                "actor_id": None, "created_at": now, "note": f"系统督办：已逾期{item.days}天"})
        report.queued.append(new_id)
        report.items += len(message.items)
        if reason:
            report.undeliverable_units.append(message.unit.name)
            logger.warning("unit %s has due items but no address; recorded for the secretariat", message.unit.name)
    if items:
        db.session.execute(sa.insert(NotificationItem), items)
    if notices:
        db.session.execute(sa.insert(SupervisionRecord), notices)
    logger.info("sweep %s: %s messages, %s items", today, len(report.queued), report.items)
    return report

