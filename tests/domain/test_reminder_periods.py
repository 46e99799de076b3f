"""Reminder policy: reporting periods, focus choices, message kinds and one line per assignment."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from tasktrack.domain.reminder_policy import (
    AssignmentFacts,
    DueItem,
    FocusChoiceFacts,
    MessageKind,
    ReminderSettings,
    due_items,
    focus_choice_items,
    one_line_per_assignment,
    period_bounds,
)
from tests.domain.reminder_facts import ISSUED, TASK1, TASK11, D, K, date_range, summary

# -- reporting periods -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "months", "starts_on", "expected"),
    [
        (D(2024, 5, 10), 3, ISSUED, (ISSUED, D(2024, 6, 30))),  # first quarter clamped to the plan
        (D(2024, 4, 15), 3, ISSUED, (ISSUED, D(2024, 6, 30))),
        (D(2024, 7, 1), 3, ISSUED, (D(2024, 7, 1), D(2024, 9, 30))),
        (D(2024, 9, 30), 3, ISSUED, (D(2024, 7, 1), D(2024, 9, 30))),
        (D(2024, 12, 31), 3, ISSUED, (D(2024, 10, 1), D(2024, 12, 31))),
        (D(2025, 2, 1), 3, ISSUED, (D(2025, 1, 1), D(2025, 3, 31))),
        (D(2024, 2, 29), 1, D(2024, 1, 1), (D(2024, 2, 1), D(2024, 2, 29))),
        (D(2024, 12, 5), 1, D(2024, 1, 1), (D(2024, 12, 1), D(2024, 12, 31))),
        (D(2024, 8, 5), 6, D(2024, 1, 1), (D(2024, 7, 1), D(2024, 12, 31))),
        (D(2024, 6, 5), 12, ISSUED, (ISSUED, D(2024, 12, 31))),
        (D(2024, 3, 5), 2, D(2024, 1, 1), (D(2024, 3, 1), D(2024, 4, 30))),
        (D(2024, 10, 5), 4, D(2024, 1, 1), (D(2024, 9, 1), D(2024, 12, 31))),
    ],
)
def test_period_bounds(
    day: dt.date, months: int, starts_on: dt.date, expected: tuple[dt.date, dt.date]
) -> None:
    assert period_bounds(day, months, starts_on) == expected


def test_period_bounds_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="before the plan start"):
        period_bounds(D(2024, 4, 1), 3, ISSUED)
    with pytest.raises(ValueError, match="period_months"):
        period_bounds(D(2024, 5, 1), 5, ISSUED)
    with pytest.raises(ValueError, match="period_months"):
        period_bounds(D(2024, 5, 1), 0, ISSUED)


def periods(facts: AssignmentFacts, today: dt.date, **kw: int) -> list[tuple[MessageKind, str, int]]:
    """Return the PERIOD_REPORT items of ``facts`` on ``today``."""
    items = due_items([facts], today, ReminderSettings(**kw))  # type: ignore[arg-type]
    return [s for s in summary(items) if s[0] is K.PERIOD_REPORT]


Q2 = "a:21:period:2024-04-15"
Q3 = "a:21:period:2024-07-01"


@pytest.mark.parametrize(
    ("today", "last_report_on", "expected"),
    [
        (D(2024, 4, 10), None, []),  # before the plan
        (D(2024, 6, 26), None, []),  # 4 days before the quarter ends
        (D(2024, 6, 27), None, [(K.PERIOD_REPORT, Q2, 3)]),  # within the last due-soon window
        (D(2024, 6, 30), None, [(K.PERIOD_REPORT, Q2, 0)]),
        (D(2024, 6, 27), D(2024, 5, 20), []),  # reported this quarter
        (D(2024, 6, 27), D(2024, 4, 15), []),  # on the first day counts
        (D(2024, 7, 5), None, [(K.PERIOD_REPORT, Q2, -5)]),  # Q2 ended without a report: caught up
        (D(2024, 9, 26), None, [(K.PERIOD_REPORT, Q2, -88)]),  # until Q3's own window opens
        (D(2024, 7, 5), D(2024, 7, 2), []),  # a report after the period counts for it
        (D(2024, 9, 27), D(2024, 5, 20), [(K.PERIOD_REPORT, Q3, 3)]),
        (D(2024, 9, 27), D(2024, 7, 1), []),
        (D(2024, 10, 10), D(2024, 5, 20), [(K.PERIOD_REPORT, Q3, -10)]),
        (D(2024, 12, 27), D(2024, 5, 20), [(K.PERIOD_REPORT, Q3, -88)]),
        (D(2024, 12, 28), D(2024, 5, 20), []),  # Q4 ends on the deadline: the ladder covers it
        (D(2025, 1, 10), D(2024, 5, 20), []),  # after the deadline: overdue ladder only
    ],
)
def test_quarterly_period_reminders_for_a_year_round_task(
    today: dt.date, last_report_on: dt.date | None, expected: list[tuple[MessageKind, str, int]]
) -> None:
    facts = dataclasses.replace(TASK11, last_report_on=last_report_on)
    assert periods(facts, today) == expected
    for item in due_items([facts], today):
        if item.kind is K.PERIOD_REPORT:
            assert item.anchor == today + dt.timedelta(days=item.days)


def test_year_round_task_also_gets_the_year_end_ladder() -> None:
    facts = dataclasses.replace(TASK11, last_report_on=D(2024, 10, 20))
    assert summary(due_items([facts], D(2024, 12, 28))) == [(K.DUE_SOON, "a:21:due_soon:3:2024-12-31", 3)]
    assert summary(due_items([facts], D(2025, 1, 1))) == [(K.OVERDUE, "a:21:overdue:2024-12-31", 1)]


def test_period_reminders_over_a_year_of_daily_sweeps() -> None:
    # The unit reports once, on 1 August, and never again.
    def sweep(day: dt.date) -> list[DueItem]:
        report = D(2024, 8, 1) if day >= D(2024, 8, 1) else None
        return due_items([dataclasses.replace(TASK11, last_report_on=report)], day)

    outbox: dict[str, dt.date] = {}
    for day in date_range(D(2024, 4, 1), D(2025, 1, 2)):
        for item in sweep(day):
            outbox.setdefault(item.key, day)
    assert outbox == {
        Q2: D(2024, 6, 27),
        # Q3 has the 1 August report: nothing
        "a:21:due_soon:14:2024-12-31": D(2024, 12, 17),
        "a:21:due_soon:3:2024-12-31": D(2024, 12, 28),
        "a:21:overdue:2024-12-31": D(2025, 1, 1),
    }


def test_period_grace_days_move_the_window_after_the_period() -> None:
    assert periods(TASK11, D(2024, 7, 1), period_grace_days=5) == []
    assert periods(TASK11, D(2024, 7, 2), period_grace_days=5) == [(K.PERIOD_REPORT, Q2, -2)]
    reported_in_grace = dataclasses.replace(TASK11, last_report_on=D(2024, 7, 3))
    assert periods(reported_in_grace, D(2024, 7, 4), period_grace_days=5) == []
    # With grace > lead, on the first day of Q3 Q2's window has not opened yet: Q1's is still open.
    early = dataclasses.replace(TASK11, starts_on=D(2024, 1, 1))
    assert periods(early, D(2024, 7, 1), period_grace_days=5) == [
        (K.PERIOD_REPORT, "a:21:period:2024-01-01", -92)
    ]
    assert periods(early, D(2024, 7, 2), period_grace_days=5) == [
        (K.PERIOD_REPORT, "a:21:period:2024-04-01", -2)
    ]


def test_recurring_task_without_due_date_reports_monthly() -> None:
    monthly = dataclasses.replace(TASK11, deadline_kind="recurring", due=None, period_months=1)
    assert periods(monthly, D(2024, 4, 27)) == [(K.PERIOD_REPORT, "a:21:period:2024-04-15", 3)]
    assert periods(monthly, D(2025, 3, 29)) == [(K.PERIOD_REPORT, "a:21:period:2025-03-01", 2)]
    assert due_items([monthly], D(2025, 3, 20)) == [
        DueItem(K.PERIOD_REPORT, 21, 3, 11, D(2025, 2, 28), "a:21:period:2025-02-01", -20)
    ]


def test_ongoing_task_reports_every_period_until_the_plan_ends() -> None:
    # 长期坚持 in a 2024—2026 plan: due at the end of the period, reported quarterly meanwhile.
    ongoing = dataclasses.replace(TASK11, deadline_kind="ongoing", due=D(2026, 12, 31))
    assert periods(ongoing, D(2024, 6, 27)) == [(K.PERIOD_REPORT, Q2, 3)]
    assert periods(ongoing, D(2025, 12, 28)) == [(K.PERIOD_REPORT, "a:21:period:2025-10-01", 3)]
    assert summary(due_items([ongoing], D(2024, 12, 28))) == [(K.PERIOD_REPORT, "a:21:period:2024-10-01", 3)]


def test_dated_task_and_zero_cadence_have_no_period_items() -> None:
    assert periods(dataclasses.replace(TASK1, period_months=3), D(2024, 6, 28)) == []
    assert periods(dataclasses.replace(TASK11, period_months=0), D(2024, 6, 28)) == []


# -- focus choices ------------------------------------------------------------------------------

CHOICE = FocusChoiceFacts(unit_id=5, plan_id=1, deadline=D(2024, 4, 30), has_choice=False)


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (D(2024, 4, 15), []),
        (D(2024, 4, 16), [(K.FOCUS_CHOICE, "f:1:5:due_soon:14:2024-04-30", 14)]),
        (D(2024, 4, 26), [(K.FOCUS_CHOICE, "f:1:5:due_soon:14:2024-04-30", 4)]),
        (D(2024, 4, 27), [(K.FOCUS_CHOICE, "f:1:5:due_soon:3:2024-04-30", 3)]),
        (D(2024, 4, 30), [(K.FOCUS_CHOICE, "f:1:5:due_soon:3:2024-04-30", 0)]),
        (D(2024, 5, 1), [(K.FOCUS_CHOICE, "f:1:5:overdue:2024-04-30", -1)]),
        (D(2024, 6, 1), [(K.FOCUS_CHOICE, "f:1:5:overdue:2024-04-30", -32)]),  # same key: sent once
    ],
)
def test_focus_choice_reminders(today: dt.date, expected: list[tuple[MessageKind, str, int]]) -> None:
    items = focus_choice_items([CHOICE], today)
    assert summary(items) == expected
    for item in items:
        assert (item.assignment_id, item.task_id, item.unit_id, item.anchor) == (0, 0, 5, D(2024, 4, 30))


def test_units_that_have_chosen_get_no_focus_reminder() -> None:
    chosen = dataclasses.replace(CHOICE, has_choice=True)
    other = dataclasses.replace(CHOICE, unit_id=6)
    items = focus_choice_items([chosen, other], D(2024, 4, 28))
    assert [i.unit_id for i in items] == [6]


def test_message_kind_values() -> None:
    assert [k.value for k in MessageKind] == [
        "due_soon",
        "overdue",
        "overdue_repeat",
        "supervision",
        "period_report",
        "unacknowledged",
        "focus_choice",
    ]
    assert f"{MessageKind.SUPERVISION}" == "supervision"


# -- one line per assignment (issue 10 item 13) ------------------------------------------------------


def run_message_sweeps(facts: list[AssignmentFacts], days: list[dt.date]) -> list[tuple[dt.date, str, tuple[str, ...]]]:
    """Simulate the sweep as the service runs it: drop sent keys, one line per assignment, record every
    key a line spends; return (day, line key, covered keys) of each line sent."""
    outbox: set[str] = set()
    sent = []
    for day in days:
        lines = one_line_per_assignment(i for i in due_items(facts, day) if i.key not in outbox)
        for line in lines:
            outbox.update(line.keys)
            sent.append((day, line.item.key, tuple(c.key for c in line.covers)))
    return sent


def test_one_line_at_the_highest_rung_covers_the_rest() -> None:
    # Overdue day 30 (30 August): 催办 n=4 and 督办 are both due; one line, 督办, covering the 催办.
    items = due_items([TASK1], D(2024, 8, 30))
    assert [i.kind for i in items] == [K.OVERDUE_REPEAT, K.SUPERVISION]
    [line] = one_line_per_assignment(items)
    assert line.item.kind is K.SUPERVISION
    assert [c.key for c in line.covers] == ["a:17:overdue_repeat:4:2024-07-31"]
    assert line.keys == ("a:17:supervision:2024-07-31", "a:17:overdue_repeat:4:2024-07-31")


def test_covered_rungs_are_not_sent_later_as_stale_duplicates() -> None:
    # Back on 2 September after an outage: one 督办 line; the covered 催办 n=4 (due until 3 September)
    # is not sent on its own the next day; 催办 n=5 comes on 4 September.
    days = [d for d in date_range(D(2024, 7, 1), D(2024, 9, 10)) if not D(2024, 7, 29) <= d <= D(2024, 9, 1)]
    sent = run_message_sweeps([TASK1], days)
    assert [(day, key) for day, key, _ in sent if day >= D(2024, 9, 2)] == [
        (D(2024, 9, 2), "a:17:supervision:2024-07-31"),
        (D(2024, 9, 4), "a:17:overdue_repeat:5:2024-07-31"),
    ]
    assert sent[-2][2] == ("a:17:overdue_repeat:4:2024-07-31",)
    # every day sends at most one line per assignment
    assert len({(day, "a:17") for day, _, _ in sent}) == len(sent)


def test_period_item_is_covered_by_the_due_soon_line() -> None:
    # Task 11 with no report since 1 July: on 17 December Q3's reminder (window until 27 December) and the
    # 14-day year-end warning are both due; one line, the due-soon one, and Q3 is not sent alone later.
    items = due_items([TASK11], D(2024, 12, 17))
    assert sorted(i.kind for i in items) == sorted([K.DUE_SOON, K.PERIOD_REPORT])
    [line] = one_line_per_assignment(items)
    assert line.item.kind is K.DUE_SOON
    assert [c.kind for c in line.covers] == [K.PERIOD_REPORT]
    sent = run_message_sweeps([TASK11], date_range(D(2024, 12, 17), D(2024, 12, 27)))
    assert [(day, key) for day, key, _ in sent] == [(D(2024, 12, 17), "a:21:due_soon:14:2024-12-31")]


def test_lines_of_different_assignments_and_focus_items_stay_apart() -> None:
    other = dataclasses.replace(TASK1, assignment_id=18, unit_id=4)
    focus = focus_choice_items([FocusChoiceFacts(unit_id=9, plan_id=1, deadline=D(2024, 4, 30), has_choice=False),
                                FocusChoiceFacts(unit_id=10, plan_id=1, deadline=D(2024, 4, 30), has_choice=False)],
                               D(2024, 8, 30))
    lines = one_line_per_assignment(due_items([TASK1, other], D(2024, 8, 30)) + focus)
    assert [(li.item.assignment_id, li.item.kind) for li in lines] == [
        (17, K.SUPERVISION), (18, K.SUPERVISION), (0, K.FOCUS_CHOICE), (0, K.FOCUS_CHOICE)]
    assert [len(li.covers) for li in lines] == [1, 1, 0, 0]
