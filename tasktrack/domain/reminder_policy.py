"""Which reminders are due on a given day (DESIGN §4), as a pure function of facts and ``today``.

The policy is **level-triggered**: every run computes, from the facts alone, the items that should have
been sent by ``today``. Each item has a deterministic idempotency ``key``; the caller inserts one outbox
row per key (UNIQUE) and ignores keys it has already seen. So a second run on the same day is a no-op
and a run after a missed day catches the missed item up (RELIABILITY R2, R3).

All day counts are calendar days in Asia/Shanghai; office hours and working days only decide *when*
the grouped messages go out (see :mod:`tasktrack.domain.workdays`).

Deadline ladder (every task with an effective due date, including the year-end due date of year-round
and recurring tasks). Let ``left = due - today`` and ``late = today - due``, windows ``W`` =
``due_soon_days`` sorted descending, e.g. (14, 3):

====================  ===========================================  ===================================
kind                  emitted while                                key
====================  ===========================================  ===================================
DUE_SOON w            ``next smaller window < left <= w``          ``a:<id>:due_soon:<w>:<due>``
                      (14..4 -> w=14, 3..0 -> w=3)
OVERDUE               ``1 <= late < overdue_repeat_days``          ``a:<id>:overdue:<due>``
OVERDUE_REPEAT n      ``n = late // overdue_repeat_days >= 1``     ``a:<id>:overdue_repeat:<n>:<due>``
SUPERVISION           ``late >= supervision_after_days``           ``a:<id>:supervision:<due>``
====================  ===========================================  ===================================

Each rung is emitted on every day of its window with the same key, so a missed run is caught up the
next day of the window; once the next rung's window starts the earlier rung is *superseded*, never sent
late (a run on day 2 before the deadline yields only the 3-day item; a run on overdue day 30 yields
repeat n=4 and supervision, not the first-day overdue notice or repeats 1-3). SUPERVISION is not
superseded: once the deadline is ``supervision_after_days`` past it stays due (same key) until sent.
``overdue_repeat_days = 0`` turns repeats off (OVERDUE then stays due for the whole lateness) and
``supervision_after_days = 0`` turns supervision off. The due date is part of every key, so an approved
extension (a new effective due date) restarts the ladder with new keys.

Reporting periods (PERIOD_REPORT, year-round, recurring and ongoing tasks with ``period_months > 0``). Periods
are calendar-aligned (:func:`period_bounds`; quarters start in Jan/Apr/Jul/Oct), the first one clamped
to ``starts_on``. A report on or after a period's start counts for that period ("reports start from the
last one", DESIGN §4a), even if it was filed during the grace days after the period. With ``m =
min(due_soon_days)`` (0 if empty) and ``g = period_grace_days``, the *reminder window* of period P runs
from ``P.end + g - m`` up to the day before the window of the following period opens. On ``today`` the
one period P whose window contains ``today`` is considered, and one item is emitted when

* the unit has no report dated on or after ``P.start`` (``last_report_on`` is None or earlier), and
* P lies within the plan: ``P.end >= starts_on``, and ``P.end < due`` when there is a due date (the
  period ending at the year-end deadline is covered by the deadline ladder, not twice).

Key ``a:<id>:period:<P.start>``, anchor ``P.end``. In words: at most one period reminder per period,
``m`` days before the period's report date; if the unit still has not reported when the period ends
it is *not* reminded again about that period (the traffic light shows it as stale), but if that
reminder could not be produced on time (server down, assignment created late) it is caught up during
the following period with the same key, until the following period's own reminder supersedes it.

Acknowledgement (UNACKNOWLEDGED, 签收 chasing, issue 15): an open assignment its unit has not acknowledged yet is
due from the ``ack_remind_workdays``-th working day after the day it was assigned (``assigned_on``; working days
per :func:`tasktrack.domain.workdays.nth_working_day_after`, so 调休 and holidays count right) until it is
acknowledged or completed; key ``a:<id>:unacknowledged``, anchor that first due day, ``days`` the calendar days since
it was assigned. ONE key per assignment: the unit is told once in its daily mail, and after that the secretariat's
待签收 list and digest keep it in view (基层减负: no daily nagging about a click). ``ack_remind_workdays = 0`` turns
it off. Assigned on a Monday with N = 2 (no holiday): Tuesday is working day 1, the line is due from Wednesday.

Days: for DUE_SOON ``days`` is the days left; for OVERDUE, OVERDUE_REPEAT and SUPERVISION the days late
(positive). PERIOD_REPORT and FOCUS_CHOICE items can be either, so their ``days`` is signed:
``anchor - today`` (negative once the anchor has passed).

Messages: one line per assignment. The caller drops the items whose key was already sent, then
:func:`one_line_per_assignment` groups the new items of each assignment into ONE line, at its highest rung:

=====  ===================================  =================================================
rank   rung (MessageKind)                   shown as
=====  ===================================  =================================================
1      SUPERVISION                          督办
2      OVERDUE_REPEAT, OVERDUE              催办 / 已逾期 (never due together: ``n`` is 0 or not)
3      DUE_SOON                             即将到期
4      PERIOD_REPORT                        待报送 (the period ends inside a due-soon window)
5      UNACKNOWLEDGED                       未签收 (covered by a higher rung, the line says 尚未签收 too)
6      FOCUS_CHOICE                         not about an assignment: never grouped
=====  ===================================  =================================================

The other new items of that assignment are *covered* by the line: the caller records their keys with
the message, exactly like the line's own key, so they count as sent. Otherwise a covered item that is
still due the next day (OVERDUE_REPEAT n stays due for ``overdue_repeat_days``, PERIOD_REPORT for its
whole window) would arrive alone a day later as a stale duplicate (a run on overdue day 30 sends one
督办 line covering repeat n=4; day 31 sends nothing; day 35 sends repeat n=5).

Focus choices (观察点 choosing 1-2 focus items): units without a choice get the DUE_SOON windows before
the plan's choice deadline (key ``f:<plan>:<unit>:due_soon:<w>:<deadline>``) and, from the first day
after it, one overdue reminder (key ``f:<plan>:<unit>:overdue:<deadline>``) that stays due until sent
or until the unit chooses; there are no repeats.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from tasktrack.domain.workdays import nth_working_day_after

MAX_KEY_LENGTH = 200
DEADLINE_KINDS = frozenset({"dated", "year_round", "recurring", "ongoing"})
_PERIODIC_KINDS = frozenset({"year_round", "recurring", "ongoing"})
#: Period lengths that tile a calendar year, so periods align to the same months every year.
_ALIGNED_PERIOD_MONTHS = frozenset({1, 2, 3, 4, 6, 12})


@dataclass(frozen=True)
class ReminderSettings:
    """Reminder windows in calendar days; see the module docstring for how each is used."""

    due_soon_days: tuple[int, ...] = (14, 3)
    overdue_repeat_days: int = 7
    supervision_after_days: int = 30
    period_grace_days: int = 0
    #: Working days after assignment before an unacknowledged (待签收) one is chased (ACK_REMIND_WORKDAYS); 0 = off.
    ack_remind_workdays: int = 2

    def __post_init__(self) -> None:
        """Reject windows that would make the ladder ambiguous."""
        if any(w < 0 for w in self.due_soon_days):
            raise ValueError(f"due_soon_days must be >= 0: {self.due_soon_days}")
        if len(set(self.due_soon_days)) != len(self.due_soon_days):
            raise ValueError(f"due_soon_days must be distinct: {self.due_soon_days}")
        for name in ("overdue_repeat_days", "supervision_after_days", "period_grace_days", "ack_remind_workdays"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must be >= 0")


class MessageKind(enum.StrEnum):
    """Kinds of reminder the sweep can produce."""

    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    OVERDUE_REPEAT = "overdue_repeat"
    SUPERVISION = "supervision"
    PERIOD_REPORT = "period_report"
    UNACKNOWLEDGED = "unacknowledged"
    FOCUS_CHOICE = "focus_choice"


@dataclass(frozen=True)
class AssignmentFacts:
    """What the policy needs to know about one assignment (task × unit)."""

    assignment_id: int
    unit_id: int
    task_id: int
    #: Effective due date (an approved extension already applied); None = no dated rules.
    due: dt.date | None
    #: "dated" | "year_round" | "recurring" | "ongoing" (the values of DeadlineKind)
    deadline_kind: str
    is_completed: bool
    #: Date (Asia/Shanghai) of the unit's latest progress report on this assignment.
    last_report_on: dt.date | None
    #: Reporting cadence in months for year-round / recurring tasks (3 = quarterly); 0 = none.
    period_months: int
    #: Plan start (e.g. the issue date); no period before it is expected.
    starts_on: dt.date
    #: Whether the unit has acknowledged it (签收); an unacknowledged one is chased (UNACKNOWLEDGED).
    is_acknowledged: bool = True
    #: The day (Asia/Shanghai) it was assigned to the unit; None: never chased for 签收.
    assigned_on: dt.date | None = None


@dataclass(frozen=True)
class DueItem:
    """One reminder that is due, identified by its idempotency key."""

    kind: MessageKind
    assignment_id: int
    unit_id: int
    task_id: int
    #: The deadline (or period end) the item is about.
    anchor: dt.date
    #: Deterministic idempotency key, at most 200 characters.
    key: str
    #: Days left or late; see the module docstring for the sign convention per kind.
    days: int


#: Rungs from the highest down (module docstring, "one line per assignment").
RUNGS: tuple[MessageKind, ...] = (
    MessageKind.SUPERVISION,
    MessageKind.OVERDUE_REPEAT,
    MessageKind.OVERDUE,
    MessageKind.DUE_SOON,
    MessageKind.PERIOD_REPORT,
    MessageKind.UNACKNOWLEDGED,
    MessageKind.FOCUS_CHOICE,
)


@dataclass(frozen=True)
class Line:
    """One line of a message: an assignment's highest-rung new item and the new items it covers."""

    item: DueItem
    #: Lower rungs of the same assignment due at the same time; sent (recorded) with this line.
    covers: tuple[DueItem, ...] = ()

    @property
    def keys(self) -> tuple[str, ...]:
        """Return every idempotency key the line spends: its own, then the covered ones."""
        return (self.item.key, *(c.key for c in self.covers))


@dataclass(frozen=True)
class FocusChoiceFacts:
    """Whether an observation point has chosen its focus items for a plan."""

    unit_id: int
    plan_id: int
    deadline: dt.date
    has_choice: bool


def _key(*parts: object) -> str:
    key = ":".join(p.isoformat() if isinstance(p, dt.date) else str(p) for p in parts)
    if len(key) > MAX_KEY_LENGTH:  # cannot happen with int ids and ISO dates; guard the contract
        raise ValueError(f"idempotency key longer than {MAX_KEY_LENGTH} characters: {key[:50]}…")
    return key


def _due_soon_window(left: int, windows: tuple[int, ...]) -> int | None:
    """Return the window w with ``next smaller window < left <= w``, or None."""
    ordered = sorted(windows, reverse=True)
    for i, w in enumerate(ordered):
        lower = ordered[i + 1] if i + 1 < len(ordered) else -1
        if lower < left <= w:
            return w
    return None


def _deadline_ladder(
    f: AssignmentFacts, due: dt.date, today: dt.date, s: ReminderSettings
) -> Iterator[DueItem]:
    def item(kind: MessageKind, key: str, days: int) -> DueItem:
        return DueItem(kind, f.assignment_id, f.unit_id, f.task_id, due, key, days)

    a = f.assignment_id
    left = (due - today).days
    if left >= 0:
        w = _due_soon_window(left, s.due_soon_days)
        if w is not None:
            yield item(MessageKind.DUE_SOON, _key("a", a, "due_soon", w, due), left)
        return
    late = -left
    repeat = s.overdue_repeat_days
    n = late // repeat if repeat else 0
    if n == 0:
        yield item(MessageKind.OVERDUE, _key("a", a, "overdue", due), late)
    else:
        yield item(MessageKind.OVERDUE_REPEAT, _key("a", a, "overdue_repeat", n, due), late)
    if s.supervision_after_days and late >= s.supervision_after_days:
        yield item(MessageKind.SUPERVISION, _key("a", a, "supervision", due), late)


def _add_months(year: int, month: int, months: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + months
    return index // 12, index % 12 + 1


def period_bounds(d: dt.date, months: int, starts_on: dt.date) -> tuple[dt.date, dt.date]:
    """Return (first day, last day) of the reporting period that contains ``d``.

    Periods are aligned to calendar months: with ``months`` = 3 they are the quarters starting in
    January, April, July and October; 1, 2, 4, 6 and 12 tile the year the same way. The period that
    contains ``starts_on`` begins on ``starts_on`` (no report is expected for days before the plan).
    Raises ValueError for ``d`` before ``starts_on`` or a ``months`` that does not divide 12.
    """
    if months not in _ALIGNED_PERIOD_MONTHS:
        raise ValueError(f"period_months must be one of {sorted(_ALIGNED_PERIOD_MONTHS)}, got {months}")
    if d < starts_on:
        raise ValueError(f"{d} is before the plan start {starts_on}")
    first_month = (d.month - 1) // months * months + 1
    start = dt.date(d.year, first_month, 1)
    end_year, end_month = _add_months(d.year, first_month, months)
    end = dt.date(end_year, end_month, 1) - dt.timedelta(days=1)
    return max(start, starts_on), end


def _period_item(f: AssignmentFacts, today: dt.date, s: ReminderSettings) -> DueItem | None:
    if f.period_months == 0 or today < f.starts_on:
        return None
    lead = min(s.due_soon_days, default=0)
    grace = s.period_grace_days

    def window_opens(end: dt.date) -> dt.date:
        return end + dt.timedelta(days=grace - lead)

    # The candidate is the latest period whose reminder window has opened by today; the windows of
    # consecutive periods tile the calendar, so today lies in exactly that period's window.
    start, end = period_bounds(today, f.period_months, f.starts_on)
    while window_opens(end) > today:
        if start <= f.starts_on:
            return None  # no earlier period inside the plan
        start, end = period_bounds(start - dt.timedelta(days=1), f.period_months, f.starts_on)
    if f.due is not None and end >= f.due:
        return None  # the deadline ladder covers the final period
    if f.last_report_on is not None and f.last_report_on >= start:
        return None
    return DueItem(
        MessageKind.PERIOD_REPORT,
        f.assignment_id,
        f.unit_id,
        f.task_id,
        end,
        _key("a", f.assignment_id, "period", start),
        (end - today).days,
    )


def _unacknowledged_item(f: AssignmentFacts, today: dt.date, s: ReminderSettings) -> DueItem | None:
    if f.is_acknowledged or f.assigned_on is None or s.ack_remind_workdays == 0:
        return None
    from_day = nth_working_day_after(f.assigned_on, s.ack_remind_workdays)
    if today < from_day:
        return None
    return DueItem(MessageKind.UNACKNOWLEDGED, f.assignment_id, f.unit_id, f.task_id, from_day,
                   _key("a", f.assignment_id, "unacknowledged"), (today - f.assigned_on).days)


def due_items(
    facts: Iterable[AssignmentFacts], today: dt.date, settings: ReminderSettings = ReminderSettings()
) -> list[DueItem]:
    """Return every reminder item due on ``today``, deduplicated by key, in input order."""
    out: dict[str, DueItem] = {}
    for f in facts:
        if f.deadline_kind not in DEADLINE_KINDS:
            raise ValueError(f"assignment {f.assignment_id}: unknown deadline kind {f.deadline_kind!r}")
        if f.is_completed:
            continue
        found: list[DueItem] = []
        if f.due is not None:
            found.extend(_deadline_ladder(f, f.due, today, settings))
        if f.deadline_kind in _PERIODIC_KINDS:
            period = _period_item(f, today, settings)
            if period is not None:
                found.append(period)
        unacknowledged = _unacknowledged_item(f, today, settings)
        if unacknowledged is not None:
            found.append(unacknowledged)
        for item in found:
            out.setdefault(item.key, item)
    return list(out.values())


def focus_choice_items(
    facts: Iterable[FocusChoiceFacts], today: dt.date, settings: ReminderSettings = ReminderSettings()
) -> list[DueItem]:
    """Return the focus-choice reminders due on ``today`` for units that have not chosen yet."""
    out: dict[str, DueItem] = {}
    for f in facts:
        if f.has_choice:
            continue
        left = (f.deadline - today).days
        if left >= 0:
            w = _due_soon_window(left, settings.due_soon_days)
            if w is None:
                continue
            key = _key("f", f.plan_id, f.unit_id, "due_soon", w, f.deadline)
        else:
            key = _key("f", f.plan_id, f.unit_id, "overdue", f.deadline)
        item = DueItem(MessageKind.FOCUS_CHOICE, 0, f.unit_id, 0, f.deadline, key, left)
        out.setdefault(item.key, item)
    return list(out.values())


def one_line_per_assignment(items: Iterable[DueItem]) -> list[Line]:
    """Group new (unsent) items into one line per assignment at its highest rung, in input order.

    Focus-choice items (``assignment_id`` 0) are not about an assignment and each stay a line of their own.
    """
    groups: dict[object, list[DueItem]] = {}
    for item in items:
        groups.setdefault(item.assignment_id or ("key", item.key), []).append(item)
    lines = []
    for group in groups.values():
        top = min(group, key=lambda i: RUNGS.index(i.kind))  # min keeps the first of equal rank
        lines.append(Line(top, tuple(i for i in group if i is not top)))
    return lines
