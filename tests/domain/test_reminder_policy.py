"""Reminder policy: which items are due on a day, with stable idempotency keys (the deadline ladder)."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from tasktrack.domain.reminder_policy import (
    MessageKind,
    ReminderSettings,
    due_items,
)
from tests.domain.reminder_facts import TASK1, TASK11, D, K, date_range, run_sweeps, summary


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
