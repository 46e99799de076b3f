"""签收 chasing in the pure reminder policy: a 待签收 assignment gets ONE 未签收 item from its N-th working day on."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from tasktrack.domain.reminder_policy import (
    AssignmentFacts,
    MessageKind,
    ReminderSettings,
    due_items,
    one_line_per_assignment,
)
from tasktrack.domain.workdays import nth_working_day_after

D = dt.date
#: A dated task due far away (no deadline rung for weeks), assigned on Thursday 2024-07-18, not yet acknowledged.
NEW = AssignmentFacts(assignment_id=7, unit_id=3, task_id=5, due=D(2024, 12, 31), deadline_kind="dated",
                      is_completed=False, last_report_on=None, period_months=0, starts_on=D(2024, 1, 1),
                      is_acknowledged=False, assigned_on=D(2024, 7, 18))
DEFAULT = ReminderSettings()


def days(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]


def simulate(facts: list[AssignmentFacts], run_days: list[dt.date], settings: ReminderSettings = DEFAULT
             ) -> list[tuple[dt.date, str, tuple[str, ...]]]:
    """Run the daily sweep as the service does: drop spent keys, one line per assignment, spend every key of a line."""
    spent: set[str] = set()
    sent = []
    for day in run_days:
        for line in one_line_per_assignment(i for i in due_items(facts, day, settings) if i.key not in spent):
            spent.update(line.keys)
            sent.append((day, line.item.key, tuple(c.key for c in line.covers)))
    return sent


def test_nth_working_day_after_counts_working_days_only() -> None:
    assert nth_working_day_after(D(2024, 7, 18), 0) == D(2024, 7, 18)
    assert nth_working_day_after(D(2024, 7, 18), 1) == D(2024, 7, 19)  # Friday
    assert nth_working_day_after(D(2024, 7, 18), 2) == D(2024, 7, 22)  # the weekend does not count
    # 国庆 2024: Sunday 29 September is a 调休 working day, 1-7 October are holidays.
    assert nth_working_day_after(D(2024, 9, 27), 2) == D(2024, 9, 30)
    assert nth_working_day_after(D(2024, 9, 30), 2) == D(2024, 10, 9)
    with pytest.raises(ValueError, match="n must be"):
        nth_working_day_after(D(2024, 7, 18), -1)


def test_daily_runs_send_the_line_once_after_n_working_days() -> None:
    sent = simulate([NEW], days(D(2024, 7, 18), D(2024, 9, 30)))
    assert sent == [(D(2024, 7, 22), "a:7:unacknowledged", ())]


def test_the_item_says_how_long_ago_it_was_assigned() -> None:
    [item] = due_items([NEW], D(2024, 7, 24))
    assert (item.kind, item.anchor, item.days) == (MessageKind.UNACKNOWLEDGED, D(2024, 7, 22), 6)
    assert due_items([NEW], D(2024, 7, 19)) == []


def test_holidays_push_the_line_back() -> None:
    before_national_day = dataclasses.replace(NEW, assigned_on=D(2024, 9, 30))
    sent = simulate([before_national_day], days(D(2024, 9, 30), D(2024, 10, 31)))
    assert [day for day, _key, _ in sent] == [D(2024, 10, 9)]


@pytest.mark.parametrize("workdays", [1, 2, 5])
def test_the_setting_moves_the_day(workdays: int) -> None:
    sent = simulate([NEW], days(D(2024, 7, 18), D(2024, 8, 31)), ReminderSettings(ack_remind_workdays=workdays))
    assert [day for day, _key, _ in sent] == [nth_working_day_after(D(2024, 7, 18), workdays)]


def test_a_missed_run_is_caught_up_and_a_second_run_adds_nothing() -> None:
    sent = simulate([NEW], [D(2024, 7, 18), D(2024, 7, 26), D(2024, 7, 26), D(2024, 7, 29)])
    assert sent == [(D(2024, 7, 26), "a:7:unacknowledged", ())]


@pytest.mark.parametrize("facts", [
    dataclasses.replace(NEW, is_acknowledged=True),
    dataclasses.replace(NEW, is_completed=True),
    dataclasses.replace(NEW, assigned_on=None),
])
def test_acknowledged_completed_or_undated_assignments_are_not_chased(facts: AssignmentFacts) -> None:
    assert simulate([facts], days(D(2024, 7, 18), D(2024, 8, 31))) == []


def test_zero_turns_chasing_off_and_negative_is_refused() -> None:
    assert simulate([NEW], days(D(2024, 7, 18), D(2024, 8, 31)), ReminderSettings(ack_remind_workdays=0)) == []
    with pytest.raises(ValueError, match="ack_remind_workdays"):
        ReminderSettings(ack_remind_workdays=-1)


def test_a_line_at_a_higher_rung_covers_the_unacknowledged_item_once() -> None:
    # Assigned late, already overdue: the 已逾期 line stands for the 未签收 item too, which is never sent alone later.
    late = dataclasses.replace(NEW, due=D(2024, 7, 15))
    sent = simulate([late], days(D(2024, 7, 18), D(2024, 8, 10)))
    assert sent[0] == (D(2024, 7, 18), "a:7:overdue:2024-07-15", ())
    assert sent[1] == (D(2024, 7, 22), "a:7:overdue_repeat:1:2024-07-15", ("a:7:unacknowledged",))
    assert all("unacknowledged" not in key for _day, key, _ in sent)
    assert sum("a:7:unacknowledged" in covers for _day, _key, covers in sent) == 1


def test_units_and_assignments_are_chased_independently() -> None:
    other = dataclasses.replace(NEW, assignment_id=8, unit_id=4, assigned_on=D(2024, 7, 22))
    sent = simulate([NEW, other], days(D(2024, 7, 18), D(2024, 8, 31)))
    assert sent == [(D(2024, 7, 22), "a:7:unacknowledged", ()), (D(2024, 7, 24), "a:8:unacknowledged", ())]
