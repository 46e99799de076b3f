"""Reminder policy: which items are due on a day, with stable idempotency keys."""

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

D = dt.date
K = MessageKind
ISSUED = D(2024, 4, 15)  # 〔2024〕4号 was issued on 15 April 2024

# Task 1 of the 2024 plan: 巩固拓展主题教育成果 … 2024年7月底前.
TASK1 = AssignmentFacts(
    assignment_id=17,
    unit_id=3,
    task_id=1,
    due=D(2024, 7, 31),
    deadline_kind="dated",
    is_completed=False,
    last_report_on=None,
    period_months=0,
    starts_on=ISSUED,
)

# Task 11: 探索推进社会服务机构非营利监管试点工作, 2024年全年, reported quarterly.
TASK11 = AssignmentFacts(
    assignment_id=21,
    unit_id=3,
    task_id=11,
    due=D(2024, 12, 31),
    deadline_kind="year_round",
    is_completed=False,
    last_report_on=None,
    period_months=3,
    starts_on=ISSUED,
)


def summary(items: list[DueItem]) -> list[tuple[MessageKind, str, int]]:
    """Return (kind, key, days) for each item."""
    return [(i.kind, i.key, i.days) for i in items]


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (D(2024, 7, 16), []),
        (D(2024, 7, 17), [(K.DUE_SOON, "a:17:due_soon:14:2024-07-31", 14)]),
        (D(2024, 7, 18), [(K.DUE_SOON, "a:17:due_soon:14:2024-07-31", 13)]),
        (D(2024, 7, 27), [(K.DUE_SOON, "a:17:due_soon:14:2024-07-31", 4)]),
        (D(2024, 7, 28), [(K.DUE_SOON, "a:17:due_soon:3:2024-07-31", 3)]),
        (D(2024, 7, 31), [(K.DUE_SOON, "a:17:due_soon:3:2024-07-31", 0)]),
        (D(2024, 8, 1), [(K.OVERDUE, "a:17:overdue:2024-07-31", 1)]),
        (D(2024, 8, 6), [(K.OVERDUE, "a:17:overdue:2024-07-31", 6)]),
        (D(2024, 8, 7), [(K.OVERDUE_REPEAT, "a:17:overdue_repeat:1:2024-07-31", 7)]),
        (D(2024, 8, 8), [(K.OVERDUE_REPEAT, "a:17:overdue_repeat:1:2024-07-31", 8)]),
        (D(2024, 8, 14), [(K.OVERDUE_REPEAT, "a:17:overdue_repeat:2:2024-07-31", 14)]),
        (D(2024, 8, 29), [(K.OVERDUE_REPEAT, "a:17:overdue_repeat:4:2024-07-31", 29)]),
        (
            D(2024, 8, 30),
            [
                (K.OVERDUE_REPEAT, "a:17:overdue_repeat:4:2024-07-31", 30),
                (K.SUPERVISION, "a:17:supervision:2024-07-31", 30),
            ],
        ),
        (
            D(2024, 9, 4),
            [
                (K.OVERDUE_REPEAT, "a:17:overdue_repeat:5:2024-07-31", 35),
                (K.SUPERVISION, "a:17:supervision:2024-07-31", 35),
            ],
        ),
    ],
)
def test_deadline_ladder_for_task_1(today: dt.date, expected: list[tuple[MessageKind, str, int]]) -> None:
    items = due_items([TASK1], today)
    assert summary(items) == expected
    for item in items:
        assert (item.assignment_id, item.unit_id, item.task_id, item.anchor) == (17, 3, 1, D(2024, 7, 31))


@pytest.mark.parametrize("today", [D(2024, 7, 17), D(2024, 7, 28), D(2024, 8, 1), D(2024, 8, 30)])
def test_completed_assignment_produces_nothing(today: dt.date) -> None:
    done = dataclasses.replace(TASK1, is_completed=True)
    assert due_items([done], today) == []
    done11 = dataclasses.replace(TASK11, is_completed=True)
    assert due_items([done11], D(2024, 6, 28)) == []


def test_no_due_date_means_no_dated_reminders() -> None:
    undated = dataclasses.replace(TASK1, due=None)
    assert due_items([undated], D(2024, 8, 30)) == []


def run_sweeps(facts: list[AssignmentFacts], days: list[dt.date]) -> list[tuple[dt.date, str]]:
    """Simulate the daily sweep with an outbox that dedups by key; return (day, key) of new rows."""
    outbox: set[str] = set()
    sent: list[tuple[dt.date, str]] = []
    for day in days:
        for item in due_items(facts, day):
            if item.key not in outbox:
                outbox.add(item.key)
                sent.append((day, item.key))
    return sent


def date_range(first: dt.date, last: dt.date) -> list[dt.date]:
    """Return every day from first to last inclusive."""
    return [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]


def test_daily_sweep_sends_each_rung_once() -> None:
    sent = run_sweeps([TASK1], date_range(D(2024, 7, 1), D(2024, 9, 10)))
    assert sent == [
        (D(2024, 7, 17), "a:17:due_soon:14:2024-07-31"),
        (D(2024, 7, 28), "a:17:due_soon:3:2024-07-31"),
        (D(2024, 8, 1), "a:17:overdue:2024-07-31"),
        (D(2024, 8, 7), "a:17:overdue_repeat:1:2024-07-31"),
        (D(2024, 8, 14), "a:17:overdue_repeat:2:2024-07-31"),
        (D(2024, 8, 21), "a:17:overdue_repeat:3:2024-07-31"),
        (D(2024, 8, 28), "a:17:overdue_repeat:4:2024-07-31"),
        (D(2024, 8, 30), "a:17:supervision:2024-07-31"),
        (D(2024, 9, 4), "a:17:overdue_repeat:5:2024-07-31"),
    ]


def test_missed_days_are_caught_up_and_superseded_rungs_are_not_sent_late() -> None:
    # The server is down from 14 July to 19 July and again from 29 July to 1 September.
    days = [
        d
        for d in date_range(D(2024, 7, 1), D(2024, 9, 10))
        if not (D(2024, 7, 14) <= d <= D(2024, 7, 19) or D(2024, 7, 29) <= d <= D(2024, 9, 1))
    ]
    assert run_sweeps([TASK1], days) == [
        (D(2024, 7, 20), "a:17:due_soon:14:2024-07-31"),  # caught up: day 11 is still in its window
        (D(2024, 7, 28), "a:17:due_soon:3:2024-07-31"),
        # back on 2 Sep (33 days late): overdue and repeats 1-3 are superseded, not replayed
        (D(2024, 9, 2), "a:17:overdue_repeat:4:2024-07-31"),
        (D(2024, 9, 2), "a:17:supervision:2024-07-31"),  # never superseded: still sent
        (D(2024, 9, 4), "a:17:overdue_repeat:5:2024-07-31"),
    ]


def test_run_on_day_two_yields_only_the_three_day_item() -> None:
    assert summary(due_items([TASK1], D(2024, 7, 29))) == [(K.DUE_SOON, "a:17:due_soon:3:2024-07-31", 2)]


@pytest.mark.parametrize("today", date_range(D(2024, 7, 10), D(2024, 10, 10)))
def test_running_twice_yields_identical_items(today: dt.date) -> None:
    facts = [TASK1, TASK11, dataclasses.replace(TASK1, assignment_id=18, unit_id=4)]
    first = due_items(facts, today)
    second = due_items(list(facts), today)
    assert first == second
    keys = [i.key for i in first]
    assert len(keys) == len(set(keys))
    assert all(len(k) <= 200 for k in keys)


def test_duplicate_facts_yield_each_key_once() -> None:
    assert len(due_items([TASK1, TASK1], D(2024, 8, 30))) == 2


def test_an_extension_restarts_the_ladder_with_new_keys() -> None:
    extended = dataclasses.replace(TASK1, due=D(2024, 9, 30))
    assert due_items([extended], D(2024, 8, 1)) == []  # no longer overdue
    assert summary(due_items([extended], D(2024, 9, 16))) == [
        (K.DUE_SOON, "a:17:due_soon:14:2024-09-30", 14)
    ]
    before = {i.key for d in date_range(D(2024, 7, 1), D(2024, 12, 31)) for i in due_items([TASK1], d)}
    after = {i.key for d in date_range(D(2024, 7, 1), D(2024, 12, 31)) for i in due_items([extended], d)}
    assert before.isdisjoint(after)
    assert "a:17:overdue:2024-09-30" in after


def test_several_assignments_and_units_are_independent() -> None:
    other = dataclasses.replace(TASK1, assignment_id=99, unit_id=8, task_id=2, due=D(2024, 8, 3))
    items = due_items([TASK1, other], D(2024, 8, 1))
    assert summary(items) == [
        (K.OVERDUE, "a:17:overdue:2024-07-31", 1),
        (K.DUE_SOON, "a:99:due_soon:3:2024-08-03", 2),
    ]
    assert [i.unit_id for i in items] == [3, 8]


def test_custom_windows() -> None:
    settings = ReminderSettings(due_soon_days=(1, 7, 30), overdue_repeat_days=3, supervision_after_days=10)
    due = TASK1.due
    assert due is not None

    def kinds_on(days_before: int) -> list[tuple[MessageKind, str, int]]:
        return summary(due_items([TASK1], due - dt.timedelta(days=days_before), settings))

    assert kinds_on(31) == []
    assert kinds_on(30)[0][1] == "a:17:due_soon:30:2024-07-31"
    assert kinds_on(8)[0][1] == "a:17:due_soon:30:2024-07-31"
    assert kinds_on(7)[0][1] == "a:17:due_soon:7:2024-07-31"
    assert kinds_on(2)[0][1] == "a:17:due_soon:7:2024-07-31"
    assert kinds_on(1)[0][1] == "a:17:due_soon:1:2024-07-31"
    assert kinds_on(0)[0][1] == "a:17:due_soon:1:2024-07-31"
    assert [k for k, _, _ in kinds_on(-3)] == [K.OVERDUE_REPEAT]
    assert [k for k, _, _ in kinds_on(-10)] == [K.OVERDUE_REPEAT, K.SUPERVISION]


def test_repeats_and_supervision_can_be_turned_off() -> None:
    settings = ReminderSettings(overdue_repeat_days=0, supervision_after_days=0)
    assert summary(due_items([TASK1], D(2024, 9, 30), settings)) == [
        (K.OVERDUE, "a:17:overdue:2024-07-31", 61)
    ]
    assert due_items([TASK1], D(2024, 7, 17), ReminderSettings(due_soon_days=())) == []


@pytest.mark.parametrize(
    "kwargs",
    [
        {"due_soon_days": (14, -1)},
        {"due_soon_days": (3, 3)},
        {"overdue_repeat_days": -7},
        {"supervision_after_days": -1},
        {"period_grace_days": -2},
    ],
)
def test_invalid_settings_are_rejected(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="must be"):
        ReminderSettings(**kwargs)  # type: ignore[arg-type]


def test_unknown_deadline_kind_is_an_error_not_a_silent_skip() -> None:
    with pytest.raises(ValueError, match="unknown deadline kind"):
        due_items([dataclasses.replace(TASK1, deadline_kind="someday")], D(2024, 7, 17))


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
